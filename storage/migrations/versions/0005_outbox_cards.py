"""outbox cards: a submission's card as an outbox message

Revision ID: 0005_outbox_cards
Revises: 0004_outbox
Create Date: 2026-12-03 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_outbox_cards"
down_revision: str | None = "0004_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("card_intro", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("card_intro")
        batch_op.drop_column("card_of")
