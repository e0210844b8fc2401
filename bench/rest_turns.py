"""REST turn latency and throughput under concurrency, against a bare FastAPI endpoint.

Usage: python bench/rest_turns.py [--requests 1000] [--concurrency 32] [--conversations 50]

Starts `tradebot serve` (embedded SQLite in a temporary data dir, or TRADEBOT_DATABASE_URL)
and a bare FastAPI app in separate processes on loopback, sends the same load to both and
prints p50/p95 latency, throughput and their ratio. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early: {proc.args}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


async def _load(url: str, n: int, concurrency: int, conversations: int, messages: list[str]) -> tuple[list[float], float]:
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            i = queue.get_nowait()
            body = {"sender": f"bench-{i % conversations}", "message": messages[i % len(messages)]}
            t0 = time.perf_counter()
            r = await client.post(url, json=body)
            latencies.append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise SystemExit(f"HTTP {r.status_code}: {r.text[:200]}")

    async with httpx.AsyncClient(timeout=120, limits=httpx.Limits(max_connections=concurrency)) as client:
        await client.post(url, json={"sender": "warm", "message": "hello"})
        started = time.perf_counter()
        await asyncio.gather(*[worker(client) for _ in range(concurrency)])
        elapsed = time.perf_counter() - started
    return latencies, elapsed


def _summary(name: str, lat: list[float], elapsed: float) -> tuple[float, float, float]:
    lat = sorted(lat)
    p50 = statistics.median(lat) * 1000
    p95 = lat[int(len(lat) * 0.95) - 1] * 1000
    rps = len(lat) / elapsed
    print(f"{name:<22} p50 {p50:8.2f} ms   p95 {p95:8.2f} ms   {rps:8.1f} req/s   ({len(lat)} requests)")
    return p50, p95, rps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--conversations", type=int, default=50)
    ap.add_argument("--message", action="append", help="message(s) to send (default: a greeting and /help)")
    args = ap.parse_args()
    messages = args.message or ["hello", "/help"]
    bin_dir = Path(sys.executable).parent
    procs = []
    with tempfile.TemporaryDirectory() as tmp:
        try:
            bot_port, bare_port = _port(), _port()
            env = {**os.environ, "TRADEBOT_DATA_DIR": str(Path(tmp) / "var"), "TRADEBOT_PORT": str(bot_port),
                   "TRADEBOT_LOG_LEVEL": "WARNING"}
            procs.append(subprocess.Popen([str(bin_dir / "tradebot"), "serve"], env=env, cwd=tmp,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            procs.append(subprocess.Popen([sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port",
                                           str(bare_port), "--log-level", "warning"], cwd=ROOT))
            _wait(f"http://127.0.0.1:{bot_port}/healthz", procs[0])
            _wait(f"http://127.0.0.1:{bare_port}/docs", procs[1])
            print(f"{args.requests} requests, concurrency {args.concurrency}, "
                  f"{args.conversations} conversations, {os.cpu_count()} cores, "
                  f"db={os.environ.get('TRADEBOT_DATABASE_URL', 'sqlite (embedded)').split('@')[-1]}")
            bare = _summary("bare FastAPI JSON", *asyncio.run(_load(
                f"http://127.0.0.1:{bare_port}/echo", args.requests, args.concurrency, args.conversations, messages)))
            turn = _summary("REST turn (tradebot)", *asyncio.run(_load(
                f"http://127.0.0.1:{bot_port}/webhooks/rest", args.requests, args.concurrency,
                args.conversations, messages)))
            print(f"ratio tradebot/bare    p50 x{turn[0] / bare[0]:.1f}   p95 x{turn[1] / bare[1]:.1f}   "
                  f"throughput x{turn[2] / bare[2]:.2f}")
        finally:
            for p in procs:
                p.terminate()
                p.wait(timeout=10)


if __name__ == "__main__":
    main()
