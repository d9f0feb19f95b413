"""Pre-filters and the error handler: deliberate silence, one polite answer, one apology."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlmodel import Session

from bot.runtime import jobs
from storage.models import Draft, Resident
from tests import updates as u
from tests.conftest import ADMIN_ID, TOKEN

SITI = u.user(701, first_name="Siti")


async def test_messages_from_other_bots_are_ignored(bot):
    robot = {**u.user(702), "is_bot": True}
    await bot.deliver(u.text(robot, "/start"))
    assert bot.request.of("sendMessage") == []


async def test_channel_posts_are_ignored(bot):
    channel = {"id": -1009, "type": "channel", "title": "Info Banjar"}
    post = {"message_id": 5, "date": 1, "chat": channel, "text": "/start"}
    await bot.deliver({"update_id": 990001, "channel_post": post})
    await bot.deliver({"update_id": 990002, "edited_channel_post": {**post, "edit_date": 2}})
    assert bot.request.of("sendMessage") == []


async def test_an_edited_message_gets_one_note_in_private_and_silence_in_groups(bot):
    edited = u.text(SITI, "Jalan rusak di Gambut perlu diperbaiki segera")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": 2}
    await bot.deliver(edited)
    assert "tidak saya baca ulang" in bot.request.last_text(SITI["id"])
    in_group = u.text(SITI, "ubah", chat=u.group_chat())
    in_group["edited_message"] = {**in_group.pop("message"), "edit_date": 2}
    bot.request.clear()
    await bot.deliver(in_group)
    assert bot.request.of("sendMessage") == []


async def test_an_edit_goes_no_further_even_when_the_note_about_it_cannot_be_sent(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    edited = u.text(SITI, "Jalan rusak di Gambut perlu diperbaiki segera")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": 2}
    bot.request.fail["sendMessage"] = (400, "Bad Request: message to be replied not found")
    await bot.deliver(edited)
    with Session(bot.services.db.engine) as session:
        assert session.get(Draft, SITI["id"]).text is None


async def test_a_flood_gets_one_polite_reply_then_silence_until_the_minute_passes(bot, clock):
    for _ in range(25):
        await bot.deliver(u.text(SITI, "/bantuan"))
    texts = bot.request.texts(SITI["id"])
    assert len(texts) == 21
    assert sum("Pelan-pelan" in text for text in texts) == 1
    clock.now += timedelta(seconds=61)
    await bot.deliver(u.text(SITI, "/bantuan"))
    assert bot.request.last_text(SITI["id"]) == bot.text("help.resident")


async def test_an_unexpected_error_apologises_logs_without_text_and_alerts_admins_rarely(
    bot, clock, caplog, monkeypatch
):
    async def broken(*args, **kwargs):
        raise RuntimeError("storage fell over")

    monkeypatch.setattr(bot.services.submissions, "page_of", broken)
    secret_words = "/ideaku rahasia-warga-123"
    with caplog.at_level(logging.INFO):
        await bot.deliver(u.text(SITI, secret_words))
        await bot.deliver(u.text(SITI, "/ideaku"))
    apologies = [t for t in bot.request.texts(SITI["id"]) if "Maaf, terjadi kesalahan" in t]
    assert len(apologies) == 2
    alerts = bot.request.texts(ADMIN_ID)
    assert len(alerts) == 1 and "RuntimeError" in alerts[0]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "RuntimeError" in logged and "rahasia-warga-123" not in logged and TOKEN not in logged

    clock.now += timedelta(minutes=11)
    await bot.deliver(u.text(SITI, "/ideaku"))
    alerts = bot.request.texts(ADMIN_ID)
    assert len(alerts) == 2 and ": 1." in alerts[1]


async def test_button_presses_do_not_count_towards_the_flood_limit(bot):
    for _ in range(30):
        await bot.deliver(u.callback(SITI, "mine:page:1"))
    await bot.deliver(u.text(SITI, "/bantuan"))
    assert bot.request.last_text(SITI["id"]) == bot.text("help.resident")
    assert not any(
        "Pelan-pelan" in (a.get("text") or "") for a in bot.request.of("answerCallbackQuery")
    )


async def test_a_resident_who_blocked_the_bot_is_marked_unreachable_without_alarms(bot, clock):
    await bot.deliver(u.callback(SITI, "lang:id"))
    bot.request.fail["sendMessage"] = (403, "Forbidden: bot was blocked by the user")
    await bot.deliver(u.text(SITI, "/bantuan"))
    del bot.request.fail["sendMessage"]
    with Session(bot.services.db.engine) as session:
        assert session.get(Resident, SITI["id"]).unreachable_at == clock.now
    assert bot.request.texts(ADMIN_ID) == []
    assert [t for t in bot.request.texts(SITI["id"]) if "Maaf" in t] == []


async def test_the_prune_job_forgets_idle_senders_of_the_flood_guard(bot, clock):
    await bot.deliver(u.text(SITI, "/bantuan"))
    assert SITI["id"] in bot.services.flood._seen
    clock.now += timedelta(minutes=2)
    await jobs.prune(bot.app)
    assert SITI["id"] not in bot.services.flood._seen
