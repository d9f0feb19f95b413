"""What the public sees: consent to publish, the channel's posts, supports by link, withdrawal,
erasure, and /jelajah."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.domain.public import SUPPORT_PREFIX, Hidden
from bot.domain.submissions import Profile
from storage.engine import make_engine
from storage.migrate import upgrade
from storage.models import OutboxMessage, Resident, Status, Submission, Support
from tests import updates as u
from tests.conftest import make_settings
from tests.desk import ADMIN, BUDI, IDEA, JOHN, SITI, appoint, rows, seed, submission
from tests.recording import BOT_USER
from tests.test_submission_flow import send_button, walk_to_confirm

CHANNEL = -1001234
RINI = u.user(620, first_name="Rini")
ROAD = "Jalan desa di Gambut rusak parah dan berlubang, mohon diperbaiki sebelum musim hujan"


@pytest.fixture
async def bot(bot_factory, database_url):
    """The bot with a public channel."""
    settings = make_settings(database_url, PUBLIC_CHANNEL_ID=str(CHANNEL))
    async with bot_factory(settings) as harness:
        yield harness


def publish(bot, who=SITI, text=IDEA, *, anonymous=False, **kwargs):
    """A submission whose resident agreed to publish it."""
    stored = seed(bot, who, text, anonymous=anonymous, **kwargs)
    with Session(bot.services.db.engine) as session:
        row = session.get(Submission, stored.id)
        row.public = True
        session.add(row)
        session.commit()
    return stored


async def act(bot, action: str, submission_id: int, who=BUDI) -> None:
    version = submission(bot, submission_id).version
    await bot.deliver(u.callback(who, f"rev:{action}:{submission_id}:{version}"))


def channel_calls(bot) -> list:
    return [
        call
        for call in bot.request.calls
        if str(call.params.get("chat_id")) == str(CHANNEL) and call.method != "getChat"
    ]


def link_of(call) -> str:
    [[button]] = call.params["reply_markup"]["inline_keyboard"]
    return button["url"]


# Consent ----------------------------------------------------------------------------------------


async def test_consent_is_asked_on_the_first_idea_then_offered_and_shown(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, IDEA))
    await bot.deliver(u.callback(SITI, "ide:kec:martapura"))
    await bot.deliver(u.callback(SITI, "ide:pil:environment"))
    await bot.deliver(u.callback(SITI, "ide:name:anon"))
    assert bot.request.last_text() == bot.text("idea.ask_public")
    assert bot.request.buttons() == ["ide:pub:yes", "ide:pub:no"]
    await bot.deliver(u.callback(SITI, "ide:pub:yes"))
    assert bot.text("idea.public_yes") in bot.request.last_text()
    await bot.deliver(u.callback(SITI, send_button(bot)))
    # The second idea is not asked again, but the summary shows the answer, which can be changed.
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, ROAD))
    await bot.deliver(u.callback(SITI, "ide:kec:gambut"))
    await bot.deliver(u.callback(SITI, "ide:pil:living"))
    await bot.deliver(u.callback(SITI, "ide:name:anon"))
    summary = bot.request.last_text()
    assert "Periksa kembali" in summary and bot.text("idea.public_yes") in summary
    await bot.deliver(u.callback(SITI, "ide:edit"))
    await bot.deliver(u.callback(SITI, "ide:editf:public"))
    assert bot.request.last_text() == bot.text("idea.ask_public")
    await bot.deliver(u.callback(SITI, "ide:pub:no"))
    assert bot.text("idea.public_no") in bot.request.last_text()
    await bot.deliver(u.callback(SITI, send_button(bot)))
    first, second = sorted(rows(bot, Submission), key=lambda s: s.id)
    assert (first.public, second.public) == (True, False)
    [resident] = rows(bot, Resident)
    assert resident.publish_default is False  # the last answer is offered next time


async def test_a_resident_who_did_not_consent_never_appears(bot):
    appoint(bot, BUDI)
    send = await walk_to_confirm(bot, SITI, public=False)
    await bot.deliver(u.callback(SITI, send))
    await act(bot, "accept", 1)
    await bot.services.outbox.deliver(bot.app.bot)
    assert channel_calls(bot) == []
    await bot.deliver(u.text(JOHN, "/browse"))
    assert "IDE-0001" not in bot.request.last_text(JOHN["id"])
    await bot.deliver(u.text(JOHN, f"/start {SUPPORT_PREFIX}IDE-0001"))
    assert bot.request.last_text(JOHN["id"]) == bot.text("public.missing", "en")
    assert rows(bot, Support) == []


# The channel ------------------------------------------------------------------------------------


async def test_accepting_a_published_idea_posts_it_with_the_support_link(bot):
    appoint(bot, BUDI)
    send = await walk_to_confirm(bot, SITI, anonymous=False, public=True)
    await bot.deliver(u.callback(SITI, send))
    assert channel_calls(bot) == []  # not before the team accepts it
    await act(bot, "take", 1)
    assert channel_calls(bot) == []
    await act(bot, "accept", 1)
    [post] = channel_calls(bot)
    assert post.method == "sendMessage"
    assert "IDE-0001" in post.params["text"] and "Diterima" in post.params["text"]
    assert "Smart Environment" in post.params["text"] and "Martapura" in post.params["text"]
    assert "Siti" in post.params["text"]  # she chose to be named
    assert link_of(post) == f"https://t.me/{BOT_USER['username']}?start=dukung-IDE-0001"
    assert submission(bot, 1).public_message_id is not None


async def test_an_anonymous_idea_is_posted_without_a_name_and_contacts_are_blanked(bot):
    appoint(bot, BUDI)
    publish(
        bot,
        text=f"{IDEA}. Hubungi 0812-3456-7890 atau siti@example.com, @siti_banjar",
        anonymous=True,
    )
    await act(bot, "accept", 1)
    [post] = channel_calls(bot)
    assert "Siti" not in post.params["text"]
    for private in ("0812-3456-7890", "siti@example.com", "@siti_banjar"):
        assert private not in post.params["text"]


async def test_a_support_link_counts_once_per_resident_and_says_so(bot):
    appoint(bot, BUDI)
    publish(bot)
    await act(bot, "accept", 1)
    bot.request.clear()
    await bot.deliver(u.text(RINI, f"/start {SUPPORT_PREFIX}IDE-0001"))
    assert bot.request.last_text(RINI["id"]) == bot.text(
        "public.supported", code="IDE-0001", count=1
    )
    [edit] = channel_calls(bot)
    assert edit.method == "editMessageText" and "👍 1 dukungan" in edit.params["text"]
    await bot.deliver(u.text(RINI, f"/start {SUPPORT_PREFIX}IDE-0001"))
    assert bot.request.last_text(RINI["id"]) == bot.text("public.already", code="IDE-0001", count=1)
    await bot.deliver(u.text(SITI, f"/start {SUPPORT_PREFIX}IDE-0001"))
    assert bot.request.last_text(SITI["id"]) == bot.text("public.own", code="IDE-0001", count=0)
    assert len(rows(bot, Support)) == 1
    assert len(channel_calls(bot)) == 1  # nothing changed after the first support
    await bot.deliver(u.text(RINI, f"/start {SUPPORT_PREFIX}IDE-9999"))
    assert bot.request.last_text(RINI["id"]) == bot.text("public.missing")


async def test_implementing_edits_the_post_and_withdrawing_deletes_it(bot):
    appoint(bot, BUDI)
    publish(bot)
    await act(bot, "accept", 1)
    [post] = channel_calls(bot)
    message_id = submission(bot, 1).public_message_id
    await act(bot, "impl", 1)
    edit = channel_calls(bot)[-1]
    assert edit.method == "editMessageText" and int(edit.params["message_id"]) == message_id
    assert "Terlaksana" in edit.params["text"]
    assert link_of(edit) == link_of(post)
    await bot.deliver(u.text(BUDI, "/lihat IDE-0001"))
    assert "pub:hide:1" in bot.request.buttons()
    await bot.deliver(u.callback(BUDI, "pub:hide:1"))
    delete = channel_calls(bot)[-1]
    assert delete.method == "deleteMessage" and int(delete.params["message_id"]) == message_id
    assert submission(bot, 1).public_message_id is None
    assert "pub:hide:1" not in bot.request.buttons()  # the card was refreshed
    await bot.deliver(u.text(RINI, f"/start {SUPPORT_PREFIX}IDE-0001"))
    assert bot.request.last_text(RINI["id"]) == bot.text("public.missing")


async def test_only_officers_can_withdraw_a_post_checked_on_every_press(bot):
    appoint(bot, BUDI)
    publish(bot)
    await act(bot, "accept", 1)
    await bot.deliver(u.callback(RINI, "pub:hide:1"))
    await bot.deliver(u.callback(BUDI, "pub:hide:abc"))  # forged
    assert [c.method for c in channel_calls(bot)] == ["sendMessage"]
    assert submission(bot, 1).public_hidden_at is None
    await bot.deliver(u.callback(ADMIN, "pub:hide:1"))
    assert channel_calls(bot)[-1].method == "deleteMessage"


async def test_the_withdrawal_checks_the_role_again_in_its_transaction(bot):
    appoint(bot, BUDI)
    publish(bot, status=Status.ACCEPTED)
    rini = Profile(RINI["id"], RINI["first_name"], None, "id")
    assert await bot.services.public.hide(rini, 1) is Hidden.NOT_STAFF
    assert submission(bot, 1).public_hidden_at is None
    budi = Profile(BUDI["id"], BUDI["first_name"], None, "id")
    assert await bot.services.public.hide(budi, 1) is Hidden.DONE
    assert await bot.services.public.hide(budi, 99) is Hidden.GONE


async def test_a_post_too_old_to_delete_is_edited_to_say_it_was_withdrawn(bot):
    appoint(bot, BUDI)
    publish(bot)
    await act(bot, "accept", 1)
    bot.request.fail["deleteMessage"] = (400, "Bad Request: message can't be deleted for everyone")
    await bot.deliver(u.callback(BUDI, "pub:hide:1"))
    edit = channel_calls(bot)[-1]
    assert edit.method == "editMessageText"
    assert edit.params["text"] == bot.text("public.withdrawn", code="IDE-0001")


async def test_a_photo_post_too_old_to_delete_says_so_in_its_caption(bot):
    appoint(bot, BUDI)
    publish(bot, photos=("photo-1",))
    await act(bot, "accept", 1)
    refused = {"error_code": 400, "description": "Bad Request: message can't be deleted"}
    no_text = {"error_code": 400, "description": "Bad Request: there is no text in the message"}
    bot.request.fail_chat = lambda method, chat: (
        {"deleteMessage": refused, "editMessageText": no_text}.get(method)
        if chat == CHANNEL
        else None
    )
    await bot.deliver(u.callback(BUDI, "pub:hide:1"))
    edit = channel_calls(bot)[-1]
    assert edit.method == "editMessageCaption"
    assert edit.params["caption"] == bot.text("public.withdrawn", code="IDE-0001")
    assert submission(bot, 1).public_message_id is None


async def test_a_photo_idea_is_posted_as_a_photo_and_edited_with_it(bot):
    appoint(bot, BUDI)
    publish(bot, photos=("photo-1", "photo-2"))
    await act(bot, "accept", 1)
    [post] = channel_calls(bot)
    assert post.method == "sendPhoto" and post.params["photo"] == "photo-1"
    assert "IDE-0001" in post.params["caption"] and link_of(post).endswith("dukung-IDE-0001")
    await act(bot, "impl", 1)
    edit = channel_calls(bot)[-1]
    media = edit.params["media"]
    assert edit.method == "editMessageMedia" and media["media"] == "photo-1"
    assert "Terlaksana" in media["caption"]


async def test_erasing_a_named_resident_removes_the_name_from_the_post(bot):
    appoint(bot, BUDI)
    publish(bot, anonymous=False)
    await act(bot, "accept", 1)
    assert "Siti" in channel_calls(bot)[-1].params["text"]
    await bot.deliver(u.text(SITI, "/hapusdata"))
    await bot.deliver(u.callback(SITI, "priv:erase:yes"))
    edit = channel_calls(bot)[-1]
    assert edit.method == "editMessageText" and "Siti" not in edit.params["text"]
    assert "IDE-0001" in edit.params["text"]


async def test_a_burst_of_acceptances_is_posted_in_order_none_twice(bot_factory, database_url):
    settings = make_settings(database_url, PUBLIC_CHANNEL_ID=str(CHANNEL))
    async with bot_factory(settings) as bot:
        appoint(bot, BUDI)
        for index in range(6):
            publish(bot, text=f"{IDEA} nomor {index}")
        await bot.deliver_all(
            [u.callback(BUDI, f"rev:accept:{index}:1") for index in range(1, 7)], settle=True
        )
        await bot.services.outbox.deliver(bot.app.bot)
        posts = [c for c in channel_calls(bot) if c.method == "sendMessage"]
        codes = [re.search(r"IDE-\d{4}", c.params["text"])[0] for c in posts]
        queued = [m.post_of for m in sorted(rows(bot, OutboxMessage), key=lambda m: m.id)]
        assert codes == [f"IDE-{i:04d}" for i in queued if i is not None]  # in order, once each
        assert sorted(codes) == [f"IDE-000{index}" for index in range(1, 7)]
        stored = [s.public_message_id for s in sorted(rows(bot, Submission), key=lambda s: s.id)]
        assert None not in stored and len(set(stored)) == 6
        pending = [m for m in rows(bot, OutboxMessage) if m.state == "pending"]
        assert pending == []


async def test_without_a_channel_nothing_is_posted(bot_factory, database_url):
    async with bot_factory(make_settings(database_url)) as bot:
        appoint(bot, BUDI)
        publish(bot)
        await act(bot, "accept", 1)
        assert channel_calls(bot) == []
        assert all(m.post_of is None for m in rows(bot, OutboxMessage))


# /jelajah ---------------------------------------------------------------------------------------


async def test_browse_pages_filters_and_orders_published_ideas(bot):
    for index in range(7):
        publish(bot, text=f"{IDEA} nomor {index}", kecamatan="gambut", status=Status.ACCEPTED)
    publish(bot, text=ROAD, kecamatan="aranio", pillar="living", status=Status.IMPLEMENTED)
    publish(bot, text="Ide yang masih ditinjau tidak boleh tampil di jelajah", kecamatan="aranio")
    for voter in (RINI, JOHN):
        await bot.deliver(u.text(voter, f"/start {SUPPORT_PREFIX}IDE-0008"))
    await bot.deliver(u.text(RINI, f"/start {SUPPORT_PREFIX}IDE-0003"))
    await bot.deliver(u.text(RINI, "/jelajah"))
    first = bot.request.last_text(RINI["id"])
    assert "(8)" in first and "halaman 1 dari 2" in first
    assert first.index("IDE-0008") < first.index("IDE-0003")  # most supported first
    assert "IDE-0009" not in first  # still in review
    buttons = bot.request.buttons()
    assert "jls:8" in buttons and "jlj:t:*:*:2" in buttons
    await bot.deliver(u.callback(RINI, "jlj:n:*:*:1"))
    newest = bot.request.last_text(RINI["id"])
    assert newest.index("IDE-0008") < newest.index("IDE-0007")
    await bot.deliver(u.callback(RINI, "jlj:t:*:living:1"))
    living = bot.request.last_text(RINI["id"])
    assert "(1)" in living and "IDE-0008" in living and "Terlaksana" in living
    await bot.deliver(u.callback(RINI, "jlj:t:gambut:*:2"))
    second = bot.request.last_text(RINI["id"])
    assert "halaman 2 dari 2" in second and "IDE-0008" not in second
    await bot.deliver(u.callback(RINI, "jls:5"))
    assert bot.request.of("answerCallbackQuery")[-1]["text"] == bot.text(
        "public.supported", code="IDE-0005", count=1
    )
    await bot.deliver(u.callback(RINI, "jlj:t:nowhere:*:1"))  # forged
    assert bot.request.of("answerCallbackQuery")[-1]["text"] == bot.text("idea.stale_button")


async def test_browse_offers_the_residents_own_kecamatan_first(bot):
    seed(bot, RINI, ROAD, kecamatan="pengaron")
    await bot.deliver(u.text(RINI, "/jelajah"))
    await bot.deliver(u.callback(RINI, "jlk:t:*"))
    buttons = bot.request.buttons()
    assert buttons[:2] == ["jlj:t:*:*:1", "jlj:t:pengaron:*:1"]
    await bot.deliver(u.callback(RINI, "jlp:t:pengaron"))
    assert "jlj:t:pengaron:living:1" in bot.request.buttons()


# The migration ----------------------------------------------------------------------------------


def test_the_migration_upgrades_a_database_that_holds_ideas(any_database_url):
    engine = make_engine(any_database_url)
    upgrade(engine, "0005_outbox_cards")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO submission (code, text, pillar, suggested_pillar, confidence, reasons,"
                " anonymous, status, language, looks_like_complaint, draft_key, version,"
                " created_at, updated_at) VALUES ('IDE-0001', 'ide lama', 'living', 'living', 0.9,"
                " '', true, 'accepted', 'id', false, 'k1', 1, '2026-11-01 00:00:00+00:00',"
                " '2026-11-01 00:00:00+00:00')"
            )
        )
    upgrade(engine)
    with Session(engine) as session:
        [old] = session.exec(select(Submission)).all()
        assert (old.code, old.public, old.public_message_id, old.public_hidden_at) == (
            "IDE-0001",
            False,
            None,
            None,
        )
    engine.dispose()


# Supports in the officers' numbers --------------------------------------------------------------


async def test_supports_show_on_the_card_and_in_statistik(bot):
    appoint(bot, BUDI)
    publish(bot, status=Status.ACCEPTED)
    publish(bot, text=ROAD, pillar="living", status=Status.ACCEPTED)
    for voter in (RINI, JOHN):
        await bot.deliver(u.text(voter, f"/start {SUPPORT_PREFIX}IDE-0002"))
    await bot.deliver(u.text(RINI, f"/start {SUPPORT_PREFIX}IDE-0001"))
    await bot.deliver(u.text(BUDI, "/lihat IDE-0002"))
    assert bot.text("review.card_supports", count=2) in bot.request.last_text(BUDI["id"])
    await bot.deliver(u.text(BUDI, "/statistik"))
    stats = bot.request.texts(BUDI["id"])[-1]
    assert bot.text("stats.supports", count=3) in stats
    assert stats.index("• IDE-0002: 2") < stats.index("• IDE-0001: 1")
    await bot.deliver(u.text(BUDI, "/statistik pilar:living"))
    living = bot.request.texts(BUDI["id"])[-1]
    assert bot.text("stats.supports", count=2) in living and "IDE-0001" not in living
