"""The digest's period follows ``DIGEST_SCHEDULE``: from the schedule's previous run to this one,
once per period and chat, caught up after downtime, never of days before the database was set up,
and an installation's earlier, calendar-week records still count. The clock is injected."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from bot.domain.digest.text import Period
from bot.runtime import jobs
from bot.runtime.jobs import DIGEST_CATCH_UP_JOB, DIGEST_JOB
from storage import digests as store
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.models import DeliveryState, DigestDelivery
from tests import updates as u
from tests.conftest import ADMIN_ID, make_settings
from tests.digest_data import Writer, wita

GROUP = -100500


def sends(bot, method: str = "sendMessage") -> list[dict]:
    return [p for p in bot.request.of(method) if int(p["chat_id"]) == GROUP]


def scheduled(application) -> dict:
    application.job_queue.scheduler.pause()
    jobs.schedule_digest(application)
    return {job.name: job for job in application.job_queue.jobs()}


def running_since(bot, moment) -> None:
    """Seed one resident and idea at ``moment``: the installation existed then."""
    with Session(bot.services.db.engine) as session:
        writer = Writer(session)
        writer.resident(700, "Ani", consent=False)
        writer.idea("living", moment)
        session.commit()


def seed(bot, *moments) -> None:
    with Session(bot.services.db.engine) as session:
        writer = Writer(session)
        writer.number = 100
        for moment in moments:
            writer.idea("economy", moment, kecamatan="gambut")
        session.commit()


def legacy_record(start, end, *, sent) -> DigestDelivery:
    """A digest sent when periods were calendar weeks, midnight to midnight."""
    return DigestDelivery(
        period_start=start,
        period_end=end,
        chat_id=GROUP,
        state=DeliveryState.SENT,
        message_ids="[11, 12, 13]",
        sent_at=sent,
        updated_at=sent,
    )


@pytest.fixture
def harness(bot_factory, database_url, clock):
    """``async with harness(schedule) as bot`` on a bot that has run since 1 November."""

    def make(schedule: str = "0 8 * * mon"):
        settings = make_settings(database_url, DIGEST_CHAT_IDS=str(GROUP), DIGEST_SCHEDULE=schedule)
        return bot_factory(settings)

    return make


async def test_a_weekly_schedule_covers_monday_eight_to_monday_eight(harness, clock):
    clock.now = wita(7, 8, 5, month=12)
    async with harness() as bot:
        period = bot.services.digest_builder.due_period()
        assert period == Period(
            wita(30, 8), wita(7, 8, month=12), previous_start=wita(23, 8), previous_end=wita(30, 8)
        )
        running_since(bot, wita(1))
        seed(bot, wita(30, 7, 59), wita(30, 8), wita(7, 7, 59, month=12), wita(7, 8, month=12))
        await bot.services.digests.deliver_due(bot.app.bot)
        [message] = sends(bot)
        assert "30 Nov 2026 08:00 WITA – 7 Des 2026 08:00 WITA" in message["text"]
        assert "Ide baru: 2" in message["text"]  # 30 Nov 08:00 and 7 Dec 07:59


async def test_a_friday_schedule_runs_friday_to_friday(harness, clock):
    clock.now = wita(4, 8, 30, month=12)
    async with harness("0 8 * * fri") as bot:
        period = bot.services.digest_builder.due_period()
        assert (period.start, period.end) == (wita(27, 8), wita(4, 8, month=12))
        assert (period.previous_start, period.previous_end) == (wita(20, 8), wita(27, 8))


async def test_a_daily_schedule_sends_each_day_once_compared_with_the_day_before(harness, clock):
    clock.now = wita(1, 8, 0, month=12)
    async with harness("0 8 * * *") as bot:
        running_since(bot, wita(1))
        seed(bot, wita(29, 9), wita(30, 9), wita(30, 10), wita(1, 7, month=12))
        daily = scheduled(bot.app)[DIGEST_JOB]
        await daily.run(bot.app)
        [first] = sends(bot)
        assert "30 Nov 2026 08:00 WITA – 1 Des 2026 08:00 WITA" in first["text"]
        assert "Ide baru: 3" in first["text"]
        figures = (
            await bot.services.digest_builder.build(
                bot.services.digest_builder.due_period(), "id", files=False
            )
        ).figures
        assert (figures.new_total, figures.previous_total) == (3, 1)

        await daily.run(bot.app)
        clock.now = wita(1, 20, month=12)
        await scheduled(bot.app)[DIGEST_CATCH_UP_JOB].run(bot.app)
        assert len(sends(bot)) == 1

        clock.now = wita(2, 8, 0, month=12)
        await daily.run(bot.app)
        assert len(sends(bot)) == 2
        assert "1 Des 2026 08:00 WITA – 2 Des 2026 08:00 WITA" in sends(bot)[1]["text"]


async def test_ringkasan_shows_the_schedule_s_period_so_far(harness, clock):
    clock.now = wita(1, 14, month=12)  # a daily schedule ran at 08:00 today
    async with harness("0 8 * * *") as bot:
        running_since(bot, wita(1))
        seed(bot, wita(30, 10), wita(30, 15), wita(1, 7, 59, month=12), wita(1, 9, month=12))
        await bot.deliver(u.text(u.user(ADMIN_ID), "/ringkasan"))
        [text] = bot.request.texts(ADMIN_ID)
        assert "Ringkasan periode ini sejauh ini" in text
        assert "1 Des 2026 08:00 WITA – 1 Des 2026 14:00 WITA" in text
        # today 09:00 only, against yesterday 08:00-14:00 (10:00 counts, 15:00 does not)
        assert "Ide baru: 1</b> (periode sebelumnya 1;" in text


async def test_after_a_restart_the_period_is_not_sent_again(harness, bot_factory, clock):
    clock.now = wita(4, 8, 1, month=12)
    async with harness("0 8 * * fri") as bot:
        running_since(bot, wita(1))
        await scheduled(bot.app)[DIGEST_JOB].run(bot.app)
        assert len(sends(bot)) == 1
    clock.now += timedelta(minutes=2)
    async with harness("0 8 * * fri") as restarted:
        await scheduled(restarted.app)[DIGEST_CATCH_UP_JOB].run(restarted.app)
        assert sends(restarted) == []


async def test_catch_up_sends_the_latest_period_that_ended_while_the_bot_was_down(harness, clock):
    clock.now = wita(3, 11, month=12)  # down from 1 December 07:00 until now, over two runs
    async with harness("0 8 * * *") as bot:
        running_since(bot, wita(1))
        seed(bot, wita(1, 9, month=12), wita(2, 9, month=12), wita(2, 10, month=12))
        await scheduled(bot.app)[DIGEST_CATCH_UP_JOB].run(bot.app)
        [message] = sends(bot)
        assert "2 Des 2026 08:00 WITA – 3 Des 2026 08:00 WITA" in message["text"]
        assert "Ide baru: 2" in message["text"]
        records = await bot.services.db.read(store.deliveries, period_start=wita(2, 8, month=12))
        assert [r.state for r in records] == [DeliveryState.SENT]


async def test_a_fresh_database_sends_no_digest_of_days_it_never_saw(harness, clock):
    clock.now = wita(2, 15, month=12)  # Wednesday: first start
    async with harness() as bot:
        outcome = await bot.services.digests.deliver_due(bot.app.bot)
        assert outcome.period.end == wita(30, 8) and outcome.sent == ()
        assert sends(bot) == []
        assert await bot.services.db.read(store.deliveries, period_start=wita(23, 8)) == []
    clock.now = wita(5, 9, month=12)  # a restart later in the week does not move the moment
    async with harness() as bot:
        await scheduled(bot.app)[DIGEST_CATCH_UP_JOB].run(bot.app)
        assert sends(bot) == []
        assert await bot.services.db.write(store.set_up_at, now=clock.now) == wita(2, 15, month=12)
    clock.now = wita(7, 8, 1, month=12)  # the first period that ended after set-up is sent
    async with harness() as bot:
        await scheduled(bot.app)[DIGEST_JOB].run(bot.app)
        [message] = sends(bot)
        assert "30 Nov 2026 08:00 WITA – 7 Des 2026 08:00 WITA" in message["text"]


async def test_calendar_week_records_of_an_existing_installation_stay_valid(harness, clock):
    """Before periods followed the schedule, the digest of 23–30 November (00:00 to 00:00) went
    out on Monday 30 November at 08:00; after the upgrade that week is not sent again, the
    record is still read, and the next period goes out as usual."""
    clock.now = wita(2, 10, month=12)
    async with harness() as bot:
        with Session(bot.services.db.engine) as session:
            session.add(legacy_record(wita(23, 0), wita(30, 0), sent=wita(30, 8)))
            session.commit()
        outcome = await bot.services.digests.deliver_due(bot.app.bot)
        assert outcome.period.start == wita(23, 8) and outcome.sent == ()
        assert sends(bot) == []
        [old] = await bot.services.db.read(store.deliveries, period_start=wita(23, 0))
        assert (old.state, old.message_ids) == (DeliveryState.SENT, (11, 12, 13))

        clock.now = wita(7, 8, 1, month=12)
        await scheduled(bot.app)[DIGEST_JOB].run(bot.app)
        assert len(sends(bot)) == 1


def test_the_migration_keeps_sent_records_and_the_bot_dates_itself_from_the_oldest_data(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0005_outbox_cards")
    with Session(engine) as session:
        session.add(legacy_record(wita(16, 0), wita(23, 0), sent=wita(23, 8)))
        session.commit()
    upgrade(engine)
    with Session(engine) as session:
        [record] = store.deliveries(session, period_start=wita(16, 0))
        assert record.state is DeliveryState.SENT and record.message_ids == (11, 12, 13)
        assert store.set_up_at(session, now=wita(3, 12, month=12)) == wita(23, 8)
        session.commit()
    engine.dispose()
