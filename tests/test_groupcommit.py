"""Conversation steps and done marks of many updates share transactions, in order, and an error
reaches only the callers whose commit failed."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from bot.runtime.groupcommit import GroupCommit
from storage import inbox, queries
from storage.engine import Database
from tests import updates as u
from tests.conftest import make_settings

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def pending(db: Database) -> list[int]:
    return [update_id for update_id, _ in db.call(inbox.pending_updates)]


async def test_what_callers_add_while_a_commit_is_written_shares_the_next_one(db, monkeypatch):
    db.call_write(inbox.store_updates, updates=[(i, {}) for i in range(1, 11)], now=NOW)
    commits = GroupCommit(db, lambda: NOW)
    finish, written, released = inbox.finish_updates, [], threading.Event()

    def slow_first(session, **kwargs) -> None:
        written.append(kwargs)
        if len(written) == 1:
            released.wait(5)
        finish(session, **kwargs)

    monkeypatch.setattr(inbox, "finish_updates", slow_first)
    callers = [asyncio.ensure_future(commits.done(1))]
    async with asyncio.timeout(5):
        while not written:  # the first commit is being written
            await asyncio.sleep(0.01)
    callers += [asyncio.ensure_future(commits.done(update_id)) for update_id in range(2, 11)]
    commits.stage("submission", "[7, 7]", "3")
    callers.append(asyncio.ensure_future(commits.flush()))
    await asyncio.sleep(0.05)
    assert not any(caller.done() for caller in callers)
    released.set()
    await asyncio.gather(*callers)

    assert [(w["done"], w["states"]) for w in written] == [
        ([1], {}),
        (list(range(2, 11)), {("submission", "[7, 7]"): "3"}),
    ]
    assert pending(db) == []
    assert db.call(inbox.conversation_states, name="submission") == {"[7, 7]": "3"}


async def test_a_step_added_before_a_done_mark_is_stored_when_the_mark_returns(db):
    db.call_write(inbox.store_updates, updates=[(1, {}), (2, {})], now=NOW)
    commits = GroupCommit(db, lambda: NOW)
    commits.stage("submission", "[1, 1]", "2")
    first = asyncio.ensure_future(commits.flush())
    await asyncio.sleep(0)  # the first commit is being written
    commits.stage("submission", "[1, 1]", "4")
    await first
    await commits.done(1)
    assert db.call(inbox.conversation_states, name="submission") == {"[1, 1]": "4"}
    assert pending(db) == [2]


async def test_a_staged_step_waits_for_the_next_commit(db):
    commits = GroupCommit(db, lambda: NOW)
    commits.stage("submission", "[1, 1]", "2")
    await asyncio.sleep(0.05)
    assert db.call(inbox.conversation_states, name="submission") == {}
    await commits.flush()
    assert db.call(inbox.conversation_states, name="submission") == {"[1, 1]": "2"}


async def fails_once(monkeypatch, commit) -> None:
    """Await ``commit`` while every commit fails with "disk full"; later commits work."""
    finish = inbox.finish_updates

    def broken(session, **kwargs) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(inbox, "finish_updates", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        await commit
    monkeypatch.setattr(inbox, "finish_updates", finish)


async def test_a_failed_commit_fails_its_callers_and_the_next_one_is_written(db, monkeypatch):
    db.call_write(inbox.store_updates, updates=[(1, {}), (2, {})], now=NOW)
    commits = GroupCommit(db, lambda: NOW)
    await fails_once(monkeypatch, commits.done(1))
    await commits.done(2)
    assert pending(db) == [1]


async def test_the_steps_of_a_failed_commit_are_written_with_the_next_one(db, monkeypatch):
    db.call_write(inbox.store_updates, updates=[(1, {})], now=NOW)
    commits = GroupCommit(db, lambda: NOW)
    commits.stage("submission", "[1, 1]", "2")
    await fails_once(monkeypatch, commits.flush())
    await commits.done(1)
    assert db.call(inbox.conversation_states, name="submission") == {"[1, 1]": "2"}
    assert pending(db) == []


async def test_a_cancelled_caller_leaves_the_others_committed(db):
    db.call_write(inbox.store_updates, updates=[(1, {}), (2, {})], now=NOW)
    commits = GroupCommit(db, lambda: NOW)
    cancelled = asyncio.ensure_future(commits.done(1))
    kept = asyncio.ensure_future(commits.done(2))
    await asyncio.sleep(0)
    cancelled.cancel()
    await kept
    assert pending(db) == []


def commits_writing(engine) -> list[set[str]]:
    """A list that grows by one entry for each commit that marked updates done, stored
    conversation steps or changed a draft: which it did, ``{"done"}``, ``{"step"}``,
    ``{"draft"}`` or several."""
    written: list[set[str]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(connection, _cursor, statement, *_) -> None:
        kinds = connection.info.setdefault("writes", set())
        if statement.startswith("UPDATE inboxupdate SET") and "done_at" in statement:
            kinds.add("done")
        if "conversationstate" in statement and not statement.startswith("SELECT"):
            kinds.add("step")
        if " draft " in statement and not statement.startswith("SELECT"):
            kinds.add("draft")

    @event.listens_for(engine, "commit")
    def _committed(connection) -> None:
        kinds = connection.info.pop("writes", set())
        if kinds:
            written.append(kinds)

    return written


async def test_a_burst_of_updates_is_marked_done_in_fewer_commits(bot_factory, database_url):
    residents = [u.user(9_000 + index) for index in range(32)]
    async with bot_factory(make_settings(database_url)) as bot:
        written = commits_writing(bot.services.db.engine)
        await bot.deliver_all([u.text(who, "/ide") for who in residents])
        assert len(bot.request.of("sendMessage")) == 32
        assert bot.services.db.call(inbox.pending_updates) == []
    # one by one, 32 updates are 32 commits marking one update done each
    assert 0 < sum("done" in kinds for kinds in written) < 32


async def test_an_update_s_step_draft_and_done_mark_share_one_commit(bot_factory, database_url):
    resident = u.user(9_100)
    async with bot_factory(make_settings(database_url)) as bot:
        written = commits_writing(bot.services.db.engine)
        await bot.deliver(u.text(resident, "/ide"))
        await bot.deliver(u.text(resident, "Perbanyak tempat sampah terpilah di pasar Martapura."))
        assert bot.services.db.call(inbox.pending_updates) == []
        draft = bot.services.db.call(queries.get_draft, resident_id=resident["id"])
    assert written == [{"draft", "step", "done"}, {"draft", "step", "done"}]
    assert draft.text == "Perbanyak tempat sampah terpilah di pasar Martapura."
