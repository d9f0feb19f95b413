"""public: consent to publish, the idea's post in the public channel, its withdrawal

Revision ID: 0007_public
Revises: 0005_outbox_cards
Create Date: 2026-12-03 13:40:00.000000

Ideas sent before this revision were never asked: they stay unpublished (``public`` false).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007_public"
down_revision: str | None = "0005_outbox_cards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("public_message_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(
            sa.Column("public_hidden_at", storage.types.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_default", sa.Boolean(), nullable=True))
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public", sa.Boolean(), nullable=True))
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("post_of", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("post_of")
    with op.batch_alter_table("draft", schema=None) as batch_op:
        batch_op.drop_column("public")
    with op.batch_alter_table("resident", schema=None) as batch_op:
        batch_op.drop_column("publish_default")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_column("public_hidden_at")
        batch_op.drop_column("public_message_id")
        batch_op.drop_column("public")
