"""The polling loop and the inbox: what is fetched is stored and confirmed, and marked done only
once the Application has handled it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.runtime.intake import poll
from bot.services import services
from tests import updates as u
from tests.conftest import make_settings, unthrottled
from tests.desk import BUDI, SITI
from tests.recording import RecordingRequest

# The loop asks for getUpdates' JSON as sent, on purpose; bot.runtime.intake silences PTB's advice
# against that, and pytest brings every warning back for each test.
pytestmark = pytest.mark.filterwarnings("ignore:Please use 'Bot.getUpdates'")


class Telegram:
    """getUpdates as Telegram answers it: ``batches`` one after another, then nothing (and the
    loop is asked to stop)."""

    def __init__(self, request: RecordingRequest, batches: list[list[dict]]) -> None:
        self.batches = batches
        self.stop = asyncio.Event()
        self.offsets: list[int | None] = []
        request.answers["getUpdates"] = self.get_updates

    def get_updates(self, params: dict) -> list[dict]:
        self.offsets.append(None if params.get("offset") is None else int(params["offset"]))
        if self.batches:
            return self.batches.pop(0)
        self.stop.set()
        return []


@contextlib.asynccontextmanager
async def initialised(database_url, clock, tagger) -> AsyncIterator[tuple[Application, list]]:
    """The real Application, initialised but not started: what is handed on waits in its queue."""
    request = RecordingRequest()
    application = build_application(
        make_settings(database_url),
        request=request,
        clock=clock,
        tagger=tagger,
        rate_limiter=unthrottled,
    )
    async with application:
        yield application, request
    services(application).db.engine.dispose()


async def handle_queued(application: Application) -> None:
    """Start the Application, let it handle everything handed on to it, and commit what the
    handling staged (as the Application's shutdown does)."""
    await application.start()
    try:
        await application.update_queue.join()
    finally:
        await application.stop()
    await application.persistence.flush()


async def pending(application: Application) -> list[int]:
    found = await services(application).inbox.pending(application.bot)
    return [update.update_id for update in found]


def replies(application: Application, request: RecordingRequest) -> list[tuple[int, str]]:
    """(chat, text key) of every message sent, in order: ``help`` or ``privacy``."""
    found = services(application)
    texts, region = found.texts, found.settings.region_name
    keys = {
        texts.get("id", "help.resident"): "help",
        texts.get("id", "privacy.full", region=region): "privacy",
    }
    return [(int(params["chat_id"]), keys[params["text"]]) for params in request.of("sendMessage")]


async def test_a_fetched_update_is_stored_confirmed_and_marked_done_only_once_handled(
    database_url, clock, tagger
):
    batch = [u.text(SITI, "/bantuan"), u.text(BUDI, "/bantuan")]
    ids = [payload["update_id"] for payload in batch]
    async with initialised(database_url, clock, tagger) as (application, request):
        telegram = Telegram(request, [batch])
        await poll(application, services(application).inbox, telegram.stop, poll_timeout=0)
        assert telegram.offsets == [None, ids[-1] + 1, ids[-1] + 1]
        assert application.update_queue.qsize() == 2
        await application.persistence.flush()  # whatever is staged is committed now
        assert await pending(application) == ids
        assert request.of("sendMessage") == []

        await handle_queued(application)
        assert await pending(application) == []
        assert sorted(replies(application, request)) == [(BUDI["id"], "help"), (SITI["id"], "help")]


async def test_a_restart_hands_on_what_was_stored_but_not_handled_first(
    database_url, clock, tagger
):
    left = u.text(SITI, "/bantuan")
    new = u.text(SITI, "/privasi")
    async with initialised(database_url, clock, tagger) as (application, request):
        await services(application).inbox.store([left], application.bot)
        telegram = Telegram(request, [[new]])
        await poll(application, services(application).inbox, telegram.stop, poll_timeout=0)
        assert telegram.offsets[0] == left["update_id"] + 1

        await handle_queued(application)
        assert await pending(application) == []
        assert replies(application, request) == [(SITI["id"], "help"), (SITI["id"], "privacy")]


async def test_an_update_telegram_sends_again_is_not_handled_again(bot):
    again = u.text(SITI, "/bantuan")
    await bot.deliver(again)
    await bot.deliver(again)
    assert bot.request.texts(SITI["id"]) == [bot.text("help.resident")]


async def test_an_update_is_marked_done_only_when_its_handler_has_returned(bot, monkeypatch):
    submissions = bot.services.submissions
    page_of, entered, release = submissions.page_of, asyncio.Event(), asyncio.Event()

    async def held(*args, **kwargs):
        entered.set()
        await release.wait()
        return await page_of(*args, **kwargs)

    monkeypatch.setattr(submissions, "page_of", held)
    mine = u.text(SITI, "/ideaku")
    handling = asyncio.create_task(bot.deliver(mine))
    await entered.wait()
    await bot.app.persistence.flush()  # whatever is staged is committed now
    assert await pending(bot.app) == [mine["update_id"]]
    release.set()
    await handling
    assert await pending(bot.app) == []
    assert bot.request.texts(SITI["id"]) == [bot.text("mine.empty")]


async def test_an_update_whose_handler_failed_is_marked_done_all_the_same(bot, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("storage fell over")

    monkeypatch.setattr(bot.services.submissions, "page_of", broken)
    await bot.deliver(u.text(SITI, "/ideaku"))
    assert "Maaf, terjadi kesalahan" in bot.request.last_text(SITI["id"])
    assert await pending(bot.app) == []
