"""The resident's /ide flow, driven through the real Application with real updates."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot.runtime import jobs
from storage.models import ConversationState, Draft, Photo, StatusChange, Submission
from tests import updates as u
from tests.conftest import TEAM_GROUP_ID, make_settings
from tests.desk import BUDI, appoint

IDEA = "Tolong sediakan bank sampah di setiap desa agar sampah plastik tidak dibuang ke sungai"
SITI = u.user(501, first_name="Siti")
JOHN = u.user(502, first_name="John", language_code="en")


def rows(bot, model):
    with Session(bot.services.db.engine) as session:
        return session.exec(select(model)).all()


async def walk_to_confirm(bot, who=SITI, text=IDEA, *, anonymous=True, public=False) -> str:
    """Go through every step up to the summary; return the draft key on the Send button.

    "May it be shown publicly?" is answered when it is asked (a resident's first idea)."""
    await bot.deliver(u.text(who, "/ide"))
    await bot.deliver(u.text(who, text))
    await bot.deliver(u.callback(who, "ide:kec:martapura"))
    await bot.deliver(u.callback(who, "ide:pil:environment"))
    await bot.deliver(u.callback(who, "ide:name:anon" if anonymous else "ide:name:public"))
    if "ide:pub:yes" in bot.request.buttons():
        await bot.deliver(u.callback(who, "ide:pub:yes" if public else "ide:pub:no"))
    return send_button(bot)


def send_button(bot) -> str:
    """The callback data of the Send button on the summary the bot showed last."""
    send = [data for data in bot.request.buttons() if data.startswith("ide:send:")]
    assert send, bot.request.calls[-3:]
    return send[0]


async def test_start_welcomes_in_indonesian_with_privacy_and_button(bot):
    await bot.deliver(u.text(SITI, "/start"))
    text = bot.request.last_text(SITI["id"])
    assert "Selamat datang" in text and "Kabupaten Banjar" in text
    assert "Privasi" in text
    assert bot.request.buttons() == ["ide:start"]


async def test_start_speaks_english_to_an_english_telegram_user(bot):
    await bot.deliver(u.text(JOHN, "/start"))
    assert "Welcome" in bot.request.last_text(JOHN["id"])


async def test_full_submission_is_stored_then_code_given(bot):
    send = await walk_to_confirm(bot)
    summary = bot.request.last_text(SITI["id"])
    assert "bank sampah" in summary and "Martapura" in summary and "anonim" in summary
    await bot.deliver(u.callback(SITI, send))

    assert "IDE-0001" in bot.request.last_text(SITI["id"])
    [submission] = rows(bot, Submission)
    assert submission.code == "IDE-0001"
    assert submission.text == IDEA
    assert submission.kecamatan == "martapura"
    assert submission.pillar == "environment"
    assert submission.anonymous is True
    assert submission.status == "new"
    assert submission.resident_id == SITI["id"]
    [history] = rows(bot, StatusChange)
    assert history.to_status == "new" and history.from_status is None
    assert rows(bot, Draft) == []


async def test_each_step_asks_the_next_question(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    assert "Tuliskan ide Anda" in bot.request.last_text()
    await bot.deliver(u.text(SITI, IDEA))
    assert bot.request.last_text() == bot.text("idea.ask_where")
    assert "ide:kec:martapura" in bot.request.buttons() and "ide:kec:-" in bot.request.buttons()
    await bot.deliver(u.callback(SITI, "ide:kec:-"))
    assert bot.request.last_text().startswith("🏷️ Menurut saya ide ini termasuk pilar")
    assert "ide:pil:environment" in bot.request.buttons()
    await bot.deliver(u.callback(SITI, "ide:pil:*"))
    assert {f"ide:pil:{key}" for key in bot.services.catalogue.pillar_keys} <= set(
        bot.request.buttons()
    )
    await bot.deliver(u.callback(SITI, "ide:pil:living"))
    assert "Siti" in bot.request.last_text()
    await bot.deliver(u.callback(SITI, "ide:name:public"))
    await bot.deliver(u.callback(SITI, "ide:pub:no"))
    summary = bot.request.last_text()
    assert (
        "tanpa lokasi" in summary and "Smart Living" in summary and "dengan nama (Siti)" in summary
    )


async def test_the_suggested_pillar_comes_with_its_reason(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, IDEA))
    await bot.deliver(u.callback(SITI, "ide:kec:-"))
    question = bot.request.last_text()
    draft = rows(bot, Draft)[0]
    if json.loads(draft.candidates):
        assert "beberapa pilar" in question
    else:
        assert "Smart Environment" in question and "Alasan" in question
        assert bot.request.buttons()[0] == f"ide:pil:{draft.suggested_pillar}"


async def test_english_flow_speaks_english_throughout(bot):
    await bot.deliver(u.text(JOHN, "/idea"))
    assert "Write your idea" in bot.request.last_text()
    await bot.deliver(u.text(JOHN, "short"))
    assert "a bit short" in bot.request.last_text()
    await bot.deliver(
        u.text(JOHN, "Please build a waste bank in every village so plastic stays out of the river")
    )
    assert "Which kecamatan" in bot.request.last_text()
    await bot.deliver(u.callback(JOHN, "ide:kec:gambut"))
    await bot.deliver(u.callback(JOHN, "ide:pil:environment"))
    assert "May officers see your name" in bot.request.last_text()
    await bot.deliver(u.callback(JOHN, "ide:name:public"))
    await bot.deliver(u.callback(JOHN, "ide:pub:no"))
    send = send_button(bot)
    await bot.deliver(u.callback(JOHN, send))
    thanks = bot.request.last_text(JOHN["id"])
    assert "Thank you" in thanks and "IDE-0001" in thanks


async def test_too_short_and_too_long_ask_again(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, "jalan rusak"))
    assert "terlalu pendek" in bot.request.last_text()
    await bot.deliver(u.text(SITI, "x" * 4001))
    assert "terlalu panjang" in bot.request.last_text() and "4001" in bot.request.last_text()
    assert rows(bot, Draft)[0].text is None
    await bot.deliver(u.text(SITI, ((IDEA + ". ") * 50)[:4000]))
    assert bot.request.last_text() == bot.text("idea.ask_where")


