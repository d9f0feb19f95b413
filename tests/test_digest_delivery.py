"""The weekly digest's delivery: the schedule, exactly once per period and chat, catch-up after
downtime, restarts, concurrent runs, retries and failing chats. The clock and the back-off sleep
are injected; nothing here waits."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest

from bot.domain.digest.text import Period
from bot.runtime import jobs
from bot.runtime.digest_delivery import LEASE, MAX_ATTEMPTS
from bot.runtime.jobs import DIGEST_CATCH_UP_JOB as CATCH_UP_JOB_NAME
from bot.runtime.jobs import DIGEST_JOB as JOB_NAME
from bot.runtime.ratelimit import TelegramLimits
from storage import digests as store
from storage.models import DeliveryState
from tests.conftest import ADMIN_ID, make_settings
from tests.digest_data import NOW, WITA, seed_week, wita

GROUP, OTHER_GROUP, NEW_GROUP = -100500, -100600, -100700
PERIOD = Period(wita(23, 8), wita(30, 8), wita(16, 8), wita(23, 8))  # Monday 08:00 to 08:00


class Sleeps(list):
    """Records each back-off instead of waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def settings(database_url):
    return make_settings(database_url, DIGEST_CHAT_IDS=f"{GROUP},{OTHER_GROUP}")


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def bot(bot_factory, settings, sleeps, clock):
    clock.now = NOW
    async with bot_factory(settings, sleep=sleeps) as harness:
        seed_week(harness.services.db.engine)
        yield harness


def sends(bot, chat_id: int, method: str = "sendMessage") -> list[dict]:
    return [params for params in bot.request.of(method) if int(params["chat_id"]) == chat_id]


async def records(bot) -> dict[int, store.DeliveryRecord]:
    found = await bot.services.db.read(store.deliveries, period_start=PERIOD.start)
    return {record.chat_id: record for record in found}


def scheduled(application) -> dict:
    """Schedule the digest jobs with the scheduler held, so only the test runs them."""
    application.job_queue.scheduler.pause()
    jobs.schedule_digest(application)
    return {job.name: job for job in application.job_queue.jobs()}


async def test_the_schedule_fires_on_monday_at_eight_wita(bot):
    jobs = scheduled(bot.app)
    weekly = jobs[JOB_NAME].job
    friday = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
    assert weekly.trigger.get_next_fire_time(None, friday) == datetime(
        2026, 11, 30, 0, 0, tzinfo=UTC
    )
    assert weekly.misfire_grace_time == 3600 and weekly.coalesce is True
    assert CATCH_UP_JOB_NAME in jobs


async def test_another_schedule_fires_at_its_own_wita_moment(bot_factory, database_url):
    settings = make_settings(database_url, DIGEST_SCHEDULE="30 17 * * fri")
    async with bot_factory(settings) as other:
        weekly = scheduled(other.app)[JOB_NAME].job
        monday = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
        expected = datetime(2026, 11, 27, 17, 30, tzinfo=WITA)
        assert weekly.trigger.get_next_fire_time(None, monday) == expected


async def test_the_due_digest_goes_to_each_chat_once_with_its_chart_and_workbook(bot):
    outcome = await bot.services.digests.deliver_due(bot.app.bot)
    assert sorted(outcome.sent) == [OTHER_GROUP, GROUP] and not outcome.failed
    for chat_id in (GROUP, OTHER_GROUP):
        [text] = sends(bot, chat_id)
        assert "Ide baru: 10" in text["text"] and text["parse_mode"] == "HTML"
        assert len(sends(bot, chat_id, "sendPhoto")) == 1
        assert len(sends(bot, chat_id, "sendDocument")) == 1
    found = await records(bot)
    assert {record.state for record in found.values()} == {DeliveryState.SENT}
    assert all(len(record.message_ids) == 3 and record.sent_at == NOW for record in found.values())

    calls = len(bot.request.calls)
    again = await bot.services.digests.deliver_due(bot.app.bot)
    assert again.sent == () and len(bot.request.calls) == calls


async def test_catch_up_after_downtime_sends_the_missed_week_once(bot, clock):
    clock.now = wita(1, 10, month=12)  # Tuesday: the bot was down on Monday at 08:00
    catch_up = scheduled(bot.app)[CATCH_UP_JOB_NAME]
    await catch_up.run(bot.app)
    assert len(sends(bot, GROUP)) == len(sends(bot, OTHER_GROUP)) == 1
    assert "23 Nov 2026 08:00 WITA – 30 Nov 2026 08:00 WITA" in sends(bot, GROUP)[0]["text"]
    await catch_up.run(bot.app)
    clock.now += timedelta(hours=3)
    await scheduled(bot.app)[JOB_NAME].run(bot.app)
    assert len(sends(bot, GROUP)) == len(sends(bot, OTHER_GROUP)) == 1


