"""What the bot keeps per resident in memory stays bounded however many residents write:
the flood guard forgets idle senders, the language cache keeps the most recent ones, and
python-telegram-bot keeps no note of the chats and users it has seen."""

from __future__ import annotations

import tracemalloc
from datetime import timedelta

from bot.domain import residents as residents_module
from bot.runtime.abuse import SENDERS_KEPT, FloodGuard, Verdict
from tests import updates as u


def test_the_flood_guard_forgets_idle_senders(clock):
    guard = FloodGuard(clock=clock)
    for sender in range(20 * SENDERS_KEPT):
        if sender % SENDERS_KEPT == 0:
            clock.now += timedelta(minutes=1)  # the earlier ones are idle now
        assert guard.check(sender) is Verdict.PASS
        assert guard.senders <= 2 * SENDERS_KEPT


def test_the_flood_guard_keeps_little_per_sender(clock):
    # A burst of new residents all within the minute: none is idle, the guard keeps them all.
    senders = SENDERS_KEPT - 1
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        guard = FloodGuard(clock=clock)
        for sender in range(10**9, 10**9 + senders):
            for _ in range(3):
                guard.check(sender)
        per_sender = (tracemalloc.get_traced_memory()[0] - before) / senders
    finally:
        tracemalloc.stop()
    assert guard.senders == senders
    assert per_sender < 300  # a deque of datetimes took 830 bytes


def test_forgetting_idle_senders_keeps_one_who_floods(clock):
    guard = FloodGuard(clock=clock, limit=3)
    assert [guard.check(1) for _ in range(4)][-1] is Verdict.WARN
    for sender in range(2, 3 * SENDERS_KEPT):
        guard.check(sender)  # all within the same minute: none idle, none forgotten
    assert guard.senders == 3 * SENDERS_KEPT - 1
    assert guard.check(1) is Verdict.DROP  # still remembered: warned once, then silence
    clock.now += timedelta(minutes=2)
    for sender in range(10**6, 10**6 + SENDERS_KEPT + 2):
        guard.check(sender)  # the guard looks again once as many new senders have come
    assert guard.senders <= SENDERS_KEPT + 2
    assert guard.check(1) is Verdict.PASS


async def test_the_language_cache_keeps_the_most_recent_and_reads_the_others_again(
    bot, monkeypatch
):
    monkeypatch.setattr(residents_module, "LANGUAGES_KEPT", 50)
    residents = bot.services.residents
    siti = u.user(700, language_code="id")
    await bot.deliver(u.text(siti, "/bahasa"))
    await bot.deliver(u.callback(siti, "lang:en"))
    for user_id in range(800, 900):
        assert await residents.language(user_id, "id") == "id"
    assert len(residents._chosen) == 50
    assert await residents.language(700, "id") == "en"  # forgotten, read again from the table


async def test_python_telegram_bot_keeps_no_note_of_each_chat_and_user_seen(bot):
    """PTB notes every chat and user for chat_data and user_data persistence, which this bot does
    not store, and would never forget them."""
    await bot.deliver_all([u.text(u.user(user_id), "/start") for user_id in range(900, 940)])
    assert len(bot.request.of("sendMessage")) == 40
    application = bot.app
    assert application._chat_ids_to_be_updated_in_persistence == set()
    assert application._user_ids_to_be_updated_in_persistence == set()
