"""digest periods: the moment the database was first set up

Revision ID: 0008_digest_periods
Revises: 0005_outbox_cards
Create Date: 2026-12-03 13:40:00.000000

The row itself is written by the bot (``storage.digests.set_up_at``) at its first start, from the
oldest data already there or the start's moment, so an existing installation keeps its history.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008_digest_periods"
down_revision: str | None = "0005_outbox_cards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("set_up_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("installation")