async def test_a_restart_right_after_sending_does_not_send_again(bot, bot_factory, settings, clock):
    await scheduled(bot.app)[JOB_NAME].run(bot.app)
    assert len(sends(bot, GROUP)) == 1
    clock.now += timedelta(seconds=5)
    async with bot_factory(settings) as restarted:
        await scheduled(restarted.app)[CATCH_UP_JOB_NAME].run(restarted.app)
        assert restarted.request.of("sendMessage") == []


async def test_two_triggers_at_once_send_once(bot):
    digests = bot.services.digests
    first, second = await asyncio.gather(
        digests.deliver_due(bot.app.bot), digests.deliver_due(bot.app.bot)
    )
    assert sorted(first.sent + second.sent) == [OTHER_GROUP, GROUP]
    assert len(sends(bot, GROUP)) == len(sends(bot, OTHER_GROUP)) == 1


async def test_two_processes_at_once_send_once(bot, bot_factory, settings):
    async with bot_factory(settings) as twin:
        await asyncio.gather(
            bot.services.digests.deliver_due(bot.app.bot),
            twin.services.digests.deliver_due(twin.app.bot),
        )
        for chat_id in (GROUP, OTHER_GROUP):
            assert len(sends(bot, chat_id)) + len(sends(twin, chat_id)) == 1


async def test_a_failing_chat_is_retried_then_failed_while_the_other_gets_it(bot, sleeps):
    forbidden = {"error_code": 403, "description": "Forbidden: bot was kicked from the group chat"}
    bot.request.fail_chat = lambda method, chat_id: forbidden if chat_id == OTHER_GROUP else None
    outcome = await bot.services.digests.deliver_due(bot.app.bot)

    assert outcome.sent == (GROUP,)
    [failure] = outcome.failed
    assert (failure.chat_id, failure.attempts) == (OTHER_GROUP, MAX_ATTEMPTS)
    assert len(sends(bot, OTHER_GROUP)) == MAX_ATTEMPTS
    assert sleeps == [5.0, 10.0, 20.0]
    found = await records(bot)
    assert found[GROUP].state is DeliveryState.SENT
    assert found[OTHER_GROUP].state is DeliveryState.FAILED
    assert found[OTHER_GROUP].attempts == MAX_ATTEMPTS
    assert "kicked" in found[OTHER_GROUP].last_error
    alert = bot.request.last_text(ADMIN_ID)
    assert "tidak terkirim" in alert and str(OTHER_GROUP) in alert and "kicked" in alert

    bot.request.clear()
    assert (await bot.services.digests.deliver_due(bot.app.bot)).failed == ()
    assert bot.request.calls == []


async def test_a_failed_chat_is_tried_again_only_when_asked(bot):
    missing = {"error_code": 400, "description": "Bad Request: chat not found"}
    bot.request.fail_chat = lambda method, chat_id: missing if chat_id == OTHER_GROUP else None
    await bot.services.digests.deliver_due(bot.app.bot)
    bot.request.fail_chat = None
    bot.request.clear()
    outcome = await bot.services.digests.deliver_due(bot.app.bot, retry_failed=True)
    assert outcome.sent == (OTHER_GROUP,)
    assert sends(bot, GROUP) == [] and len(sends(bot, OTHER_GROUP)) == 1
    assert (await records(bot))[OTHER_GROUP].state is DeliveryState.SENT


async def test_a_group_added_later_gets_the_digest_and_the_failed_one_is_left_alone(
    bot, bot_factory, database_url, sleeps
):
    missing = {"error_code": 400, "description": "Bad Request: chat not found"}
    bot.request.fail_chat = lambda method, chat_id: missing if chat_id == OTHER_GROUP else None
    await bot.services.digests.deliver_due(bot.app.bot)
    wider = make_settings(database_url, DIGEST_CHAT_IDS=f"{GROUP},{OTHER_GROUP},{NEW_GROUP}")
    async with bot_factory(wider, sleep=sleeps) as restarted:
        outcome = await restarted.services.digests.deliver_due(restarted.app.bot)
        assert (outcome.sent, outcome.failed) == ((NEW_GROUP,), ())
        assert sends(restarted, GROUP) == sends(restarted, OTHER_GROUP) == []
        assert (await records(restarted))[OTHER_GROUP].state is DeliveryState.FAILED


