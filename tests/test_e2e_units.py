"""End to end: an idea goes from a resident through the e-government team to the SKPD that
implements it, with the bot as a process and every person on the stand-in's human side."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.core.clock import utc_now
from storage import queries
from storage import review as review_store
from storage import units as unit_store
from storage.engine import Database, make_engine
from storage.migrate import upgrade
from storage.models import Status, Submission
from tests.e2e import bot_environment, running_bot, standin
from tests.standin import StandinBotApi

pytestmark = pytest.mark.slow

ADMIN_ID = 900
IDEA = "Lampu jalan di Jalan Ahmad Yani km 7 Martapura sudah lama mati, mohon diperbaiki"
OLD_IDEA = "Jembatan kayu di Desa Sungai Batang sudah lapuk dan berbahaya untuk anak sekolah"


def seed_overdue_forward(database_url: str, liaison_id: int) -> None:
    """Before the bot starts: an idea forwarded to the PUPR ten days ago and never taken up, and
    a PUPR liaison who has had no reminder yet."""
    engine = make_engine(database_url)
    upgrade(engine)
    db = Database(engine)
    then = utc_now() - timedelta(days=10)
    made = db.call_write(
        queries.create_submission,
        submission=Submission(
            draft_key="old",
            text=OLD_IDEA,
            pillar="living",
            suggested_pillar="living",
            confidence=0.9,
            status=Status.ACCEPTED,
            created_at=then,
            updated_at=then,
        ),
        photos=[],
        code_prefix="IDE",
        actor_role="resident",
    )
    db.call_write(
        unit_store.record_step,
        submission_id=made.id,
        expected_version=made.version,
        to_status=Status.FORWARDED,
        actor_id=ADMIN_ID,
        actor_role="officer",
        unit="pupr",
        owner="pupr",
        now=then,
    )
    db.call_write(
        unit_store.appoint_liaison, user_id=liaison_id, unit="pupr", added_by=ADMIN_ID, now=then
    )
    db.call_write(
        review_store.touch_staff, user_id=liaison_id, first_name="Rudi", username=None, now=then
    )
    engine.dispose()


async def invite(api: StandinBotApi, admin: dict, who: dict, argument: str = "") -> dict:
    """The admin makes an invite; ``who`` opens it. The welcome message."""
    api.send_text(admin, f"/undang {argument}".strip())
    link = await api.wait_for_message(admin["id"], contains="start=inv-")
    payload = re.search(r"start=(inv-[\w-]+)", link["text"]).group(1)
    api.send_text(who, f"/start {payload}")
    return await api.wait_for_message(who["id"], contains="Anda sekarang")


def buttons(message: dict) -> list[str]:
    markup = message.get("reply_markup") or {"inline_keyboard": []}
    return [button["callback_data"] for row in markup["inline_keyboard"] for button in row]


async def offered_units(api: StandinBotApi, officer: dict, card: dict, data: str) -> dict:
    """Press "Forward" on ``card``; the card with the SKPD to choose from."""
    mark = len(api.calls)
    api.press_button(officer, card, data)
    await api.wait_for(lambda call: call.method == "editMessageReplyMarkup", after=mark)
    return api.current(officer["id"], card["message_id"])


def refused(call) -> bool:
    return call.method == "answerCallbackQuery" and "bukan tugas SKPD" in str(call.params)


def sent_photos(api: StandinBotApi, chat_id: int) -> int:
    return sum(
        1
        for call in api.calls
        if call.method == "sendPhoto" and int(call.params["chat_id"]) == chat_id
    )


async def submit(api: StandinBotApi, siti: dict) -> str:
    api.send_text(siti, "/ide")
    await api.wait_for_message(siti["id"], contains="Tuliskan ide", timeout=30)
    api.send_text(siti, IDEA)
    question = await api.wait_for_message(siti["id"], contains="kecamatan")
    api.press_button(siti, question, "ide:kec:martapura")
    pillar = await api.wait_for_message(siti["id"], contains="pilar")
    api.press_button(siti, pillar, "ide:pil:living")
    name = await api.wait_for_message(siti["id"], contains="nama")
    api.press_button(siti, name, "ide:name:anon")
    public = await api.wait_for_message(siti["id"], contains="kepada publik")
    api.press_button(siti, public, "ide:pub:no")
    summary = await api.wait_for_message(siti["id"], contains="Periksa kembali")
    send = next(data for data in buttons(summary) if data.startswith("ide:send:"))
    api.press_button(siti, summary, send)
    return (await api.wait_for_message(siti["id"], contains="IDE-"))["text"]


async def test_an_idea_travels_from_the_resident_to_the_skpd_that_implements_it(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'units.db'}"
    seed_overdue_forward(database_url, liaison_id=703)
    async with standin() as api:
        admin = api.user(ADMIN_ID, first_name="Admin")
        budi = api.user(601, first_name="Budi")
        andi = api.user(701, first_name="Andi")  # PUPR
        dewi = api.user(702, first_name="Dewi")  # DLH
        rudi = api.user(703, first_name="Rudi")  # PUPR, appointed before the start
        siti = api.user(501, first_name="Siti")
        # The digest job (and with it the liaisons' weekly reminder) at every minute's start.
        env = bot_environment(api, database_url, DIGEST_SCHEDULE="* * * * *")
        async with running_bot(env, tmp_path) as bot:
            await invite(api, admin, budi)
            assert (
                "penghubung Dinas Pekerjaan Umum"
                in (await invite(api, admin, andi, "pupr"))["text"]
            )
            await invite(api, admin, dewi, "dlh")
            api.send_text(budi, "/skpd")
            overview = (await api.wait_for_message(budi["id"], contains="SKPD"))["text"]
            assert "Dinas PUPR (pupr): 1 · 1 · 0 · 0 · ⏰ 1" in overview
            assert "Andi" in overview and "Rudi" in overview and "Dewi" in overview

            assert "IDE-0002" in await submit(api, siti)
            api.send_text(budi, "/lihat IDE-0002")
            card = await api.wait_for_message(budi["id"], contains="IDE-0002")
            api.press_button(budi, card, "rev:accept:2:1")
            await api.wait_for_message(siti["id"], contains="diterima")

            # Forwarded first to the wrong unit, which returns it to the team.
            offered = await offered_units(api, budi, card, "rev:fwd:2:2")
            assert buttons(offered)[0] == "rev:fwd:2:2:pupr"  # lampu jalan: the PUPR first
            api.press_button(budi, offered, "rev:fwd:2:2:dlh")
            await api.wait_for_message(budi["id"], contains="Lingkungan Hidup")
            api.send_text(budi, "Mohon dicek")
            at_dlh = await api.wait_for_message(dewi["id"], contains="IDE-0002")
            assert "skp:back:2:3" in buttons(at_dlh)
            await api.wait_for_message(siti["id"], contains="Dinas Lingkungan Hidup")
            api.press_button(dewi, at_dlh, "skp:back:2:3")
            await api.wait_for_message(dewi["id"], contains="alasan")
            api.send_text(dewi, "Bukan kewenangan kami, lampu jalan urusan Dinas PUPR")
            returned = await api.wait_for_message(budi["id"], contains="mengembalikan")
            assert "urusan Dinas PUPR" in returned["text"]

            offered = await offered_units(api, budi, returned, "rev:fwd:2:4")
            api.press_button(budi, offered, "rev:fwd:2:4:pupr")
            prompt = await api.wait_for_message(budi["id"], contains="Pekerjaan Umum")
            api.press_button(budi, prompt, "rvt:+")
            at_pupr = await api.wait_for_message(andi["id"], contains="IDE-0002")
            await api.wait_for_message(siti["id"], contains="Dinas Pekerjaan Umum")

            # Another unit's liaison: the old button and a forged one change nothing.
            for data in ("skp:ack:2:5", "skv:2"):
                mark = len(api.calls)
                api.press_button(dewi, at_dlh, data)
                await api.wait_for(refused, after=mark)
            api.send_text(dewi, "/tugas")
            assert "Tidak ada tugas" in (await api.wait_for_message(dewi["id"]))["text"]

            # Taken up (pressed twice, counted once), progress with a photo, implemented.
            api.press_button(andi, at_pupr, "skp:ack:2:5")
            api.press_button(andi, at_pupr, "skp:ack:2:5")
            await api.wait_for_message(siti["id"], contains="sedang dikerjakan")
            api.press_button(andi, at_pupr, "skp:prog:2:6")
            await api.wait_for_message(andi["id"], contains="kemajuan")
            api.send_text(andi, "Kabel lampu sudah diganti sebagian")
            await api.wait_for_message(andi["id"], contains="Foto")
            api.send_photo(andi, caption="pemasangan kabel")
            collected = await api.wait_for_message(andi["id"], contains="Foto: 1")
            api.press_button(andi, collected, "skw:send")
            await api.wait_for_message(siti["id"], contains="Kabel lampu")
            api.press_button(andi, at_pupr, "skp:done:2:7")
            await api.wait_for_message(andi["id"], contains="minimal satu foto")
            api.send_photo(andi, caption="lampu menyala kembali")
            collected = await api.wait_for_message(andi["id"], contains="Foto: 1")
            api.press_button(andi, collected, "skw:send")
            done = await api.wait_for_message(siti["id"], contains="terlaksana")
            assert "lampu menyala kembali" in done["text"]
            assert sent_photos(api, siti["id"]) == 2
            told = [m.get("text", "") for m in api.sent_messages(siti["id"])]
            assert len([text for text in told if "sedang dikerjakan" in text]) == 1
            api.send_text(budi, "/skpd")
            overview = (await api.wait_for_message(budi["id"], contains="SKPD"))["text"]
            assert "Dinas PUPR (pupr): 2 · 1 · 0 · 1 · ⏰ 1" in overview

            # The weekly reminder: the overdue forward for both PUPR liaisons, once a week.
            for liaison in (rudi, andi):
                reminder = await api.wait_for_message(
                    liaison["id"], contains="Pengingat", after=0, timeout=90
                )
                assert "⏰ IDE-0001" in reminder["text"] and "⏰ IDE-0002" not in reminder["text"]
            assert await bot.terminate() == 0
        reminders = [m for m in api.sent_messages(rudi["id"]) if "Pengingat" in m.get("text", "")]
        assert len(reminders) == 1
        failed = [
            (call.method, call.response)
            for call in api.calls
            if call.status >= 400 and call.method in ("answerCallbackQuery", "sendMessage")
        ]
        assert failed == []  # every text parses, every button is answered once
