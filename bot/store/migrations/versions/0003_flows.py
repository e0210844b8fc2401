"""Merchant flows: the platform merchant each conversation acts for, and confirmed actions
awaiting (or done by) the platform.

Revision ID: 0003_flows
Revises: 0002_inbox (0002_inbox is itself chained after 0002_handoff: one head)
"""
import sqlalchemy as sa
from alembic import op

revision = "0003_flows"
down_revision = "0002_inbox"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "merchant_links",
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), primary_key=True),
        sa.Column("merchant_id", sa.String(64), nullable=False, index=True),
        sa.Column("api_token", sa.String(200), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_table(
        "pending_actions",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False, index=True),
        sa.Column("merchant_id", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("result", sa.JSON),
        sa.Column("last_error", sa.Text),
        sa.Column("notified", sa.Boolean, nullable=False),
        sa.Column("lease_until", tz),
        sa.Column("next_attempt_at", tz, nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("updated_at", tz, nullable=False),
        sa.UniqueConstraint("idempotency_key", name="uq_pending_actions_idempotency_key"),
    )


def downgrade() -> None:
    op.drop_table("pending_actions")
    op.drop_table("merchant_links")
