"""A model-written listing title and description, offered for the merchant to review (LLM mode).

When ``TRADEBOT_LLM`` is set, the listing flow's description question comes with a draft
from :class:`bot.llm.listing_text.ListingTextHelper`, written from the facts the merchant
gave and, for tone only, a few catalog listings of the same heading. "Use this text"
copies it into the listing; the flow's summary then shows it before the merchant
confirms. Without a model, or when the model fails or the draft is rejected, the plain
question is asked: the flow never depends on the model.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from connectors.errors import ConnectorError

from bot.messages import Button, Reply
from bot.skills.base import TurnContext

log = logging.getLogger(__name__)

USE_DRAFT = "use_draft"  # the button payload that accepts the draft
CATALOG_EXAMPLES = 3
CATALOG_TIMEOUT_S = 3.0


async def catalog_examples(deps: Any, hs_code: str | None) -> list[str]:
    """Texts of catalog products of the same heading (untrusted: tone only), or none."""
    if not hs_code:
        return []
    try:
        page = await asyncio.wait_for(deps.merchants.public.search_catalog(hs=hs_code[:4], limit=CATALOG_EXAMPLES),
                                      CATALOG_TIMEOUT_S)
    except (ConnectorError, TimeoutError) as exc:
        log.info("no catalog examples for the listing draft", extra={"error": type(exc).__name__})
        return []
    return [f"{p.name}\n{p.description}" for p in page.items[:CATALOG_EXAMPLES]]


async def suggest_draft(deps: Any, ctx: TurnContext, slots: dict[str, Any]) -> dict[str, str] | None:
    """``{"title", "description"}`` drafted by the model from ``slots``, or None."""
    examples = await catalog_examples(deps, slots.get("hs_code"))
    draft = await deps.listing_text.suggest(slots, ctx.language, examples=examples)
    if draft is None:
        return None
    return {"title": draft.title, "description": draft.description}


def draft_question(ctx: TurnContext, draft: dict[str, str]) -> Reply:
    """The description question with the draft and "use it" / "skip" buttons."""
    return Reply(ctx.t("flows.listing.ask.description_draft", title=draft["title"], description=draft["description"]),
                 (Button(ctx.t("flows.button.use_draft"), USE_DRAFT), Button(ctx.t("flows.button.skip"), "-")))
