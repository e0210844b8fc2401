"""Clients for the trade platform's API, and the built-in sandbox platform.

The bot talks to the platform only through :class:`connectors.client.HttpPlatformClient`;
:mod:`connectors.sandbox` is a separate HTTP service that speaks the same API.
"""
