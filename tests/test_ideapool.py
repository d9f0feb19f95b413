"""The pool of newest ideas follows new submissions and rejections without reading every text
again, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import event, update

from bot.domain.ideapool import IdeaPool
from storage import queries
from storage import review as review_store
from storage.engine import Database, make_engine
from storage.models import Status, StatusChange
from tests.test_storage import NOW, add_resident, new_submission


def send(db: Database, resident_id: int, text: str) -> int:
    stored = db.call_write(
        queries.create_submission,
        submission=new_submission(resident_id, f"key-{text}", text=text),
        photos=[],
        code_prefix="IDE",
        actor_role="resident",
    )
    return stored.id


def move(db: Database, submission_id: int, to_status: Status) -> None:
    version = db.call(review_store.submission, submission_id=submission_id).version
    assert db.call_write(
        review_store.change,
        submission_id=submission_id,
        expected_version=version,
        to_status=to_status,
        actor_id=99,
        actor_role="officer",
        now=NOW,
    )


def texts(ideas) -> list[str]:
    return [text for _, _, text, _ in ideas]


def submission_reads(engine) -> list[str]:
    """The statements that read submissions' texts."""
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(_connection, _cursor, statement, *_) -> None:
        if statement.startswith("SELECT") and "submission.text" in statement:
            seen.append(statement)

    return seen


async def test_new_ideas_are_added_newest_first_and_the_oldest_leave(db):
    add_resident(db, 1)
    add_resident(db, 2)
    for text in ("a", "b", "c"):
        send(db, 1, text)
    pool = IdeaPool(db, size=3)
    assert texts(await pool.newest(10)) == ["c", "b", "a"]
    send(db, 2, "d")
    assert texts(await pool.newest(10)) == ["d", "c", "b"]
    assert texts(await pool.newest(2)) == ["d", "c"]
    assert texts(await pool.newest(10, exclude_resident=1)) == ["d"]
    [(_, code, _, resident)] = await pool.newest(1)
    assert (code.startswith("IDE-"), resident) == (True, 2)


async def test_a_rejected_idea_leaves_and_an_older_one_takes_its_place(db):
    add_resident(db, 1)
    ids = {text: send(db, 1, text) for text in ("a", "b", "c")}
    pool = IdeaPool(db, size=2)
    assert texts(await pool.newest(10)) == ["c", "b"]
    move(db, ids["c"], Status.REJECTED)
    assert texts(await pool.newest(10)) == ["b", "a"]
    move(db, ids["c"], Status.IN_REVIEW)  # taken back from rejection
    assert texts(await pool.newest(10)) == ["c", "b"]


async def test_other_status_changes_keep_the_pool(db):
    add_resident(db, 1)
    first = send(db, 1, "a")
    pool = IdeaPool(db, size=5)
    assert texts(await pool.newest(10)) == ["a"]
    move(db, first, Status.IN_REVIEW)
    reads = submission_reads(db.engine)
    assert texts(await pool.newest(10)) == ["a"]
    assert reads == []


async def test_after_the_first_load_only_new_submissions_are_read(db):
    add_resident(db, 1)
    for text in ("a", "b", "c"):
        send(db, 1, text)
    pool = IdeaPool(db, size=100)
    reads = submission_reads(db.engine)
    await pool.newest(100)
    assert len(reads) == 1  # the first load
    await pool.newest(100)
    assert len(reads) == 1  # nothing changed: only the history was asked
    send(db, 1, "d")
    assert texts(await pool.newest(100)) == ["d", "c", "b", "a"]
    assert len(reads) == 2 and "IN" in reads[1]  # only the new one, by id


async def test_ideas_stored_through_another_connection_are_seen(db):
    add_resident(db, 1)
    pool = IdeaPool(db, size=5)
    assert await pool.newest(5) == []
    other = Database(make_engine(db.engine.url.render_as_string(hide_password=False)))
    try:
        send(other, 1, "from elsewhere")
    finally:
        other.engine.dispose()
    assert texts(await pool.newest(5)) == ["from elsewhere"]


async def test_callers_at_once_all_see_what_was_committed_before_they_asked(db):
    add_resident(db, 1)
    pool = IdeaPool(db, size=50)
    await pool.newest(50)
    for index in range(10):
        send(db, 1, f"idea {index}")
    answers = await asyncio.gather(*(pool.newest(50) for _ in range(20)))
    assert all(len(answer) == 10 for answer in answers)
    assert len({tuple(idea[0] for idea in answer) for answer in answers}) == 1


async def test_a_failed_catch_up_fails_its_caller_and_the_next_caller_catches_up(db, monkeypatch):
    add_resident(db, 1)
    pool = IdeaPool(db, size=5)
    await pool.newest(5)
    send(db, 1, "a")
    changed_since = queries.ideas_changed_since

    def broken(session, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(queries, "ideas_changed_since", broken)
    with pytest.raises(RuntimeError, match="database gone"):
        await pool.newest(5)
    monkeypatch.setattr(queries, "ideas_changed_since", changed_since)
    assert texts(await pool.newest(5)) == ["a"]


async def test_callers_waiting_on_a_failed_catch_up_catch_up_themselves(db, monkeypatch):
    add_resident(db, 1)
    pool = IdeaPool(db, size=5)
    await pool.newest(5)
    send(db, 1, "a")
    changed_since, calls = queries.ideas_changed_since, []
    entered, release = threading.Event(), threading.Event()

    def slow_then_broken(session, **kwargs):
        calls.append(1)
        if len(calls) == 1:  # the catch-up the next two callers arrive during
            entered.set()
            release.wait(5)
        elif len(calls) == 2:  # the one they wait for fails
            raise RuntimeError("database gone")
        return changed_since(session, **kwargs)

    monkeypatch.setattr(queries, "ideas_changed_since", slow_then_broken)
    running = asyncio.ensure_future(pool.newest(5))
    await asyncio.to_thread(entered.wait, 5)
    failing = asyncio.ensure_future(pool.newest(5))
    waiting = asyncio.ensure_future(pool.newest(5))
    await asyncio.sleep(0.05)
    release.set()
    assert texts(await running) == ["a"]
    with pytest.raises(RuntimeError, match="database gone"):
        await failing
    assert texts(await waiting) == ["a"]
    assert len(calls) == 3  # the waiting caller did not take the failed catch-up for its own


async def test_a_change_committed_after_newer_ones_were_followed_is_still_seen(db):
    # On PostgreSQL two transactions take ids 7 and 8 and may commit 8 first.
    add_resident(db, 1)
    first = send(db, 1, "committed first")
    renumber_history(db, first, 8)
    pool = IdeaPool(db, size=5)
    assert texts(await pool.newest(5)) == ["committed first"]
    late = send(db, 1, "committed late")
    renumber_history(db, late, 7)
    assert texts(await pool.newest(5)) == ["committed late", "committed first"]
    reads = submission_reads(db.engine)
    assert texts(await pool.newest(5)) == ["committed late", "committed first"]
    assert reads == []  # each change is followed once


def renumber_history(db: Database, submission_id: int, change_id: int) -> None:
    """Give the submission's first status change the id ``change_id``."""
    with db.engine.begin() as connection:
        connection.execute(
            update(StatusChange)
            .where(StatusChange.submission_id == submission_id)
            .values(id=change_id)
        )