async def test_cancel_at_any_step_saves_nothing(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, IDEA))
    await bot.deliver(u.callback(SITI, "ide:kec:martapura"))
    await bot.deliver(u.text(SITI, "/batal"))
    assert "Dibatalkan" in bot.request.last_text()
    assert rows(bot, Draft) == [] and rows(bot, Submission) == []
    await bot.deliver(u.callback(SITI, "ide:pil:environment"))
    assert bot.request.of("answerCallbackQuery")[-1]["text"] == "Tombol ini sudah tidak berlaku."
    await bot.deliver(u.text(SITI, "/batal"))
    assert "Tidak ada yang sedang berjalan" in bot.request.last_text()


async def test_cancel_button_on_the_summary(bot):
    await walk_to_confirm(bot)
    await bot.deliver(u.callback(SITI, "ide:cancel"))
    assert "Dibatalkan" in bot.request.last_text()
    assert rows(bot, Submission) == [] and rows(bot, Draft) == []


async def test_photo_with_caption_is_kept_with_the_idea(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.photo(SITI, caption=IDEA, unique="a", media_group_id="g1"))
    assert bot.request.last_text() == bot.text("idea.ask_where")
    await bot.deliver(u.photo(SITI, unique="b", media_group_id="g1"))
    await bot.deliver(u.callback(SITI, "ide:kec:gambut"))
    await bot.deliver(u.callback(SITI, "ide:pil:environment"))
    await bot.deliver(u.callback(SITI, "ide:name:anon"))
    await bot.deliver(u.callback(SITI, "ide:pub:no"))
    assert "2 foto" in bot.request.last_text()
    send = send_button(bot)
    await bot.deliver(u.callback(SITI, send))
    photos = rows(bot, Photo)
    assert [p.file_id for p in sorted(photos, key=lambda p: p.position)] == ["large-a", "large-b"]


