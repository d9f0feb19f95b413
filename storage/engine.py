"""The engine and the one way the bot reaches the database.

SQLite gets WAL, foreign keys, a busy timeout and ``check_same_thread=False``; writes begin with
``BEGIN IMMEDIATE`` so two writers wait for each other instead of failing with "database is locked".
PostgreSQL (``postgresql+psycopg://``) needs none of that.

Storage is synchronous SQLModel. :class:`Database` runs a function in a worker thread with its own
session, so handlers and jobs never block the event loop; only a read of a few rows by index on
SQLite runs on the loop itself (:meth:`Database.quick_read`), where a thread would cost more. On
SQLite the writers of one process take turns on a lock before ``BEGIN IMMEDIATE``: a writer that
finds the file locked would otherwise sleep in SQLite's busy handler, in steps of up to 100 ms,
however soon the lock is free again.

A write may also be staged (:meth:`Database.stage`): it is not run at once but at the start of the
next write transaction, whichever it is, so it costs no transaction of its own. Until committed it
stays readable with :meth:`Database.staged`. Writes that carry staged ones take turns, so each
staged write is committed once and in the order staged; one that fails is logged and dropped, and
the write that carried it begins again without it. The bot's runtime stages each update's done
mark too and flushes what is staged soon after (:mod:`bot.runtime.groupcommit`), so what an update
staged is committed with its done mark, or the update is handled again.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Concatenate, NamedTuple, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session, create_engine

logger = logging.getLogger(__name__)

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
        if mode is not None:  # None: each statement is a transaction of its own
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


class _Staged(NamedTuple):
    """A write waiting for the next transaction, and the value it stores."""

    write: Callable[[Session], object]
    value: object


class Database:
    """Runs storage functions in a worker thread, each call with its own session."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._sqlite = engine.dialect.name == "sqlite"
        self._write_turn = threading.Lock() if self._sqlite else contextlib.nullcontext()
        self._staging_turn = threading.Lock()
        self._staged: dict[Hashable, _Staged] = {}
        self._staged_lock = threading.Lock()
        self._quick: Connection | None = None  # the event loop's, for quick reads on SQLite

    def stage(
        self,
        key: Hashable,
        value: T,
        fn: Callable[Concatenate[Session, P], object],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, …)`` at the start of the next write transaction instead of now.

        ``key`` names what it writes: a later write staged under the same key replaces this one,
        and until committed :meth:`staged` answers ``value`` for it. Returns ``value``.
        """
        with self._staged_lock:
            self._staged[key] = _Staged(functools.partial(fn, *args, **kwargs), value)
        return value

    def has_staged(self) -> bool:
        """Whether a staged write waits for the next transaction."""
        with self._staged_lock:
            return bool(self._staged)

    def staged(self, key: Hashable, default: object = None) -> object:
        """The value of the write staged under ``key`` and not yet committed, else ``default``."""
        with self._staged_lock:
            found = self._staged.get(key)
        return default if found is None else found.value

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
        """Run ``fn(session, …)`` in a write transaction, after the writes staged so far, and
        commit it, here and now."""
        with self._write_turn:
            carrying = self.has_staged()
            # Writers that carry staged writes take turns, so that none is run twice.
            with self._staging_turn if carrying else contextlib.nullcontext():
                while True:
                    with Session(self._writer, expire_on_commit=False) as session:
                        carried = self._run_staged(session) if carrying else {}
                        if carried is None:
                            continue  # a staged write failed and was dropped: begin again
                        result = fn(session, *args, **kwargs)
                        session.commit()
                    self._forget(carried)
                    return result

    def _run_staged(self, session: Session) -> dict[Hashable, _Staged] | None:
        """Run the staged writes; ``None`` if one failed, which is then logged and dropped, so
        that it fails neither the caller's write nor any after it."""
        with self._staged_lock:
            carried = dict(self._staged)
        for key, staged in carried.items():
            try:
                staged.write(session)
            except Exception:
                logger.exception("the staged write %r failed and is dropped", key)
                self._forget({key: staged})
                return None
        return carried

    def _forget(self, committed: dict[Hashable, _Staged]) -> None:
        """Drop the staged writes just committed, unless a newer one replaced them meanwhile."""
        with self._staged_lock:
            for key, staged in committed.items():
                if self._staged.get(key) is staged:
                    del self._staged[key]

    async def read(
        self,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, …)`` in a worker thread, read-only."""
        return await asyncio.to_thread(self.call, fn, *args, **kwargs)

    async def quick_read(
        self,
        fn: Callable[Concatenate[Connection, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(connection, …)``, a read of a few rows by index in SQLAlchemy Core: on SQLite
        here, on the event loop's thread; on PostgreSQL in a worker thread.

        Handing a call to a worker thread costs the two threads more CPU than such a read on
        SQLite takes (about 0.3 against 0.1 ms), and a WAL reader waits for no writer. On SQLite
        the loop keeps one connection for these reads, and each runs without BEGIN, as a
        transaction of its own: a session, a connection from the pool and BEGIN … ROLLBACK
        cost twice the read. Reads whose size grows with the data go through :meth:`read`.
        """
        if not self._sqlite:
            return await asyncio.to_thread(self._read_core, fn, *args, **kwargs)
        if self._quick is None:
            self._quick = self.engine.connect().execution_options(sqlite_begin=None)
        try:
            return fn(self._quick, *args, **kwargs)
        finally:
            self._quick.rollback()  # SQLAlchemy's transaction; SQLite has none open

    def _read_core(
        self, fn: Callable[Concatenate[Connection, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        with self.engine.connect() as connection:
            return fn(connection, *args, **kwargs)

    def close(self) -> None:
        """Close the quick reads' connection and the engine's pool."""
        if self._quick is not None:
            self._quick.close()
            self._quick = None
        self.engine.dispose()

    async def write(
        self,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run ``fn(session, …)`` in a worker thread and commit; returns after the commit."""
        return await asyncio.to_thread(self.call_write, fn, *args, **kwargs)
