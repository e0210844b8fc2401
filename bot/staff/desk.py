"""The staff desk: what support staff can see and do with escalated conversations."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.conversation import ConversationService
from bot.i18n import Translator
from bot.staff.accounts import Staff
from bot.store.conversations import ConversationStore
from bot.store.handoffs import HandoffConflict, HandoffStore, HandoffView

LAST_TURNS = 20


class UnknownConversation(Exception):
    pass


class StaffDesk:
    """Queue, case summary, claim, reply, notes and hand-back, on top of the stores.

    Args:
        push_channels: channels that deliver out-of-band messages by push; for the others
            (e.g. REST without a callback URL) the merchant fetches them by polling.
    """

    def __init__(self, conversations: ConversationStore, handoffs: HandoffStore, service: ConversationService,
                 translator: Translator, push_channels: set[str]) -> None:
        self._conversations = conversations
        self._handoffs = handoffs
        self._service = service
        self._translator = translator
        self._push_channels = push_channels

    async def queue(self, status: str | None) -> list[dict[str, Any]]:
        views = await asyncio.to_thread(self._handoffs.queue, status)
        return [v.to_json() for v in views]

    async def summary(self, conversation_id: str) -> dict[str, Any]:
        """Language, channel, intent, flow data, HS candidates, pending actions, last 20 turns, notes."""
        snap = await asyncio.to_thread(self._conversations.get, conversation_id)
        if snap is None:
            raise UnknownConversation(conversation_id)
        entries = await asyncio.to_thread(self._conversations.transcript, conversation_id)
        handoff = await asyncio.to_thread(self._handoffs.active, conversation_id)
        notes = await asyncio.to_thread(self._handoffs.notes, conversation_id)
        inbound_seqs = [e.seq for e in entries if e.direction == "in"]
        cut = inbound_seqs[-LAST_TURNS] if len(inbound_seqs) >= LAST_TURNS else 0
        recent = [e for e in entries if e.seq >= cut]
        last_intent = next((e.intent for e in reversed(entries) if e.direction == "in" and e.intent), None)
        state = snap.state
        return {
            "id": snap.id, "channel": snap.channel, "sender": snap.sender, "language": snap.language,
            "status": snap.status, "intent": last_intent,
            "handoff": handoff.to_json() if handoff else None,
            "flow": state.get("flow"), "hs_candidates": state.get("hs_candidates", []),
            "pending_actions": state.get("pending", []),
            "messages": [{"id": e.id, "seq": e.seq, "from": "merchant" if e.direction == "in" else e.author,
                          "text": e.text, "buttons": e.payload.get("buttons", []) if e.direction == "out" else [],
                          "intent": e.intent, "created_at": e.created_at.isoformat()} for e in recent],
            "notes": [{"id": n.id, "author": n.author, "text": n.text, "created_at": n.created_at.isoformat()}
                      for n in notes],
        }

    async def claim(self, conversation_id: str, staff: Staff) -> HandoffView:
        await self._require(conversation_id)
        view = await asyncio.to_thread(self._handoffs.claim, conversation_id, staff.id)
        await asyncio.to_thread(self._conversations.update_state, conversation_id, status="staff")
        return view

    async def reply(self, conversation_id: str, staff: Staff, text: str) -> int:
        """Send ``text`` to the merchant through their own channel; owner only."""
        snap = await self._require(conversation_id)
        await asyncio.to_thread(self._handoffs.require_owner, conversation_id, staff.id)
        return await self._service.push(conversation_id, text, author="staff",
                                        push_channel=self._push_channel(snap.channel))

    async def note(self, conversation_id: str, staff: Staff, text: str) -> int:
        await self._require(conversation_id)
        return await asyncio.to_thread(self._handoffs.add_note, conversation_id, staff.id, text)

    async def resolve(self, conversation_id: str, staff: Staff) -> None:
        """Hand the conversation back to the bot and tell the merchant."""
        snap = await self._require(conversation_id)
        await asyncio.to_thread(self._handoffs.resolve, conversation_id, staff.id)
        await asyncio.to_thread(self._conversations.update_state, conversation_id, status="bot")
        text = self._translator.text("handoff.resolved", snap.language or "en")
        await self._service.push(conversation_id, text, author="bot", push_channel=self._push_channel(snap.channel))

    def _push_channel(self, channel: str) -> str | None:
        return channel if channel in self._push_channels else None

    async def _require(self, conversation_id: str):  # noqa: ANN202
        snap = await asyncio.to_thread(self._conversations.get, conversation_id)
        if snap is None:
            raise UnknownConversation(conversation_id)
        return snap


__all__ = ["StaffDesk", "HandoffConflict", "UnknownConversation"]
