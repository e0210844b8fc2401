"""Durable Telegram bookkeeping: updates in the shared inbox (exactly once), button keys.

Every update is written to the ``inbox`` table (channel ``telegram``, message id
``tg:<update_id>``, the key the core dedupes on) *before* Telegram learns it arrived —
before the next ``getUpdates`` offset confirms it, or before the webhook answers 200.
Processing claims the row with a lease, records how many reply messages went out, and
marks it done; a row left behind by a dead process is handed out again by
:meth:`TelegramStore.due`.

Button payloads longer than Telegram's 64-byte ``callback_data`` are stored under short
keys in ``telegram_callbacks``, a table of this channel alone, created on first use.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Column, DateTime, Engine, MetaData, String, Table, Text, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from bot.store.inbox import InboxStore, NewInboxItem
from bot.store.tables import InboxRow, utcnow

CHANNEL = "telegram"
MAX_ATTEMPTS = 5
CALLBACK_KEY_PREFIX = "k:"

metadata = MetaData()
callbacks_table = Table(
    "telegram_callbacks", metadata,
    Column("key", String(64), primary_key=True),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Claim:
    """A claimed update: ``sent`` reply messages were already delivered by an earlier attempt."""

    update_id: int
    sent: int
    attempts: int


def update_key(update_id: int) -> str:
    """The inbox (and core) message id of an update."""
    return f"tg:{update_id}"


def _sender(payload: dict[str, Any]) -> str:
    """The chat an update belongs to, read from the raw JSON."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        if isinstance(payload.get(kind), dict):
            return str(payload[kind].get("chat", {}).get("id", ""))
    query = payload.get("callback_query")
    if isinstance(query, dict):
        chat = (query.get("message") or {}).get("chat") or {}
        return str(chat.get("id") or (query.get("from") or {}).get("id", ""))
    return ""


def _sent_at(payload: dict[str, Any]) -> datetime:
    for kind in ("message", "edited_message"):
        stamp = (payload.get(kind) or {}).get("edit_date") or (payload.get(kind) or {}).get("date")
        if isinstance(stamp, int):
            return datetime.fromtimestamp(stamp, timezone.utc)
    return utcnow()


