"""The platform API's wire types: enums, request bodies, and (re-exported) responses.

One contract shared by the HTTP client (which parses responses into these objects) and
the sandbox (which validates requests and documents responses with them). Request bodies
forbid unknown fields so that typos get a clear 422; responses ignore unknown fields so
that a richer platform does not break the client.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from connectors.enums import ContainerType, Incoterm, ListingStatus, ShippingMode

COUNTRY = r"^[A-Z]{2}$"
HS_CODE = r"^[0-9]{4}([0-9]{2}){0,3}$"
LOCODE = r"^[A-Z]{2} ?[A-Z2-9]{3}$"
MAX_AMOUNT = 1_000_000_000


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _digits(value: object) -> object:
    """``"0902.10"`` and ``"0902 10"`` mean ``"090210"``."""
    return value.replace(".", "").replace(" ", "") if isinstance(value, str) else value


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# ---- requests -------------------------------------------------------------------------


class MerchantCreate(_Request):
    """Body of ``POST /merchants``."""

    name: str = Field(min_length=1, max_length=120)
    country: str = Field(pattern=COUNTRY, description="ISO 3166-1 alpha-2, upper case")

    _country = field_validator("country", mode="before")(_upper)


class ListingCreate(_Request):
    """Body of ``POST /listings``."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=4000)
    hs_code: str = Field(pattern=HS_CODE, description="4 to 10 digits, no dots")
    origin_country: str = Field(pattern=COUNTRY)
    quantity: float = Field(gt=0, le=MAX_AMOUNT)
    unit: str = Field(min_length=1, max_length=20, examples=["kg", "t", "pieces"])
    unit_price_usd: float = Field(gt=0, le=MAX_AMOUNT)
    incoterm: Incoterm = Incoterm.FOB
    port_of_loading: str | None = Field(default=None, pattern=LOCODE)
    certifications: list[str] = Field(default_factory=list, max_length=20)
    status: ListingStatus = ListingStatus.ACTIVE

    _codes = field_validator("origin_country", "port_of_loading", mode="before")(_upper)
    _hs = field_validator("hs_code", mode="before")(_digits)


class ListingStatusUpdate(_Request):
    """Body of ``PUT /listings/{listing_id}/status``."""

    status: ListingStatus


class IntroductionCreate(_Request):
    """Body of ``POST /introductions``: a merchant's message to a buyer's request."""

    buyer_request_id: str = Field(min_length=1, max_length=40)
    message: str = Field(min_length=1, max_length=2000)
    listing_id: str | None = Field(default=None, min_length=1, max_length=40)


class QuoteRequest(_Request):
    """Body of ``POST /shipping/quotes``."""

    origin: str = Field(min_length=2, max_length=80, description="UN/LOCODE or place name",
                        examples=["CNSGH", "Shanghai"])
    destination: str = Field(min_length=2, max_length=80, description="UN/LOCODE or place name",
                             examples=["DEHAM", "Hamburg"])
    weight_kg: float = Field(gt=0, le=1_000_000, description="gross weight")
    volume_m3: float = Field(gt=0, le=10_000)
    packages: int = Field(default=1, ge=1, le=100_000)
    modes: list[ShippingMode] | None = Field(
        default=None, max_length=4, description="modes to quote; all when omitted"
    )
    container_type: ContainerType | None = Field(
        default=None, description="force one container type for sea_fcl; cheapest mix when omitted"
    )


class BookingCreate(_Request):
    """Body of ``POST /shipments``."""

    quote_id: str = Field(min_length=1, max_length=40)
    reference: str | None = Field(default=None, max_length=100, description="shipper's own reference")


# Responses live in connectors.responses; re-exported so callers need one import.
from connectors.responses import (  # noqa: E402
    BuyerRequest,
    BuyerRequestPage,
    Charge,
    ContainerCount,
    ErrorBody,
    Introduction,
    IntroductionPage,
    Listing,
    ListingPage,
    Merchant,
    MerchantCredentials,
    Page,
    Place,
    Product,
    ProductPage,
    QuoteSet,
    Shipment,
    ShippingQuote,
    Supplier,
    SupplierPage,
    Tracking,
    TrackingEvent,
    UnavailableMode,
    ValidationIssue,
)

__all__ = [
    "BookingCreate",
    "BuyerRequest",
    "BuyerRequestPage",
    "Charge",
    "ContainerCount",
    "ContainerType",
    "ErrorBody",
    "Incoterm",
    "Introduction",
    "IntroductionCreate",
    "IntroductionPage",
    "Listing",
    "ListingCreate",
    "ListingPage",
    "ListingStatus",
    "ListingStatusUpdate",
    "Merchant",
    "MerchantCreate",
    "MerchantCredentials",
    "Page",
    "Place",
    "Product",
    "ProductPage",
    "QuoteRequest",
    "QuoteSet",
    "Shipment",
    "ShippingMode",
    "ShippingQuote",
    "Supplier",
    "SupplierPage",
    "Tracking",
    "TrackingEvent",
    "UnavailableMode",
    "ValidationIssue",
]
