"""units: SKPD liaisons, forwards and their steps' photos

Revision ID: 0006_units
Revises: 0005_outbox_cards
Create Date: 2026-12-03 13:30:00.000000

Existing ideas keep their status; an idea accepted or implemented before this revision has no
unit (the e-government team carried it, as before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

import storage.types

revision: str = "0006_units"
down_revision: str | None = "0005_outbox_cards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT = sqlmodel.sql.sqltypes.AutoString()


def upgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit", TEXT, nullable=True))
        batch_op.create_index("ix_submission_unit", ["unit"], unique=False)
    with op.batch_alter_table("statuschange", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit", TEXT, nullable=True))
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit", TEXT, nullable=True))
    with op.batch_alter_table("reviewprompt", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit", TEXT, nullable=True))
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photos", TEXT, server_default="[]", nullable=False))
    op.create_table(
        "stepphoto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("file_id", TEXT, nullable=False),
        sa.Column("file_unique_id", TEXT, nullable=False),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["change_id"], ["statuschange.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stepphoto_change_id", "stepphoto", ["change_id"], unique=False)
    op.create_table(
        "liaison",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("unit", TEXT, nullable=False),
        sa.Column("added_by", sa.BigInteger(), nullable=True),
        sa.Column("added_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_liaison_unit", "liaison", ["unit"], unique=False)
    op.create_table(
        "unitprompt",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("action", TEXT, nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("unit", TEXT, nullable=False),
        sa.Column("words", sa.Text(), nullable=True),
        sa.Column("photos", TEXT, nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("chat_id", "user_id"),
    )
    op.create_table(
        "liaisonreminder",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("week", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "week"),
    )


def downgrade() -> None:
    op.drop_table("liaisonreminder")
    op.drop_table("unitprompt")
    op.drop_index("ix_liaison_unit", table_name="liaison")
    op.drop_table("liaison")
    op.drop_index("ix_stepphoto_change_id", table_name="stepphoto")
    op.drop_table("stepphoto")
    with op.batch_alter_table("outboxmessage", schema=None) as batch_op:
        batch_op.drop_column("photos")
    with op.batch_alter_table("reviewprompt", schema=None) as batch_op:
        batch_op.drop_column("unit")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_column("unit")
    with op.batch_alter_table("statuschange", schema=None) as batch_op:
        batch_op.drop_column("unit")
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_unit")
        batch_op.drop_column("unit")
