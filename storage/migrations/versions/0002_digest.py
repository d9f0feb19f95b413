"""digest: the record of digest deliveries; indexes for counting by period

Revision ID: 0002_digest
Revises: 0001
Create Date: 2026-11-28 02:36:42.871548
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0002_digest"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "digestdelivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_start", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("period_end", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claim", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("lease_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("message_ids", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period_start", "chat_id", name="uq_digestdelivery_period_chat"),
    )
    op.create_index("ix_statuschange_at", "statuschange", ["at"])
    op.create_index(
        "ix_submission_created_pillar", "submission", ["created_at", "pillar", "kecamatan"]
    )


def downgrade() -> None:
    op.drop_index("ix_submission_created_pillar", table_name="submission")
    op.drop_index("ix_statuschange_at", table_name="statuschange")
    op.drop_table("digestdelivery")
