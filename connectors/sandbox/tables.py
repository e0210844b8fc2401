"""The sandbox platform's own database: SQLAlchemy 2 tables and the engine factory."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Engine, Float, ForeignKey, Integer, String, Text, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool


class Base(DeclarativeBase):
    """Declarative base of the sandbox's tables (separate from the bot's database)."""


class Meta(Base):
    __tablename__ = "sandbox_meta"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class MerchantRow(Base):
    __tablename__ = "merchants"
    merchant_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class SupplierRow(Base):
    __tablename__ = "suppliers"
    supplier_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), index=True)
    country: Mapped[str] = mapped_column(String(2), index=True)
    city: Mapped[str] = mapped_column(String(80))
    port: Mapped[str] = mapped_column(String(5))
    established_year: Mapped[int] = mapped_column(Integer)
    certifications: Mapped[list[str]] = mapped_column(JSON)


class ProductRow(Base):
    __tablename__ = "products"
    product_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    supplier_id: Mapped[str] = mapped_column(ForeignKey("suppliers.supplier_id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    origin_country: Mapped[str] = mapped_column(String(2), index=True)
    unit: Mapped[str] = mapped_column(String(20))
    price_min_usd: Mapped[float] = mapped_column(Float)
    price_max_usd: Mapped[float] = mapped_column(Float)
    min_order_quantity: Mapped[float] = mapped_column(Float)
    certifications: Mapped[list[str]] = mapped_column(JSON)
    lead_time_days: Mapped[int] = mapped_column(Integer)


class BuyerRequestRow(Base):
    __tablename__ = "buyer_requests"
    request_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    buyer_company: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), index=True)
    product: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    hs_code: Mapped[str] = mapped_column(String(10), index=True)
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    target_price_usd: Mapped[float] = mapped_column(Float)
    incoterm: Mapped[str] = mapped_column(String(3))
    destination_port: Mapped[str] = mapped_column(String(5))
    certifications_required: Mapped[list[str]] = mapped_column(JSON)
    posted_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))


class ListingRow(Base):
    __tablename__ = "listings"
    listing_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.merchant_id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    hs_code: Mapped[str] = mapped_column(String(10))
    origin_country: Mapped[str] = mapped_column(String(2))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    unit_price_usd: Mapped[float] = mapped_column(Float)
    incoterm: Mapped[str] = mapped_column(String(3))
    port_of_loading: Mapped[str | None] = mapped_column(String(5))
    certifications: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IntroductionRow(Base):
    __tablename__ = "introductions"
    introduction_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.merchant_id"), index=True)
    buyer_request_id: Mapped[str] = mapped_column(ForeignKey("buyer_requests.request_id"))
    listing_id: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuoteRow(Base):
    __tablename__ = "quotes"
    quote_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.merchant_id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))
    body: Mapped[dict] = mapped_column(JSON)  # the ShippingQuote as returned
    price_usd: Mapped[float] = mapped_column(Float)
    transit_days: Mapped[int] = mapped_column(Integer)
    valid_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ShipmentRow(Base):
    __tablename__ = "shipments"
    shipment_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    quote_id: Mapped[str] = mapped_column(ForeignKey("quotes.quote_id"), unique=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.merchant_id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(100))
    booked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyRecord(Base):
    """The first response to a keyed write, replayed for retries with the same key."""

    __tablename__ = "idempotency_records"
    scope: Mapped[str] = mapped_column(String(60), primary_key=True)  # merchant id or "public"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def make_engine(database_url: str) -> Engine:
    """Create the engine; SQLite gets a thread-safe setup for FastAPI's threadpool.

    Args:
        database_url: SQLAlchemy URL, e.g. ``sqlite:///var/platform.sqlite3`` or
            ``sqlite://`` (in memory, one shared connection).
    """
    if not database_url.startswith("sqlite"):
        return create_engine(database_url, pool_pre_ping=True)
    in_memory = database_url in ("sqlite://", "sqlite:///:memory:")
    engine = create_engine(
        database_url,
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=StaticPool if in_memory else None,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API connection
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    return engine
