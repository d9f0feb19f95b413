"""Join the three branches that grew side by side from 0005: SKPD units, the public side, digest
periods

Revision ID: 0009_merge
Revises: 0006_units, 0007_public, 0008_digest_periods
Create Date: 2026-12-03
"""

from collections.abc import Sequence

revision: str = "0009_merge"
down_revision: str | Sequence[str] | None = ("0006_units", "0007_public", "0008_digest_periods")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
