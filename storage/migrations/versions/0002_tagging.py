"""Tagging: the complaint flag on drafts and submissions, and supports for similar ideas

Revision ID: 0002_tagging
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002_tagging"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("submission", "draft"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "looks_like_complaint", sa.Boolean(), nullable=False, server_default=sa.false()
                )
            )
    op.create_table(
        "support",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["resident_id"], ["resident.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id", "resident_id", name="uq_support_once"),
    )
    op.create_index("ix_support_submission_id", "support", ["submission_id"])


def downgrade() -> None:
    op.drop_index("ix_support_submission_id", table_name="support")
    op.drop_table("support")
    for table in ("draft", "submission"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("looks_like_complaint")
