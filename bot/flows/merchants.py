"""Which platform merchant a conversation acts for: registered on first need, or ``/link``.

Every platform call a flow makes goes through :meth:`MerchantDirectory.client` with the
conversation's own merchant token, so the platform itself scopes listings, quotes,
shipments and introductions to that merchant: an id typed by someone else is a 404.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import sessionmaker

from connectors.client import HttpPlatformClient

from bot.store.tables import MerchantLinkRow, utcnow


@dataclass(frozen=True)
class MerchantLink:
    """The merchant account behind a conversation."""

    conversation_id: str
    merchant_id: str
    api_token: str
    name: str
    country: str


class MerchantDirectory:
    """Stores conversation → merchant links and hands out merchant-scoped clients.

    Args:
        engine: the bot's database.
        platform: the shared platform client (public calls); merchant clients share its
            connections.
    """

    def __init__(self, engine: Engine, platform: HttpPlatformClient) -> None:
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._platform = platform

    @property
    def public(self) -> HttpPlatformClient:
        """The client for calls that need no merchant (buyer requests)."""
        return self._platform

    def client(self, link: MerchantLink) -> HttpPlatformClient:
        """A client acting as ``link``'s merchant, and only as that merchant."""
        return self._platform.for_merchant(link.api_token)

    def _get(self, conversation_id: str) -> MerchantLink | None:
        with self._sessions() as s:
            row = s.get(MerchantLinkRow, conversation_id)
            return _link(row) if row else None

    def _save(self, link: MerchantLink) -> None:
        with self._sessions.begin() as s:
            row = s.get(MerchantLinkRow, link.conversation_id)
            if row is None:
                row = MerchantLinkRow(conversation_id=link.conversation_id, created_at=utcnow())
                s.add(row)
            row.merchant_id, row.api_token = link.merchant_id, link.api_token
            row.name, row.country = link.name, link.country

    def _by_merchant(self, merchant_id: str) -> list[str]:
        with self._sessions() as s:
            return list(s.scalars(select(MerchantLinkRow.conversation_id).filter_by(merchant_id=merchant_id)))

    async def get(self, conversation_id: str) -> MerchantLink | None:
        """The conversation's merchant, or None before onboarding."""
        return await asyncio.to_thread(self._get, conversation_id)

    async def register(self, conversation_id: str, name: str, country: str) -> MerchantLink:
        """Create a platform merchant for this conversation (idempotent per name and country).

        Raises:
            ConnectorError: the platform refused or could not be reached.
        """
        digest = hashlib.sha256(f"{conversation_id}|{name}|{country}".encode()).hexdigest()[:24]
        creds = await self._platform.register_merchant(name, country, idempotency_key=f"tradebot-register-{digest}")
        link = MerchantLink(conversation_id, creds.merchant_id, creds.api_token, creds.name, creds.country)
        await asyncio.to_thread(self._save, link)
        return link

    async def link_token(self, conversation_id: str, token: str) -> MerchantLink:
        """Link the conversation to the merchant owning ``token`` (checked with the platform).

        Raises:
            Rejected: the platform does not know the token (401).
        """
        me = await self._platform.for_merchant(token).me()
        link = MerchantLink(conversation_id, me.merchant_id, token, me.name, me.country)
        await asyncio.to_thread(self._save, link)
        return link

    async def conversations_of(self, merchant_id: str) -> list[str]:
        """Conversations linked to a merchant (one merchant may chat on several channels)."""
        return await asyncio.to_thread(self._by_merchant, merchant_id)


def _link(row: MerchantLinkRow) -> MerchantLink:
    return MerchantLink(row.conversation_id, row.merchant_id, row.api_token, row.name, row.country)
