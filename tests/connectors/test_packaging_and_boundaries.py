"""The sandbox runs on its own; nothing in connectors/ reaches into bot/ or ../shared."""

from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
OWN_FILES = [*ROOT.joinpath("connectors").rglob("*.py"), ROOT / "knowledge" / "locations.py"]


def test_connectors_do_not_import_bot_or_read_shared_data() -> None:
    for path in OWN_FILES:
        source = path.read_text(encoding="utf-8")
        assert "shared/data" not in source and "../shared" not in source, path
        for node in ast.walk(ast.parse(source)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "bot" or n.startswith("bot.") for n in names), path


def test_importing_the_sandbox_does_no_work(tmp_path: Path) -> None:
    code = ("import connectors.sandbox.app, connectors.client, knowledge.locations as l;"
            "assert l.load_locations.cache_info().currsize == 0;"
            "connectors.sandbox.app.create_platform_app('sqlite:///x.sqlite3')")
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=60,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert not (tmp_path / "x.sqlite3").exists()  # the database is opened on first use only


def test_python_m_connectors_sandbox_serves_the_api(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    db = tmp_path / "standalone.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-m", "connectors.sandbox", "--port", str(port), "--db", f"sqlite:///{db}"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "sandbox did not start"
            time.sleep(0.1)
        page = httpx.get(f"{base}/buyer-requests", params={"country": "DE", "limit": 3}).json()
        assert page["total"] > 0 and all(item["country"] == "DE" for item in page["items"])
        schema = httpx.get(f"{base}/openapi.json").json()
        assert "/shipping/quotes" in schema["paths"] and "/listings/{listing_id}/status" in schema["paths"]
        assert db.exists()
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_client_reaches_the_sandbox_in_process_without_lifespan(tmp_path: Path) -> None:
    """How bootstrap wires the built-in sandbox when no TRADEBOT_PLATFORM_URL is set."""
    from connectors.client import HttpPlatformClient
    from connectors.sandbox.app import create_platform_app

    app = create_platform_app(f"sqlite:///{tmp_path / 'inproc.sqlite3'}")
    transport = httpx.ASGITransport(app=app, root_path="/platform/v1")  # the prefix is the mount point
    async with HttpPlatformClient("http://sandbox/platform/v1", transport=transport) as platform:
        creds = await platform.register_merchant("In Process Ltd", "IN")
        merchant = platform.for_merchant(creds.api_token)
        assert (await merchant.me()).merchant_id == creds.merchant_id
        assert (await merchant.search_buyer_requests("rice", limit=1)).total > 0
    app.state.platform.dispose()
