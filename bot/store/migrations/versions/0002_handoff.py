"""Staff accounts and sessions, handoffs, internal notes.

Revision ID: 0002_handoff
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002_handoff"
down_revision = "0001"
branch_labels = None
depends_on = None

big_id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
tz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("staff_id", big_id, sa.ForeignKey("staff.id"), nullable=False, index=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("expires_at", tz, nullable=False),
    )
    op.create_table(
        "handoffs",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("claimed_by", big_id, sa.ForeignKey("staff.id")),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("claimed_at", tz),
        sa.Column("resolved_at", tz),
    )
    op.create_table(
        "staff_notes",
        sa.Column("id", big_id, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(36), sa.ForeignKey("conversations.id"), nullable=False, index=True),
        sa.Column("staff_id", big_id, sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", tz, nullable=False),
    )


def downgrade() -> None:
    for table in ("staff_notes", "handoffs", "staff_sessions", "staff"):
        op.drop_table(table)
