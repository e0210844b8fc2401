"""The cross-worker conversation lock (PostgreSQL advisory locks), without servers."""

from __future__ import annotations

import asyncio
import time

import psycopg
import pytest

from bot.store.conversation_lock import AdvisoryLock, NoLock, conversation_lock_for, lock_key
from tests.conftest import postgres_database
from tests.scale.cluster import pg_dsn

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def dsn():
    with postgres_database() as url:
        yield pg_dsn(url)


def _lock_connections(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                            "'tradebot-conversation-lock' AND datname = current_database()").fetchone()[0]


def test_two_workers_never_hold_one_conversation_at_once_but_other_conversations_run(dsn):
    workers = [AdvisoryLock(dsn), AdvisoryLock(dsn)]  # two processes, as far as PostgreSQL can tell
    inside: dict[str, int] = {}
    most: dict[str, int] = {}

    async def turn(lock: AdvisoryLock, key: str) -> None:
        async with lock.hold(("rest", key)):
            inside[key] = inside.get(key, 0) + 1
            most[key] = max(most.get(key, 0), inside[key])
            most["*"] = max(most.get("*", 0), sum(inside.values()))
            await asyncio.sleep(0.02)
            inside[key] -= 1

    async def main() -> None:
        await asyncio.gather(*[turn(workers[i % 2], f"c{i % 3}") for i in range(24)])

    asyncio.run(main())
    assert most["c0"] == most["c1"] == most["c2"] == 1
    assert most["*"] > 1  # distinct conversations are not serialized
    for lock in workers:
        lock.close()


def test_lock_connections_are_bounded_and_reused_across_event_loops(dsn):
    lock = AdvisoryLock(dsn, max_held=2)
    peak = 0

    async def turn(key: int) -> None:
        nonlocal peak
        async with lock.hold(key):
            peak = max(peak, await asyncio.to_thread(_lock_connections, dsn))
            await asyncio.sleep(0.01)

    async def main() -> None:
        await asyncio.gather(*[turn(i) for i in range(12)])

    asyncio.run(main())
    settle = time.monotonic() + 5  # connections the first loop replaced are reaped asynchronously
    while _lock_connections(dsn) > 2 and time.monotonic() < settle:
        time.sleep(0.05)
    asyncio.run(main())  # a second loop (tests and CLI calls do this) works too
    assert peak <= 2
    lock.close()
    deadline = time.monotonic() + 5  # the server reaps closed backends asynchronously
    while _lock_connections(dsn) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _lock_connections(dsn) == 0


def test_a_dead_workers_lock_is_released_by_postgresql(dsn):
    holder, other = AdvisoryLock(dsn), AdvisoryLock(dsn)

    async def main() -> float:
        entered = asyncio.Event()
        release = asyncio.Event()

        async def hold() -> None:
            try:
                async with holder.hold("conv"):
                    entered.set()
                    await release.wait()
            except Exception:  # its connection was killed under it
                pass

        task = asyncio.create_task(hold())
        await entered.wait()
        with psycopg.connect(dsn, autocommit=True) as conn:  # the worker dies: its session ends
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                         "AND objid = (%s::bigint & 4294967295)::oid", (lock_key("conv"),))
        loop = asyncio.get_running_loop()
        started = loop.time()
        async with other.hold("conv"):
            waited = loop.time() - started
        release.set()
        await task
        return waited

    assert asyncio.run(main()) < 5
    holder.close()
    other.close()


def test_sqlite_gets_no_cross_process_lock(tmp_path):
    from bot.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert isinstance(conversation_lock_for(engine), NoLock)
    assert isinstance(conversation_lock_for(None), NoLock)


def test_a_stale_idle_lock_connection_is_replaced(dsn):
    lock = AdvisoryLock(dsn)

    async def main() -> None:
        async with lock.hold("c"):
            pass
        with psycopg.connect(dsn, autocommit=True) as conn:  # e.g. PostgreSQL restarted meanwhile
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE application_name = 'tradebot-conversation-lock' AND datname = current_database()")
        async with lock.hold("c"):
            pass

    asyncio.run(main())
    lock.close()
