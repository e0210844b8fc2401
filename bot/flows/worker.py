"""The background worker that finishes confirmed actions the platform did not take in time.

At start-up it re-executes every pending action (whatever its retry time) with its
stored idempotency key, then keeps retrying due ones with backoff; each result is told
to the merchant as an out-of-band message in their conversation and language.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import sessionmaker

from bot.flows.actions import FAILED, Action, ActionStore, execute
from bot.flows.merchants import MerchantDirectory
from bot.i18n import Translator
from bot.store.tables import ConversationRow, utcnow

log = logging.getLogger(__name__)


def result_text(translator: Translator, action: Action) -> str:
    """What the merchant is told when a queued action finished."""
    lang, result = action.language, action.result or {}
    if action.status == FAILED:
        return translator.text("flows.worker.failed", lang, kind=translator.text(f"flows.kind.{action.kind}", lang),
                               detail=(action.last_error or "")[:300])
    if action.kind == "create_listing":
        return translator.text("flows.listing.created", lang, listing_id=result.get("listing_id"),
                               title=result.get("title"))
    if action.kind == "book_shipment":
        eta = datetime.fromisoformat(result["estimated_delivery"]).date()
        return translator.text("flows.book.done", lang, shipment_id=result.get("shipment_id"),
                               eta=translator.date(eta, lang))
    return translator.text("flows.buyers.intro_sent", lang, company=action.payload.get("company", ""),
                           introduction_id=result.get("introduction_id"))


class PendingActionWorker:
    """Runs with the web app (it has the ``WebChannel`` shape: no routes, start/stop).

    Args:
        container: the wired application (database, platform client, conversation service).
        interval: seconds between looks at the queue.
    """

    name = "pending_actions"

    def __init__(self, container: Any, *, interval: float = 2.0) -> None:
        from bot.bootstrap import push_channels  # the composition root decides push delivery

        self._engine: Engine = container.engine
        self._actions = ActionStore(container.engine)
        self._merchants = MerchantDirectory(container.engine, container.platform)
        self._service = container.service
        self._conversations = container.store
        self._translator: Translator = container.translator
        self._push = push_channels(container.settings)
        self._interval = interval
        self._task: asyncio.Task | None = None
        self._sessions = sessionmaker(container.engine, expire_on_commit=False)

    def router(self) -> None:
        return None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pending-actions")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        startup = True
        while True:
            try:
                await self.drain(everything=startup)
                startup = False
            except asyncio.CancelledError:
                raise
            except Exception:  # keep the worker alive; the rows stay pending and are retried
                log.exception("pending actions loop failed")
            await asyncio.sleep(self._interval)

    async def drain(self, *, everything: bool = False) -> int:
        """Execute due pending actions (all of them when ``everything``) and tell merchants.

        Returns:
            How many actions were attempted.
        """
        due = await asyncio.to_thread(self._actions.due, everything=everything)
        attempted = 0
        for action in due:
            if not await asyncio.to_thread(self._actions.lease, action.id):
                continue  # another worker has it
            link = await self._merchants.get(action.conversation_id)
            if link is None or link.merchant_id != action.merchant_id:
                await asyncio.to_thread(self._actions.fail, action.id, "the conversation's merchant changed",
                                        final=True)
                continue
            attempted += 1
            await execute(self._actions, action, self._merchants.client(link), notified=False)
        for action in await asyncio.to_thread(self._actions.unnotified):
            await self._notify(action)
        return attempted

    async def _notify(self, action: Action) -> None:
        snap = await asyncio.to_thread(self._conversations.get, action.conversation_id)
        if snap is None:
            return
        channel = snap.channel if snap.channel in self._push else None
        # claim first: two workers (or a re-sent confirmation) never tell the merchant twice
        if not await asyncio.to_thread(self._actions.claim_notification, action.id):
            return
        await self._service.push(action.conversation_id, result_text(self._translator, action), author="bot",
                                 push_channel=channel)
        await asyncio.to_thread(self._sync_state, action.conversation_id)
        log.info("merchant told about action", extra={"action_id": action.id, "status": action.status})

    def _sync_state(self, conversation_id: str) -> None:
        """Refresh ``state["pending"]`` (what the staff summary shows), version-checked."""
        pending = [a.summary() for a in self._actions.open_for_conversation(conversation_id)]
        for _ in range(20):
            with self._sessions() as s:
                row = s.get(ConversationRow, conversation_id)
                state, version = dict(row.state or {}), row.version
            if pending:
                state["pending"] = pending
            elif state.pop("pending", None) is None:
                return
            with self._sessions.begin() as s:
                done = s.execute(update(ConversationRow)
                                 .where(ConversationRow.id == conversation_id, ConversationRow.version == version)
                                 .values(state=state, version=version + 1, updated_at=utcnow())).rowcount
            if done == 1:
                return

