"""Durable inbox for webhook messages acknowledged before processing (WhatsApp).

Revision ID: 0002_inbox
Revises: 0002_handoff (chained after it so that the history keeps a single head)
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_inbox"
down_revision = "0002_handoff"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("sender", sa.String(200), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("sent", sa.Integer, nullable=False),
        sa.Column("received_at", tz, nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("next_attempt_at", tz, nullable=False),
        sa.Column("lease_until", tz),
        sa.Column("last_error", sa.Text),
        sa.UniqueConstraint("channel", "message_id", name="uq_inbox_channel"),
    )
    op.create_index("ix_inbox_sender", "inbox", ["sender"])
    op.create_index("ix_inbox_status", "inbox", ["status"])


def downgrade() -> None:
    op.drop_index("ix_inbox_status", "inbox")
    op.drop_index("ix_inbox_sender", "inbox")
    op.drop_table("inbox")
