"""The merchant flows: find buyers, create a listing, quote/book/track shipments, status.

Build them with :func:`flow_skills` from the composition root's ``SkillDeps``; the
background :class:`~bot.flows.worker.PendingActionWorker` runs with the web app.
"""

from __future__ import annotations

from typing import Any

from bot.flows.actions import ActionStore
from bot.flows.common import FlowDeps
from bot.flows.hs import HsSuggester
from bot.flows.merchants import MerchantDirectory


def flow_skills(deps: Any) -> list:
    """The merchant flow skills, wired from ``bot.bootstrap.SkillDeps``."""
    from bot.flows.find_buyers import FindBuyersSkill
    from bot.flows.listing import ListingSkill
    from bot.flows.shipping import ShippingSkill
    from bot.flows.tracking import TrackingSkill

    flow_deps = FlowDeps(merchants=MerchantDirectory(deps.engine, deps.platform), actions=ActionStore(deps.engine),
                         translator=deps.translator, hs=HsSuggester(deps.knowledge),
                         listing_text=deps.llm.listing_text if getattr(deps, "llm", None) is not None else None)
    return [FindBuyersSkill(flow_deps), ListingSkill(flow_deps), ShippingSkill(flow_deps), TrackingSkill(flow_deps)]


__all__ = ["flow_skills", "FlowDeps"]
