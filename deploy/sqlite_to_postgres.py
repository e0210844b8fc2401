"""Copy a single-machine tradebot database (SQLite) into PostgreSQL, once, before scaling out.

Usage (stop `tradebot serve` first, so nothing writes during the copy):

    python deploy/sqlite_to_postgres.py var/tradebot.sqlite3 \
        postgresql+psycopg://tradebot:PASSWORD@db-host:5432/tradebot

The target gets the current schema (the same Alembic migrations the workers run) and
must not hold tradebot data yet. Every table of ``bot/store/tables.py`` is copied in
foreign-key order in one transaction, then PostgreSQL's id sequences are moved past the
copied ids. Conversations, transcripts, processed message ids (so re-delivered messages
stay deduplicated), pending actions, the inbox/outbox, staff accounts and handoffs all
come along. The sandbox platform's own database (``platform.sqlite3``) and the knowledge
index are not part of it: point TRADEBOT_PLATFORM_URL at the platform and run
``tradebot index`` against the Chroma server.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.store.db import make_engine, migrate  # noqa: E402
from bot.store.tables import Base  # noqa: E402

BATCH = 1000


def copy(sqlite_url: str, postgres_url: str) -> dict[str, int]:
    """Copy every table; returns rows copied per table."""
    source, target = make_engine(sqlite_url), make_engine(postgres_url)
    if target.dialect.name != "postgresql":
        raise SystemExit("the target must be a postgresql+psycopg:// URL")
    migrate(source)  # bring an older single-machine database to the current schema first
    migrate(target)
    counts: dict[str, int] = {}
    with source.connect() as src, target.begin() as dst:
        for table in Base.metadata.sorted_tables:
            if dst.scalar(select(func.count()).select_from(table)):
                raise SystemExit(f"target table {table.name} is not empty; copy into a fresh database")
        for table in Base.metadata.sorted_tables:  # parents before children
            rows = src.execute(select(table)).mappings()
            n = 0
            while batch := rows.fetchmany(BATCH):
                dst.execute(insert(table), [dict(r) for r in batch])
                n += len(batch)
            counts[table.name] = n
            for column in table.primary_key.columns:
                if column.autoincrement is True or (column.autoincrement == "auto" and
                                                    column.type.python_type is int and
                                                    len(table.primary_key.columns) == 1):
                    dst.execute(text(
                        f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f"GREATEST((SELECT COALESCE(MAX({column.name}), 0) FROM {table.name}), 1), "
                        f"(SELECT COUNT(*) > 0 FROM {table.name}))"),
                        {"t": table.name, "c": column.name})
    source.dispose()
    target.dispose()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sqlite", help="path of tradebot.sqlite3 (or a sqlite:/// URL)")
    ap.add_argument("postgres", help="postgresql+psycopg://user:password@host:5432/db")
    args = ap.parse_args()
    url = args.sqlite if args.sqlite.startswith("sqlite") else f"sqlite:///{Path(args.sqlite).resolve()}"
    for name, n in copy(url, args.postgres).items():
        print(f"{name:<20} {n:>8} rows")


if __name__ == "__main__":
    main()
