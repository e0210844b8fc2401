"""Which channels the web app serves, decided from the settings."""

from __future__ import annotations

import logging

from bot.bootstrap import Container
from bot.channels.base import WebChannel
from bot.channels.rest import RestChannel
from bot.staff.channel import StaffChannel

log = logging.getLogger(__name__)


def build_web_channels(container: Container, bind_host: str | None) -> list[WebChannel]:
    """The channels to mount for this configuration (REST always; others when configured)."""
    settings = container.settings
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    rest_enabled = secret is not None or settings.binds_loopback(bind_host)
    if not rest_enabled:
        log.warning("REST channel disabled: set TRADEBOT_WEBHOOK_SECRET to serve it on a public address")
    channels: list[WebChannel] = [
        RestChannel(container.service, container.metrics, secret=secret, enabled=rest_enabled,
                    max_body_bytes=settings.max_body_bytes, max_message_chars=settings.max_message_chars,
                    outbox=container.outbox, callback_url=settings.rest_callback_url),
    ]
    channels.append(StaffChannel(container.desk, container.accounts,
                                 secure_cookies=not settings.binds_loopback(bind_host)))
    # Further channels register here, each behind its own settings check.
    return channels
