"""track_shipment by id or "my last shipment"; ``/status``; ``/link <token>``.

Tracking always asks the platform *as the conversation's merchant*: a shipment id of
another merchant is a 404 there, and the merchant gets a refusal, never the data.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from connectors.errors import ConnectorError, Rejected

from bot.flows.actions import DONE, PENDING
from bot.flows.common import FlowSkill
from bot.flows.merchants import MerchantLink
from bot.flows.texts import shipment_ids
from bot.intents import Intent
from bot.messages import Reply
from bot.skills.base import SkillResult, TurnContext

MAX_EVENTS = 3
MAX_OPEN_SHIPMENTS = 5


STATUS_CODES = {"booked", "received", "departed", "in_transit", "arrived", "customs_cleared", "picked_up",
                "out_for_delivery", "delivered"}


def status_label(ctx: TurnContext, code: str) -> str:
    """The platform's milestone code in the merchant's language."""
    return ctx.t(f"flows.shipment_status.{code}") if code in STATUS_CODES else code


def when(ctx: TurnContext, value: datetime) -> str:
    return ctx.translator.date(value.date(), ctx.language)


class TrackingSkill(FlowSkill):
    """Shipment tracking, the merchant's status overview, and account linking."""

    name = "track_shipment"
    intents = (Intent.TRACK_SHIPMENT,)
    intent = Intent.TRACK_SHIPMENT

    async def handle(self, ctx: TurnContext) -> SkillResult:
        command = ctx.recognition.command
        if command == "link":
            return await self._link(ctx)
        link = await self.deps.merchants.get(ctx.conversation_id)
        if link is None:
            return self.result(ctx, Reply(ctx.t("flows.track.no_account")))
        if command == "status":
            return await self._status(ctx, link)
        return await self._track(ctx, link)

    async def _track(self, ctx: TurnContext, link: MerchantLink) -> SkillResult:
        ids = shipment_ids(ctx.message.text)
        if not ids:
            booked = await asyncio.to_thread(self.deps.actions.for_merchant, link.merchant_id,
                                             kind="book_shipment", status=DONE, limit=1)
            if not booked:
                return self.result(ctx, Reply(ctx.t("flows.track.none_yet")))
            ids = [booked[0].result["shipment_id"]]
        shipment_id = ids[0]
        try:
            tracking = await self.deps.merchants.client(link).tracking(shipment_id)
        except Rejected as exc:
            if exc.status == 404:  # unknown, or another merchant's: the same answer either way
                return self.result(ctx, Reply(ctx.t("flows.track.not_found", shipment_id=shipment_id)))
            return self.connector_failure(ctx, exc, keep_flow=True)
        except ConnectorError as exc:
            return self.connector_failure(ctx, exc, keep_flow=True)
        lines = [ctx.t("flows.track.event", status=status_label(ctx, e.code), location=e.location,
                       date=when(ctx, e.occurred_at)) for e in tracking.events[-MAX_EVENTS:]]
        text = ctx.t("flows.track.result", shipment_id=tracking.shipment_id,
                     status=status_label(ctx, tracking.status), eta=when(ctx, tracking.estimated_delivery),
                     events="\n".join(lines))
        return self.result(ctx, Reply(text))

    async def _status(self, ctx: TurnContext, link: MerchantLink) -> SkillResult:
        actions = self.deps.actions
        pending = await asyncio.to_thread(actions.for_merchant, link.merchant_id, status=PENDING)
        booked = await asyncio.to_thread(actions.for_merchant, link.merchant_id, kind="book_shipment", status=DONE)
        client = self.deps.merchants.client(link)
        lines = [ctx.t("flows.status.header", name=link.name, merchant_id=link.merchant_id)]
        if pending:
            lines.append(ctx.t("flows.status.pending_header"))
            lines += [ctx.t("flows.status.pending_item", kind=ctx.t(f"flows.kind.{a.kind}"),
                            date=when(ctx, a.created_at), attempts=a.attempts) for a in pending]
        else:
            lines.append(ctx.t("flows.status.no_pending"))
        ids = [a.result["shipment_id"] for a in booked[:MAX_OPEN_SHIPMENTS]]
        results = await asyncio.gather(*(client.get_shipment(i) for i in ids), return_exceptions=True)
        open_lines = []
        for shipment_id, shipment in zip(ids, results):
            if isinstance(shipment, ConnectorError):
                open_lines.append(ctx.t("flows.status.shipment_unknown", shipment_id=shipment_id))
            elif isinstance(shipment, BaseException):
                raise shipment
            elif shipment.status != "delivered":
                open_lines.append(ctx.t("flows.status.shipment_item", shipment_id=shipment.shipment_id,
                                        status=status_label(ctx, shipment.status), origin=shipment.origin.name,
                                        destination=shipment.destination.name,
                                        eta=when(ctx, shipment.estimated_delivery)))
        lines.append(ctx.t("flows.status.shipments_header") if open_lines else ctx.t("flows.status.no_shipments"))
        lines += open_lines
        await self.sync_pending(ctx)
        return self.result(ctx, Reply("\n".join(lines)))

    async def _link(self, ctx: TurnContext) -> SkillResult:
        token = ctx.recognition.argument.strip()
        if not token:
            return self.result(ctx, Reply(ctx.t("flows.link.usage")), intent=Intent.GREETING)
        try:
            link = await self.deps.merchants.link_token(ctx.conversation_id, token)
        except Rejected:
            return self.result(ctx, Reply(ctx.t("flows.link.refused")), intent=Intent.GREETING)
        except ConnectorError as exc:
            return self.connector_failure(ctx, exc, keep_flow=True)
        return self.result(ctx, Reply(ctx.t("flows.link.done", name=link.name, merchant_id=link.merchant_id)),
                           intent=Intent.GREETING)
