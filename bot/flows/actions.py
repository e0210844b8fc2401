"""Confirmed platform writes, exactly once: stored with their idempotency key before the call.

A merchant's confirmation becomes a row in ``pending_actions`` (its own committed
transaction) *before* the platform is called. The call carries the row's deterministic
``Idempotency-Key``, so repeating it — after a re-delivered confirmation, a crash, a
timeout, or from the background worker — can only replay the first result, never create
a second listing or shipment. The row is marked ``done`` with the platform's answer after.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Awaitable, Callable

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from connectors.client import HttpPlatformClient
from connectors.errors import ConnectorError, Rejected

from bot.store.tables import PendingActionRow, utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=15)  # > one platform call; a second executor would only replay (same key)
MAX_BACKOFF = timedelta(minutes=10)
PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class Action:
    """One confirmed platform write and where it stands."""

    id: int
    key: str
    conversation_id: str
    merchant_id: str
    kind: str
    payload: dict[str, Any]
    language: str
    status: str
    attempts: int
    result: dict[str, Any] | None
    last_error: str | None
    notified: bool
    created_at: datetime

    def summary(self) -> dict[str, Any]:
        """What the staff case summary and ``state["pending"]`` show."""
        return {"id": self.id, "kind": self.kind, "status": self.status, "attempts": self.attempts,
                "last_error": self.last_error, "created_at": self.created_at.isoformat(),
                "payload": self.payload}


def _action(row: PendingActionRow) -> Action:
    return Action(id=row.id, key=row.idempotency_key, conversation_id=row.conversation_id,
                  merchant_id=row.merchant_id, kind=row.kind, payload=dict(row.payload or {}),
                  language=row.language, status=row.status, attempts=row.attempts,
                  result=dict(row.result) if row.result is not None else None, last_error=row.last_error,
                  notified=row.notified, created_at=row.created_at)


class ActionStore:
    """The ``pending_actions`` table (sync; call it through ``asyncio.to_thread``)."""

    def __init__(self, engine: Engine) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    def record(self, *, key: str, conversation_id: str, merchant_id: str, kind: str,
               payload: dict[str, Any], language: str) -> tuple[Action, bool]:
        """Store a confirmed action, leased to the caller; an existing key returns that row.

        Returns:
            The action and whether the caller now holds its lease (False when it is already
            done, failed, or being executed by someone else).
        """
        now = utcnow()
        try:
            with self._sessions.begin() as s:
                row = PendingActionRow(idempotency_key=key, conversation_id=conversation_id,
                                       merchant_id=merchant_id, kind=kind, payload=payload, language=language,
                                       status=PENDING, attempts=0, notified=False, lease_until=now + LEASE,
                                       next_attempt_at=now, created_at=now, updated_at=now)
                s.add(row)
            return _action(row), True
        except IntegrityError:
            existing = self.by_key(key)
            if existing is None:
                raise
            return existing, existing.status == PENDING and self.lease(existing.id)

    def by_key(self, key: str) -> Action | None:
        with self._sessions() as s:
            row = s.scalars(select(PendingActionRow).filter_by(idempotency_key=key)).first()
            return _action(row) if row else None

    def lease(self, action_id: int) -> bool:
        """Take the action for :data:`LEASE` unless another executor holds it."""
        now = utcnow()
        with self._sessions.begin() as s:
            result = s.execute(update(PendingActionRow)
                               .where(PendingActionRow.id == action_id, PendingActionRow.status == PENDING,
                                      or_(PendingActionRow.lease_until.is_(None),
                                          PendingActionRow.lease_until < now))
                               .values(lease_until=now + LEASE))
            return result.rowcount == 1

    def finish(self, action_id: int, result: dict[str, Any], *, notified: bool) -> Action:
        with self._sessions.begin() as s:
            row = s.get(PendingActionRow, action_id)
            row.status, row.result, row.notified = DONE, result, notified
            row.attempts += 1
            row.lease_until, row.updated_at = None, utcnow()
            return _action(row)

    def fail(self, action_id: int, error: str, *, final: bool, notified: bool = False) -> Action:
        """Record a failed attempt: retried later with backoff, or failed for good."""
        with self._sessions.begin() as s:
            row = s.get(PendingActionRow, action_id)
            row.attempts += 1
            row.last_error = error[:2000]
            delay = min(MAX_BACKOFF, timedelta(seconds=5 * 2 ** min(row.attempts, 10)))
            row.next_attempt_at = utcnow() + delay
            row.lease_until = None
            row.updated_at = utcnow()
            if final:
                row.status, row.notified = FAILED, notified
            return _action(row)

    def mark_notified(self, action_id: int) -> None:
        self.claim_notification(action_id)

    def claim_notification(self, action_id: int) -> bool:
        """Take the duty to tell the merchant; only one caller (turn or worker) ever gets it."""
        with self._sessions.begin() as s:
            won = s.execute(update(PendingActionRow).where(PendingActionRow.id == action_id,
                                                           PendingActionRow.notified.is_(False))
                            .values(notified=True)).rowcount
        return won == 1

    def due(self, *, everything: bool = False, limit: int = 20) -> list[Action]:
        """Pending actions nobody holds whose retry time has come (or all, at start-up)."""
        now = utcnow()
        query = select(PendingActionRow).where(PendingActionRow.status == PENDING,
                                               or_(PendingActionRow.lease_until.is_(None),
                                                   PendingActionRow.lease_until < now))
        if not everything:
            query = query.where(PendingActionRow.next_attempt_at <= now)
        with self._sessions() as s:
            rows = s.scalars(query.order_by(PendingActionRow.id).limit(limit)).all()
            return [_action(r) for r in rows]

    def unnotified(self, *, limit: int = 20) -> list[Action]:
        """Finished actions whose result the merchant has not been told yet."""
        with self._sessions() as s:
            rows = s.scalars(select(PendingActionRow)
                             .where(PendingActionRow.status.in_([DONE, FAILED]),
                                    PendingActionRow.notified.is_(False))
                             .order_by(PendingActionRow.id).limit(limit)).all()
            return [_action(r) for r in rows]

    def for_merchant(self, merchant_id: str, *, kind: str | None = None, status: str | None = None,
                     limit: int = 50) -> list[Action]:
        """The merchant's actions, newest first."""
        query = select(PendingActionRow).where(PendingActionRow.merchant_id == merchant_id)
        if kind:
            query = query.where(PendingActionRow.kind == kind)
        if status:
            query = query.where(PendingActionRow.status == status)
        with self._sessions() as s:
            rows = s.scalars(query.order_by(PendingActionRow.id.desc()).limit(limit)).all()
            return [_action(r) for r in rows]

    def open_for_conversation(self, conversation_id: str) -> list[Action]:
        with self._sessions() as s:
            rows = s.scalars(select(PendingActionRow)
                             .where(PendingActionRow.conversation_id == conversation_id,
                                    PendingActionRow.status == PENDING)
                             .order_by(PendingActionRow.id)).all()
            return [_action(r) for r in rows]