async def test_photo_without_caption_asks_for_words_and_keeps_at_most_three(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    for unique in "abcd":
        await bot.deliver(u.photo(SITI, unique=unique))
    texts = bot.request.texts()
    assert any("(1/3)" in text for text in texts)
    assert "Sudah ada 3 foto" in "".join(texts)
    assert len(json.loads(rows(bot, Draft)[0].photos)) == 3
    await bot.deliver(u.text(SITI, IDEA))
    assert bot.request.last_text() == bot.text("idea.ask_where")


async def test_stickers_and_voice_during_the_idea_step_get_an_explanation(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(
        u.message(
            SITI,
            sticker={
                "file_id": "s",
                "file_unique_id": "s",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            },
        )
    )
    assert "teks atau foto" in bot.request.last_text()
    await bot.deliver(u.message(SITI, voice={"file_id": "v", "file_unique_id": "v", "duration": 3}))
    assert "teks atau foto" in bot.request.last_text()


async def test_shared_location_answers_the_where_step(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, IDEA))
    await bot.deliver(u.location(SITI, -3.4123, 114.8456))
    await bot.deliver(u.callback(SITI, "ide:pil:environment"))
    await bot.deliver(u.callback(SITI, "ide:name:anon"))
    await bot.deliver(u.callback(SITI, "ide:pub:no"))
    assert "-3.41230" in bot.request.last_text()
    send = send_button(bot)
    await bot.deliver(u.callback(SITI, send))
    [submission] = rows(bot, Submission)
    assert (submission.latitude, submission.longitude, submission.kecamatan) == (
        -3.4123,
        114.8456,
        None,
    )


async def test_edit_changes_one_answer_and_returns_to_the_summary(bot):
    await walk_to_confirm(bot)
    await bot.deliver(u.callback(SITI, "ide:edit"))
    assert set(bot.request.buttons()) == {
        "ide:editf:text",
        "ide:editf:where",
        "ide:editf:pillar",
        "ide:editf:name",
        "ide:editf:public",
    }
    await bot.deliver(u.callback(SITI, "ide:editf:where"))
    assert bot.request.last_text() == bot.text("idea.ask_where")
    await bot.deliver(u.callback(SITI, "ide:kec:aranio"))
    assert "Periksa kembali" in bot.request.last_text() and "Aranio" in bot.request.last_text()


async def test_forged_button_data_is_refused_without_changing_the_draft(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, IDEA))
    await bot.deliver(u.callback(SITI, "ide:kec:atlantis"))
    assert bot.request.of("answerCallbackQuery")[-1]["text"] == "Tombol ini sudah tidak berlaku."
    await bot.deliver(u.callback(SITI, "ide:pil:nonsense"))
    assert rows(bot, Draft)[0].kecamatan is None
    await bot.deliver(u.callback(SITI, "ide:send:" + "0" * 32))
    assert rows(bot, Submission) == []


async def test_the_same_update_delivered_twice_creates_one_submission(bot):
    send = await walk_to_confirm(bot)
    press = u.callback(SITI, send)
    await bot.deliver(press)
    await bot.deliver(press)
    assert len(rows(bot, Submission)) == 1
    assert sum("IDE-0001" in text for text in bot.request.texts(SITI["id"])) == 1
    assert (
        sum("IDE-0001" in text for text in bot.request.texts(TEAM_GROUP_ID)) == 1
    )  # announced once


