"""The outbox: out-of-band messages waiting for push delivery, claimed one worker at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from bot.store.tables import ConversationRow, MessageRow, OutboxRow, utcnow

MAX_ATTEMPTS = 10
LEASE = timedelta(seconds=60)  # a claimed delivery whose worker died becomes due again after this


@dataclass(frozen=True)
class PendingDelivery:
    outbox_id: int
    message_id: int
    conversation_id: str
    sender: str
    author: str
    text: str
    payload: dict


class OutboxStore:
    """Claims due deliveries and records their outcome."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def claim_due(self, channel: str, limit: int = 20) -> list[PendingDelivery]:
        """Mark up to ``limit`` due deliveries as in flight and return them."""
        now = utcnow()
        claimed: list[PendingDelivery] = []
        with self._sessions() as s:
            rows = s.execute(
                select(OutboxRow, MessageRow, ConversationRow)
                .join(MessageRow, MessageRow.id == OutboxRow.message_id)
                .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
                .where(OutboxRow.channel == channel, OutboxRow.status.in_(["pending", "sending"]),
                       OutboxRow.next_attempt_at <= now)
                .order_by(OutboxRow.id).limit(limit)
            ).all()
        for box, msg, conv in rows:
            with self._sessions.begin() as s:
                won = s.execute(update(OutboxRow).where(OutboxRow.id == box.id, OutboxRow.status == box.status,
                                                        OutboxRow.attempts == box.attempts)
                                .values(status="sending", attempts=box.attempts + 1,
                                        next_attempt_at=now + LEASE)).rowcount
            if won:
                claimed.append(PendingDelivery(box.id, msg.id, conv.id, conv.sender, msg.author,
                                               msg.text, dict(msg.payload or {})))
        return claimed

    def delivered(self, outbox_id: int) -> None:
        with self._sessions.begin() as s:
            s.execute(update(OutboxRow).where(OutboxRow.id == outbox_id).values(status="sent", last_error=None))

    def failed(self, outbox_id: int, error: str) -> None:
        """Schedule a retry with exponential backoff, or give up after ``MAX_ATTEMPTS``."""
        with self._sessions.begin() as s:
            box = s.get(OutboxRow, outbox_id)
            if box is None:
                return
            box.last_error = error[:500]
            if box.attempts >= MAX_ATTEMPTS:
                box.status = "failed"
            else:
                box.status = "pending"
                box.next_attempt_at = utcnow() + timedelta(seconds=min(300, 2 ** box.attempts))

    def status_of(self, message_id: int) -> str | None:
        with self._sessions() as s:
            return s.scalar(select(OutboxRow.status).where(OutboxRow.message_id == message_id))
