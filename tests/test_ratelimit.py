"""TelegramLimits: even spacing per chat, small groups at fixed ticks overall, retries on 429, 5xx
and timeouts."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.runtime.ratelimit import OVERALL_GROUP, TelegramLimits, Ticks


class Sleeps:
    """Records requested sleeps and sleeps for real, scaled down."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)
        await asyncio.sleep(min(seconds, 0.01))


def sender(stamps: list[tuple[object, float]], failures: list[BaseException] | None = None):
    pending = list(failures or [])

    async def send(chat_id):
        if pending:
            raise pending.pop(0)
        stamps.append((chat_id, time.monotonic()))
        return {"ok": True}

    return send


async def call(limits: TelegramLimits, send, chat_id, endpoint="sendMessage"):
    return await limits.process_request(send, (chat_id,), {}, endpoint, {"chat_id": chat_id}, None)


def most_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t - start < window) for i, start in enumerate(times))


async def test_one_private_chat_is_spaced_evenly():
    limits = TelegramLimits(overall_per_second=1000, private_per_second=20, group_per_minute=60_000)
    stamps: list = []
    await asyncio.gather(*(call(limits, sender(stamps), 42) for _ in range(6)))
    times = [t for _, t in stamps]
    assert most_in_window(times, 0.05 * 0.9) == 1


async def test_one_group_is_spaced_by_its_per_minute_rate():
    limits = TelegramLimits(overall_per_second=1000, group_per_minute=1200)
    stamps: list = []
    await asyncio.gather(*(call(limits, sender(stamps), -100123) for _ in range(5)))
    assert most_in_window([t for _, t in stamps], 0.05 * 0.9) == 1


@pytest.mark.parametrize(
    "chat_id",
    [-1, -100123, -999_999_999_999, -1_001_234_567_890, "@inovasi_banjar"],
    ids=["smallest group", "ordinary group", "largest ordinary group", "supergroup", "channel"],
)
async def test_every_group_and_channel_is_paced_as_a_group_not_as_a_private_chat(chat_id):
    limits = TelegramLimits(overall_per_second=1000, private_per_second=1000, group_per_minute=1200)
    stamps: list = []
    await asyncio.gather(*(call(limits, sender(stamps), chat_id) for _ in range(4)))
    assert most_in_window([t for _, t in stamps], 0.05 * 0.9) == 1


def most_in(seconds: float, overall_per_second: float) -> int:
    """What the overall pace lets into a span of time: one group more than the average rate."""
    return int(OVERALL_GROUP + overall_per_second * seconds)


async def test_all_chats_together_stay_under_the_overall_rate_and_edits_do_not_count_there():
    # At four times the default pace, a quarter of a second stands for a second.
    limits = TelegramLimits(overall_per_second=88, private_per_second=1000)
    stamps: list = []
    started = time.monotonic()
    await asyncio.gather(*(call(limits, sender(stamps), chat) for chat in range(1, 61)))
    times = [t for _, t in stamps]
    assert most_in_window(times, 0.25) <= most_in(0.25, 88) == 27
    assert time.monotonic() - started >= (60 / OVERALL_GROUP - 1) * OVERALL_GROUP / 88
    edits: list = []
    started = time.monotonic()
    await asyncio.gather(
        *(call(limits, sender(edits), chat, "editMessageText") for chat in range(100, 130))
    )
    assert time.monotonic() - started < 0.15


async def test_a_429_pauses_every_send_then_retries_without_a_burst():
    limits = TelegramLimits(overall_per_second=88, private_per_second=1000)
    stamps: list = []
    refused_at: list[float] = []
    first = sender(stamps, [RetryAfter(timedelta(seconds=0.3))])

    async def first_send(chat_id):
        try:
            return await first(chat_id)
        except RetryAfter:
            refused_at.append(time.monotonic())
            raise

    others = [call(limits, sender(stamps), chat) for chat in range(2, 22)]
    results = await asyncio.gather(call(limits, first_send, 1), *others)
    assert all(result == {"ok": True} for result in results)
    [refused] = refused_at
    times = [t for _, t in stamps]
    assert not [t for t in times if refused < t < refused + 0.29]
    assert [chat for chat, _ in stamps].count(1) == 1
    assert most_in_window(times, 0.25) <= most_in(0.25, 88)


