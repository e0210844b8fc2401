"""Two real `tradebot serve` workers on one PostgreSQL database, a Chroma server and a
sandbox platform process — the docker-compose.yml deployment, as local processes.

The workers start once for the module (each start costs ~20-30 s of model warm-up).
The client plays the load balancer: it chooses the worker, and on a dead worker retries
the same request (same message id) on the other one, like ``proxy_next_upstream``.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time

import httpx
import psycopg
import pytest

from tests.conftest import postgres_database
from tests.scale.cluster import Cluster, load_transcripts, pg_dsn, transcript_problems

pytestmark = [pytest.mark.postgres, pytest.mark.e2e]

SIMPLE = ["hello", "What does FOB mean?", "/help", "HS code for green tea", "What is CIF?",
          "Which documents do I need to export coffee?", "thanks", "What is a letter of credit?"]
LISTING = "I want to list green tea, 20 t at 4.20 USD/kg FOB, MOQ 2 t, lead time 14 days"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, shared_index_dir):
    with postgres_database() as url:
        # platform calls take 0.3 s, so a SIGKILL lands while confirmations are in flight
        with Cluster(url, tmp_path_factory.mktemp("cluster"), workers_count=2,
                     sandbox_args=["--latency", "0.3"]) as running:
            yield running


FAILOVERS: list[str] = []  # requests a dead worker did not answer, retried on the other one


async def post(client: httpx.AsyncClient, cluster: Cluster, body: dict, first: int, *,
               deadline_s: float = 90) -> dict:
    """Send to worker ``first``; on a dead or failing worker retry the other (load balancer)."""
    deadline = time.monotonic() + deadline_s
    attempt = 0
    while True:
        worker = cluster.workers[(first + attempt) % len(cluster.workers)]
        try:
            r = await client.post(f"{worker.url}/webhooks/rest", json=body, timeout=60)
            if r.status_code == 200:
                return r.json()
            assert r.status_code >= 500, r.text
            FAILOVERS.append(f"{body.get('message_id')}: HTTP {r.status_code}")
        except httpx.TransportError as exc:
            FAILOVERS.append(f"{body.get('message_id')}: {type(exc).__name__}")
        attempt += 1
        if time.monotonic() > deadline:
            raise AssertionError(f"no worker answered {body}")
        await asyncio.sleep(min(0.05 * attempt, 0.5))


def retries(cluster: Cluster) -> float:
    total = 0.0
    for w in cluster.workers:
        for line in httpx.get(f"{w.url}/metrics", timeout=5).text.splitlines():
            if line.startswith("tradebot_turn_retries_total"):
                total += float(line.split()[-1])
    return total


def test_interleaved_messages_on_two_workers_are_ordered_and_processed_once(cluster):
    rng = random.Random(10)
    conversations = 10
    turns: dict[str, dict] = {}
    chains: dict[str, list[list[str]]] = {}

    async def client_chain(client, sender: str, name: str, worker: int, n: int) -> None:
        mids: list[str] = []
        chains.setdefault(sender, []).append(mids)
        for i in range(n):
            mid = f"{sender}-{name}-{i}"
            body = {"sender": sender, "message": rng.choice(SIMPLE), "message_id": mid}
            turns[mid] = await post(client, cluster, body, worker)
            mids.append(mid)
            if rng.random() < 0.4:  # the channel re-delivers it, through the other worker
                again = await post(client, cluster, body, 1 - worker)
                assert again == turns[mid], mid

    async def concurrent_duplicate(client, sender: str) -> None:
        body = {"sender": sender, "message": "What is DAP?", "message_id": f"{sender}-dup"}
        a, b = await asyncio.gather(post(client, cluster, body, 0), post(client, cluster, body, 1))
        assert a == b
        turns[f"{sender}-dup"] = a

    async def main() -> None:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as client:
            jobs = []
            for k in range(conversations):
                sender = f"order-{k}"
                # two clients write into one conversation at once, each through another worker
                jobs += [client_chain(client, sender, "a", k % 2, 5), client_chain(client, sender, "b", 1 - k % 2, 5),
                         concurrent_duplicate(client, sender)]
            await asyncio.gather(*jobs)

    before = retries(cluster)
    FAILOVERS.clear()
    asyncio.run(main())
    assert not [f for f in FAILOVERS if "HTTP" in f], FAILOVERS  # no worker failed a turn
    transcripts = load_transcripts(cluster.database_url)
    problems = []
    for k in range(conversations):
        sender = f"order-{k}"
        rows = transcripts[sender]
        mine = {mid: t for mid, t in turns.items() if mid.startswith(f"{sender}-")}
        assert sum(1 for r in rows if r["direction"] == "in") == len(mine) == 11
        problems += [f"{sender}: {p}" for p in transcript_problems(rows, mine, chains[sender])]
    assert not problems, "\n".join(problems)
    with psycopg.connect(pg_dsn(cluster.database_url)) as conn:
        processed = conn.execute("SELECT count(*) FROM processed_messages").fetchone()[0]
    assert processed == len(turns)
    # the advisory lock serializes a conversation across workers: nobody had to redo a turn
    assert retries(cluster) == before


def _confirm_payload(turn: dict) -> str:
    return next(b["payload"] for r in turn["replies"] for b in r["buttons"] if b["payload"].startswith("confirm:"))


async def _listings(client: httpx.AsyncClient, cluster: Cluster, token: str) -> list[dict]:
    r = await client.get(f"{cluster.platform_url}/listings", params={"limit": 100},
                         headers={"Authorization": f"Bearer {token}"}, timeout=30)
    r.raise_for_status()
    return r.json()["items"]


def test_sigkill_during_listing_confirmations_loses_and_duplicates_nothing(cluster):
    rng = random.Random(int(os.environ.get("TRADEBOT_CHAOS_SEED", "1010")))  # vary it to explore
    turns: dict[str, dict] = {}
    chains: dict[str, list[list[str]]] = {}
    senders: list[str] = []

    async def to_summary(client, sender: str, worker: int) -> str:
        mids = []
        for i, text in enumerate([LISTING, "Lotus Tea Ltd, China", "yes", "-"]):
            mid = f"{sender}-{i}"
            turns[mid] = await post(client, cluster, {"sender": sender, "message": text, "message_id": mid},
                                    (worker + i) % 2)
            mids.append(mid)
        chains[sender] = [mids]
        assert "Shall I publish it?" in turns[mids[-1]]["replies"][-1]["text"], turns[mids[-1]]
        return _confirm_payload(turns[mids[-1]])

    async def confirm(client, sender: str, payload: str, victim: int) -> None:
        mid = f"{sender}-confirm"
        body = {"sender": sender, "message": payload, "message_id": mid}
        # the tap goes to the worker about to die; the channel re-delivers it to the other one
        first = asyncio.create_task(post(client, cluster, body, victim))
        await asyncio.sleep(rng.uniform(0, 0.4))
        second = await post(client, cluster, body, 1 - victim)
        assert await first == second, sender  # one message id, one turn, whichever worker answered
        turns[mid] = second
        chains[sender][0].append(mid)

    async def chaos_round(client, r: int, victim: int) -> None:
        names = [f"chaos-{r}-{k}" for k in range(5)]
        senders.extend(names)
        payloads = await asyncio.gather(*[to_summary(client, s, k % 2) for k, s in enumerate(names)])
        delay = rng.uniform(0.05, 0.35)  # while the first confirmations wait for the platform (0.3 s)

        async def kill() -> None:
            await asyncio.sleep(delay)
            await asyncio.to_thread(cluster.workers[victim].kill)

        await asyncio.gather(kill(), *[confirm(client, s, p, victim) for s, p in zip(names, payloads)])
        await asyncio.to_thread(cluster.restart, victim)

    async def main() -> None:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=100)) as client:
            for r, victim in enumerate([0, 1]):
                await chaos_round(client, r, victim)

    FAILOVERS.clear()
    asyncio.run(main())
    assert FAILOVERS, "no request was cut off by the SIGKILLs: the chaos did not happen"
    dsn = pg_dsn(cluster.database_url)

    def actions() -> list[tuple]:
        with psycopg.connect(dsn) as conn:
            return conn.execute(
                "SELECT c.sender, a.kind, a.status, a.notified, a.result FROM pending_actions a "
                "JOIN conversations c ON c.id = a.conversation_id WHERE c.sender LIKE 'chaos-%%' "
                "ORDER BY c.sender").fetchall()

    deadline = time.monotonic() + 120  # a dead worker's lease (15 s) expires, a live worker finishes
    while time.monotonic() < deadline:
        rows = actions()
        if len(rows) >= len(senders) and all(status == "done" and notified for _, _, status, notified, _ in rows):
            break
        time.sleep(0.5)
    rows = actions()
    assert [(s, kind, status, notified) for s, kind, status, notified, _ in rows] == \
        [(s, "create_listing", "done", True) for s in sorted(senders)]

    with psycopg.connect(dsn) as conn:
        tokens = dict(conn.execute("SELECT c.sender, l.api_token FROM merchant_links l "
                                   "JOIN conversations c ON c.id = l.conversation_id "
                                   "WHERE c.sender LIKE 'chaos-%%'").fetchall())

    async def all_listings() -> dict[str, list[dict]]:
        async with httpx.AsyncClient() as client:
            return {s: await _listings(client, cluster, tokens[s]) for s in senders}

    listings = asyncio.run(all_listings())
    assert {s: len(items) for s, items in listings.items()} == {s: 1 for s in senders}  # none lost, none doubled
    transcripts = load_transcripts(cluster.database_url)
    problems = []
    for s in senders:
        rows = transcripts[s]
        mine = {mid: t for mid, t in turns.items() if mid.startswith(f"{s}-")}
        problems += [f"{s}: {p}" for p in transcript_problems(rows, mine, chains[s])]
        said = " ".join(r["text"] for r in rows if r["direction"] == "out")
        listing_id = listings[s][0]["listing_id"]
        assert listing_id in said, f"{s} was never told about {listing_id}"
        assert set(re.findall(r"lst_[0-9a-f]+", said)) == {listing_id}
    assert not problems, "\n".join(problems)
    assert all(w.alive for w in cluster.workers)
    in_turn = sum(1 for s in senders if listings[s][0]["listing_id"] in " ".join(
        r["text"] for r in turns[f"{s}-confirm"]["replies"]))
    told = {s: ["push" if r["out_of_band"] else "turn" for r in transcripts[s]
                if r["direction"] == "out" and listings[s][0]["listing_id"] in r["text"]] for s in senders}
    told_twice = {s: how for s, how in told.items() if len(how) > 1}
    print(f"chaos: {len(FAILOVERS)} requests failed over ({', '.join(FAILOVERS)}); "
          f"{in_turn}/{len(senders)} listings confirmed in the turn, the rest finished by a worker in the "
          f"background; merchants told twice: {told_twice or 'none'}")
