"""Which channels the web app serves, decided from the settings."""

from __future__ import annotations

import logging

from bot.bootstrap import Container
from bot.channels.base import WebChannel
from bot.channels.rate_limit import RateLimiter
from bot.channels.rest import RestChannel
from bot.channels.whatsapp_channel import build_whatsapp_channel
from bot.staff.channel import StaffChannel

log = logging.getLogger(__name__)


def build_web_channels(container: Container, bind_host: str | None) -> list[WebChannel]:
    """The channels to mount for this configuration (REST always; others when configured)."""
    settings = container.settings
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    rest_enabled = secret is not None or settings.binds_loopback(bind_host)
    if not rest_enabled:
        log.warning("REST channel disabled: set TRADEBOT_WEBHOOK_SECRET to serve it on a public address")
    # one limiter for all webhook channels: a token bucket per (channel, sender)
    limiter = container.extras.setdefault("rate_limiter", RateLimiter(settings.rate_limit_per_minute))
    channels: list[WebChannel] = [
        RestChannel(container.service, container.metrics, secret=secret, enabled=rest_enabled,
                    max_body_bytes=settings.max_body_bytes, max_message_chars=settings.max_message_chars,
                    outbox=container.outbox, callback_url=settings.rest_callback_url, rate_limiter=limiter),
    ]
    channels.append(StaffChannel(container.desk, container.accounts,
                                 secure_cookies=not settings.binds_loopback(bind_host)))
    # Further channels register here, each behind its own settings check.
    whatsapp = build_whatsapp_channel(container, rate_limiter=limiter)
    if whatsapp is not None:
        channels.append(whatsapp)
    if settings.telegram_token:
        from bot.channels.telegram_channel import TelegramChannel  # PTB loads only when configured

        channels.append(TelegramChannel(container))
    # Confirmed platform actions left pending (outage, crash) are finished in the background.
    from bot.flows.worker import PendingActionWorker

    channels.append(PendingActionWorker(container))
    return channels
