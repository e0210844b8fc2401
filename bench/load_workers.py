"""Load test: one `tradebot serve` worker vs two, on PostgreSQL, with transcript checks.

Usage:
    python bench/load_workers.py [--conversations 40] [--messages 6] [--clients-per-conversation 2]
                                 [--concurrency 32] [--dup-rate 0.1] [--timeout 600]

Starts the scale deployment as local processes (tests/scale/cluster.py: a fresh PostgreSQL
database, a Chroma server over the test index, the sandbox platform, two workers) and runs
the same load twice: every request to worker 0 ("1 worker"), then requests spread over
both ("2 workers", as a round-robin load balancer would). Per conversation,
``--clients-per-conversation`` clients write at once, each sequentially (next message
after the previous answer) and each through another worker; ``--dup-rate`` of the
messages are re-delivered with the same message id to the other worker.

Prints throughput and p50/p95/p99 latency per run, then checks every transcript:
contiguous seq, each inbound message followed by its own replies, each client's messages
in send order, each message id processed once, duplicates answered with the same turn.
Exit status 1 when a check fails. Needs PostgreSQL (``TRADEBOT_TEST_PG_ADMIN``, default
``postgresql://postgres@127.0.0.1:5432/postgres``) and the knowledge index built under
``var/test-index`` (``pytest tests/scale`` or any test run builds it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.scale.cluster import Cluster, load_transcripts, transcript_problems  # noqa: E402

MESSAGES = ["hello", "What does FOB mean?", "/help", "HS code for green tea", "What is CIF?",
            "Which documents do I need to export coffee?", "thanks", "What is a letter of credit?"]
PG_ADMIN = os.environ.get("TRADEBOT_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)
    turns: dict[str, dict] = field(default_factory=dict)
    chains: dict[str, list[list[str]]] = field(default_factory=dict)
    duplicates: int = 0
    duplicate_mismatches: int = 0
    errors: int = 0
    elapsed: float = 0.0
    worker_cpu: float = 0.0  # CPU seconds the workers spent during the run
    chroma_cpu: float = 0.0  # ... the Chroma server
    client_cpu: float = 0.0  # ... this load generator
    machine_busy: float = 0.0  # share of all cores busy (anything on the machine) during the run
    retried: list[str] = field(default_factory=list)  # requests sent again (same message id)


    def summary(self) -> dict[str, float]:
        lat = sorted(self.latencies)
        pick = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1000  # noqa: E731
        return {"requests": len(lat), "rps": len(lat) / self.elapsed, "p50": statistics.median(lat) * 1000,
                "p95": pick(0.95), "p99": pick(0.99), "cpu_ms": self.worker_cpu / max(len(lat), 1) * 1000,
                "chroma_ms": self.chroma_cpu / max(len(lat), 1) * 1000,
                "client_ms": self.client_cpu / max(len(lat), 1) * 1000}


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (Linux /proc), in seconds."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


async def run_load(cluster: Cluster, run: Run, workers: list[int], args: argparse.Namespace) -> None:
    rng = random.Random(args.seed)
    gate = asyncio.Semaphore(args.concurrency)
    prefix = f"{run.name.replace(' ', '')}-{uuid.uuid4().hex[:6]}"

    async def send(client: httpx.AsyncClient, worker: int, body: dict) -> dict:
        """POST; a dropped connection or a 5xx is retried with the same message id (as nginx would)."""
        async with gate:
            t0 = time.perf_counter()
            for attempt in range(4):
                try:
                    r = await client.post(f"{cluster.workers[worker].url}/webhooks/rest", json=body, timeout=120)
                except httpx.TransportError as exc:
                    run.retried.append(f"{body.get('message_id')}: {type(exc).__name__}")
                    continue
                if r.status_code == 200:
                    run.latencies.append(time.perf_counter() - t0)
                    return r.json()
                run.errors += 1
                run.retried.append(f"{body.get('message_id')}: HTTP {r.status_code}")
                if r.status_code < 500 or attempt == 3:
                    raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")
            raise RuntimeError(f"no answer for {body}")

    async def client_chain(client: httpx.AsyncClient, sender: str, c: int, k: int) -> None:
        mids: list[str] = []
        run.chains.setdefault(sender, []).append(mids)
        for i in range(args.messages):
            worker = workers[(k + c + i) % len(workers)]
            mid = f"{sender}-c{c}-{i}"
            body = {"sender": sender, "message": rng.choice(MESSAGES), "message_id": mid}
            run.turns[mid] = await send(client, worker, body)
            mids.append(mid)
            if rng.random() < args.dup_rate:  # re-delivery through the other worker
                again = await send(client, workers[(k + c + i + 1) % len(workers)], body)
                run.duplicates += 1
                run.duplicate_mismatches += again != run.turns[mid]

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=args.concurrency * 2)) as client:
        for w in workers:  # warm the connections and each worker's first turn
            await send(client, w, {"sender": f"{prefix}-warm-{w}", "message": "hello"})
        run.latencies.clear()
        pids = [w.proc.pid for w in cluster.workers]
        cpu0, chroma0, client0 = cpu_seconds(pids), cpu_seconds([cluster.chroma_pid]), time.process_time()
        busy0, total0 = machine_ticks()
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*[
            client_chain(client, f"{prefix}-{k}", c, k)
            for k in range(args.conversations) for c in range(args.clients_per_conversation)]), args.timeout)
        run.elapsed = time.perf_counter() - started
        run.worker_cpu = cpu_seconds(pids) - cpu0
        run.chroma_cpu = cpu_seconds([cluster.chroma_pid]) - chroma0
        run.client_cpu = time.process_time() - client0
        busy1, total1 = machine_ticks()
        run.machine_busy = (busy1 - busy0) / max(total1 - total0, 1)


def check(cluster: Cluster, runs: list[Run]) -> list[str]:
    transcripts = load_transcripts(cluster.database_url)
    problems: list[str] = []
    for run in runs:
        for sender, chains in run.chains.items():
            mine = {m: run.turns[m] for chain in chains for m in chain}
            problems += [f"{run.name} {sender}: {p}" for p in transcript_problems(transcripts.get(sender, []), mine, chains)]
        if run.duplicate_mismatches:
            problems.append(f"{run.name}: {run.duplicate_mismatches} duplicates answered with another turn")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conversations", type=int, default=40)
    ap.add_argument("--messages", type=int, default=6, help="messages per client")
    ap.add_argument("--clients-per-conversation", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=32, help="requests in flight at most")
    ap.add_argument("--dup-rate", type=float, default=0.1)
    ap.add_argument("--timeout", type=float, default=600, help="seconds per run at most")
    ap.add_argument("--seed", type=int, default=10)
    args = ap.parse_args()

    import psycopg

    name = f"tradebot_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    try:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            with Cluster(url, Path(tmp), workers_count=2) as cluster:
                print(f"2 workers up in {time.perf_counter() - t0:.0f} s; {os.cpu_count()} cores; "
                      f"{args.conversations} conversations x {args.clients_per_conversation} clients x "
                      f"{args.messages} messages, concurrency {args.concurrency}, dup rate {args.dup_rate}",
                      flush=True)
                runs = [Run("1 worker"), Run("2 workers")]
                try:
                    asyncio.run(run_load(cluster, runs[0], [0], args))
                    asyncio.run(run_load(cluster, runs[1], [0, 1], args))
                except Exception:
                    for w in cluster.workers:
                        print(f"--- worker {w.index} log (tail) ---\n{w.tail(6000)}", file=sys.stderr)
                    raise
                print("| setup | requests | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) "
                      "| worker CPU per request (ms) | errors |")
                print("|---|---:|---:|---:|---:|---:|---:|---:|")
                for run in runs:
                    s = run.summary()
                    print(f"| {run.name} | {s['requests']} | {s['rps']:.1f} | {s['p50']:.0f} | {s['p95']:.0f} | "
                          f"{s['p99']:.0f} | {s['cpu_ms']:.1f} | {run.errors} |")
                for run in runs:
                    s = run.summary()
                    print(f"{run.name}: CPU per request: workers {s['cpu_ms']:.1f} ms, Chroma server "
                          f"{s['chroma_ms']:.1f} ms, load generator {s['client_ms']:.1f} ms; "
                          f"machine CPU busy {run.machine_busy:.0%} of {os.cpu_count()} cores")
                for run in runs:
                    if run.retried:
                        print(f"{run.name}: {len(run.retried)} requests retried: {', '.join(run.retried[:10])}")
                if any(run.errors for run in runs):
                    for w in cluster.workers:
                        print(f"--- worker {w.index} log (tail) ---\n{w.tail(6000)}", file=sys.stderr)
                rss = [rss_mb(w.proc.pid) for w in cluster.workers] + [rss_mb(cluster.chroma_pid)]
                print("resident memory: " + ", ".join(f"worker {i} {m:.0f} MB" for i, m in enumerate(rss[:-1]))
                      + f", Chroma server {rss[-1]:.0f} MB")
                ratio = runs[1].summary()["rps"] / runs[0].summary()["rps"]
                print(f"throughput 2 workers / 1 worker: x{ratio:.2f}")
                problems = check(cluster, runs)
                turns = sum(len(r.turns) for r in runs)
                dups = sum(r.duplicates for r in runs)
                if problems:
                    print(f"TRANSCRIPT CHECK FAILED ({len(problems)} problems):")
                    print("\n".join(problems[:50]))
                    return 1
                print(f"transcripts OK: {turns} messages in {sum(len(r.chains) for r in runs)} conversations, "
                      f"ordered, each processed once; {dups} re-deliveries answered with the same turn")
                return 0
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
