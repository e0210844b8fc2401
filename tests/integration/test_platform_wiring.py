"""The built-in sandbox: mounted at /platform/v1 and reachable through the container's client."""

import httpx

from bot.bootstrap import bootstrap
from bot.web import create_app


async def test_container_client_reaches_the_builtin_sandbox(settings_factory):
    container = bootstrap(settings_factory())
    page = await container.platform.search_buyer_requests("coffee", limit=3)
    assert page.total > 0 and len(page.items) <= 3
    creds = await container.platform.register_merchant("Test Exports Ltd", "VN")
    me = await container.platform.for_merchant(creds.api_token).me()
    assert me.name == "Test Exports Ltd"
    await container.platform.aclose()
    container.close()


def test_sandbox_is_mounted_in_the_server(settings_factory, live_server):
    container = bootstrap(settings_factory())
    with live_server(create_app(container)) as server:
        r = httpx.get(f"{server.url}/platform/v1/buyer-requests", params={"q": "tea", "limit": 1})
        assert r.status_code == 200 and r.json()["items"][0]["hs_heading"]
    container.close()
