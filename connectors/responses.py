"""Response bodies of the platform API (see :mod:`connectors.models`).

Responses ignore unknown fields so that a richer platform does not break the client.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from connectors.enums import ContainerType, Incoterm, ListingStatus, ShippingMode


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ValidationIssue(_Response):
    """One invalid input: where (``loc``), what (``msg``) and the kind (``type``)."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(_Response):
    """Every error: a readable ``detail`` (a list of issues for invalid input) and a stable ``code``."""

    detail: str | list[ValidationIssue]
    code: str


class MerchantCredentials(_Response):
    """A new merchant and its API token (shown once)."""

    merchant_id: str
    api_token: str
    name: str
    country: str


class Merchant(_Response):
    """A merchant's profile."""

    merchant_id: str
    name: str
    country: str
    created_at: datetime


class Supplier(_Response):
    """A supplier in the catalog."""

    supplier_id: str
    name: str
    country: str
    city: str
    port: str
    established_year: int
    certifications: list[str]
    product_count: int


class Product(_Response):
    """A catalog product (indicative FOB price range per unit)."""

    product_id: str
    supplier_id: str
    supplier_name: str
    name: str
    description: str
    hs_code: str
    hs_heading: str
    origin_country: str
    unit: str
    price_min_usd: float
    price_max_usd: float
    min_order_quantity: float
    certifications: list[str]
    lead_time_days: int


class BuyerRequest(_Response):
    """A buyer's sourcing request (synthetic in the sandbox)."""

    request_id: str
    buyer_company: str
    country: str
    product: str
    description: str
    hs_code: str
    hs_heading: str
    quantity: float
    unit: str
    target_price_usd: float = Field(description="per unit")
    incoterm: Incoterm
    destination_port: str
    certifications_required: list[str]
    posted_on: date
    valid_until: date
    status: str


class Listing(_Response):
    """A merchant's product listing."""

    listing_id: str
    merchant_id: str
    title: str
    description: str
    hs_code: str
    origin_country: str
    quantity: float
    unit: str
    unit_price_usd: float
    incoterm: Incoterm
    port_of_loading: str | None
    certifications: list[str]
    status: ListingStatus
    created_at: datetime
    updated_at: datetime


class Introduction(_Response):
    """A merchant's message to a buyer request."""

    introduction_id: str
    merchant_id: str
    buyer_request_id: str
    listing_id: str | None
    message: str
    status: str
    created_at: datetime


class Page(_Response):
    """Paging fields shared by every list response."""

    total: int
    limit: int
    offset: int


class ProductPage(Page):
    """A page of catalog products."""

    items: list[Product]


class SupplierPage(Page):
    """A page of suppliers."""

    items: list[Supplier]


class BuyerRequestPage(Page):
    """A page of buyers' sourcing requests."""

    items: list[BuyerRequest]


class ListingPage(Page):
    """A page of the merchant's listings."""

    items: list[Listing]


class IntroductionPage(Page):
    """A page of the merchant's introductions."""

    items: list[Introduction]


class Place(_Response):
    """A UN/LOCODE location as used in quotes and shipments."""

    code: str
    name: str
    country: str
    lat: float
    lon: float


class ContainerCount(_Response):
    """How many containers of one type a sea_fcl quote uses."""

    type: ContainerType
    count: int


class Charge(_Response):
    """One line of a quote's price breakdown."""

    label: str
    amount_usd: float


class ShippingQuote(_Response):
    """An indicative price for one mode; book it by ``quote_id`` before ``valid_until``."""

    quote_id: str
    mode: ShippingMode
    origin: Place
    destination: Place
    distance_km: float = Field(description="great-circle distance")
    weight_kg: float
    volume_m3: float
    packages: int
    chargeable_weight_kg: float | None = Field(default=None, description="air and express")
    revenue_tons: float | None = Field(default=None, description="sea_lcl: max(tonnes, m3)")
    containers: list[ContainerCount] = Field(default_factory=list, description="sea_fcl")
    price_usd: float
    charges: list[Charge]
    transit_days: int
    valid_until: datetime
    indicative: bool = True


class UnavailableMode(_Response):
    """A requested mode that cannot carry the cargo, and why."""

    mode: ShippingMode
    reason: str


class QuoteSet(_Response):
    """Quotes for every requested mode that can carry the cargo, and why others cannot."""

    quotes: list[ShippingQuote]
    unavailable: list[UnavailableMode]


class Shipment(_Response):
    """A booked shipment."""

    shipment_id: str
    quote_id: str
    merchant_id: str
    mode: ShippingMode
    origin: Place
    destination: Place
    reference: str | None
    price_usd: float
    booked_at: datetime
    estimated_delivery: datetime
    status: str


class TrackingEvent(_Response):
    """A milestone of a shipment: what, where (UN/LOCODE) and when."""

    code: str
    description: str
    location: str
    occurred_at: datetime


class Tracking(_Response):
    """Tracking events that have happened so far, oldest first."""

    shipment_id: str
    status: str
    estimated_delivery: datetime
    events: list[TrackingEvent]