async def test_too_many_requests_waits_as_long_as_telegram_asks(
    bot_factory, settings, sleeps, clock
):
    clock.now = NOW
    limits = TelegramLimits(
        overall_per_second=1e6, private_per_second=1e6, group_per_minute=1e8, max_retries=0
    )
    async with bot_factory(settings, sleep=sleeps, rate_limiter=lambda: limits) as harness:
        seed_week(harness.services.db.engine)
        refusals = iter(range(2))
        slow = {
            "error_code": 429,
            "description": "Too Many Requests",
            "parameters": {"retry_after": 7},
        }

        def fail(method: str, chat_id: int) -> dict | None:
            if chat_id == GROUP and method == "sendMessage" and next(refusals, None) is not None:
                return slow
            return None

        harness.request.fail_chat = fail
        outcome = await harness.services.digests.deliver_due(harness.app.bot)
        assert sorted(outcome.sent) == [OTHER_GROUP, GROUP]
        assert sleeps == [7.0, 7.0]
        assert (await records(harness))[GROUP].attempts == 2


async def test_a_sender_that_died_is_followed_from_the_next_part(bot, clock):
    db = bot.services.db
    died = NOW - timedelta(hours=1)
    await db.write(
        store.claim,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        chat_ids=[GROUP],
        token="dead",
        now=died,
        lease_until=died + LEASE,
        retry_failed=False,
    )
    await db.write(
        store.record_part,
        period_start=PERIOD.start,
        chat_id=GROUP,
        token="dead",
        message_ids=[41],
        now=died,
        lease_until=died + LEASE,
    )
    await bot.services.digests.deliver_due(bot.app.bot)
    assert sends(bot, GROUP) == []
    assert len(sends(bot, GROUP, "sendPhoto")) == len(sends(bot, GROUP, "sendDocument")) == 1
    found = (await records(bot))[GROUP]
    assert found.state is DeliveryState.SENT and found.message_ids[0] == 41


async def test_a_sender_still_holding_its_lease_is_left_alone(bot):
    db = bot.services.db
    await db.write(
        store.claim,
        period_start=PERIOD.start,
        period_end=PERIOD.end,
        chat_ids=[GROUP],
        token="busy",
        now=NOW,
        lease_until=NOW + LEASE,
        retry_failed=False,
    )
    outcome = await bot.services.digests.deliver_due(bot.app.bot)
    assert outcome.sent == (OTHER_GROUP,)
    assert sends(bot, GROUP) == []


async def test_a_quiet_week_sends_only_its_short_text(bot_factory, settings, clock):
    clock.now = NOW
    async with bot_factory(settings) as empty:
        await empty.services.db.write(store.set_up_at, now=wita(1))  # running since 1 November
        await empty.services.digests.deliver_due(empty.app.bot)
        [text] = sends(empty, GROUP)
        assert "Periode yang tenang" in text["text"]
        assert sends(empty, GROUP, "sendPhoto") == sends(empty, GROUP, "sendDocument") == []


async def test_the_workbook_lists_the_week_and_names_only_who_agreed(bot):
    digest = await bot.services.digest_builder.build(PERIOD, "id")
    assert digest.chart.startswith(b"\x89PNG")
    sheet = openpyxl.load_workbook(io.BytesIO(digest.workbook)).active
    rows = [tuple(cell or "" for cell in row) for row in sheet.values]
    assert rows[0] == (
        "Kode",
        "Diterima (WITA)",
        "Pilar",
        "Kecamatan",
        "Status",
        "Isi ide",
        "Nama (bila bersedia disebut)",
    )
    assert [row[0] for row in rows[1:]] == [f"IDE-{n:04d}" for n in range(6, 16)]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["IDE-0006"][1:5] == (
        "2026-11-23 09:00",
        "Smart Environment",
        "Martapura",
        "Diterima",
    )
    assert (
        by_code["IDE-0008"][5].startswith("Taman <b>baca</b> &")
        and by_code["IDE-0008"][6] == "Siti"
    )
    assert by_code["IDE-0009"][6] == ""  # named, but without the recorded consent
    assert not any("501" in str(cell) or "user50" in str(cell) for row in rows for cell in row)
