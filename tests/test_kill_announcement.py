"""The team's announcement of an idea whose send was in flight when the bot was SIGKILLed is
delivered after the restart, once: it was committed with the idea, not held in memory."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.e2e import bot_environment, running_bot, standin

pytestmark = pytest.mark.slow

TEAM = -100_555
CODE = re.compile(r"IDE-\d{4}")


def button(message: dict, prefix: str) -> str:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return next(
        b["callback_data"] for row in rows for b in row if b["callback_data"].startswith(prefix)
    )


async def test_an_announcement_in_flight_at_a_kill_is_sent_after_the_restart_once(tmp_path):
    database = tmp_path / "kill.db"
    async with standin() as api:
        team = api.group_chat(TEAM, "Tim E-Gov")
        env = bot_environment(
            api, f"sqlite:///{database}", DIGEST_CHAT_IDS=str(team["id"]), ANNOUNCE_NEW="true"
        )
        who = api.user(31_000, first_name="Warga")

        async def say(text: str, reply: str) -> dict:
            mark = len(api.calls)
            api.send_text(who, text)
            return await api.wait_for_message(who["id"], after=mark, contains=reply, timeout=60)

        async def press(message: dict, prefix: str, reply: str) -> dict:
            mark = len(api.calls)
            api.press_button(who, message, button(message, prefix))
            return await api.wait_for_message(who["id"], after=mark, contains=reply, timeout=60)

        async with running_bot(env, tmp_path) as first:
            await say("/ide", "Tuliskan ide")
            question = await say(
                "Sediakan bank sampah keliling di setiap desa Kecamatan Gambut", "Di kecamatan mana"
            )
            pillar = await press(question, "ide:kec:gambut", "Setuju, atau pilih")
            name = await press(pillar, "ide:pil:environment", "Bolehkah nama")
            summary = await press(name, "ide:name:anon", "Periksa kembali")
            # The card's send to the team stalls, as over a dead connection, and would fail
            # without effect: the bot is killed while it waits.
            api.fail_next("sendMessage", status=502, hang=120, chat_id=TEAM)
            received = await press(summary, "ide:send:", "Terima kasih")
            code = CODE.search(received["text"]).group(0)
            await asyncio.sleep(2)
            await first.kill()
        assert not [m for m in api.sent_messages(TEAM) if code in m.get("text", "")]

        async with running_bot(env, tmp_path) as second:
            await api.wait_for_message(TEAM, after=0, contains=code, timeout=60)
            await asyncio.sleep(7)  # the delivery job's next turn (every 5 s) sends nothing more
            assert await second.terminate() == 0

    cards = [m for m in api.sent_messages(TEAM) if code in m.get("text", "")]
    assert len(cards) == 1
