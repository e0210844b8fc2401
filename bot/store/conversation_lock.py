"""Cross-worker per-conversation locks: PostgreSQL session advisory locks.

Within one process :class:`bot.locks.KeyedLocks` already runs one turn per conversation
at a time, in arrival order. Several ``tradebot serve`` workers sharing one PostgreSQL
database also need that *across* processes; optimistic concurrency alone keeps the
transcript consistent, but a worker that loses the race redoes the whole turn (wasted
NLU and skill work, side effects run twice up to their idempotency keys) and gives up
after a few losses under heavy contention.

Design, chosen to never exhaust a pool or the thread executor:

* The lock is ``pg_advisory_lock(key)`` on a dedicated **async** psycopg connection, so
  a turn waiting for another worker waits on a socket, not in a thread, and not on a
  connection of the application's SQLAlchemy pool (which the lock holder needs to finish
  its turn).
* At most :data:`MAX_HELD` lock connections per worker and event loop (an
  ``asyncio.Semaphore``); idle ones are reused. PostgreSQL queues advisory-lock waiters,
  so contending workers are served in arrival order.
* A worker that dies (even SIGKILL) loses its connections, and PostgreSQL releases
  their locks: no lease to expire, no lock table to clean.
* Any error on a lock connection closes it, which releases whatever it held.

SQLite (one process) gets :class:`NoLock`: the in-process lock is all it needs.
PgBouncer in *transaction* pooling mode would break session advisory locks; point the
workers at PostgreSQL directly or use session pooling (see docs/scaling.md).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import weakref
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)
MAX_HELD = int(os.environ.get("TRADEBOT_LOCK_CONNECTIONS", "16"))  # per worker process
LOCK_TIMEOUT = "60s"  # a turn never waits longer than this for another worker's turn
_NAMESPACE = b"tradebot.conversation:"


def lock_key(key: Hashable) -> int:
    """A stable signed 64-bit advisory-lock id for ``key`` (same in every process)."""
    digest = hashlib.blake2b(_NAMESPACE + repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class NoLock:
    """The lock for single-process backends: does nothing."""

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        yield

    def close(self) -> None:
        return None


class _LoopState:
    def __init__(self, size: int) -> None:
        self.slots = asyncio.Semaphore(size)
        self.idle: list[Any] = []


class AdvisoryLock:
    """Per-conversation lock shared by every worker on one PostgreSQL database.

    Args:
        dsn: a libpq connection string or ``postgresql://`` URL (not the SQLAlchemy form).
        max_held: lock connections a process holds at most (waiting or locked).
    """

    def __init__(self, dsn: str, *, max_held: int = MAX_HELD) -> None:
        self._dsn = dsn
        self._max_held = max_held
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopState] = weakref.WeakKeyDictionary()

    def _state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            for other, old in list(self._loops.items()):
                if other.is_closed():  # e.g. an earlier ``asyncio.run``: its connections are useless
                    while old.idle:
                        _discard(old.idle.pop())
            state = self._loops[loop] = _LoopState(self._max_held)
        return state

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        state = self._state()
        ident = lock_key(key)
        async with state.slots:
            conn = await self._acquire(state, ident)
            try:
                yield
            finally:
                await self._release(state, conn, ident)

    async def _acquire(self, state: _LoopState, ident: int) -> Any:
        import psycopg

        while True:
            conn, reused = await self._connection(state)
            try:
                await conn.execute("SELECT pg_advisory_lock(%s)", (ident,))
                return conn
            except psycopg.OperationalError as exc:
                _discard(conn)  # closing the session releases the lock if it was granted
                if reused and not isinstance(exc, psycopg.errors.LockNotAvailable):
                    continue  # an idle connection went stale (server restart, network): a fresh one
                raise
            except BaseException:
                _discard(conn)
                raise

    async def _connection(self, state: _LoopState) -> tuple[Any, bool]:
        import psycopg

        while state.idle:
            conn = state.idle.pop()
            if not conn.closed:
                return conn, True
        conn = await psycopg.AsyncConnection.connect(self._dsn, autocommit=True, connect_timeout=10,
                                                     application_name="tradebot-conversation-lock",
                                                     options=f"-c lock_timeout={LOCK_TIMEOUT}")
        return conn, False

    async def _release(self, state: _LoopState, conn: Any, ident: int) -> None:
        try:
            await conn.execute("SELECT pg_advisory_unlock(%s)", (ident,))
        except Exception:  # broken connection: closing it releases the lock; the turn is kept
            log.warning("advisory unlock failed; closing the lock connection", exc_info=True)
            _discard(conn)
            return
        except BaseException:  # cancelled while unlocking: close (releases), then propagate
            _discard(conn)
            raise
        if len(state.idle) < self._max_held and not conn.closed:
            state.idle.append(conn)
        else:
            _discard(conn)

    def close(self) -> None:
        """Close idle lock connections (of every loop); held ones close when released."""
        for state in list(self._loops.values()):
            while state.idle:
                _discard(state.idle.pop())


def _discard(conn: Any) -> None:
    """Close a connection without awaiting (works for connections of a finished loop too)."""
    try:
        conn.pgconn.finish()
    except Exception:  # noqa: BLE001 - already gone
        pass


def conversation_lock_for(engine: Any) -> AdvisoryLock | NoLock:
    """The cross-worker lock matching ``engine``'s backend (PostgreSQL: advisory locks)."""
    if engine is None or getattr(engine.dialect, "name", "") != "postgresql":
        return NoLock()
    url = engine.url.set(drivername="postgresql")
    lock = AdvisoryLock(url.render_as_string(hide_password=False))
    try:
        from sqlalchemy import event

        event.listen(engine, "engine_disposed", lambda *_: lock.close())
    except Exception:  # noqa: BLE001 - closing idle lock connections early is only tidiness
        log.debug("could not hook engine disposal", exc_info=True)
    return lock
