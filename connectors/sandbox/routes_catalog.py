"""Public, read-only routes: catalog (products, suppliers) and buyers' sourcing requests."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import ColumnElement, Select, String, and_, cast, func, or_, select

from connectors.models import BuyerRequest, BuyerRequestPage, Incoterm, Product, ProductPage, Supplier, SupplierPage
from connectors.sandbox.deps import State
from connectors.sandbox.errors import READ_RESPONSES, not_found
from connectors.sandbox.tables import BuyerRequestRow, ProductRow, SupplierRow

router = APIRouter(tags=["catalog and buyers (public)"])

TextQuery = Annotated[str | None, Query(max_length=200, description="words that must all appear")]
HsQuery = Annotated[str | None, Query(pattern=r"^[0-9]{2}(\.?[0-9]{2}){0,4}$",
                                      description="HS chapter, heading or code prefix, e.g. 09, 0902, 0902.10")]
CountryQuery = Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")]
Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
Identifier = Annotated[str, Path(min_length=1, max_length=40)]


def _words_match(text: str | None, columns: list) -> ColumnElement[bool] | None:
    """Every word must occur (case-insensitively) in at least one of the columns."""
    words = (text or "").split()[:8]
    if not words:
        return None
    clauses = []
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(or_(*(column.ilike(pattern, escape="\\") for column in columns)))
    return and_(*clauses)


def _page(state: State, query: Select, order_by, limit: int, offset: int) -> tuple[list, int]:
    with state.session() as session:
        total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = session.scalars(query.order_by(order_by).limit(limit).offset(offset)).all()
    return list(rows), total


def _hs_prefix(hs: str | None) -> str | None:
    return None if hs is None else hs.replace(".", "")[:6]


def _product(row: ProductRow, supplier_name: str) -> Product:
    return Product(**{c: getattr(row, c) for c in Product.model_fields if hasattr(row, c)},
                   supplier_name=supplier_name, hs_heading=row.hs_code[:4])


def _supplier(row: SupplierRow, product_count: int) -> Supplier:
    return Supplier(**{c: getattr(row, c) for c in Supplier.model_fields if hasattr(row, c)},
                    product_count=product_count)


def _buyer_request(row: BuyerRequestRow) -> BuyerRequest:
    return BuyerRequest(**{c: getattr(row, c) for c in BuyerRequest.model_fields if hasattr(row, c)},
                        hs_heading=row.hs_code[:4])


@router.get("/catalog/products", response_model=ProductPage, summary="Search catalog products")
def search_products(state: State, q: TextQuery = None, hs: HsQuery = None, country: CountryQuery = None,
                    supplier_id: Annotated[str | None, Query(max_length=40)] = None,
                    limit: Limit = 20, offset: Offset = 0) -> ProductPage:
    """Products whose name, description or supplier match ``q``, filtered by HS prefix and origin."""
    query = select(ProductRow).join(SupplierRow, SupplierRow.supplier_id == ProductRow.supplier_id)
    conditions = [_words_match(q, [ProductRow.name, ProductRow.description, SupplierRow.name])]
    if (prefix := _hs_prefix(hs)) is not None:
        conditions.append(ProductRow.hs_code.startswith(prefix))
    if country:
        conditions.append(ProductRow.origin_country == country.upper())
    if supplier_id:
        conditions.append(ProductRow.supplier_id == supplier_id)
    query = query.where(*[c for c in conditions if c is not None])
    rows, total = _page(state, query, ProductRow.product_id, limit, offset)
    with state.session() as session:
        names = dict(session.execute(select(SupplierRow.supplier_id, SupplierRow.name)).all())
    return ProductPage(items=[_product(r, names[r.supplier_id]) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/catalog/products/{product_id}", response_model=Product, responses=READ_RESPONSES,
            summary="Get a catalog product")
def get_product(state: State, product_id: Identifier) -> Product:
    """One catalog product."""
    with state.session() as session:
        row = session.get(ProductRow, product_id)
        if row is None:
            raise not_found("product", product_id)
        return _product(row, session.get(SupplierRow, row.supplier_id).name)


def _product_counts(state: State) -> dict[str, int]:
    with state.session() as session:
        counts = select(ProductRow.supplier_id, func.count()).group_by(ProductRow.supplier_id)
        return dict(session.execute(counts).all())


@router.get("/catalog/suppliers", response_model=SupplierPage, summary="Search suppliers")
def search_suppliers(state: State, q: TextQuery = None, country: CountryQuery = None,
                     limit: Limit = 20, offset: Offset = 0) -> SupplierPage:
    """Suppliers whose name or city match ``q``, optionally in one country."""
    conditions = [_words_match(q, [SupplierRow.name, SupplierRow.city])]
    if country:
        conditions.append(SupplierRow.country == country.upper())
    query = select(SupplierRow).where(*[c for c in conditions if c is not None])
    rows, total = _page(state, query, SupplierRow.supplier_id, limit, offset)
    counts = _product_counts(state)
    return SupplierPage(items=[_supplier(r, counts.get(r.supplier_id, 0)) for r in rows],
                        total=total, limit=limit, offset=offset)


@router.get("/catalog/suppliers/{supplier_id}", response_model=Supplier, responses=READ_RESPONSES,
            summary="Get a supplier")
def get_supplier(state: State, supplier_id: Identifier) -> Supplier:
    """One supplier."""
    with state.session() as session:
        row = session.get(SupplierRow, supplier_id)
    if row is None:
        raise not_found("supplier", supplier_id)
    return _supplier(row, _product_counts(state).get(supplier_id, 0))


@router.get("/buyer-requests", response_model=BuyerRequestPage, summary="Search buyers' sourcing requests")
def search_buyer_requests(state: State, q: TextQuery = None, hs: HsQuery = None, country: CountryQuery = None,
                          incoterm: Incoterm | None = None,
                          certification: Annotated[str | None, Query(max_length=60)] = None,
                          limit: Limit = 20, offset: Offset = 0) -> BuyerRequestPage:
    """Open requests matching ``q`` (product, description, company), HS prefix, buyer country,
    Incoterm and a required certification."""
    columns = [BuyerRequestRow.product, BuyerRequestRow.description, BuyerRequestRow.buyer_company]
    conditions = [_words_match(q, columns)]
    if (prefix := _hs_prefix(hs)) is not None:
        conditions.append(BuyerRequestRow.hs_code.startswith(prefix))
    if country:
        conditions.append(BuyerRequestRow.country == country.upper())
    if incoterm:
        conditions.append(BuyerRequestRow.incoterm == incoterm.value)
    if certification and certification.strip():
        conditions.append(_words_match(certification, [cast(BuyerRequestRow.certifications_required, String)]))
    query = select(BuyerRequestRow).where(*[c for c in conditions if c is not None])
    rows, total = _page(state, query, BuyerRequestRow.request_id, limit, offset)
    return BuyerRequestPage(items=[_buyer_request(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/buyer-requests/{request_id}", response_model=BuyerRequest, responses=READ_RESPONSES,
            summary="Get a buyer's sourcing request")
def get_buyer_request(state: State, request_id: Identifier) -> BuyerRequest:
    """One buyer's sourcing request."""
    with state.session() as session:
        row = session.get(BuyerRequestRow, request_id)
    if row is None:
        raise not_found("buyer request", request_id)
    return _buyer_request(row)
