"""`tradebot serve` as a user runs it: a real process, killed and restarted mid-conversation."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SHARED_INDEX_DIR

from tests.conftest import free_port

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("shared_index_dir")]
TRADEBOT = str(Path(sys.executable).with_name("tradebot"))


def start_server(data_dir: Path, port: int, extra_env: dict | None = None) -> subprocess.Popen:
    env = {**os.environ, "TRADEBOT_DATA_DIR": str(data_dir), "TRADEBOT_INDEX_DIR": str(SHARED_INDEX_DIR), "TRADEBOT_PORT": str(port), **(extra_env or {})}
    env.pop("TRADEBOT_DATABASE_URL", None)
    env.update(extra_env or {})
    proc = subprocess.Popen([TRADEBOT, "serve"], env=env, cwd=data_dir.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited: {proc.stdout.read().decode(errors='replace')}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not come up in time")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_conversation_continues_across_a_killed_server(tmp_path, backend):
    from tests.conftest import postgres_database
    import contextlib

    ctx = postgres_database() if backend == "postgresql" else contextlib.nullcontext(None)
    with ctx as pg_url:
        extra = {"TRADEBOT_DATABASE_URL": pg_url} if pg_url else {}
        data_dir, port = tmp_path / "var", free_port()
        url = f"http://127.0.0.1:{port}/webhooks/rest"
        proc = start_server(data_dir, port, extra)
        try:
            first = httpx.post(url, json={"sender": "merchant-7", "message": "hello"}, timeout=30).json()
            ask = httpx.post(url, json={"sender": "merchant-7", "message": "/lang"}, timeout=30).json()
            assert ask["replies"][0]["buttons"], ask
        finally:
            proc.send_signal(signal.SIGKILL)  # no graceful shutdown: state must already be durable
            proc.wait(timeout=10)
        proc = start_server(data_dir, port, extra)
        try:
            answer = httpx.post(url, json={"sender": "merchant-7", "message": "Deutsch",
                                           "message_id": "after-restart-1"}, timeout=30).json()
            assert answer["conversation_id"] == first["conversation_id"]
            assert answer["language"] == "de" and answer["replies"][0]["text"] == "Ab jetzt antworte ich auf Deutsch."
            again = httpx.post(url, json={"sender": "merchant-7", "message": "hello"}, timeout=30).json()
            assert again["language"] == "de" and again["replies"][0]["text"].startswith("Hallo")
        finally:
            proc.terminate()
            proc.wait(timeout=15)
