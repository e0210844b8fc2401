"""Shipping routes: indicative quotes, bookings and tracking."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from connectors.models import (
    BookingCreate,
    Charge,
    ContainerCount,
    Place,
    QuoteRequest,
    QuoteSet,
    Shipment,
    ShippingMode,
    ShippingQuote,
    Tracking,
    UnavailableMode,
)
from connectors.sandbox import pricing
from connectors.sandbox.deps import CurrentMerchant, IdempotencyKey, State
from connectors.sandbox.errors import ApiError, not_found
from connectors.sandbox.idempotency import fingerprint, keyed_write
from connectors.sandbox.routes_catalog import Identifier
from connectors.sandbox.routes_merchant import MERCHANT_READ, MERCHANT_WRITE, new_id
from connectors.sandbox.state import PlatformState, as_utc
from connectors.sandbox.tables import QuoteRow, ShipmentRow
from connectors.sandbox.tracking import estimated_delivery, tracking_events
from knowledge.locations import Location, find_location

router = APIRouter(tags=["shipping"])
QUOTE_VALIDITY = timedelta(days=7)


def _place(text: str, role: str) -> Location:
    location = find_location(text)
    if location is None:
        raise ApiError(422, "unknown_location", f"{role} {text!r} is not a known UN/LOCODE seaport or airport")
    return location


def _as_place(location: Location) -> Place:
    return Place(code=location.code, name=location.name, country=location.country, lat=location.lat, lon=location.lon)


def _price(mode: ShippingMode, body: QuoteRequest, origin: Location, destination: Location,
           distance_km: float) -> pricing.PricedMode:
    if mode in (ShippingMode.SEA_FCL, ShippingMode.SEA_LCL) and not (origin.is_seaport and destination.is_seaport):
        raise pricing.ModeUnavailable("sea freight needs a seaport at both ends")
    if mode is ShippingMode.AIR and not (origin.is_airport and destination.is_airport):
        raise pricing.ModeUnavailable("air freight needs an airport at both ends")
    if mode is ShippingMode.SEA_FCL:
        return pricing.price_fcl(distance_km, body.weight_kg, body.volume_m3, body.container_type)
    if mode is ShippingMode.SEA_LCL:
        return pricing.price_lcl(distance_km, body.weight_kg, body.volume_m3)
    if mode is ShippingMode.AIR:
        return pricing.price_air(distance_km, body.weight_kg, body.volume_m3)
    return pricing.price_express(distance_km, body.weight_kg, body.volume_m3, body.packages)


@router.post("/shipping/quotes", status_code=201, response_model=QuoteSet, responses=MERCHANT_WRITE,
             summary="Indicative shipping quotes between two UN/LOCODE locations")
def create_quotes(state: State, merchant: CurrentMerchant, body: QuoteRequest,
                  idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Price the cargo for each requested mode (all four when ``modes`` is omitted).

    Prices are indicative sandbox pricing from the great-circle distance (see the
    connectors README), valid for 7 days. Modes that cannot carry the cargo between these
    places are listed under ``unavailable`` with the reason.
    """
    origin, destination = _place(body.origin, "origin"), _place(body.destination, "destination")
    if origin.code == destination.code:
        raise ApiError(422, "same_location", "origin and destination are the same location")
    distance_km = round(pricing.great_circle_km(origin.lat, origin.lon, destination.lat, destination.lon), 1)
    modes = list(dict.fromkeys(body.modes)) if body.modes else list(ShippingMode)

    def action(session: Session) -> tuple[int, dict]:
        now = state.now()
        quotes, unavailable = [], []
        for mode in modes:
            try:
                priced = _price(mode, body, origin, destination, distance_km)
            except pricing.ModeUnavailable as exc:
                unavailable.append(UnavailableMode(mode=mode, reason=str(exc)))
                continue
            quote = ShippingQuote(
                quote_id=new_id("quo"), mode=mode, origin=_as_place(origin), destination=_as_place(destination),
                distance_km=distance_km, weight_kg=body.weight_kg, volume_m3=body.volume_m3, packages=body.packages,
                chargeable_weight_kg=priced.chargeable_weight_kg, revenue_tons=priced.revenue_tons,
                containers=[ContainerCount(type=k, count=n) for k, n in priced.containers.items()],
                price_usd=priced.price_usd, charges=[Charge(label=text, amount_usd=a) for text, a in priced.charges],
                transit_days=priced.transit_days, valid_until=now + QUOTE_VALIDITY)
            session.add(QuoteRow(quote_id=quote.quote_id, merchant_id=merchant.merchant_id, mode=mode.value,
                                 body=quote.model_dump(mode="json"), price_usd=quote.price_usd,
                                 transit_days=quote.transit_days, valid_until=quote.valid_until))
            quotes.append(quote)
        return 201, QuoteSet(quotes=quotes, unavailable=unavailable).model_dump(mode="json")

    return keyed_write(state, scope=merchant.merchant_id, key=idempotency_key, action=action,
                       request_fingerprint=fingerprint("POST", "/shipping/quotes", body.model_dump(mode="json")))


