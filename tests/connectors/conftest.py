"""Fixtures: the sandbox platform served by uvicorn on a free 127.0.0.1 port (real HTTP)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from connectors.client import HttpPlatformClient
from connectors.sandbox.app import create_platform_app
from connectors.sandbox.server_thread import ThreadedServer

ADMIN_TOKEN = "test-admin-token"


def serve(app: FastAPI, path: str = "") -> ThreadedServer:
    """Start ``app`` on a free loopback port and wait until it accepts requests."""
    return ThreadedServer(app, path=path).start()


class FakeClock:
    """A settable clock for the sandbox (timezone-aware UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(scope="session")
def platform_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    """One seeded sandbox for the session, with the admin API on; tests reset faults."""
    db = tmp_path_factory.mktemp("platform") / "platform.sqlite3"
    live = serve(create_platform_app(f"sqlite:///{db}", admin_token=ADMIN_TOKEN))
    yield live
    live.stop()


def set_faults(base_url: str, **settings: float) -> None:
    """Switch the running sandbox's fault injection through its admin API."""
    response = httpx.put(f"{base_url}/admin/faults", json=settings, headers={"X-Admin-Token": ADMIN_TOKEN})
    response.raise_for_status()


@pytest.fixture
def platform_url(platform_server: ThreadedServer) -> Iterator[str]:
    """The shared sandbox's base URL; faults are switched off again after each test."""
    set_faults(platform_server.base_url)
    yield platform_server.base_url
    set_faults(platform_server.base_url)


def register(base_url: str, name: str = "Test Exporter Ltd", country: str = "KE") -> str:
    """Register a fresh merchant (over HTTP) and return its API token."""
    response = httpx.post(f"{base_url}/merchants", json={"name": name, "country": country},
                          headers={"X-Admin-Token": ADMIN_TOKEN})
    response.raise_for_status()
    return response.json()["api_token"]


@pytest.fixture
def faults(platform_url: str):
    """Switch the shared sandbox's faults: ``faults(timeout_rate=1.0, hang_s=1.5)``."""
    return lambda **settings: set_faults(platform_url, **settings)


@pytest.fixture
def new_merchant(platform_url: str):
    """Register another merchant: ``new_merchant("Name", "GH")`` returns its token."""
    return lambda name="Other Co", country="GH": register(platform_url, name, country)


@pytest.fixture
def merchant_token(platform_url: str) -> str:
    """A new merchant per test, so tests do not see each other's records."""
    return register(platform_url)


@pytest.fixture
async def client(platform_url: str, merchant_token: str) -> HttpPlatformClient:
    """A client for the shared sandbox, with quick timeouts and backoff for tests."""
    async with HttpPlatformClient(platform_url, merchant_token, timeout=2.0, retries=3, backoff=0.05) as c:
        yield c


@pytest.fixture
def fake_clock() -> FakeClock:
    """A clock the test moves by hand."""
    return FakeClock()
