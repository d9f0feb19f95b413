"""The engine and the one way the bot reaches the database.

SQLite gets WAL, foreign keys, a busy timeout and ``check_same_thread=False``; writes begin with
``BEGIN IMMEDIATE`` so two writers wait for each other instead of failing with "database is locked".
PostgreSQL (``postgresql+psycopg://``) needs none of that.

Storage is synchronous SQLModel. :class:`Database` runs a function in a worker thread with its own
session, so handlers and jobs never block the event loop. On SQLite the writers of one process take
turns on a lock before ``BEGIN IMMEDIATE``: a writer that finds the file locked would otherwise
sleep in SQLite's busy handler, in steps of up to 100 ms, however soon the lock is free again.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

P = ParamSpec("P")
T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 15_000


def _prepare_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str) -> Engine:
    """Create the engine for ``url``; for a SQLite file, create its folder if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _prepare_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def describe(engine: Engine) -> str:
    """The database URL without a password, for the start-up log line."""
    return engine.url.render_as_string(hide_password=True)


class Database:
    """Runs storage functions in a worker thread, each call with its own session."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        sqlite = engine.dialect.name == "sqlite"
        self._write_turn = threading.Lock() if sqlite else contextlib.nullcontext()

    def call(
        self,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, …)`` in a read transaction, here and now."""
        with Session(self.engine, expire_on_commit=False) as session:
            return fn(session, *args, **kwargs)

    def call_write(
        self,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, …)`` in a write transaction and commit it, here and now."""
        with self._write_turn, Session(self._writer, expire_on_commit=False) as session:
            result = fn(session, *args, **kwargs)
            session.commit()
            return result

    async def read(
        self,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, …)`` in a worker thread, read-only."""
        return await asyncio.to_thread(self.call, fn, *args, **kwargs)

    async def write(
        self,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, …)`` in a worker thread and commit; returns after the commit."""
        return await asyncio.to_thread(self.call_write, fn, *args, **kwargs)
