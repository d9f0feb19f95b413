"""Join the three branches that grew side by side from 0001: review desk, digest, tagging

Revision ID: 0003_merge
Revises: 0002_review, 0002_digest, 0002_tagging
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0003_merge"
down_revision: str | Sequence[str] | None = ("0002_review", "0002_digest", "0002_tagging")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