async def test_pressing_send_twice_answers_with_the_same_code(bot):
    send = await walk_to_confirm(bot)
    await bot.deliver(u.callback(SITI, send))
    await bot.deliver(u.callback(SITI, send))
    assert len(rows(bot, Submission)) == 1
    assert [text for text in bot.request.texts() if "IDE-" in text][-1].count("IDE-0001") >= 1


async def test_a_restart_continues_the_conversation_at_the_same_step(bot_factory, database_url):
    settings = make_settings(database_url)
    async with bot_factory(settings) as first:
        await first.deliver(u.text(SITI, "/ide"))
        await first.deliver(u.text(SITI, IDEA))
    async with bot_factory(settings) as second:
        states = rows(second, ConversationState)
        assert [s.state for s in states] == ["where"]
        await second.deliver(u.callback(SITI, "ide:kec:martapura"))
        assert second.request.last_text().startswith("🏷️ Menurut saya ide ini termasuk pilar")
        await second.deliver(u.callback(SITI, "ide:pil:environment"))
        await second.deliver(u.callback(SITI, "ide:name:anon"))
        await second.deliver(u.callback(SITI, "ide:pub:no"))
        send = send_button(second)
        await second.deliver(u.callback(SITI, send))
        [submission] = rows(second, Submission)
        assert submission.text == IDEA and submission.kecamatan == "martapura"


async def test_free_text_outside_the_flow_is_offered_as_an_idea(bot):
    await bot.deliver(u.text(SITI, IDEA))
    assert "sebagai ide" in bot.request.last_text()
    assert bot.request.buttons() == ["ide:offer:yes", "ide:offer:no"]
    await bot.deliver(u.callback(SITI, "ide:offer:yes"))
    assert bot.request.last_text() == bot.text("idea.ask_where")
    assert rows(bot, Draft)[0].text == IDEA


async def test_declining_the_offer_forgets_the_text(bot):
    await bot.deliver(u.text(SITI, IDEA))
    await bot.deliver(u.callback(SITI, "ide:offer:no"))
    assert rows(bot, Draft) == []
    assert bot.request.last_text() == bot.text("idea.offer_declined")


async def test_a_greeting_outside_the_flow_is_greeted_back_and_starts_nothing(bot):
    await bot.deliver(u.text(SITI, "halo"))
    assert bot.request.last_text() == bot.text("intent.greeting") and rows(bot, Draft) == []


async def test_group_chat_messages_are_ignored(bot):
    group = u.group_chat()
    await bot.deliver(u.text(SITI, "/start", chat=group))
    await bot.deliver(u.text(SITI, "/ide", chat=group))
    await bot.deliver(u.text(SITI, IDEA, chat=group))
    assert bot.request.of("sendMessage") == []


async def test_user_text_is_escaped_in_the_summary(bot):
    await walk_to_confirm(
        bot, text="<b>Lampu jalan</b> & <script>x</script> mati di jalan Ahmad Yani km 5"
    )
    summary = bot.request.last_text()
    assert "&lt;b&gt;Lampu jalan&lt;/b&gt; &amp; &lt;script&gt;" in summary


async def test_daily_limit_stops_further_submissions(bot_factory, database_url):
    async with bot_factory(make_settings(database_url, MAX_SUBMISSIONS_PER_DAY="1")) as bot:
        send = await walk_to_confirm(bot)
        await bot.deliver(u.callback(SITI, send))
        await bot.deliver(u.text(SITI, "/ide"))
        assert "batas harian" in bot.request.last_text()
        assert len(rows(bot, Submission)) == 1


async def test_a_draft_idle_for_30_minutes_is_put_aside_and_the_resident_told(bot, clock):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, IDEA))
    clock.now += timedelta(minutes=29)
    await bot.put_aside_idle()
    assert len(rows(bot, Draft)) == 1
    assert not any("30 menit" in text for text in bot.request.texts(SITI["id"]))
    clock.now += timedelta(minutes=2)
    await bot.put_aside_idle()
    assert rows(bot, Draft) == []
    assert "30 menit" in bot.request.last_text(SITI["id"])


