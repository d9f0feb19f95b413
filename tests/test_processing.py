"""The update processor's bound counts updates whose turn has come, not waiting ones.

The bound is filled on purpose, and the order of the bot's calls shows whether another resident
was served while one resident's updates waited for each other.
"""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.runtime.processing import OrderedUpdateProcessor
from bot.runtime.ratelimit import TelegramLimits
from tests import updates as u
from tests.conftest import TOKEN
from tests.recording import RecordingRequest

ANNA, BUDI = u.user(701, first_name="Anna"), u.user(702)


def application(request: RecordingRequest, bound: int, limits: TelegramLimits) -> Application:
    return (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .concurrent_updates(OrderedUpdateProcessor(bound))
        .rate_limiter(limits)
        .build()
    )


def unlimited() -> TelegramLimits:
    return TelegramLimits(overall_per_second=1e6, private_per_second=1e6)


def replies(request: RecordingRequest) -> list[tuple[int, str]]:
    return [(int(params["chat_id"]), params["text"]) for params in request.of("sendMessage")]


async def until(condition, timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


async def feed(app: Application, *payloads: dict) -> None:
    for payload in payloads:
        await app.update_queue.put(Update.de_json(payload, app.bot))


async def test_the_bound_is_what_the_application_sees():
    processor = OrderedUpdateProcessor(7)
    assert processor.max_concurrent_updates == 7
    assert processor.current_concurrent_updates == 0
    with pytest.raises(ValueError, match="at least 1"):
        OrderedUpdateProcessor(0)


async def test_updates_waiting_for_the_same_resident_take_no_slot():
    request = RecordingRequest()
    app = application(request, bound=2, limits=unlimited())
    gate = asyncio.Event()

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message.text == "wait":
            await gate.wait()
        await update.message.reply_text(update.message.text)

    app.add_handler(MessageHandler(filters.TEXT, handle))
    async with app:
        await app.start()
        # Anna's first update holds a slot until the gate opens; her next two wait behind it.
        # Budi must get the second slot, not one of Anna's waiting updates.
        await feed(app, u.text(ANNA, "wait"), u.text(ANNA, "a2"), u.text(ANNA, "a3"))
        await feed(app, u.text(BUDI, "b"))
        await until(lambda: (702, "b") in replies(request))
        assert app.update_processor.current_concurrent_updates == 1
        gate.set()
        await app.update_queue.join()
        await app.stop()
    assert replies(request) == [(702, "b"), (701, "wait"), (701, "a2"), (701, "a3")]


async def test_one_slot_means_one_update_at_a_time():
    request = RecordingRequest()
    app = application(request, bound=1, limits=TelegramLimits(private_per_second=2))

    async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)
        await update.message.reply_text(update.message.text + " again")

    app.add_handler(MessageHandler(filters.TEXT, handle))
    async with app:
        await app.start()
        await feed(app, u.text(ANNA, "a"), u.text(BUDI, "b"))
        await app.update_queue.join()
        await app.stop()
    assert [text for _, text in replies(request)] == ["a", "a again", "b", "b again"]
