# tradebot: one image, `tradebot serve` on the embedded defaults (SQLite, embedded Chroma,
# bundled embedding model, built-in sandbox platform). Mount /data to keep state.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    TRADEBOT_DATA_DIR=/data \
    TRADEBOT_HOST=0.0.0.0 \
    TRADEBOT_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY knowledge ./knowledge
COPY connectors ./connectors
RUN pip install . && useradd --create-home --uid 10001 tradebot && mkdir -p /data && chown tradebot /data

USER tradebot
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/healthz')"
CMD ["tradebot", "serve"]
