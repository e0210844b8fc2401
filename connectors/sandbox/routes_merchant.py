"""Merchant routes: registration, profile, listings and introductions to buyer requests."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from connectors.models import (
    Introduction,
    IntroductionCreate,
    IntroductionPage,
    Listing,
    ListingCreate,
    ListingPage,
    ListingStatus,
    ListingStatusUpdate,
    Merchant,
    MerchantCreate,
    MerchantCredentials,
)
from connectors.sandbox.deps import CurrentMerchant, IdempotencyKey, State, registration_allowed, token_digest
from connectors.sandbox.errors import AUTH_RESPONSES, READ_RESPONSES, WRITE_RESPONSES, ApiError, not_found
from connectors.sandbox.idempotency import fingerprint, keyed_write
from connectors.sandbox.routes_catalog import Identifier, Limit, Offset
from connectors.sandbox.state import as_utc
from connectors.sandbox.tables import BuyerRequestRow, IntroductionRow, ListingRow, MerchantRow

router = APIRouter()
MERCHANT_WRITE = {**AUTH_RESPONSES, **WRITE_RESPONSES}
MERCHANT_READ = {**AUTH_RESPONSES, **READ_RESPONSES}


def new_id(prefix: str) -> str:
    """A random, unguessable resource id such as ``lst_3f9a0c1d2e4b5a69``."""
    return f"{prefix}_{secrets.token_hex(8)}"


@router.post("/merchants", status_code=201, response_model=MerchantCredentials, tags=["merchants"],
             dependencies=[Depends(registration_allowed)], responses={**AUTH_RESPONSES, **WRITE_RESPONSES},
             summary="Register a merchant and get its API token")
def register_merchant(state: State, body: MerchantCreate, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Create a merchant. Open to anyone unless the sandbox runs with an admin token, in
    which case ``X-Admin-Token`` is required. The token is returned only here."""

    def action(session: Session) -> tuple[int, dict]:
        token = "sbx_" + secrets.token_urlsafe(24)
        row = MerchantRow(merchant_id=new_id("mer"), name=body.name, country=body.country,
                          token_sha256=token_digest(token), created_at=state.now())
        session.add(row)
        return 201, MerchantCredentials(merchant_id=row.merchant_id, api_token=token,
                                        name=row.name, country=row.country).model_dump(mode="json")

    return keyed_write(state, scope="public", key=idempotency_key, action=action,
                       request_fingerprint=fingerprint("POST", "/merchants", body.model_dump(mode="json")))


@router.get("/merchants/me", response_model=Merchant, tags=["merchants"], responses=AUTH_RESPONSES,
            summary="The authenticated merchant")
def get_me(merchant: CurrentMerchant) -> Merchant:
    """The profile of the merchant the token belongs to."""
    return Merchant(merchant_id=merchant.merchant_id, name=merchant.name, country=merchant.country,
                    created_at=as_utc(merchant.created_at))


def _listing(row: ListingRow) -> Listing:
    data = {c: getattr(row, c) for c in Listing.model_fields}
    return Listing(**{**data, "created_at": as_utc(row.created_at), "updated_at": as_utc(row.updated_at)})


@router.post("/listings", status_code=201, response_model=Listing, tags=["listings"], responses=MERCHANT_WRITE,
             summary="Create a listing")