Perform = Callable[[HttpPlatformClient, dict[str, Any], str], Awaitable[dict[str, Any]]]


async def _create_listing(client: HttpPlatformClient, payload: dict[str, Any], key: str) -> dict[str, Any]:
    listing = await client.create_listing(payload["listing"], idempotency_key=key)
    return listing.model_dump(mode="json")


async def _book_shipment(client: HttpPlatformClient, payload: dict[str, Any], key: str) -> dict[str, Any]:
    shipment = await client.book_shipment(payload["quote_id"], reference=payload.get("reference"),
                                          idempotency_key=key)
    return shipment.model_dump(mode="json")


async def _send_introduction(client: HttpPlatformClient, payload: dict[str, Any], key: str) -> dict[str, Any]:
    intro = await client.create_introduction(payload["buyer_request_id"], payload["message"], idempotency_key=key)
    return intro.model_dump(mode="json")


PERFORMERS: dict[str, Perform] = {"create_listing": _create_listing, "book_shipment": _book_shipment,
                                  "send_introduction": _send_introduction}


@dataclass(frozen=True)
class Outcome:
    """What one execution attempt gave: the action as stored now, and the error if any."""

    action: Action
    error: ConnectorError | None = None


async def execute(store: ActionStore, action: Action, client: HttpPlatformClient, *,
                  notified: bool) -> Outcome:
    """Call the platform for a leased action with its idempotency key and record the result.

    A refusal (:class:`Rejected`) fails the action for good; unavailability and rate
    limits leave it pending for the worker to retry.
    """
    perform = PERFORMERS[action.kind]
    try:
        result = await perform(client, action.payload, action.key)
    except Rejected as exc:
        log.warning("platform rejected action", extra={"action_id": action.id, "kind": action.kind})
        stored = await asyncio.to_thread(store.fail, action.id, exc.detail, final=True, notified=notified)
        return Outcome(stored, exc)
    except ConnectorError as exc:
        log.warning("platform unavailable for action", extra={"action_id": action.id, "kind": action.kind})
        stored = await asyncio.to_thread(store.fail, action.id, str(exc), final=False)
        return Outcome(stored, exc)
    stored = await asyncio.to_thread(store.finish, action.id, result, notified=notified)
    log.info("action done", extra={"action_id": action.id, "kind": action.kind})
    return Outcome(stored)
