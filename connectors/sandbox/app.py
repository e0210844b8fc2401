"""The sandbox trade platform as a FastAPI app: ``create_platform_app``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from connectors.sandbox.errors import install_error_handlers
from connectors.sandbox.faults import FaultConfig, FaultMiddleware, FaultSwitch
from connectors.sandbox.routes_admin import router as admin_router
from connectors.sandbox.routes_catalog import router as catalog_router
from connectors.sandbox.routes_merchant import router as merchant_router
from connectors.sandbox.routes_shipping import router as shipping_router
from connectors.sandbox.state import Clock, PlatformState, system_clock

DESCRIPTION = """\
The built-in **sandbox** trade platform: catalog, buyers' sourcing requests, listings,
introductions, shipping quotes, shipments and tracking.

* All data is **synthetic** (fictional companies; real HS 2022 codes and UN/LOCODEs).
* Shipping prices are **indicative sandbox pricing** from great-circle distance, not market rates.
* Merchant routes need `Authorization: Bearer <api_token>` from `POST /merchants`.
* Every write honours an `Idempotency-Key` header: the same key and body replay the
  first response; the same key with another body is a 422.
"""


def create_platform_app(database_url: str, *, faults: FaultConfig | None = None, admin_token: str | None = None,
                        clock: Clock | None = None, seed: int | None = None) -> FastAPI:
    """Build the sandbox platform app; nothing is opened until startup or first use.

    Args:
        database_url: SQLAlchemy URL of the sandbox's own database, e.g.
            ``sqlite:///var/platform.sqlite3``. Tables and seed data are created on
            startup, or on the first request when the app is mounted in another app
            (mounted apps get no lifespan events).
        faults: Fault injection to start with; changeable at run time through
            ``PUT /admin/faults``.
        admin_token: Enables the admin API (``X-Admin-Token``) and then also guards
            ``POST /merchants``; None leaves registration open and the admin API off.
        clock: Source of the current time (timezone-aware); the system clock by default.
        seed: Random seed of the synthetic data; the shipped default when None.

    Returns:
        The app; routes are relative, so mount it where you like (``/platform/v1``).
    """
    switch = FaultSwitch(faults)
    state = PlatformState(database_url, faults=switch, admin_token=admin_token,
                          clock=clock or system_clock, seed=seed)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(state.ensure_ready)
        yield
        state.dispose()

    app = FastAPI(title="tradebot sandbox platform", version="1.0.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.platform = state
    app.add_middleware(FaultMiddleware, switch=switch)
    install_error_handlers(app)
    for router in (catalog_router, merchant_router, shipping_router, admin_router):
        app.include_router(router)
    return app
