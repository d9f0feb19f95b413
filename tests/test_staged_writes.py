"""Staged writes (``Database.stage``): run at the start of the next write transaction, readable
until committed, replaced by a later write of the same thing, and never run twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from storage import inbox, queries
from storage.engine import Database
from storage.models import Draft

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
UNKNOWN = object()


def draft(resident_id: int, text: str) -> Draft:
    return Draft(resident_id=resident_id, key=f"key-{resident_id}", text=text, updated_at=NOW)


def stored_text(db: Database, resident_id: int) -> str | None:
    found = db.call(queries.get_draft, resident_id=resident_id)
    return None if found is None else found.text


def stage_draft(db: Database, value: Draft) -> None:
    db.stage(("draft", value.resident_id), value, queries.save_draft, draft=value)


def test_a_staged_write_waits_for_the_next_write_and_is_readable_meanwhile(db):
    first = draft(1, "Bank sampah di setiap desa")
    stage_draft(db, first)
    assert stored_text(db, 1) is None
    assert db.staged(("draft", 1), UNKNOWN) is first

    db.call_write(inbox.store_updates, updates=[(1, {})], now=NOW)

    assert stored_text(db, 1) == "Bank sampah di setiap desa"
    assert db.staged(("draft", 1), UNKNOWN) is UNKNOWN


def test_a_later_write_of_the_same_key_replaces_the_staged_one(db):
    stage_draft(db, draft(1, "first words"))
    stage_draft(db, draft(1, "the words the resident settled on"))
    db.stage(("draft", 2), None, queries.delete_draft, resident_id=2)

    db.call_write(inbox.store_updates, updates=[(1, {})], now=NOW)

    assert stored_text(db, 1) == "the words the resident settled on"
    assert db.staged(("draft", 2), UNKNOWN) is UNKNOWN


def test_staged_writes_run_before_the_transaction_that_carries_them(db):
    stage_draft(db, draft(1, "Taman baca di balai desa"))

    seen = db.call_write(queries.get_draft, resident_id=1)

    assert seen.text == "Taman baca di balai desa"


def test_a_write_that_fails_keeps_the_staged_writes_for_the_next_one(db):
    stage_draft(db, draft(1, "Bank sampah di setiap desa"))

    def fail(_session) -> None:
        raise RuntimeError("the caller's own write failed")

    with pytest.raises(RuntimeError):
        db.call_write(fail)
    assert stored_text(db, 1) is None
    assert db.staged(("draft", 1), UNKNOWN) is not UNKNOWN

    db.call_write(inbox.store_updates, updates=[(1, {})], now=NOW)
    assert stored_text(db, 1) == "Bank sampah di setiap desa"


def test_a_staged_write_that_fails_is_dropped_and_the_write_that_carried_it_goes_through(
    db, caplog
):
    def broken(session) -> None:
        queries.save_draft(session, draft=Draft(resident_id=1, key=None, updated_at=NOW))

    db.stage(("draft", 1), None, broken)
    stage_draft(db, draft(2, "Taman baca di balai desa"))

    db.call_write(inbox.store_updates, updates=[(1, {})], now=NOW)

    assert "the staged write ('draft', 1) failed and is dropped" in caplog.text
    assert [update_id for update_id, _ in db.call(inbox.pending_updates)] == [1]
    assert (stored_text(db, 1), stored_text(db, 2)) == (None, "Taman baca di balai desa")
    assert not db.has_staged()


def test_a_change_staged_while_a_write_is_in_flight_goes_with_the_next_write(db):
    stage_draft(db, draft(1, "first words"))
    inside, release = threading.Event(), threading.Event()

    def slow(_session) -> None:
        inside.set()
        release.wait(5)

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(db.call_write, slow)
        assert inside.wait(5)
        stage_draft(db, draft(1, "the words the resident settled on"))
        release.set()
        running.result()

    assert stored_text(db, 1) == "first words"
    assert db.staged(("draft", 1), UNKNOWN).text == "the words the resident settled on"
    db.call_write(inbox.store_updates, updates=[(1, {})], now=NOW)
    assert stored_text(db, 1) == "the words the resident settled on"


def test_writers_at_once_run_each_staged_write_once(db):
    inserted = []

    def insert_once(session) -> None:
        inserted.append(1)
        queries.save_draft(session, draft=draft(1, "Bank sampah di setiap desa"))

    db.stage(("draft", 1), None, insert_once)
    with ThreadPoolExecutor(4) as pool:
        for done in [
            pool.submit(db.call_write, inbox.store_updates, updates=[(n, {})], now=NOW)
            for n in range(8)
        ]:
            done.result()

    assert inserted == [1]
    assert stored_text(db, 1) == "Bank sampah di setiap desa"