async def test_the_first_look_for_idle_drafts_waits_until_a_backlog_is_handled(bot):
    # After a stop, a resident's next step may wait in the backlog: no draft is put aside in
    # the first 30 minutes of a run.
    jobs.schedule_housekeeping(bot.app)
    [job] = bot.app.job_queue.get_jobs_by_name(jobs.PUT_ASIDE_JOB)
    assert job.next_t - datetime.now(UTC) > timedelta(minutes=29)


async def test_a_step_answered_after_the_draft_was_put_aside_leaves_the_flow(bot, clock):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, IDEA))
    clock.now += timedelta(minutes=31)
    await bot.put_aside_idle()
    told = len(bot.request.texts(SITI["id"]))
    await bot.deliver(u.callback(SITI, "ide:kec:martapura"))  # the button of the step left
    assert "30 menit" in bot.request.last_text(SITI["id"])
    assert len(bot.request.texts(SITI["id"])) == told + 1
    assert rows(bot, Draft) == [] and rows(bot, ConversationState) == []
    await bot.deliver(u.text(SITI, IDEA))
    assert "sebagai ide" in bot.request.last_text()  # outside the flow: offered as a new idea


async def test_a_photo_after_the_draft_was_put_aside_leaves_the_flow_too(bot, clock):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, IDEA))
    clock.now += timedelta(minutes=31)
    await bot.put_aside_idle()
    await bot.deliver(u.photo(SITI))
    assert "30 menit" in bot.request.last_text(SITI["id"])
    assert rows(bot, Draft) == [] and rows(bot, ConversationState) == []


async def test_the_notice_is_in_the_residents_language(bot, clock):
    tourist = u.user(502, language_code="en")
    await bot.deliver(u.text(tourist, "/bahasa"))
    await bot.deliver(u.callback(tourist, "lang:en"))
    await bot.deliver(u.text(tourist, "/idea"))
    clock.now += timedelta(minutes=31)
    await bot.put_aside_idle()
    assert "30 minutes" in bot.request.last_text(tourist["id"])


async def test_an_idle_draft_is_put_aside_after_a_restart_too(bot_factory, database_url, clock):
    settings = make_settings(database_url)
    async with bot_factory(settings) as first:
        await first.deliver(u.text(SITI, "/ide"))
        await first.deliver(u.text(SITI, IDEA))
    clock.now += timedelta(minutes=31)
    async with bot_factory(settings) as second:
        await second.put_aside_idle()
        assert "30 menit" in second.request.last_text(SITI["id"])
        await second.deliver(u.text(SITI, "/ide"))  # a fresh start, not the draft put aside
        assert "Tuliskan ide" in second.request.last_text()
        assert "lanjutkan" not in " ".join(second.request.texts(SITI["id"]))


