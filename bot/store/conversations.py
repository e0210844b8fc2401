"""The conversation store: the only place conversation state lives.

A turn is read with :meth:`ConversationStore.open_turn` and written with
:meth:`ConversationStore.commit_turn` in one transaction guarded by the conversation's
``version`` (optimistic concurrency), so several workers can share one database.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.messages import InboundMessage, Reply, Turn
from bot.store.tables import (
    ConversationRow, HandoffRow, MessageRow, OutboxRow, ProcessedMessageRow, utcnow,
)


class StaleConversation(Exception):
    """Another writer changed the conversation between read and commit; redo the turn."""


@dataclass
class ConversationSnapshot:
    """A conversation as read at the start of a turn."""

    id: str
    channel: str
    sender: str
    language: str | None
    status: str
    state: dict[str, Any]
    version: int
    next_seq: int


@dataclass
class TurnRecord:
    """What a turn writes: the new state plus the outbound messages."""

    turn: Turn
    state: dict[str, Any]
    language: str | None
    status: str
    inbound_text: str
    replies: Iterable[Reply] = field(default_factory=tuple)
    handoff_reason: str | None = None  # set when this turn escalates to staff
    close_handoff: bool = False  # set when the merchant returns to the bot


@dataclass(frozen=True)
class TranscriptEntry:
    id: int
    seq: int
    direction: str
    author: str
    text: str
    payload: dict[str, Any]
    intent: str | None
    out_of_band: bool
    created_at: datetime


class ConversationStore:
    """SQLAlchemy-backed store for conversations, transcripts and processed message ids."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    # -- reading -----------------------------------------------------------------------
    def open_turn(self, msg: InboundMessage) -> tuple[ConversationSnapshot, Turn | None]:
        """Get or create the conversation of ``msg``; return it and the stored turn if the
        message id was already processed."""
        row = self._get_or_create(msg.channel, msg.sender)
        done = None
        if msg.message_id:
            with self._sessions() as s:
                hit = s.get(ProcessedMessageRow, (row.id, msg.message_id))
                done = Turn.from_json(hit.turn) if hit else None
        return _snapshot(row), done

    def find(self, channel: str, sender: str) -> ConversationSnapshot | None:
        with self._sessions() as s:
            row = s.scalars(select(ConversationRow).filter_by(channel=channel, sender=sender)).first()
            return _snapshot(row) if row else None

    def get(self, conversation_id: str) -> ConversationSnapshot | None:
        with self._sessions() as s:
            row = s.get(ConversationRow, conversation_id)
            return _snapshot(row) if row else None

    def transcript(self, conversation_id: str, *, after_id: int = 0,
                   out_of_band_only: bool = False, limit: int = 1000) -> list[TranscriptEntry]:
        """Messages of a conversation in order (``id`` > ``after_id``)."""
        with self._sessions() as s:
            q = (select(MessageRow).where(MessageRow.conversation_id == conversation_id,
                                          MessageRow.id > after_id)
                 .order_by(MessageRow.seq).limit(limit))
            if out_of_band_only:
                q = q.where(MessageRow.out_of_band.is_(True))
            return [_entry(m) for m in s.scalars(q)]

    def count_conversations(self) -> int:
        with self._sessions() as s:
            return s.scalar(select(func.count()).select_from(ConversationRow)) or 0

    # -- writing -----------------------------------------------------------------------
    def commit_turn(self, snap: ConversationSnapshot, msg: InboundMessage, record: TurnRecord) -> Turn:
        """Write the turn atomically; a repeated message id returns the first turn instead.

        Raises:
            StaleConversation: the conversation changed since ``snap`` was read.
        """
        replies = list(record.replies)
        try:
            with self._sessions.begin() as s:
                # The UPDATE comes first so SQLite takes its write lock before any read.
                self._bump(s, snap, record, seqs=1 + len(replies))
                if msg.message_id:
                    s.add(ProcessedMessageRow(conversation_id=snap.id, message_id=msg.message_id,
                                              turn=record.turn.to_json()))
                seq = snap.next_seq
                s.add(MessageRow(conversation_id=snap.id, seq=seq, direction="in", author="user",
                                 text=record.inbound_text, intent=record.turn.intent,
                                 payload={"message_id": msg.message_id} if msg.message_id else {}))
                if record.handoff_reason:
                    s.add(HandoffRow(conversation_id=snap.id, status="waiting", reason=record.handoff_reason))
                if record.close_handoff:
                    s.execute(update(HandoffRow).where(HandoffRow.conversation_id == snap.id,
                                                       HandoffRow.status.in_(["waiting", "claimed"]))
                              .values(status="resolved", resolved_at=utcnow()))
                for offset, reply in enumerate(replies, start=1):
                    s.add(MessageRow(conversation_id=snap.id, seq=seq + offset, direction="out",
                                     author="bot", text=reply.text, payload=reply.to_json(),
                                     intent=record.turn.intent, out_of_band=False))
        except IntegrityError:
            if msg.message_id:
                _, done = self.open_turn(msg)
                if done is not None:
                    return done
            raise
        return record.turn

    def append_out_of_band(self, conversation_id: str, reply: Reply, *, author: str,
                           push_channel: str | None) -> int:
        """Append a message that reaches the merchant outside a request (e.g. staff).

        Returns the new message's id; queues it for push delivery when ``push_channel`` is set.
        """
        for _ in range(20):
            snap = self.get(conversation_id)
            if snap is None:
                raise KeyError(conversation_id)
            try:
                with self._sessions.begin() as s:
                    record = TurnRecord(turn=None, state=snap.state, language=snap.language,  # type: ignore[arg-type]
                                        status=snap.status, inbound_text="")
                    self._bump(s, snap, record, seqs=1)
                    row = MessageRow(conversation_id=snap.id, seq=snap.next_seq, direction="out",
                                     author=author, text=reply.text, payload=reply.to_json(),
                                     out_of_band=True)
                    s.add(row)
                    s.flush()
                    if push_channel:
                        s.add(OutboxRow(message_id=row.id, channel=push_channel))
                    return row.id
            except StaleConversation:
                continue
        raise StaleConversation(conversation_id)

    def update_state(self, conversation_id: str, *, status: str | None = None,
                     state: dict[str, Any] | None = None) -> None:
        """Change status and/or state outside a turn (e.g. staff actions), version-checked."""
        for _ in range(20):
            snap = self.get(conversation_id)
            if snap is None:
                raise KeyError(conversation_id)
            record = TurnRecord(turn=None, state=state if state is not None else snap.state,  # type: ignore[arg-type]
                                language=snap.language, status=status or snap.status, inbound_text="")
            try:
                with self._sessions.begin() as s:
                    self._bump(s, snap, record, seqs=0)
                return
            except StaleConversation:
                continue
        raise StaleConversation(conversation_id)

    # -- helpers -----------------------------------------------------------------------
    @staticmethod
    def _bump(s: Session, snap: ConversationSnapshot, record: TurnRecord, *, seqs: int) -> None:
        result = s.execute(
            update(ConversationRow)
            .where(ConversationRow.id == snap.id, ConversationRow.version == snap.version)
            .values(state=record.state, language=record.language, status=record.status,
                    version=snap.version + 1, next_seq=snap.next_seq + seqs, updated_at=utcnow())
        )
        if result.rowcount != 1:
            raise StaleConversation(snap.id)

    def _get_or_create(self, channel: str, sender: str) -> ConversationRow:
        query = select(ConversationRow).filter_by(channel=channel, sender=sender)
        with self._sessions() as s:
            row = s.scalars(query).first()
            if row is not None:
                return row
        try:
            with self._sessions.begin() as s:
                row = ConversationRow(id=str(uuid.uuid4()), channel=channel, sender=sender,
                                      status="bot", state={}, version=0, next_seq=1)
                s.add(row)
            return row
        except IntegrityError:  # created concurrently by another request or worker
            with self._sessions() as s:
                return s.scalars(query).one()


def _snapshot(row: ConversationRow) -> ConversationSnapshot:
    return ConversationSnapshot(id=row.id, channel=row.channel, sender=row.sender,
                                language=row.language, status=row.status, state=dict(row.state or {}),
                                version=row.version, next_seq=row.next_seq)


def _entry(m: MessageRow) -> TranscriptEntry:
    return TranscriptEntry(id=m.id, seq=m.seq, direction=m.direction, author=m.author, text=m.text,
                           payload=dict(m.payload or {}), intent=m.intent,
                           out_of_band=m.out_of_band, created_at=m.created_at)
