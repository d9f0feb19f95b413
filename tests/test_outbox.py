"""Notifications that matter go through the outbox: stored with the change, delivered after."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import Session, select
from telegram.error import ChatMigrated, NetworkError, RetryAfter, TimedOut

from bot.runtime import jobs
from bot.runtime.outbox import MAX_ATTEMPTS
from storage.models import OutboxMessage, Resident
from tests import updates as u
from tests.conftest import make_settings
from tests.desk import BUDI, JOHN, SITI, appoint, seed, submission


def outbox(bot) -> list[OutboxMessage]:
    with Session(bot.services.db.engine) as session:
        return session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()


async def test_a_change_and_its_message_are_stored_together_and_survive_a_crash(
    bot_factory, database_url, monkeypatch
):
    settings = make_settings(database_url)
    async with bot_factory(settings) as first:
        appoint(first, BUDI)
        idea = seed(first, JOHN)

        def crash_before_sending(bot) -> None:
            return None

        monkeypatch.setattr(first.services.outbox, "kick", crash_before_sending)
        await first.deliver(u.callback(BUDI, f"rev:take:{idea.id}:1"))
        assert submission(first, idea.id).status == "in_review"
        assert first.request.texts(JOHN["id"]) == []
        [queued] = outbox(first)
        assert queued.state == "pending" and "being reviewed" in queued.text
    monkeypatch.undo()

    async with bot_factory(settings) as second:
        jobs.schedule_housekeeping(second.app)
        [job] = second.app.job_queue.get_jobs_by_name(jobs.DELIVER_JOB)
        await job.run(second.app)
        await second.services.outbox.settle()
        assert "being reviewed" in second.request.last_text(JOHN["id"])
        assert [m.state for m in outbox(second)] == ["sent"]
        await job.run(second.app)
        await second.services.outbox.settle()
        assert len(second.request.texts(JOHN["id"])) == 1


async def test_a_blocked_resident_is_marked_unreachable_and_not_retried(bot):
    appoint(bot, BUDI)
    idea = seed(bot, SITI)
    bot.request.fail["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    await bot.deliver(u.callback(BUDI, f"rev:take:{idea.id}:1"))
    [message] = outbox(bot)
    assert (message.state, message.attempts) == ("unreachable", 1)
    with Session(bot.services.db.engine) as session:
        assert session.get(Resident, SITI["id"]).unreachable_at == bot.services.clock()
    del bot.request.fail["sendMessage"]
    assert await bot.services.outbox.deliver(bot.app.bot) == 0


async def test_a_message_telegram_refuses_outright_is_given_up_at_once(bot):
    appoint(bot, BUDI)
    idea = seed(bot, SITI)
    bot.request.fail["sendMessage"] = (400, "Bad Request: chat not found")
    await bot.deliver(u.callback(BUDI, f"rev:take:{idea.id}:1"))
    [message] = outbox(bot)
    assert (message.state, message.attempts) == ("failed", 1)


async def test_transient_failures_back_off_and_deliver_when_telegram_recovers(
    bot, clock, monkeypatch
):
    appoint(bot, BUDI)
    idea = seed(bot, SITI)
    real_send = bot.app.bot.send_message
    failures = {"left": MAX_ATTEMPTS - 1}

    async def flaky_send(*args, **kwargs):
        if failures["left"]:
            failures["left"] -= 1
            raise NetworkError("Bad Gateway")
        return await real_send(*args, **kwargs)

    monkeypatch.setattr(
        type(bot.app.bot), "send_message", lambda self, *a, **k: flaky_send(*a, **k)
    )
    await bot.deliver(u.callback(BUDI, f"rev:take:{idea.id}:1"))
    waits = []
    for _ in range(MAX_ATTEMPTS - 2):
        [message] = outbox(bot)
        waits.append(message.due_at - clock.now)
        assert await bot.services.outbox.deliver(bot.app.bot) == 0
        clock.now = message.due_at
        await bot.services.outbox.deliver(bot.app.bot)
    assert waits == sorted(waits) and waits[0] == timedelta(seconds=30)
    clock.now = outbox(bot)[0].due_at
    assert await bot.services.outbox.deliver(bot.app.bot) == 1
    assert outbox(bot)[0].state == "sent"


async def test_a_message_waits_out_an_outage_of_hours_and_goes_when_telegram_answers(
    bot, clock, monkeypatch
):
    appoint(bot, BUDI)
    idea = seed(bot, SITI)
    real_send = bot.app.bot.send_message
    outage = [TimedOut(), NetworkError("Bad Gateway"), RetryAfter(60)] * MAX_ATTEMPTS

    async def send_once_telegram_answers(*args, **kwargs):
        if outage:
            raise outage.pop()
        return await real_send(*args, **kwargs)

    monkeypatch.setattr(
        type(bot.app.bot), "send_message", lambda self, *a, **k: send_once_telegram_answers(*a, **k)
    )
    await bot.deliver(u.callback(BUDI, f"rev:take:{idea.id}:1"))
    began = clock.now
    while outage:
        [message] = outbox(bot)
        assert message.state == "pending"
        assert message.due_at - clock.now <= timedelta(minutes=30)
        clock.now = message.due_at
        await bot.services.outbox.deliver(bot.app.bot)
    assert clock.now - began > timedelta(hours=8)
    clock.now = outbox(bot)[0].due_at
    assert await bot.services.outbox.deliver(bot.app.bot) == 1
    assert outbox(bot)[0].state == "sent"
    assert "ditinjau" in bot.request.last_text(SITI["id"])


async def test_a_message_telegram_keeps_refusing_is_given_up_after_the_last_attempt(
    bot, clock, monkeypatch
):
    appoint(bot, BUDI)
    idea = seed(bot, SITI)

    async def refused(*args, **kwargs):
        raise ChatMigrated(-100123)

    monkeypatch.setattr(type(bot.app.bot), "send_message", lambda self, *a, **k: refused())
    await bot.deliver(u.callback(BUDI, f"rev:take:{idea.id}:1"))
    for _ in range(MAX_ATTEMPTS - 1):
        clock.now = outbox(bot)[0].due_at
        await bot.services.outbox.deliver(bot.app.bot)
    [message] = outbox(bot)
    assert (message.state, message.attempts) == ("failed", MAX_ATTEMPTS)


async def test_erasure_removes_the_residents_outbox_messages(bot):
    appoint(bot, BUDI)
    idea = seed(bot, SITI)
    await bot.deliver(u.callback(BUDI, f"rev:take:{idea.id}:1"))
    assert outbox(bot)
    await bot.services.residents.erase(SITI["id"])
    assert outbox(bot) == []


async def test_two_runs_at_once_send_a_chats_messages_once_and_in_order(bot):
    """The 5-second job and a handler's kick may overlap: one run per chat at a time."""
    bot.request.latency = 0.02
    texts = [f"Pesan {n}" for n in range(3)]
    for text in texts:
        await bot.services.outbox.queue_text([SITI["id"]], text)
    sent = await asyncio.gather(
        bot.services.outbox.deliver(bot.app.bot), bot.services.outbox.deliver(bot.app.bot)
    )
    assert sorted(sent) == [0, 3]
    assert bot.request.texts(SITI["id"]) == texts


