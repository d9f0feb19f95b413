"""Writers of one process take turns on a lock, never on SQLite's sleeping busy handler."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import event

from storage import inbox
from storage.engine import Database, make_engine
from storage.migrate import upgrade

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_a_second_writer_waits_its_turn_instead_of_meeting_a_locked_file(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    upgrade(engine)

    # Without a busy timeout, a writer that reaches BEGIN IMMEDIATE while another transaction
    # holds the file fails at once with "database is locked".
    @event.listens_for(engine, "connect")
    def _no_busy_timeout(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    engine.dispose()
    db = Database(engine)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first(session) -> None:
        inbox.store_updates(session, updates=[(1, {"n": 1})], now=NOW)
        holding.set()
        release.wait(10)

    def run(fn, **kwargs) -> None:
        try:
            db.call_write(fn, **kwargs)
        except BaseException as error:
            errors.append(error)

    one = threading.Thread(target=run, args=(first,))
    one.start()
    assert holding.wait(10)
    two = threading.Thread(
        target=run, args=(inbox.store_updates,), kwargs={"updates": [(2, {"n": 2})], "now": NOW}
    )
    two.start()
    two.join(1.0)  # without turns it has failed by now; with them it is still waiting
    release.set()
    one.join(10)
    two.join(10)
    engine.dispose()
    assert errors == []
    assert db.call(inbox.last_update_id) == 2