def create_listing(state: State, merchant: CurrentMerchant, body: ListingCreate,
                   idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Publish a product listing for the authenticated merchant."""

    def action(session: Session) -> tuple[int, dict]:
        now = state.now()
        data = body.model_dump(mode="json")
        if data["port_of_loading"]:
            data["port_of_loading"] = data["port_of_loading"].replace(" ", "")
        row = ListingRow(listing_id=new_id("lst"), merchant_id=merchant.merchant_id,
                         created_at=now, updated_at=now, **data)
        session.add(row)
        return 201, _listing(row).model_dump(mode="json")

    return keyed_write(state, scope=merchant.merchant_id, key=idempotency_key, action=action,
                       request_fingerprint=fingerprint("POST", "/listings", body.model_dump(mode="json")))


@router.get("/listings", response_model=ListingPage, tags=["listings"], responses=AUTH_RESPONSES,
            summary="The merchant's listings")
def list_listings(state: State, merchant: CurrentMerchant, status: ListingStatus | None = None,
                  limit: Limit = 20, offset: Offset = 0) -> ListingPage:
    """Listings of the authenticated merchant, newest first, optionally by status."""
    query = select(ListingRow).where(ListingRow.merchant_id == merchant.merchant_id)
    if status is not None:
        query = query.where(ListingRow.status == status.value)
    with state.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(ListingRow.created_at.desc(), ListingRow.listing_id)
                               .limit(limit).offset(offset)).all()
    return ListingPage(items=[_listing(r) for r in rows], total=total, limit=limit, offset=offset)


def _own_listing(session: Session, merchant_id: str, listing_id: str) -> ListingRow:
    row = session.get(ListingRow, listing_id)
    if row is None or row.merchant_id != merchant_id:
        raise not_found("listing", listing_id)
    return row


@router.get("/listings/{listing_id}", response_model=Listing, tags=["listings"], responses=MERCHANT_READ,
            summary="Get a listing")
def get_listing(state: State, merchant: CurrentMerchant, listing_id: Identifier) -> Listing:
    """One of the merchant's listings (another merchant's listing is a 404)."""
    with state.session() as session:
        return _listing(_own_listing(session, merchant.merchant_id, listing_id))


@router.put("/listings/{listing_id}/status", response_model=Listing, tags=["listings"], responses=MERCHANT_WRITE,
            summary="Change a listing's status")
def update_listing_status(state: State, merchant: CurrentMerchant, listing_id: Identifier,
                          body: ListingStatusUpdate, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Set the status; a closed listing cannot be reopened (409)."""

    def action(session: Session) -> tuple[int, dict]:
        row = _own_listing(session, merchant.merchant_id, listing_id)
        if row.status == ListingStatus.CLOSED and body.status != ListingStatus.CLOSED:
            raise ApiError(409, "listing_closed", f"listing {listing_id!r} is closed and cannot be reopened")
        row.status, row.updated_at = body.status.value, state.now()
        session.flush()
        return 200, _listing(row).model_dump(mode="json")

    return keyed_write(state, scope=merchant.merchant_id, key=idempotency_key, action=action,
                       request_fingerprint=fingerprint("PUT", f"/listings/{listing_id}/status",
                                                       body.model_dump(mode="json")))


def _introduction(row: IntroductionRow) -> Introduction:
    data = {c: getattr(row, c) for c in Introduction.model_fields}
    return Introduction(**{**data, "created_at": as_utc(row.created_at)})


@router.post("/introductions", status_code=201, response_model=Introduction, tags=["introductions"],
             responses=MERCHANT_WRITE, summary="Introduce the merchant to a buyer request")
def create_introduction(state: State, merchant: CurrentMerchant, body: IntroductionCreate,
                        idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Send a message to the buyer behind a sourcing request, optionally citing a listing."""

    def action(session: Session) -> tuple[int, dict]:
        if session.get(BuyerRequestRow, body.buyer_request_id) is None:
            raise not_found("buyer request", body.buyer_request_id)
        if body.listing_id is not None:
            _own_listing(session, merchant.merchant_id, body.listing_id)
        row = IntroductionRow(introduction_id=new_id("int"), merchant_id=merchant.merchant_id,
                              buyer_request_id=body.buyer_request_id, listing_id=body.listing_id,
                              message=body.message, status="sent", created_at=state.now())
        session.add(row)
        return 201, _introduction(row).model_dump(mode="json")

    return keyed_write(state, scope=merchant.merchant_id, key=idempotency_key, action=action,
                       request_fingerprint=fingerprint("POST", "/introductions", body.model_dump(mode="json")))


@router.get("/introductions", response_model=IntroductionPage, tags=["introductions"], responses=AUTH_RESPONSES,
            summary="The merchant's introductions")
def list_introductions(state: State, merchant: CurrentMerchant,
                       buyer_request_id: Annotated[str | None, Query(max_length=40)] = None,
                       limit: Limit = 20, offset: Offset = 0) -> IntroductionPage:
    """Introductions the merchant sent, newest first."""
    query = select(IntroductionRow).where(IntroductionRow.merchant_id == merchant.merchant_id)
    if buyer_request_id:
        query = query.where(IntroductionRow.buyer_request_id == buyer_request_id)
    with state.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(IntroductionRow.created_at.desc(), IntroductionRow.introduction_id)
                               .limit(limit).offset(offset)).all()
    return IntroductionPage(items=[_introduction(r) for r in rows], total=total, limit=limit, offset=offset)
