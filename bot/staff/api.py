"""The staff API (``/api/staff/…``) behind the console; every route requires authentication."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from bot.staff.accounts import StaffAccounts
from bot.staff.auth import Caller, authenticate
from bot.staff.desk import StaffDesk, UnknownConversation
from bot.store.handoffs import HandoffConflict


class TextBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(..., min_length=1, max_length=4000)


def build_staff_api(desk: StaffDesk, accounts: StaffAccounts) -> APIRouter:
    """Routes of INTERFACES.md: queue, summary, claim, reply, notes, resolve."""

    async def caller(request: Request) -> Caller:
        return await authenticate(request, accounts)

    router = APIRouter(prefix="/api/staff", tags=["staff"], dependencies=[Depends(caller)])

    def guard(exc: Exception) -> HTTPException:
        if isinstance(exc, UnknownConversation):
            return HTTPException(404, "no such conversation")
        return HTTPException(409, str(exc))

    @router.get("/me")
    async def me(who: Caller = Depends(caller)) -> dict:
        return {"id": who.staff.id, "name": who.staff.name}

    @router.get("/conversations")
    async def queue(status: Literal["waiting", "claimed"] | None = Query(None)) -> dict:
        """Open escalations, oldest first (``status=waiting``: not yet claimed)."""
        return {"conversations": await desk.queue(status)}

    @router.get("/conversations/{conversation_id}")
    async def summary(conversation_id: str) -> dict:
        """The case summary: language, channel, intent, flow data, HS candidates, last 20 turns."""
        try:
            return await desk.summary(conversation_id)
        except UnknownConversation as exc:
            raise guard(exc) from None

    @router.post("/conversations/{conversation_id}/claim")
    async def claim(conversation_id: str, who: Caller = Depends(caller)) -> dict:
        """Become the one owner; a conversation claimed by someone else answers 409."""
        try:
            view = await desk.claim(conversation_id, who.staff)
        except (UnknownConversation, HandoffConflict) as exc:
            raise guard(exc) from None
        return {"ok": True, "handoff": view.to_json()}

    @router.post("/conversations/{conversation_id}/reply")
    async def reply(conversation_id: str, body: TextBody, who: Caller = Depends(caller)) -> dict:
        """Send a message to the merchant through their channel (owner only)."""
        try:
            message_id = await desk.reply(conversation_id, who.staff, body.text)
        except (UnknownConversation, HandoffConflict) as exc:
            raise guard(exc) from None
        return {"ok": True, "message_id": message_id}

    @router.post("/conversations/{conversation_id}/notes")
    async def note(conversation_id: str, body: TextBody, who: Caller = Depends(caller)) -> dict:
        """An internal note; never shown to the merchant."""
        try:
            note_id = await desk.note(conversation_id, who.staff, body.text)
        except UnknownConversation as exc:
            raise guard(exc) from None
        return {"ok": True, "note_id": note_id}

    @router.post("/conversations/{conversation_id}/resolve")
    async def resolve(conversation_id: str, who: Caller = Depends(caller)) -> dict:
        """Hand the conversation back to the bot."""
        try:
            await desk.resolve(conversation_id, who.staff)
        except (UnknownConversation, HandoffConflict) as exc:
            raise guard(exc) from None
        return {"ok": True}

    return router
