"""Telegram misbehaving, end to end: 429, 502 and hung connections on sendMessage and getUpdates.

Every reply still arrives exactly once, and the stand-in's timestamps show the bot never sends
faster than Telegram's limits (one message a second to a private chat, 30 a second in all).
"""

from __future__ import annotations

import asyncio
import itertools

import pytest

from tests.e2e import bot_environment, running_bot, standin
from tests.test_e2e import IDEA_ONE, answer_steps_after_text

pytestmark = pytest.mark.slow

DELIVERED = ("sendMessage", "editMessageText", "editMessageReplyMarkup")


def delivered_to(api, chat_id: int) -> list:
    return [
        call
        for call in api.calls
        if call.method in DELIVERED
        and call.status == 200
        and int(call.params.get("chat_id", 0)) == chat_id
    ]


def most_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(
        (sum(1 for t in times[i:] if t - start < window) for i, start in enumerate(times)),
        default=0,
    )


async def test_every_reply_arrives_once_through_429_502_and_hung_connections(tmp_path):
    async with standin() as api:
        api.fail_next("getUpdates", status=502, times=2)
        api.fail_next("getUpdates", status=502, hang=3)
        api.fail_next("sendMessage", status=429, retry_after=2)
        api.fail_next("sendMessage", status=502)
        api.fail_next("sendMessage", status=504, hang=6)
        api.fail_next("editMessageText", status=502, times=2)
        env = bot_environment(api, f"sqlite:///{tmp_path / 'faults.db'}")
        siti = api.user(511, first_name="Siti")
        async with running_bot(env, tmp_path) as bot:
            api.send_text(siti, "/ide")
            await api.wait_for_message(siti["id"], contains="Tuliskan ide", timeout=60)
            api.send_text(siti, IDEA_ONE)
            question = await api.wait_for_message(siti["id"], contains="kecamatan", timeout=30)
            assert "IDE-0001" in await answer_steps_after_text(api, siti, question)
            assert await bot.terminate() == 0

    texts = [call.params.get("text", "") for call in delivered_to(api, siti["id"])]
    for expected in ("Tuliskan ide", "Di kecamatan mana", "Periksa kembali", "IDE-0001"):
        assert sum(expected in text for text in texts) == 1, (expected, texts)
    refused = [call for call in api.calls if call.status in (429, 502, 504)]
    assert len(refused) >= 7
    arrivals = [call.at for call in delivered_to(api, siti["id"])]
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.9, gaps


async def test_a_crowd_is_answered_within_the_overall_limit(tmp_path):
    async with standin() as api:
        env = bot_environment(api, f"sqlite:///{tmp_path / 'crowd.db'}")
        crowd = [api.user(2000 + index) for index in range(75)]
        async with running_bot(env, tmp_path) as bot:
            for resident in crowd:
                api.send_text(resident, "/start")
            await asyncio.gather(
                *(
                    api.wait_for_message(r["id"], contains="Selamat datang", timeout=60)
                    for r in crowd
                )
            )
            assert await bot.terminate() == 0
    sends = [call.at for call in api.calls if call.method == "sendMessage" and call.status == 200]
    assert len(sends) == len(crowd)
    assert most_in_window(sends, 1.0) <= 30
