"""Per-app state of the sandbox: database, clock, write lock, faults, admin token."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from connectors.sandbox.faults import FaultSwitch
from connectors.sandbox.seed import load_seed
from connectors.sandbox.tables import Base, make_engine

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite returns naive datetimes: read them as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class PlatformState:
    """Everything one sandbox app instance owns; nothing is opened until first use.

    Args:
        database_url: SQLAlchemy URL of the sandbox's own database.
        faults: The fault switch applied by the middleware.
        admin_token: Token for ``X-Admin-Token``; None disables the admin API and opens
            merchant registration to anyone.
        clock: Source of "now" (injectable in tests).
        seed: Random seed of the synthetic data.
    """

    def __init__(self, database_url: str, *, faults: FaultSwitch, admin_token: str | None,
                 clock: Clock = system_clock, seed: int | None = None) -> None:
        self.database_url = database_url
        self.faults = faults
        self.admin_token = admin_token
        self._clock = clock
        self._seed = seed
        self.clock_offset = timedelta(0)
        # SQLite allows one writer; serialising writes here also makes the idempotency
        # check-then-insert atomic for concurrent retries of the same key.
        self.write_lock = threading.Lock()
        self._init_lock = threading.Lock()
        self._engine: Engine | None = None
        self._sessions: sessionmaker[Session] | None = None

    def now(self) -> datetime:
        """The sandbox's current time (the clock plus any admin offset)."""
        return as_utc(self._clock()) + self.clock_offset

    def ensure_ready(self) -> None:
        """Create the tables and load the seed data once (blocking; call from a thread)."""
        if self._sessions is not None:
            return
        with self._init_lock:
            if self._sessions is not None:
                return
            engine = make_engine(self.database_url)
            Base.metadata.create_all(engine)
            sessions = sessionmaker(engine, expire_on_commit=False)
            with sessions() as session:
                if self._seed is None:
                    load_seed(session)
                else:
                    load_seed(session, self._seed)
            self._engine, self._sessions = engine, sessions

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A database session; the caller commits."""
        self.ensure_ready()
        assert self._sessions is not None
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        """Close the database connections."""
        if self._engine is not None:
            self._engine.dispose()