async def test_a_kick_that_names_its_chats_delivers_those_and_leaves_the_rest_to_the_job(bot):
    """The Send step names the team's group it queued for, which spares looking for due chats;
    another chat's due message waits for the next full look (the 5-second job)."""
    await bot.services.outbox.queue_text([SITI["id"]], "Untuk Siti")
    await bot.services.outbox.queue_text([JOHN["id"]], "Untuk John")
    bot.services.outbox.kick(bot.app.bot, [SITI["id"]])
    await bot.services.outbox.settle()
    assert bot.request.texts(SITI["id"]) == ["Untuk Siti"]
    assert bot.request.texts(JOHN["id"]) == []
    bot.services.outbox.kick(bot.app.bot)
    await bot.services.outbox.settle()
    assert bot.request.texts(JOHN["id"]) == ["Untuk John"]


async def test_a_kick_for_a_chat_being_delivered_makes_that_run_look_again(bot):
    bot.request.latency = 0.05
    await bot.services.outbox.queue_text([SITI["id"]], "Pesan 1")
    bot.services.outbox.kick(bot.app.bot, [SITI["id"]])
    await asyncio.sleep(0.02)  # the run is sending the first message
    await bot.services.outbox.queue_text([SITI["id"]], "Pesan 2")
    bot.services.outbox.kick(bot.app.bot, [SITI["id"]])
    await bot.services.outbox.settle()
    assert bot.request.texts(SITI["id"]) == ["Pesan 1", "Pesan 2"]
