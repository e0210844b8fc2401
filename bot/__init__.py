"""tradebot: a conversational trade assistant for small and medium-sized exporters."""

__version__ = "0.1.0"
