"""Durable state: conversations, transcripts, flow state and processed message ids."""
