"""Concurrency: residents in parallel, each resident's steps in order; writers that wait."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.runtime import jobs
from bot.runtime.lifecycle import on_started
from storage import inbox
from storage.engine import Database, make_engine
from storage.migrate import upgrade
from storage.models import InboxUpdate, Submission
from tests import updates as u

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
KECAMATAN = ["martapura", "gambut", "aranio", "astambul", "pengaron", "paramasan"]


def conversation(who: dict, index: int) -> list[dict]:
    return [
        u.text(who, "/ide"),
        u.text(who, f"Usulan nomor {index}: bangun bank sampah di desa {who['first_name']}"),
        u.callback(who, f"ide:kec:{KECAMATAN[index % len(KECAMATAN)]}"),
        u.callback(who, "ide:pil:environment"),
        u.callback(who, "ide:name:public" if index % 2 else "ide:name:anon"),
        u.callback(who, "ide:pub:no"),
    ]


async def test_interleaved_residents_each_finish_with_their_own_data(bot):
    bot.request.latency = 0.01
    residents = [u.user(600 + i, first_name=f"Warga{i}") for i in range(6)]
    flows = [conversation(who, i) for i, who in enumerate(residents)]
    interleaved = [step for steps in zip(*flows, strict=True) for step in steps]
    await bot.deliver_all(interleaved)

    sends = {}
    for call in bot.request.calls:
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["callback_data"].startswith("ide:send:"):
                    sends[int(call.params["chat_id"])] = button["callback_data"]
    assert sorted(sends) == [who["id"] for who in residents]
    await bot.deliver_all([u.callback(who, sends[who["id"]]) for who in residents])

    with Session(bot.services.db.engine) as session:
        stored = {s.resident_id: s for s in session.exec(select(Submission)).all()}
        assert all(row.done_at is not None for row in session.exec(select(InboxUpdate)).all())
    assert sorted(stored) == [who["id"] for who in residents]
    for index, who in enumerate(residents):
        submission = stored[who["id"]]
        assert (
            submission.text
            == f"Usulan nomor {index}: bangun bank sampah di desa {who['first_name']}"
        )
        assert submission.kecamatan == KECAMATAN[index % len(KECAMATAN)]
        assert submission.anonymous is (index % 2 == 0)


def test_two_writers_and_a_reader_at_once_never_see_database_is_locked(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}")
    upgrade(engine)
    db = Database(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def writer(offset: int) -> None:
        start.wait()
        try:
            for index in range(150):
                update_id = offset + index
                db.call_write(inbox.store_updates, updates=[(update_id, {"n": index})], now=NOW)
                db.call_write(inbox.mark_updates_done, update_ids=[update_id], now=NOW)
        except BaseException as error:
            errors.append(error)

    def reader() -> None:
        start.wait()
        try:
            for _ in range(150):
                db.call(inbox.pending_updates)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=writer, args=(0,)),
        threading.Thread(target=writer, args=(10_000,)),
        threading.Thread(target=reader),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert errors == []
    assert db.call(inbox.last_update_id) == 10_149


async def test_the_inbox_prune_job_runs_on_schedule_and_keeps_recent_ids(bot, clock):
    await bot.deliver(u.text(u.user(650), "/start"))
    await on_started(bot.app)
    [job] = bot.app.job_queue.get_jobs_by_name(jobs.PRUNE_JOB)
    await job.run(bot.app)
    assert bot.services.db.call(inbox.last_update_id) is not None
    clock.now += timedelta(days=3)
    await job.run(bot.app)
    assert bot.services.db.call(inbox.last_update_id) is None


async def test_an_update_that_cannot_be_read_is_logged_and_skipped_not_retried(bot, caplog):
    unreadable = {"update_id": 900_001, "callback_query": {"id": "1"}}  # no chat_instance, no from
    good = [u.text(u.user(8_000 + index), "/start") for index in range(2)]
    with caplog.at_level(logging.ERROR):
        await bot.deliver_all([good[0], unreadable, good[1]])
    assert {int(call["chat_id"]) for call in bot.request.of("sendMessage")} == {8_000, 8_001}
    assert "update 900001 cannot be read; skipped" in caplog.text
    assert bot.services.db.call(inbox.pending_updates) == []
    assert await bot.services.inbox.pending(bot.app.bot) == []
