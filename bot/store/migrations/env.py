"""Alembic environment: migrations run on the connection handed in by ``bot.store.db.migrate``."""

from alembic import context

from bot.store.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - we only run migrations programmatically
    raise RuntimeError("run migrations through bot.store.db.migrate(engine)")

context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
