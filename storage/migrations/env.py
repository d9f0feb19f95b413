"""Alembic environment.

The bot passes its own connection in ``config.attributes["connection"]`` (see
:func:`storage.migrate.upgrade`). From the command line (``alembic -c storage/alembic.ini …``) the
URL comes from the same ``DATABASE_URL`` setting the bot uses, never from alembic.ini.
"""

from alembic import context
from sqlmodel import SQLModel

# Importing the tables' module registers every table on SQLModel.metadata.
import storage.models  # noqa: F401
from bot.core.config import DEFAULT_DATABASE_URL

target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    import os

    from storage.engine import make_engine

    engine = make_engine(os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run them against a database")
run_migrations_online()
