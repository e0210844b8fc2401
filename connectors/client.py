"""``HttpPlatformClient``: the async client the bot's skills use to reach the trade platform.

It speaks the platform API (the built-in sandbox or any platform with the same API) over
HTTP, returns the typed objects of :mod:`connectors.models`, and raises only
:mod:`connectors.errors`. Writes carry an ``Idempotency-Key``: pass a stable one (e.g.
derived from the confirmed action) to make the write exactly-once across crashes and
redeliveries; otherwise one is generated per call so that the call's own retries are safe.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from connectors import models as m
from connectors.errors import Rejected, Unavailable
from connectors.transport import RetryingTransport

T = TypeVar("T", bound=BaseModel)


def _segment(value: str) -> str:
    return quote(str(value), safe="")


class HttpPlatformClient:
    """Async client of the trade platform API.

    Args:
        base_url: API root, e.g. ``http://127.0.0.1:8080/platform/v1`` (``TRADEBOT_PLATFORM_URL``).
        token: The merchant's API token for ``Authorization: Bearer``; None for public calls.
        timeout: Seconds allowed per attempt (connect, read, write and pool each).
        retries: Extra attempts for reads and keyed writes on network errors, timeouts,
            502/503/504 and 429.
        backoff: First retry delay in seconds (doubles per attempt, with jitter).
        max_backoff: Longest single retry delay.
        transport: Optional ``httpx`` transport (e.g. ``httpx.ASGITransport`` or ``httpx.MockTransport``).
        admin_token: Operator token sent as ``X-Admin-Token`` (merchant registration on a
            platform that guards it).
        auto_idempotency_keys: Generate a key for writes called without one (default True).
            With False, such writes are sent unkeyed and never retried.

    Use as ``async with HttpPlatformClient(...) as client:`` or call :meth:`aclose`.
    """

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 10.0, retries: int = 3,
                 backoff: float = 0.25, max_backoff: float = 5.0, transport: httpx.AsyncBaseTransport | None = None,
                 admin_token: str | None = None, auto_idempotency_keys: bool = True,
                 _shared: RetryingTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._admin_token = admin_token
        self._auto_keys = auto_idempotency_keys
        self._owns_http = _shared is None
        self._edge = _shared or RetryingTransport(
            httpx.AsyncClient(base_url=self.base_url + "/", timeout=httpx.Timeout(timeout), transport=transport,
                              headers={"Accept": "application/json", "User-Agent": "tradebot-connectors/1"}),
            retries=retries, backoff=backoff, max_backoff=max_backoff)

    def for_merchant(self, token: str) -> HttpPlatformClient:
        """A client acting as another merchant that shares this client's connections."""
        return HttpPlatformClient(self.base_url, token, admin_token=self._admin_token,
                                  auto_idempotency_keys=self._auto_keys, _shared=self._edge)

    async def aclose(self) -> None:
        """Close the connections (only the client that created them closes them)."""
        if self._owns_http:
            await self._edge.http.aclose()

    async def __aenter__(self) -> HttpPlatformClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # ---- plumbing -------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        headers = {}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if self._admin_token:
            headers["X-Admin-Token"] = self._admin_token
        return headers

    async def _call(self, result: type[T], method: str, path: str, *, params: dict[str, Any] | None = None,
                    body: BaseModel | None = None, idempotency_key: str | None = None) -> T:
        if method != "GET" and idempotency_key is None and self._auto_keys:
            idempotency_key = f"auto-{uuid.uuid4()}"
        payload = None if body is None else body.model_dump(mode="json", exclude_none=True)
        response = await self._edge.send(method, path.lstrip("/"), headers=self._headers(), params=params,
                                         json=payload, idempotency_key=idempotency_key)
        try:
            return result.model_validate(response.json())
        except (ValueError, ValidationError) as exc:
            raise Unavailable(f"{method} {path}: malformed response from the platform") from exc

    @staticmethod
    def _body(model: type[T], data: T | dict[str, Any]) -> T:
        if isinstance(data, model):
            return data
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
            raise Rejected(422, detail, "invalid_request") from exc

    # ---- merchants ------------------------------------------------------------------

    async def register_merchant(self, name: str, country: str, *, idempotency_key: str | None = None
                                ) -> m.MerchantCredentials:
        """Register a merchant; the returned ``api_token`` is shown only once."""
        body = self._body(m.MerchantCreate, {"name": name, "country": country})
        return await self._call(m.MerchantCredentials, "POST", "/merchants", body=body,
                                idempotency_key=idempotency_key)

    async def me(self) -> m.Merchant:
        """The merchant this client's token belongs to."""
        return await self._call(m.Merchant, "GET", "/merchants/me")

    # ---- catalog and buyers ---------------------------------------------------------

    async def search_buyer_requests(self, q: str | None = None, *, hs: str | None = None, country: str | None = None,
                                    incoterm: str | None = None, certification: str | None = None,
                                    limit: int = 20, offset: int = 0) -> m.BuyerRequestPage:
        """Buyers' sourcing requests matching all words of ``q`` and the filters."""
        params = {"q": q, "hs": hs, "country": country and country.upper(), "incoterm": incoterm and incoterm.upper(),
                  "certification": certification, "limit": limit, "offset": offset}
        return await self._call(m.BuyerRequestPage, "GET", "/buyer-requests", params=params)

    async def get_buyer_request(self, request_id: str) -> m.BuyerRequest:
        """One buyer's sourcing request."""
        return await self._call(m.BuyerRequest, "GET", f"/buyer-requests/{_segment(request_id)}")

    async def search_catalog(self, q: str | None = None, *, hs: str | None = None, country: str | None = None,
                             supplier_id: str | None = None, limit: int = 20, offset: int = 0) -> m.ProductPage:
        """Catalog products matching all words of ``q`` and the filters."""
        params = {"q": q, "hs": hs, "country": country and country.upper(), "supplier_id": supplier_id,
                  "limit": limit, "offset": offset}
        return await self._call(m.ProductPage, "GET", "/catalog/products", params=params)

    async def get_product(self, product_id: str) -> m.Product:
        """One catalog product."""
        return await self._call(m.Product, "GET", f"/catalog/products/{_segment(product_id)}")

    async def search_suppliers(self, q: str | None = None, *, country: str | None = None,
                               limit: int = 20, offset: int = 0) -> m.SupplierPage:
        """Suppliers matching ``q`` and an optional country."""
        params = {"q": q, "country": country, "limit": limit, "offset": offset}
        return await self._call(m.SupplierPage, "GET", "/catalog/suppliers", params=params)

    async def get_supplier(self, supplier_id: str) -> m.Supplier:
        """One supplier."""
        return await self._call(m.Supplier, "GET", f"/catalog/suppliers/{_segment(supplier_id)}")

    # ---- listings and introductions -------------------------------------------------

    async def create_listing(self, listing: m.ListingCreate | dict[str, Any], *,
                             idempotency_key: str | None = None) -> m.Listing:
        """Publish a listing; pass a stable ``idempotency_key`` to make it exactly-once."""
        return await self._call(m.Listing, "POST", "/listings", body=self._body(m.ListingCreate, listing),
                                idempotency_key=idempotency_key)

    async def get_listing(self, listing_id: str) -> m.Listing:
        """One of the merchant's listings."""
        return await self._call(m.Listing, "GET", f"/listings/{_segment(listing_id)}")

    async def list_listings(self, *, status: str | None = None, limit: int = 20, offset: int = 0) -> m.ListingPage:
        """The merchant's listings, newest first."""
        params = {"status": status, "limit": limit, "offset": offset}
        return await self._call(m.ListingPage, "GET", "/listings", params=params)

    async def update_listing_status(self, listing_id: str, status: str, *,
                                    idempotency_key: str | None = None) -> m.Listing:
        """Set a listing's status (``draft``, ``active``, ``paused``, ``closed``)."""
        body = self._body(m.ListingStatusUpdate, {"status": status})
        return await self._call(m.Listing, "PUT", f"/listings/{_segment(listing_id)}/status", body=body,
                                idempotency_key=idempotency_key)

    async def create_introduction(self, buyer_request_id: str, message: str, *, listing_id: str | None = None,
                                  idempotency_key: str | None = None) -> m.Introduction:
        """Send the merchant's message to the buyer behind a sourcing request."""
        body = self._body(m.IntroductionCreate, {"buyer_request_id": buyer_request_id, "message": message,
                                                 "listing_id": listing_id})
        return await self._call(m.Introduction, "POST", "/introductions", body=body, idempotency_key=idempotency_key)

    async def list_introductions(self, *, buyer_request_id: str | None = None, limit: int = 20,
                                 offset: int = 0) -> m.IntroductionPage:
        """Introductions the merchant sent, newest first."""
        params = {"buyer_request_id": buyer_request_id, "limit": limit, "offset": offset}
        return await self._call(m.IntroductionPage, "GET", "/introductions", params=params)

    # ---- shipping -------------------------------------------------------------------

    async def quote_shipping(self, origin: str, destination: str, *, weight_kg: float, volume_m3: float,
                             packages: int = 1, modes: list[str] | None = None, container_type: str | None = None,
                             idempotency_key: str | None = None) -> m.QuoteSet:
        """Indicative quotes between two UN/LOCODEs (or place names) for the given modes (all by default)."""
        body = self._body(m.QuoteRequest, {"origin": origin, "destination": destination, "weight_kg": weight_kg,
                                           "volume_m3": volume_m3, "packages": packages, "modes": modes,
                                           "container_type": container_type})
        return await self._call(m.QuoteSet, "POST", "/shipping/quotes", body=body, idempotency_key=idempotency_key)

    async def get_quote(self, quote_id: str) -> m.ShippingQuote:
        """One of the merchant's quotes."""
        return await self._call(m.ShippingQuote, "GET", f"/shipping/quotes/{_segment(quote_id)}")

    async def book_shipment(self, quote_id: str, *, reference: str | None = None,
                            idempotency_key: str | None = None) -> m.Shipment:
        """Book a quote; pass a stable ``idempotency_key`` to make it exactly-once."""
        body = self._body(m.BookingCreate, {"quote_id": quote_id, "reference": reference})
        return await self._call(m.Shipment, "POST", "/shipments", body=body, idempotency_key=idempotency_key)

    async def get_shipment(self, shipment_id: str) -> m.Shipment:
        """One of the merchant's shipments with its current status."""
        return await self._call(m.Shipment, "GET", f"/shipments/{_segment(shipment_id)}")

    async def tracking(self, shipment_id: str) -> m.Tracking:
        """The shipment's tracking events so far."""
        return await self._call(m.Tracking, "GET", f"/shipments/{_segment(shipment_id)}/tracking")
