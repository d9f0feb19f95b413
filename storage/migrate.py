"""Bring the schema up to date with alembic; the bot calls :func:`upgrade` at start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Upgrade the database behind ``engine`` to ``revision`` (every branch's head by default)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