async def test_5xx_and_timeouts_are_retried_with_growing_back_off():
    sleeps = Sleeps()
    limits = TelegramLimits(
        overall_per_second=1000, private_per_second=1000, sleep=sleeps, backoff=0.5
    )
    stamps: list = []
    send = sender(
        stamps, [NetworkError("Bad Gateway"), TimedOut(), NetworkError("Service Unavailable")]
    )
    assert await call(limits, send, 7) == {"ok": True}
    assert sleeps.asked == [0.5, 1.0, 2.0]
    assert len(stamps) == 1


@pytest.mark.parametrize(
    "error", [Forbidden("Forbidden: bot was blocked by the user"), BadRequest("Chat not found")]
)
async def test_errors_that_a_retry_cannot_fix_are_raised_at_once(error):
    sleeps = Sleeps()
    limits = TelegramLimits(sleep=sleeps)
    with pytest.raises(type(error)):
        await call(limits, sender([], [error]), 7)
    assert sleeps.asked == []


async def test_it_gives_up_after_the_last_retry():
    limits = TelegramLimits(
        max_retries=2, sleep=Sleeps(), private_per_second=1000, overall_per_second=1000
    )
    with pytest.raises(NetworkError):
        await call(limits, sender([], [NetworkError("Bad Gateway")] * 3), 7)


async def test_answers_to_button_presses_are_not_throttled():
    limits = TelegramLimits(overall_per_second=1, private_per_second=1)
    stamps: list = []
    started = time.monotonic()
    for _ in range(2 * OVERALL_GROUP):  # more than one group of new messages
        await limits.process_request(
            sender(stamps), (1,), {}, "answerCallbackQuery", {"callback_query_id": "1"}, None
        )
    assert time.monotonic() - started < 0.2


@pytest.mark.parametrize(
    ("endpoint", "error"),
    [
        (
            "answerCallbackQuery",
            "Query is too old and response timeout expired or query id is invalid",
        ),
        (
            "editMessageText",
            "Message is not modified: specified new message content and reply markup are the same",
        ),
        ("editMessageReplyMarkup", "Message is not modified"),
    ],
)
async def test_repeats_of_what_already_took_effect_count_as_done(endpoint, error):
    limits = TelegramLimits(overall_per_second=1000, private_per_second=1000, sleep=Sleeps())
    assert await call(limits, sender([], [BadRequest(error)]), 7, endpoint) is True


async def test_other_refusals_of_a_press_or_edit_still_reach_the_caller():
    limits = TelegramLimits(overall_per_second=1000, private_per_second=1000, sleep=Sleeps())
    with pytest.raises(BadRequest):
        await call(
            limits, sender([], [BadRequest("Message to edit not found")]), 7, "editMessageText"
        )
    with pytest.raises(BadRequest):
        await call(limits, sender([], [BadRequest("Message is not modified")]), 7, "sendMessage")


async def test_the_overall_pace_lets_callers_go_in_groups_in_the_order_they_came():
    ticks = Ticks(3, 0.05)
    gone: list[tuple[int, float]] = []

    async def caller(number: int) -> None:
        await ticks.acquire()
        gone.append((number, time.monotonic()))

    await asyncio.gather(*(caller(number) for number in range(9)))

    assert [number for number, _ in gone] == list(range(9))
    starts = [gone[index][1] for index in (0, 3, 6)]
    assert all(gone[index][1] - starts[index // 3] < 0.02 for index in range(9))
    assert all(later - earlier >= 0.045 for earlier, later in itertools.pairwise(starts))


async def test_a_caller_cancelled_while_waiting_takes_no_place():
    ticks = Ticks(1, 0.2)
    await ticks.acquire()
    cancelled = asyncio.ensure_future(ticks.acquire())
    kept = asyncio.ensure_future(ticks.acquire())
    await asyncio.sleep(0)
    cancelled.cancel()
    started = time.monotonic()
    await kept
    assert time.monotonic() - started < 0.35  # the next tick, not the one after
