"""Handoffs to staff: the queue, claiming (one owner), notes, resolving."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import sessionmaker

from bot.store.tables import ConversationRow, HandoffRow, StaffNoteRow, StaffRow, utcnow


class HandoffConflict(Exception):
    """The handoff is owned by someone else, or not in a state that allows the action."""


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    status: str
    reason: str
    channel: str
    sender: str
    language: str | None
    claimed_by: str | None
    created_at: datetime
    claimed_at: datetime | None

    def to_json(self) -> dict:
        return {"id": self.conversation_id, "handoff_id": self.id, "status": self.status,
                "reason": self.reason, "channel": self.channel, "sender": self.sender,
                "language": self.language, "claimed_by": self.claimed_by,
                "waiting_since": self.created_at.isoformat(),
                "claimed_at": self.claimed_at.isoformat() if self.claimed_at else None}


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str
    text: str
    created_at: datetime


class HandoffStore:
    """Reads and changes handoffs; every ownership change is one conditional UPDATE."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def queue(self, status: str | None = None) -> list[HandoffView]:
        """Open handoffs (waiting and claimed), oldest first; ``status`` narrows it."""
        statuses = [status] if status else ["waiting", "claimed"]
        with self._sessions() as s:
            rows = s.execute(self._view_query().where(HandoffRow.status.in_(statuses))
                             .order_by(HandoffRow.created_at)).all()
            return [self._view(*r) for r in rows]

    def active(self, conversation_id: str) -> HandoffView | None:
        with self._sessions() as s:
            row = s.execute(self._view_query().where(HandoffRow.conversation_id == conversation_id,
                                                     HandoffRow.status.in_(["waiting", "claimed"]))
                            .order_by(HandoffRow.id.desc())).first()
            return self._view(*row) if row else None

    def claim(self, conversation_id: str, staff_id: int) -> HandoffView:
        """Make ``staff_id`` the one owner; a second claim by someone else fails."""
        current = self.active(conversation_id)
        if current is None:
            raise HandoffConflict("no open handoff for this conversation")
        with self._sessions.begin() as s:
            won = s.execute(update(HandoffRow).where(
                HandoffRow.id == current.id, HandoffRow.status == "waiting", HandoffRow.claimed_by.is_(None)
            ).values(status="claimed", claimed_by=staff_id, claimed_at=utcnow())).rowcount
        if not won:
            again = self.active(conversation_id)
            owner = self._owner_id(again.id) if again else None
            if owner != staff_id:
                raise HandoffConflict(f"already claimed by {again.claimed_by if again else 'someone'}")
        return self.active(conversation_id)  # type: ignore[return-value]

    def require_owner(self, conversation_id: str, staff_id: int) -> HandoffView:
        current = self.active(conversation_id)
        if current is None or current.status != "claimed" or self._owner_id(current.id) != staff_id:
            raise HandoffConflict("claim the conversation first")
        return current

    def resolve(self, conversation_id: str, staff_id: int) -> HandoffView:
        """Close the handoff (owner only; an unclaimed one may be resolved by any staff)."""
        current = self.active(conversation_id)
        if current is None:
            raise HandoffConflict("no open handoff for this conversation")
        owner = self._owner_id(current.id)
        if owner is not None and owner != staff_id:
            raise HandoffConflict("only the owner can resolve this conversation")
        with self._sessions.begin() as s:
            s.execute(update(HandoffRow).where(HandoffRow.id == current.id)
                      .values(status="resolved", resolved_at=utcnow()))
        return current

    def close_by_merchant(self, conversation_id: str) -> None:
        with self._sessions.begin() as s:
            s.execute(update(HandoffRow).where(HandoffRow.conversation_id == conversation_id,
                                               HandoffRow.status.in_(["waiting", "claimed"]))
                      .values(status="resolved", resolved_at=utcnow()))

    def add_note(self, conversation_id: str, staff_id: int, text: str) -> int:
        with self._sessions.begin() as s:
            note = StaffNoteRow(conversation_id=conversation_id, staff_id=staff_id, text=text)
            s.add(note)
            s.flush()
            return note.id

    def notes(self, conversation_id: str) -> list[NoteView]:
        with self._sessions() as s:
            rows = s.execute(select(StaffNoteRow, StaffRow.name).join(StaffRow, StaffRow.id == StaffNoteRow.staff_id)
                             .where(StaffNoteRow.conversation_id == conversation_id)
                             .order_by(StaffNoteRow.id)).all()
            return [NoteView(n.id, name, n.text, n.created_at) for n, name in rows]

    def _owner_id(self, handoff_id: int) -> int | None:
        with self._sessions() as s:
            return s.scalar(select(HandoffRow.claimed_by).where(HandoffRow.id == handoff_id))

    @staticmethod
    def _view_query():  # noqa: ANN205
        return (select(HandoffRow, ConversationRow, StaffRow.name)
                .join(ConversationRow, ConversationRow.id == HandoffRow.conversation_id)
                .outerjoin(StaffRow, StaffRow.id == HandoffRow.claimed_by))

    @staticmethod
    def _view(h: HandoffRow, c: ConversationRow, staff_name: str | None) -> HandoffView:
        return HandoffView(id=h.id, conversation_id=c.id, status=h.status, reason=h.reason, channel=c.channel,
                           sender=c.sender, language=c.language, claimed_by=staff_name,
                           created_at=h.created_at, claimed_at=h.claimed_at)
