"""The inbox: verified webhook messages stored before acknowledging, processed by a worker.

Storing first and acknowledging second makes processing survive a crash or restart: a
row stays ``pending`` until a worker has handled it. Workers claim rows with a lease, so
several processes can share one database and a row held by a dead worker is taken over
once its lease expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.store.tables import InboxRow, utcnow

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class NewInboxItem:
    """A verified inbound message to store."""

    message_id: str
    sender: str
    payload: dict
    received_at: datetime


@dataclass(frozen=True)
class InboxItem:
    """A claimed inbox row."""

    id: int
    channel: str
    message_id: str
    sender: str
    payload: dict
    received_at: datetime
    attempts: int
    sent: int = 0


class InboxStore:
    """Stores, claims and completes inbox rows (synchronous; call through ``asyncio.to_thread``)."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def add(self, channel: str, items: list[NewInboxItem]) -> list[str]:
        """Store ``items``; returns the message ids that were new (duplicates are skipped)."""
        added: list[str] = []
        for item in items:
            try:
                with self._sessions.begin() as s:
                    s.execute(insert(InboxRow).values(
                        channel=channel, message_id=item.message_id, sender=item.sender,
                        payload=item.payload, status="pending", attempts=0, sent=0,
                        received_at=item.received_at, created_at=utcnow(), next_attempt_at=utcnow()))
                added.append(item.message_id)
            except IntegrityError:  # the same message delivered again, maybe concurrently
                continue
        return added

    def claim_due(self, channel: str, *, limit: int = 20, lease_seconds: float = 120) -> list[InboxItem]:
        """Lease up to ``limit`` rows that are due (pending, or held by an expired lease)."""
        now = utcnow()
        due = or_(and_(InboxRow.status == "pending", InboxRow.next_attempt_at <= now),
                  and_(InboxRow.status == "processing", InboxRow.lease_until < now))
        with self._sessions() as s:
            rows = s.scalars(select(InboxRow).where(InboxRow.channel == channel, due)
                             .order_by(InboxRow.id).limit(limit)).all()
        claimed: list[InboxItem] = []
        for row in rows:
            with self._sessions.begin() as s:
                won = s.execute(update(InboxRow).where(InboxRow.id == row.id, due).values(
                    status="processing", attempts=row.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_seconds))).rowcount
            if won:
                claimed.append(InboxItem(row.id, row.channel, row.message_id, row.sender,
                                         dict(row.payload or {}), _aware(row.received_at),
                                         row.attempts + 1, row.sent))
        return claimed

    def progress(self, item_id: int, sent: int) -> None:
        """Record that the first ``sent`` replies of this row were delivered."""
        with self._sessions.begin() as s:
            s.execute(update(InboxRow).where(InboxRow.id == item_id).values(sent=sent))

    def done(self, item_id: int) -> None:
        """Mark a claimed row as handled for good."""
        with self._sessions.begin() as s:
            s.execute(update(InboxRow).where(InboxRow.id == item_id)
                      .values(status="done", lease_until=None, last_error=None))

    def release(self, item_id: int) -> None:
        """Give a claimed row back untouched (e.g. on shutdown), due immediately."""
        with self._sessions.begin() as s:
            s.execute(update(InboxRow).where(InboxRow.id == item_id, InboxRow.status == "processing")
                      .values(status="pending", lease_until=None, next_attempt_at=utcnow()))

    def retry(self, item_id: int, error: str, *, permanent: bool = False) -> str:
        """Schedule a retry with exponential backoff; returns the new status."""
        with self._sessions.begin() as s:
            row = s.get(InboxRow, item_id)
            if row is None:
                return "missing"
            row.last_error = error[:500]
            row.lease_until = None
            if permanent or row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
            else:
                row.status = "pending"
                row.next_attempt_at = utcnow() + timedelta(seconds=min(300, 2 ** row.attempts))
            return row.status

    def last_received_at(self, channel: str, sender: str) -> datetime | None:
        """When ``sender`` last wrote to us on ``channel`` (for messaging windows)."""
        with self._sessions() as s:
            value = s.scalar(select(func.max(InboxRow.received_at))
                             .where(InboxRow.channel == channel, InboxRow.sender == sender))
        return _aware(value) if value else None

    def counts(self, channel: str) -> dict[str, int]:
        """Rows per status (for tests and operators)."""
        with self._sessions() as s:
            rows = s.execute(select(InboxRow.status, func.count()).where(InboxRow.channel == channel)
                             .group_by(InboxRow.status)).all()
        return {status: n for status, n in rows}

    def prune(self, channel: str, *, older_than: timedelta) -> int:
        """Delete ``channel``'s finished rows older than ``older_than`` (keep them long enough
        to catch re-deliveries: WhatsApp retries a webhook for up to seven days)."""
        cutoff = utcnow() - older_than
        with self._sessions.begin() as s:
            return s.execute(delete(InboxRow).where(InboxRow.channel == channel,
                                                    InboxRow.status.in_(("done", "failed")),
                                                    InboxRow.created_at < cutoff)).rowcount


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; all stored times are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
