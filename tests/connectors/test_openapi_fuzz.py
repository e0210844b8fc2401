"""Property-based run of the sandbox's own OpenAPI schema (schemathesis): no 5xx, ever.

Served over real HTTP on loopback with a merchant token, so authenticated operations
are exercised past the 401; schemathesis generates valid and invalid inputs, and every
response must also match its documented status code, content type and schema. Bounded
by ``MAX_EXAMPLES`` per operation to stay well under two minutes on two cores.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from connectors.sandbox.app import create_platform_app
from connectors.sandbox.server_thread import ThreadedServer

MAX_EXAMPLES = 30
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
STATUSES: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThreadedServer]:
    """A sandbox of its own: open registration (so POST /merchants is fuzzed past auth)
    and no admin API (so generated requests cannot switch faults on or move the clock)."""
    db = tmp_path_factory.mktemp("fuzz") / "platform.sqlite3"
    live = ThreadedServer(create_platform_app(f"sqlite:///{db}")).start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def fuzz_token(fuzz_server: ThreadedServer) -> str:
    response = httpx.post(f"{fuzz_server.base_url}/merchants", json={"name": "Fuzz Ltd", "country": "DE"})
    response.raise_for_status()
    return response.json()["api_token"]


# The schema document is built from the app object (pure, no database is opened);
# every generated request goes over HTTP to the live server.
schema = schemathesis.openapi.from_dict(create_platform_app("sqlite://").openapi())


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, fuzz_server: ThreadedServer, fuzz_token: str) -> None:
    headers = {"Authorization": f"Bearer {fuzz_token}"}
    response = case.call_and_validate(base_url=fuzz_server.base_url, headers=headers, checks=CHECKS, timeout=10)
    STATUSES[(f"{case.method} {case.path}", response.status_code)] += 1


def test_the_fuzzer_got_past_validation_and_auth() -> None:
    """Guards the run above against testing nothing but 401s and 422s."""
    if not STATUSES:
        pytest.skip("the schemathesis run was not selected")
    ok = {operation for (operation, status), _ in STATUSES.items() if 200 <= status < 300}
    for operation in ("GET /buyer-requests", "GET /catalog/products", "GET /listings", "GET /merchants/me",
                      "POST /listings", "POST /merchants", "POST /shipping/quotes"):
        assert operation in ok, operation
    assert sum(STATUSES.values()) >= 500
    assert not any(status >= 500 for _, status in STATUSES)
    print(f"\nschemathesis: {sum(STATUSES.values())} requests, {len(ok)} operations with a 2xx")
