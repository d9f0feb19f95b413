"""End to end: the bot as a process, the stand-in Bot API server, a resident on the human side."""

from __future__ import annotations

import sqlite3

import pytest

from bot.app import build_application
from tests.conftest import make_settings
from tests.e2e import bot_environment, running_bot, standin
from tests.standin import StandinBotApi

pytestmark = pytest.mark.slow

IDEA_ONE = "Tolong sediakan bank sampah di setiap desa agar sampah plastik tidak dibuang ke sungai"
IDEA_TWO = "Lampu jalan di Jalan Ahmad Yani km 7 Martapura sudah lama mati, mohon diperbaiki"


async def answer_steps_after_text(api: StandinBotApi, siti: dict, question: dict) -> str:
    """From the kecamatan question to the tracking code; return the message with the code."""
    api.press_button(siti, question, "ide:kec:martapura")
    pillar = await api.wait_for_message(siti["id"], contains="pilar")
    api.press_button(siti, pillar, "ide:pil:environment")
    name = await api.wait_for_message(siti["id"], contains="nama")
    api.press_button(siti, name, "ide:name:anon")
    summary = await api.wait_for_message(siti["id"])
    if "kepada publik" in summary["text"]:  # asked on the first idea only
        api.press_button(siti, summary, "ide:pub:no")
        summary = await api.wait_for_message(siti["id"], contains="Periksa kembali")
    send = next(
        button["callback_data"]
        for row in summary["reply_markup"]["inline_keyboard"]
        for button in row
        if button["callback_data"].startswith("ide:send:")
    )
    api.press_button(siti, summary, send)
    return (await api.wait_for_message(siti["id"], contains="IDE-"))["text"]


async def test_submission_survives_a_kill_in_the_middle_and_nothing_is_stored_twice(tmp_path):
    database = tmp_path / "e2e.db"
    async with standin() as api:
        env = bot_environment(api, f"sqlite:///{database}")
        siti = api.user(501, first_name="Siti")
        async with running_bot(env, tmp_path) as first:
            api.send_text(siti, "/ide")
            await api.wait_for_message(siti["id"], contains="Tuliskan ide", timeout=30)
            api.send_text(siti, IDEA_ONE)
            question = await api.wait_for_message(siti["id"], contains="kecamatan")
            assert "IDE-0001" in await answer_steps_after_text(api, siti, question)

            api.send_text(siti, "/ide")
            await api.wait_for_message(siti["id"], contains="Tuliskan ide")
            api.send_text(siti, IDEA_TWO)
            question = await api.wait_for_message(siti["id"], contains="kecamatan")
            await first.kill()

        async with running_bot(env, tmp_path) as second:
            assert "IDE-0002" in await answer_steps_after_text(api, siti, question)
            assert await second.terminate() == 0
            assert "Stopped cleanly" in second.output()

    rows = (
        sqlite3.connect(database)
        .execute("SELECT code, text, kecamatan FROM submission ORDER BY id")
        .fetchall()
    )
    assert rows == [("IDE-0001", IDEA_ONE, "martapura"), ("IDE-0002", IDEA_TWO, "martapura")]
    codes = [
        m.get("text", "") for m in api.sent_messages(siti["id"]) if "IDE-000" in m.get("text", "")
    ]
    assert len(codes) == 2


async def test_start_up_registers_menus_logs_one_line_and_never_the_token(tmp_path):
    async with standin() as api:
        env = bot_environment(api, f"sqlite:///{tmp_path / 'start.db'}")
        async with running_bot(env, tmp_path) as bot:
            siti = api.user(502)
            api.send_text(siti, "/start")
            await api.wait_for_message(siti["id"], contains="Selamat datang", timeout=30)
            assert await bot.terminate() == 0
            log = bot.output()
    menus = {
        call.params.get("language_code"): call.params["commands"]
        for call in api.calls
        if call.method == "setMyCommands" and call.params["scope"]["type"] == "all_private_chats"
    }
    admin_menus = [
        call.params
        for call in api.calls
        if call.method == "setMyCommands"
        and call.params["scope"] == {"type": "chat", "chat_id": 900}
    ]
    assert len(admin_menus) == 3 and "undang" in str(admin_menus[0]["commands"])
    assert {None, "id", "en"} <= set(menus)
    assert [c["command"] for c in menus["en"]][:2] == ["idea", "myideas"]
    assert [c["command"] for c in menus["id"]][:2] == ["ide", "ideaku"]
    [started] = [line for line in log.splitlines() if "running as @inovasi_test_bot" in line]
    assert "start.db" in started and "0 8 * * mon" in started
    assert api.token not in log and api.token.split(":")[1] not in log


async def test_a_failing_command_menu_is_logged_not_fatal(tmp_path):
    async with standin() as api:
        api.fail_next(
            "setMyCommands", status=400, times=3, description="Bad Request: BOT_COMMANDS_TOO_MUCH"
        )
        env = bot_environment(api, f"sqlite:///{tmp_path / 'menu.db'}")
        async with running_bot(env, tmp_path) as bot:
            siti = api.user(503)
            api.send_text(siti, "/start")
            await api.wait_for_message(siti["id"], contains="Selamat datang", timeout=30)
            await bot.terminate()
            assert "Could not register the" in bot.output()


async def test_without_a_token_the_bot_stops_with_one_line(tmp_path):
    async with standin() as api:
        env = bot_environment(api, f"sqlite:///{tmp_path / 'none.db'}")
        env.pop("TELEGRAM_BOT_TOKEN")
        async with running_bot(env, tmp_path) as bot:
            assert await bot.process.wait() == 2
        lines = bot.output().strip().splitlines()
    assert lines == [
        "Configuration error: TELEGRAM_BOT_TOKEN is required: the token @BotFather gave you"
    ]
    assert [call for call in api.calls if call.method != "getUpdates"] == []


async def test_every_call_and_file_download_goes_to_the_configured_server(tmp_path):
    async with standin() as api:
        settings = make_settings(
            f"sqlite:///{tmp_path / 'files.db'}", TELEGRAM_API_BASE_URL=api.root_url
        )
        application = build_application(settings)
        siti = api.user(504)
        update = api.send_photo(siti, caption="Foto jalan rusak")
        file_id = update["message"]["photo"][-1]["file_id"]
        async with application:
            file = await application.bot.get_file(file_id)
            content = await file.download_as_bytearray()
        application.bot_data["services"].db.engine.dispose()
    assert bytes(content).startswith(b"\x89PNG")
    assert [call.method for call in api.calls] == ["getMe", "getFile"]
    assert file.file_path.startswith(f"{api.root_url}/file/bot{api.token}/")