class TelegramStore:
    """Telegram updates in the shared inbox, and long button payloads.

    All methods block; call them through ``asyncio.to_thread``.

    Args:
        engine: the application's database engine (SQLite or PostgreSQL).
        lease: how long a claim holds before another attempt may take the update.
    """

    def __init__(self, engine: Engine, *, lease: timedelta = timedelta(seconds=120)) -> None:
        self._engine = engine
        self._inbox = InboxStore(engine)
        self._lease = lease

    def create_tables(self) -> None:
        """Create the button-key table if missing (safe when several workers start together)."""
        try:
            metadata.create_all(self._engine, checkfirst=True)
        except (IntegrityError, OperationalError, ProgrammingError):
            metadata.create_all(self._engine, checkfirst=True)  # lost a creation race: re-check

    # -- the inbox ---------------------------------------------------------------------
    def record(self, payloads: list[dict[str, Any]]) -> list[int]:
        """Store updates not seen before; returns the ids that are new."""
        items = [NewInboxItem(update_key(int(p["update_id"])), _sender(p), p, _sent_at(p)) for p in payloads]
        fresh = set(self._inbox.add(CHANNEL, items)) if items else set()
        return [int(p["update_id"]) for p in payloads if update_key(int(p["update_id"])) in fresh]

    def claim(self, update_id: int) -> Claim | None:
        """Take an update for processing; ``None`` if it is done, failed or held by another."""
        row = self._row(update_id)
        now = utcnow()
        with self._engine.begin() as conn:
            won = conn.execute(update(InboxRow).where(row, InboxRow.status == "pending")
                               .values(status="processing", lease_until=now + self._lease,
                                       attempts=InboxRow.attempts + 1)).rowcount
            if not won:
                return None
            sent, attempts = conn.execute(select(InboxRow.sent, InboxRow.attempts).where(row)).one()
            if attempts > MAX_ATTEMPTS:
                conn.execute(update(InboxRow).where(row).values(status="failed", lease_until=None))
                return None
        return Claim(update_id, sent, attempts)

    def progress(self, update_id: int, sent: int) -> None:
        """Record that ``sent`` reply messages of this update have been delivered."""
        with self._engine.begin() as conn:
            conn.execute(update(InboxRow).where(self._row(update_id)).values(sent=sent))

    def finish(self, update_id: int, *, status: str = "done", error: str | None = None) -> None:
        """Mark an update done (or ``failed``: it will not be retried)."""
        with self._engine.begin() as conn:
            conn.execute(update(InboxRow).where(self._row(update_id))
                         .values(status=status, lease_until=None, last_error=error[:500] if error else None))

    def release(self, update_id: int, error: str) -> None:
        """Give a claimed update back after a transient failure; due again after a backoff."""
        with self._engine.begin() as conn:
            attempts = conn.scalar(select(InboxRow.attempts).where(self._row(update_id))) or 0
            conn.execute(update(InboxRow).where(self._row(update_id), InboxRow.status == "processing")
                         .values(status="pending", lease_until=None, last_error=error[:500],
                                 next_attempt_at=utcnow() + timedelta(seconds=min(300, 2 ** attempts))))

    def due(self, *, grace: timedelta, take_over: bool = False, limit: int = 100) -> list[dict[str, Any]]:
        """Updates to (re)process, oldest first.

        Args:
            grace: skip pending updates recorded less than this long ago (they are queued).
            take_over: also reclaim updates whose lease has not expired (a polling process
                starting up: Telegram serves one poller, so their holder is dead).
            limit: at most this many.
        """
        now = utcnow()
        held = InboxRow.status == "processing"
        if not take_over:
            held = held & (InboxRow.lease_until < now)
        with self._engine.begin() as conn:
            conn.execute(update(InboxRow).where(InboxRow.channel == CHANNEL, held)
                         .values(status="pending", lease_until=None))
            rows = conn.scalars(select(InboxRow.payload)
                                .where(InboxRow.channel == CHANNEL, InboxRow.status == "pending",
                                       InboxRow.next_attempt_at <= now, InboxRow.created_at <= now - grace)
                                .order_by(InboxRow.id).limit(limit))
            return [dict(p) for p in rows]

    def status_of(self, update_id: int) -> str | None:
        """The inbox status of an update (``pending``, ``processing``, ``done``, ``failed``) or ``None``."""
        with self._engine.connect() as conn:
            return conn.scalar(select(InboxRow.status).where(self._row(update_id)))

    def prune(self, *, keep: timedelta = timedelta(days=7)) -> int:
        """Forget this channel's finished inbox rows older than ``keep`` (Telegram keeps
        unconfirmed updates for 24 hours, so nothing older comes back)."""
        with self._engine.begin() as conn:
            return conn.execute(delete(InboxRow).where(
                InboxRow.channel == CHANNEL, InboxRow.status.in_(("done", "failed")),
                InboxRow.created_at < utcnow() - keep)).rowcount

    @staticmethod
    def _row(update_id: int):  # noqa: ANN205
        return (InboxRow.channel == CHANNEL) & (InboxRow.message_id == update_key(update_id))

    # -- button payloads longer than Telegram's 64-byte callback_data ------------------
    def callback_keys(self, payloads: list[str]) -> dict[str, str]:
        """Short, stable keys for ``payloads`` (stored so that a press can be resolved later)."""
        keys = {p: callback_key(p) for p in payloads}
        with self._engine.connect() as conn:
            known = set(conn.scalars(select(callbacks_table.c.key)
                                     .where(callbacks_table.c.key.in_(list(keys.values())))))
        for payload, key in keys.items():
            if key in known:
                continue
            try:
                with self._engine.begin() as conn:
                    conn.execute(insert(callbacks_table).values(key=key, payload=payload, created_at=utcnow()))
            except IntegrityError:  # the same payload stored concurrently
                pass
        return keys

    def callback_payload(self, key: str) -> str | None:
        """The payload behind a key from :meth:`callback_keys`, or ``None`` if unknown."""
        with self._engine.connect() as conn:
            return conn.scalar(select(callbacks_table.c.payload).where(callbacks_table.c.key == key))


def callback_key(payload: str) -> str:
    """``k:`` + 24 URL-safe characters of the payload's SHA-256 (deterministic, 26 bytes)."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()[:18]
    return CALLBACK_KEY_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")
