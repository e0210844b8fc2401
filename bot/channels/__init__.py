"""Channels translate platform payloads into the core's messages and render its replies."""
