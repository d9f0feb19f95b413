"""Conversation steps and done marks ride on the next write, in order; a timed flush commits them
when nothing else writes; what a failed write carried goes with the next one."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from bot.runtime.groupcommit import GroupCommit
from storage import inbox, queries
from storage.engine import Database
from storage.models import Draft
from tests import updates as u
from tests.conftest import make_settings

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def pending(db: Database) -> list[int]:
    return [update_id for update_id, _ in db.call(inbox.pending_updates)]


def steps(db: Database) -> dict[str, str]:
    return db.call(inbox.conversation_states, name="submission")


async def test_steps_and_done_marks_wait_for_the_next_write_and_go_with_it(db):
    db.call_write(inbox.store_updates, updates=[(1, {}), (2, {})], now=NOW)
    commits = GroupCommit(db, lambda: NOW, flush_after=60)
    commits.stage("submission", "[1, 1]", "2")
    commits.done(1)
    assert (pending(db), steps(db)) == ([1, 2], {})

    await db.write(inbox.store_updates, updates=[(3, {})], now=NOW)  # the next batch, say

    assert (pending(db), steps(db)) == ([2, 3], {"[1, 1]": "2"})


async def test_with_nothing_else_writing_a_timed_flush_commits_them(db):
    db.call_write(inbox.store_updates, updates=[(1, {})], now=NOW)
    commits = GroupCommit(db, lambda: NOW, flush_after=0.05)
    commits.stage("submission", "[1, 1]", "2")
    commits.done(1)
    async with asyncio.timeout(5):
        # The writer forgets what it carried just after the commit, so wait for both.
        while pending(db) or db.has_staged():
            await asyncio.sleep(0.01)
    assert steps(db) == {"[1, 1]": "2"}


async def test_flush_commits_at_once_drafts_included(db):
    db.call_write(inbox.store_updates, updates=[(1, {})], now=NOW)
    commits = GroupCommit(db, lambda: NOW, flush_after=60)
    draft = Draft(resident_id=1, key="k", text="Bank sampah di setiap desa", updated_at=NOW)
    db.stage(("draft", 1), draft, queries.save_draft, draft=draft)
    commits.done(1)
    await commits.flush()
    assert pending(db) == []
    assert db.call(queries.get_draft, resident_id=1).text == "Bank sampah di setiap desa"


async def test_what_is_added_while_a_write_carries_the_rest_goes_with_the_next(db, monkeypatch):
    db.call_write(inbox.store_updates, updates=[(i, {}) for i in range(1, 4)], now=NOW)
    commits = GroupCommit(db, lambda: NOW, flush_after=60)
    finish, written, inside, release = (
        inbox.finish_updates,
        [],
        threading.Event(),
        threading.Event(),
    )

    def slow(session, **kwargs) -> None:
        written.append((list(kwargs["done"]), dict(kwargs["states"])))
        if len(written) == 1:
            inside.set()
            release.wait(5)
        finish(session, **kwargs)

    monkeypatch.setattr(inbox, "finish_updates", slow)
    commits.done(1)
    first = asyncio.ensure_future(commits.flush())
    async with asyncio.timeout(5):
        while not inside.is_set():
            await asyncio.sleep(0.01)
    commits.done(2)
    commits.stage("submission", "[7, 7]", "3")
    release.set()
    await first
    assert pending(db) == [2, 3]
    await commits.flush()

    assert written[0] == ([1], {})
    assert 2 in written[1][0] and written[1][1] == {("submission", "[7, 7]"): "3"}
    assert pending(db) == [3]
    assert steps(db) == {"[7, 7]": "3"}


async def test_what_a_failed_write_carried_goes_with_the_next_one(db, monkeypatch):
    db.call_write(inbox.store_updates, updates=[(1, {}), (2, {})], now=NOW)
    commits = GroupCommit(db, lambda: NOW, flush_after=60)
    commits.stage("submission", "[1, 1]", "2")
    commits.done(1)

    def full(_session, **_kwargs) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        await db.write(full)
    assert pending(db) == [1, 2]

    commits.done(2)
    await commits.flush()
    assert (pending(db), steps(db)) == ([], {"[1, 1]": "2"})


def commits_writing(engine) -> list[set[str]]:
    """A list that grows by one entry for each commit that stored fetched updates, marked
    updates done, stored conversation steps or changed a draft: which it did, ``{"stored"}``,
    ``{"done"}``, ``{"step"}``, ``{"draft"}`` or several."""
    written: list[set[str]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(connection, _cursor, statement, *_) -> None:
        kinds = connection.info.setdefault("writes", set())
        if statement.startswith("INSERT INTO inboxupdate"):
            kinds.add("stored")
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
    # the harness stores each update, then commits what its handling staged
    assert written == [{"stored"}, {"draft", "step", "done"}, {"stored"}, {"draft", "step", "done"}]
    assert draft.text == "Perbanyak tempat sampah terpilah di pasar Martapura."


async def test_one_by_one_the_next_batch_carries_what_the_last_update_left(
    bot_factory, database_url
):
    resident = u.user(9_200)
    async with bot_factory(make_settings(database_url)) as bot:
        written = commits_writing(bot.services.db.engine)
        for payload in (
            u.text(resident, "/ide"),
            u.text(resident, "Perbanyak tempat sampah terpilah di pasar Martapura."),
        ):
            for fresh in await bot.services.inbox.store([payload], bot.app.bot):
                processing = bot.app.process_update(fresh)
                await bot.app.update_processor.process_update(fresh, processing)
        await bot.app.persistence.flush()
        assert bot.services.db.call(inbox.pending_updates) == []
    assert written == [
        {"stored"},
        {"stored", "draft", "step", "done"},
        {"draft", "step", "done"},
    ]