def _own_quote(session: Session, merchant_id: str, quote_id: str) -> QuoteRow:
    row = session.get(QuoteRow, quote_id)
    if row is None or row.merchant_id != merchant_id:
        raise not_found("quote", quote_id)
    return row


@router.get("/shipping/quotes/{quote_id}", response_model=ShippingQuote, responses=MERCHANT_READ,
            summary="Get a quote")
def get_quote(state: State, merchant: CurrentMerchant, quote_id: Identifier) -> ShippingQuote:
    """One of the merchant's quotes."""
    with state.session() as session:
        return ShippingQuote.model_validate(_own_quote(session, merchant.merchant_id, quote_id).body)


def _shipment(state: PlatformState, shipment: ShipmentRow, quote: QuoteRow) -> tuple[Shipment, Tracking]:
    details = ShippingQuote.model_validate(quote.body)
    booked_at = as_utc(shipment.booked_at)
    events = tracking_events(details.mode, booked_at, details.transit_days, details.origin.code,
                             details.destination.code, state.now())
    eta = estimated_delivery(booked_at, details.transit_days)
    result = Shipment(shipment_id=shipment.shipment_id, quote_id=quote.quote_id, merchant_id=shipment.merchant_id,
                      mode=details.mode, origin=details.origin, destination=details.destination,
                      reference=shipment.reference, price_usd=details.price_usd, booked_at=booked_at,
                      estimated_delivery=eta, status=events[-1].code)
    return result, Tracking(shipment_id=shipment.shipment_id, status=events[-1].code,
                            estimated_delivery=eta, events=events)


@router.post("/shipments", status_code=201, response_model=Shipment, responses=MERCHANT_WRITE,
             summary="Book a shipment from a quote")
def book_shipment(state: State, merchant: CurrentMerchant, body: BookingCreate,
                  idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Book a valid, not yet booked quote of the merchant (409 if expired or booked)."""

    def action(session: Session) -> tuple[int, dict]:
        quote = _own_quote(session, merchant.merchant_id, body.quote_id)
        now = state.now()
        if as_utc(quote.valid_until) < now:
            raise ApiError(409, "quote_expired", f"quote {body.quote_id!r} expired; ask for a new quote")
        if session.query(ShipmentRow).filter_by(quote_id=quote.quote_id).first() is not None:
            raise ApiError(409, "quote_already_booked", f"quote {body.quote_id!r} is already booked")
        row = ShipmentRow(shipment_id=f"SBX-{secrets.token_hex(4).upper()}", quote_id=quote.quote_id,
                          merchant_id=merchant.merchant_id, reference=body.reference, booked_at=now)
        session.add(row)
        session.flush()
        return 201, _shipment(state, row, quote)[0].model_dump(mode="json")

    return keyed_write(state, scope=merchant.merchant_id, key=idempotency_key, action=action,
                       request_fingerprint=fingerprint("POST", "/shipments", body.model_dump(mode="json")))


def _load(state: PlatformState, merchant_id: str, shipment_id: str) -> tuple[Shipment, Tracking]:
    with state.session() as session:
        row = session.get(ShipmentRow, shipment_id.upper())
        if row is None or row.merchant_id != merchant_id:
            raise not_found("shipment", shipment_id)
        return _shipment(state, row, session.get(QuoteRow, row.quote_id))


@router.get("/shipments/{shipment_id}", response_model=Shipment, responses=MERCHANT_READ, summary="Get a shipment")
def get_shipment(state: State, merchant: CurrentMerchant, shipment_id: Identifier) -> Shipment:
    """One of the merchant's shipments with its current status."""
    return _load(state, merchant.merchant_id, shipment_id)[0]


@router.get("/shipments/{shipment_id}/tracking", response_model=Tracking, responses=MERCHANT_READ,
            summary="Tracking events of a shipment")
def get_tracking(state: State, merchant: CurrentMerchant, shipment_id: Identifier) -> Tracking:
    """The milestones reached so far; they advance with time."""
    return _load(state, merchant.merchant_id, shipment_id)[1]
