"""A burst of 200 submissions from 20 residents, the bot SIGKILLed in the middle and restarted:
every tracking code a resident received is in their /ideaku, and nothing is stored twice."""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
import time

import pytest

from tests.e2e import bot_environment, running_bot, standin

pytestmark = pytest.mark.slow

RESIDENTS = 20
IDEAS_EACH = 10
# Two messages per idea (/ide and the text); the flood limit is 20 messages a minute per person.
MESSAGE_GAP = 3.2
CODE = re.compile(r"IDE-\d{4}")


def idea_text(resident_id: int, number: int) -> str:
    return f"Usulan {number} dari warga {resident_id}: sediakan bank sampah dan perbaiki drainase"


async def submit(api, who: dict, number: int, last_message: list[float]) -> str:
    """One full /ide submission, answered as a person on a phone would; returns the code.

    Each step notes where the stand-in's record stands before acting, then waits for the reply
    after that point (other residents act at the same time).
    """
    chat = who["id"]

    async def say(text: str, reply: str) -> dict:
        wait = last_message[0] + MESSAGE_GAP - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        last_message[0] = time.monotonic()
        mark = len(api.calls)
        api.send_text(who, text)
        return await api.wait_for_message(chat, after=mark, contains=reply, timeout=120)

    async def press(message: dict, prefix: str, reply: str | None) -> dict:
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        data = next(
            b["callback_data"] for row in rows for b in row if b["callback_data"].startswith(prefix)
        )
        mark = len(api.calls)
        api.press_button(who, message, data)
        return await api.wait_for_message(chat, after=mark, contains=reply, timeout=120)

    await say("/ide", "Tuliskan ide")
    question = await say(idea_text(chat, number), "Di kecamatan mana")
    pillar = await press(question, "ide:kec:gambut", "Setuju, atau pilih")
    name = await press(pillar, "ide:pil:environment", "Bolehkah nama")
    summary = await press(name, "ide:name:anon", None)
    if "kepada publik" in summary["text"]:  # asked on the resident's first idea only
        summary = await press(summary, "ide:pub:no", "Periksa kembali")
    received = await press(summary, "ide:send:", "Terima kasih")
    return CODE.search(received["text"]).group(0)


async def test_a_kill_in_the_middle_of_a_burst_loses_no_acknowledged_submission(tmp_path):
    seed = random.randrange(1_000_000)
    print(f"burst kill seed: {seed}")
    rng = random.Random(seed)
    database = tmp_path / "burst.db"
    async with standin() as api:
        env = bot_environment(api, f"sqlite:///{database}", MAX_SUBMISSIONS_PER_DAY="20")
        residents = [
            api.user(30_000 + index, first_name=f"Warga{index}") for index in range(RESIDENTS)
        ]
        received: dict[int, list[str]] = {who["id"]: [] for who in residents}

        async def resident(who: dict) -> None:
            last_message = [0.0]
            for number in range(IDEAS_EACH):
                received[who["id"]].append(await submit(api, who, number, last_message))

        async with running_bot(env, tmp_path) as first:
            crowd = asyncio.gather(*(resident(who) for who in residents))
            await asyncio.sleep(rng.uniform(20, 40))
            await first.kill()
            async with running_bot(env, tmp_path) as second:
                await crowd
                mark = len(api.calls)
                for who in residents:
                    api.send_text(who, "/ideaku")
                listings = await asyncio.gather(
                    *(
                        api.wait_for_message(w["id"], after=mark, contains="Ide Anda", timeout=120)
                        for w in residents
                    )
                )
                assert await second.terminate() == 0

    stored = (
        sqlite3.connect(database)
        .execute("SELECT resident_id, code, text FROM submission")
        .fetchall()
    )
    assert len(stored) == RESIDENTS * IDEAS_EACH
    assert len({code for _, code, _ in stored}) == len(stored)
    assert len({(resident_id, text) for resident_id, _, text in stored}) == len(stored), (
        "stored twice"
    )
    by_resident = {
        who["id"]: {code for rid, code, _ in stored if rid == who["id"]} for who in residents
    }
    for who, listing in zip(residents, listings, strict=True):
        codes = received[who["id"]]
        assert len(codes) == IDEAS_EACH and set(codes) == by_resident[who["id"]]
        assert f"({IDEAS_EACH})" in listing["text"], "the /ideaku header counts every idea"
        assert codes[-1] in listing["text"]
