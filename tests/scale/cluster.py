"""A local multi-worker deployment for tests and the load bench.

What docker-compose.yml runs, as processes on loopback: one PostgreSQL database (given),
one Chroma server (``chroma run`` over a copy of the shared test index), one sandbox
platform process (``python -m connectors.sandbox``) and N ``tradebot serve`` workers on
their own ports. The "load balancer" is the client: it picks a worker per request and,
when one is down, retries the request (same message id) on another — what nginx's
``proxy_next_upstream`` does in deploy/nginx.conf.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SHARED_INDEX_DIR = ROOT / "var" / "test-index"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, proc: subprocess.Popen, what: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{what} did not come up in {timeout:.0f} s")


@dataclass
class Worker:
    index: int
    port: int
    data_dir: Path
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def spawn(self) -> None:
        self.log_path = self.data_dir.parent / f"worker-{self.index}.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - owned by the process
        self.proc = subprocess.Popen([str(BIN / "tradebot"), "serve"], env=self.env, cwd=self.data_dir.parent,
                                     stdout=log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.index} exited: {self.tail()}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"worker {self.index} did not come up: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, no cleanup, connections just vanish."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=15)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except (OSError, AttributeError):
            return ""


@dataclass
class Cluster:
    """PostgreSQL (given) + Chroma server + sandbox platform + ``workers`` tradebot workers."""

    database_url: str
    base_dir: Path
    workers_count: int = 2
    extra_env: dict[str, str] = field(default_factory=dict)
    sandbox_args: list[str] = field(default_factory=list)  # e.g. ["--latency", "0.3"]
    workers: list[Worker] = field(default_factory=list)
    _procs: list[subprocess.Popen] = field(default_factory=list)
    chroma_url: str = ""
    platform_url: str = ""

    def start(self) -> "Cluster":
        self.base_dir.mkdir(parents=True, exist_ok=True)
        try:
            self._start_chroma()
            self._start_sandbox()
            env = {**os.environ, "TRADEBOT_DATABASE_URL": self.database_url, "TRADEBOT_CHROMA_URL": self.chroma_url,
                   "TRADEBOT_INDEX_DIR": str(self.base_dir / "index"), "TRADEBOT_PLATFORM_URL": self.platform_url,
                   "TRADEBOT_RATE_LIMIT_PER_MINUTE": "0", "TRADEBOT_LOG_LEVEL": "WARNING", **self.extra_env}
            for key in ("TRADEBOT_TELEGRAM_TOKEN", "TRADEBOT_WEBHOOK_SECRET", "TRADEBOT_REST_CALLBACK_URL"):
                if key not in self.extra_env:
                    env.pop(key, None)
            for i in range(self.workers_count):
                port = free_port()
                data_dir = self.base_dir / f"w{i}" / "var"
                data_dir.mkdir(parents=True, exist_ok=True)
                self.workers.append(Worker(i, port, data_dir, {**env, "TRADEBOT_DATA_DIR": str(data_dir),
                                                               "TRADEBOT_PORT": str(port)}))
            for w in self.workers:
                w.spawn()
            with ThreadPoolExecutor(len(self.workers)) as pool:
                list(pool.map(lambda w: w.wait_ready(), self.workers))
        except BaseException:
            self.stop()
            raise
        return self

    def _start_chroma(self) -> None:
        """A Chroma server over a copy of the shared (already embedded) test index."""
        index = self.base_dir / "index"
        if not index.exists():
            shutil.copytree(SHARED_INDEX_DIR, index)
        port = free_port()
        exe = BIN / "chroma"
        proc = subprocess.Popen([str(exe if exe.exists() else "chroma"), "run", "--path", str(index / "chroma"),
                                 "--host", "127.0.0.1", "--port", str(port)],
                                stdout=self._log("chroma"), stderr=subprocess.STDOUT, cwd=self.base_dir)
        self._procs.append(proc)
        self.chroma_url = f"http://127.0.0.1:{port}"
        _wait_http(f"{self.chroma_url}/api/v2/heartbeat", proc, "chroma server", timeout=60)

    def _start_sandbox(self) -> None:
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "connectors.sandbox", "--port", str(port),
                                 "--db", f"sqlite:///{self.base_dir / 'platform.sqlite3'}", *self.sandbox_args],
                                stdout=self._log("sandbox"), stderr=subprocess.STDOUT, cwd=ROOT)
        self._procs.append(proc)
        self.platform_url = f"http://127.0.0.1:{port}"
        _wait_http(f"{self.platform_url}/docs", proc, "sandbox platform", timeout=60)

    @property
    def chroma_pid(self) -> int:
        return self._procs[0].pid

    def _log(self, name: str):  # noqa: ANN202
        return open(self.base_dir / f"{name}.log", "ab")  # noqa: SIM115 - owned by the process

    def restart(self, i: int) -> None:
        w = self.workers[i]
        w.kill()
        w.spawn()
        w.wait_ready()

    def stop(self) -> None:
        for w in self.workers:
            w.stop()
        for proc in self._procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def __enter__(self) -> "Cluster":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- transcript checks (shared by the tests and bench/load_workers.py) ----------------------
def pg_dsn(database_url: str) -> str:
    """The libpq form of a SQLAlchemy ``postgresql+psycopg://`` URL."""
    return database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def load_transcripts(database_url: str, channel: str = "rest") -> dict[str, list[dict]]:
    """Every conversation's transcript in seq order, by sender."""
    import psycopg
    from psycopg.rows import dict_row

    out: dict[str, list[dict]] = {}
    with psycopg.connect(pg_dsn(database_url), row_factory=dict_row) as conn:
        rows = conn.execute(
            "SELECT c.sender, m.seq, m.direction, m.author, m.text, m.payload, m.out_of_band "
            "FROM messages m JOIN conversations c ON c.id = m.conversation_id "
            "WHERE c.channel = %s ORDER BY c.sender, m.seq", (channel,)).fetchall()
    for row in rows:
        out.setdefault(row["sender"], []).append(row)
    return out


def transcript_problems(rows: list[dict], turns: dict[str, dict], chains: list[list[str]]) -> list[str]:
    """What is wrong with one conversation's transcript (empty: nothing).

    Args:
        rows: the transcript (see :func:`load_transcripts`).
        turns: message id -> the turn JSON the client got back for it.
        chains: message ids one client sent sequentially (each after the previous answer).
    """
    problems: list[str] = []
    seqs = [r["seq"] for r in rows]
    if seqs != list(range(1, len(rows) + 1)):
        problems.append(f"seq not contiguous from 1: {seqs}")
    position: dict[str, int] = {}
    for i, row in enumerate(rows):
        if row["direction"] != "in":
            continue
        mid = (row["payload"] or {}).get("message_id")
        if mid is None:
            continue
        if mid in position:
            problems.append(f"message {mid} processed twice (seq {rows[position[mid]]['seq']} and {row['seq']})")
            continue
        position[mid] = i
        turn = turns.get(mid)
        if turn is None:
            continue
        expected = [r["text"] for r in turn["replies"]]
        got = [r["text"] for r in rows[i + 1:i + 1 + len(expected)]
               if r["direction"] == "out" and not r["out_of_band"]]
        if got != expected:
            problems.append(f"message {mid} (seq {row['seq']}) is not followed by its own replies")
    for mid in turns:
        if mid not in position:
            problems.append(f"message {mid} answered but missing from the transcript")
    for chain in chains:
        seen = [position[m] for m in chain if m in position]
        if seen != sorted(seen):
            problems.append(f"sequential messages out of send order: {chain}")
    return problems