async def test_when_the_tagger_is_unsure_the_resident_chooses_among_the_likeliest(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await bot.deliver(u.text(SITI, "Perahu untuk pedagang pasar terapung"))
    await bot.deliver(u.callback(SITI, "ide:kec:-"))
    assert "beberapa pilar" in bot.request.last_text()
    offered = [b.removeprefix("ide:pil:") for b in bot.request.buttons()]
    assert offered[-1] == "*" and 2 <= len(offered) - 1 <= 3
    assert {"economy", "branding"} <= set(offered)
    await bot.deliver(u.callback(SITI, "ide:pil:branding"))
    await bot.deliver(u.callback(SITI, "ide:name:anon"))
    await bot.deliver(u.callback(SITI, "ide:pub:no"))
    await bot.deliver(u.callback(SITI, send_button(bot)))
    [submission] = rows(bot, Submission)
    assert submission.pillar == "branding" and submission.suggested_pillar in offered


async def test_status_shows_the_owner_the_full_card_and_nobody_else(bot):
    await walk_to_confirm(bot)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    await bot.deliver(u.text(SITI, "/status ide-0001"))
    card = bot.request.last_text(SITI["id"])
    assert "IDE-0001" in card and "Baru" in card and IDEA in card and "Martapura" in card
    assert "WITA" in card and "Riwayat" in card
    await bot.deliver(u.text(JOHN, "/status IDE-0001"))
    reply = bot.request.last_text(JOHN["id"])
    assert "not among your ideas" in reply and IDEA not in reply


async def test_my_ideas_are_listed_newest_first_and_paged(bot_factory, database_url, clock):
    async with bot_factory(make_settings(database_url, MAX_SUBMISSIONS_PER_DAY="10")) as bot:
        for index in range(7):
            clock.now += timedelta(minutes=1)
            await walk_to_confirm(bot, text=f"{IDEA} nomor {index}")
            await bot.deliver(u.callback(SITI, send_button(bot)))
        await bot.deliver(u.text(SITI, "/ideaku"))
        first = bot.request.last_text(SITI["id"])
        assert "halaman 1 dari 2" in first and "IDE-0007" in first and "IDE-0003" in first
        assert "IDE-0002" not in first and "27 Nov 2026" in first
        assert bot.request.buttons() == ["mine:page:2"]
        await bot.deliver(u.callback(SITI, "mine:page:2"))
        second = bot.request.last_text(SITI["id"])
        assert "halaman 2 dari 2" in second and "IDE-0001" in second and "IDE-0003" not in second
        assert bot.request.buttons() == ["mine:page:1"]


async def test_status_history_names_a_pillar_change(bot):
    await walk_to_confirm(bot)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    appoint(bot, BUDI)
    [submission] = rows(bot, Submission)
    await bot.deliver(u.callback(BUDI, f"rev:pillar:{submission.id}:1:living"))
    await bot.deliver(u.text(SITI, "/status IDE-0001"))
    card = bot.request.last_text(SITI["id"])
    assert "pilar diubah petugas menjadi Smart Living" in card
    assert "Smart Living — Kualitas Hidup" in card.splitlines()[1]


async def test_the_summary_shows_a_name_with_html_characters_as_written(bot):
    tom = u.user(503, first_name="Tom & <Jerry>")
    await walk_to_confirm(bot, tom, anonymous=False)
    summary = bot.request.last_text(503)
    assert "dengan nama (Tom &amp; &lt;Jerry&gt;)" in summary and "&amp;amp;" not in summary


async def test_status_of_a_long_idea_with_a_long_reason_fits_in_one_message(bot):
    long_idea = "Perbaiki jalan desa di Gambut. " + "Jalannya berlubang. " * 198  # 3,991
    await walk_to_confirm(bot, text=long_idea)
    await bot.deliver(u.callback(SITI, send_button(bot)))
    appoint(bot, BUDI)
    [submission] = rows(bot, Submission)
    await bot.deliver(u.callback(BUDI, f"rev:reject:{submission.id}:1"))
    reason = "Sudah masuk rencana kerja dinas tahun depan. " + "r" * 950
    await bot.deliver(u.text(BUDI, reason))
    await bot.deliver(u.text(SITI, "/status IDE-0001"))
    card = bot.request.last_text(SITI["id"])
    assert reason in card and "Perbaiki jalan desa di Gambut." in card and card.count("…") == 1


async def test_a_photo_with_a_caption_too_long_on_the_summary_keeps_the_idea_at_the_summary(bot):
    await walk_to_confirm(bot)
    await bot.deliver(u.photo(SITI, caption="z" * 4500))
    too_long, summary = bot.request.texts(SITI["id"])[-2:]
    assert "terlalu panjang" in too_long and "Periksa kembali" in summary and IDEA in summary
    await bot.deliver(u.callback(SITI, send_button(bot)))
    [submission] = rows(bot, Submission)
    assert submission.text == IDEA and len(rows(bot, Photo)) == 1
