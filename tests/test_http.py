"""The bot's aiohttp request object, driven by python-telegram-bot's ``telegram.Bot`` against the
stand-in Bot API server: what Telegram receives, and which errors the rest of the bot sees."""

from __future__ import annotations

import json
import logging
import socket

import pytest
import telegram
from aiohttp import web
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import ExtBot

from bot.runtime.http import AiohttpRequest
from bot.runtime.ratelimit import TelegramLimits
from tests.standin import StandinBotApi
from tests.standin.human import DEFAULT_PHOTO


@pytest.fixture
async def api():
    async with StandinBotApi() as server:
        yield server


def bot_for(api: StandinBotApi, request: AiohttpRequest) -> telegram.Bot:
    return telegram.Bot(
        api.token,
        base_url=f"{api.root_url}/bot",
        base_file_url=f"{api.root_url}/file/bot",
        request=request,
        get_updates_request=AiohttpRequest(read_timeout=5),
    )


async def test_parameters_arrive_as_telegram_reads_them(api):
    api.user(1201)
    markup = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Kirim", callback_data="s")]]
    )
    async with bot_for(api, AiohttpRequest()) as bot:
        sent = await bot.send_message(
            1201, "<b>Ide</b> &amp; saran", parse_mode="HTML", reply_markup=markup
        )
    assert sent.text == "Ide & saran"
    call = api.calls[-1]
    assert call.method == "sendMessage" and call.status == 200
    assert call.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Kirim", "callback_data": "s"}]]
    }


async def test_uploads_go_as_multipart_and_files_download(api):
    api.user(1202)
    async with bot_for(api, AiohttpRequest()) as bot:
        document = await bot.send_document(1202, b"a,b\n1,2\n", filename="ide.csv")
        photo = await bot.send_photo(1202, DEFAULT_PHOTO, caption="Bukti")
        file = await bot.get_file(document.document.file_id)
        downloaded = bytes(await file.download_as_bytearray())
    assert document.document.file_name == "ide.csv"
    assert downloaded == b"a,b\n1,2\n"
    assert photo.caption == "Bukti" and photo.photo[0].width == 4


async def test_long_polling_waits_for_an_update(api):
    user = api.user(1203)
    async with bot_for(api, AiohttpRequest()) as bot:
        assert await bot.get_updates(timeout=1) == ()
        api.send_text(user, "halo")
        (update,) = await bot.get_updates(timeout=5)
    assert update.message.text == "halo"


async def test_telegrams_refusals_become_ptb_errors(api):
    api.user(1204)
    api.fail_next("sendMessage", status=429, retry_after=3)
    api.fail_next("sendMessage", status=502)
    async with bot_for(api, AiohttpRequest()) as bot:
        with pytest.raises(RetryAfter, match="Retry in 3"):
            await bot.send_message(1204, "satu")
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(1204, "dua")
        await bot.send_message(1204, "tiga")
    assert [m["text"] for m in api.sent_messages(1204)] == ["tiga"]


async def test_a_hung_answer_times_out(api):
    api.user(1205)
    api.fail_next("sendMessage", status=200, hang=2)
    async with bot_for(api, AiohttpRequest(read_timeout=0.3)) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(1205, "lambat")
        assert (await bot.send_message(1205, "cepat", read_timeout=5)).text == "cepat"


async def test_a_server_that_is_not_there_is_a_network_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")
    finally:
        await request.shutdown()


async def test_it_must_be_initialized_first():
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/x", "POST")


async def test_a_proxy_named_in_the_environment_is_used(monkeypatch):
    """HTTP_PROXY applies, as it did to python-telegram-bot's own request (an office network)."""
    seen = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        me = {"id": 1, "is_bot": True, "first_name": "Inovasi Warga", "username": "iw_bot"}
        return web.json_response({"ok": True, "result": me}, dumps=json.dumps)

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", proxy)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        request = AiohttpRequest()
        await request.initialize()
        try:
            # A host that resolves nowhere: only the proxy can answer.
            result = await request.post("http://api.telegram.invalid/bot1:x/getMe")
        finally:
            await request.shutdown()
    finally:
        await runner.cleanup()
    assert result["username"] == "iw_bot"
    assert seen == ["http://api.telegram.invalid/bot1:x/getMe"]


async def test_a_server_named_in_no_proxy_is_reached_directly(api, monkeypatch):
    """NO_PROXY still applies now that the environment is read once per server."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        nowhere = closed.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{nowhere}")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    request = AiohttpRequest()
    await request.initialize()
    try:
        me = await bot_for(api, request).get_me()
    finally:
        await request.shutdown()
    assert me.username


async def test_an_html_error_page_is_a_retried_network_error_not_a_traceback(caplog):
    """Telegram's front end answers 502 with nginx's HTML page when its back end is away."""
    answers = [
        web.Response(
            status=502,
            content_type="text/html",
            text="<html><head><title>502 Bad Gateway</title></head>"
            "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body>",
        )
    ]

    async def telegram_front_end(request: web.Request) -> web.Response:
        if request.path.endswith("/getMe"):
            me = {"id": 1, "is_bot": True, "first_name": "Inovasi Warga", "username": "iw_bot"}
            return web.json_response({"ok": True, "result": me})
        if answers:
            return answers.pop()
        message = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "ok"}
        return web.json_response({"ok": True, "result": message})

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", telegram_front_end)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]

    async def no_wait(seconds: float) -> None:
        return None

    bot = ExtBot(
        "1:x",
        base_url=f"http://127.0.0.1:{port}/bot",
        request=AiohttpRequest(),
        rate_limiter=TelegramLimits(sleep=no_wait),
    )
    caplog.set_level(logging.DEBUG)
    try:
        async with bot:
            sent = await bot.send_message(5, "ok")
    finally:
        await runner.cleanup()
    assert sent.text == "ok" and not answers  # the 502 was answered, then the retry went through
    assert not [record for record in caplog.records if record.exc_info]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == [
        "sendMessage failed (Bad Gateway: the server answered with a page (502 Bad Gateway), "
        "not the Bot API); retry in 0.5 s"
    ]
