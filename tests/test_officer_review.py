"""The review desk at work: the queue, the card, every action and who hears of it, races, groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.prompts import Unanswered
from bot.domain.review import Action, Refused
from bot.domain.sla import sla_deadline
from bot.domain.submissions import Profile
from handlers.cards import HISTORY_LIMIT
from storage.models import OutboxMessage, ReviewNote, ReviewPrompt, Status
from tests import updates as u
from tests.conftest import make_settings
from tests.desk import (
    BUDI,
    GROUP,
    GROUP_ID,
    IDEA,
    JOHN,
    RINA,
    SITI,
    appoint,
    button,
    callback_answers,
    changes,
    rows,
    seed,
    submission,
)
from tests.recording import BOT_USER
from tests.test_submission_flow import walk_to_confirm

WITA = ZoneInfo("Asia/Makassar")
ROAD = "Jalan desa di Gambut rusak parah dan berlubang, mohon diperbaiki sebelum musim hujan"


async def open_card(bot, who=BUDI, code="IDE-0001", **kwargs) -> None:
    await bot.deliver(u.text(who, f"/lihat {code}", **kwargs))


# The queue ------------------------------------------------------------------------------------


async def test_the_queue_lists_what_waits_oldest_first_in_pages(bot, clock):
    appoint(bot, BUDI)
    start = clock.now - timedelta(days=1)
    for index in range(7):
        seed(bot, text=f"{IDEA} nomor {index}", created_at=start + timedelta(minutes=index))
    seed(bot, status=Status.ACCEPTED, created_at=start - timedelta(days=9))
    seed(bot, status=Status.NEEDS_INFO, created_at=start - timedelta(days=9))
    await bot.deliver(u.text(BUDI, "/antrian"))
    first = bot.request.last_text(BUDI["id"])
    assert "(7)" in first and "halaman 1 dari 2" in first
    assert first.index("IDE-0001") < first.index("IDE-0005")
    assert "IDE-0006" not in first and "IDE-0008" not in first and "IDE-0009" not in first
    assert "menunggu 1 hari 0 jam" in first
    assert bot.request.buttons()[:2] == ["rvv:1", "rvv:2"] and "rvq:2" in bot.request.buttons()
    await bot.deliver(u.callback(BUDI, "rvq:2"))
    second = bot.request.last_text(BUDI["id"])
    assert "IDE-0006" in second and "IDE-0007" in second and "IDE-0001" not in second
    await bot.deliver(u.callback(BUDI, "rvv:6"))
    assert bot.request.last_text(BUDI["id"]).startswith("<b>IDE-0006</b>")
    await bot.deliver(u.callback(BUDI, "rvq:99"))  # an old button, after the queue shrank
    last = bot.request.last_text(BUDI["id"])
    assert "halaman 2 dari 2" in last and "IDE-0006" in last


def test_the_sla_counts_working_days_in_wita_and_skips_weekends():
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=WITA)
    assert sla_deadline(friday, WITA, 3) == datetime(2026, 12, 2, 10, 0, tzinfo=WITA)
    saturday = datetime(2026, 11, 28, 15, 0, tzinfo=WITA)
    assert sla_deadline(saturday, WITA, 1) == datetime(2026, 12, 1, 0, 0, tzinfo=WITA)
    late_utc = datetime(2026, 11, 27, 17, 0, tzinfo=UTC)  # Saturday 01:00 in WITA
    assert sla_deadline(late_utc, WITA, 1) == datetime(2026, 12, 1, 0, 0, tzinfo=WITA)


async def test_overdue_is_marked_after_three_working_days_not_three_calendar_days(bot, clock):
    appoint(bot, BUDI)
    seed(bot)  # Friday 27 Nov 2026, 10:00 WITA
    clock.now = datetime(2026, 12, 1, 10, 30, tzinfo=WITA)  # Tuesday: 4 days, 2 working days
    await bot.deliver(u.text(BUDI, "/antrian"))
    assert "⏰" not in bot.request.last_text(BUDI["id"])
    await open_card(bot)
    assert "lewat" not in bot.request.last_text(BUDI["id"])
    clock.now = datetime(2026, 12, 2, 10, 30, tzinfo=WITA)  # Wednesday: past the third
    await bot.deliver(u.text(BUDI, "/antrian"))
    assert "⏰ <b>IDE-0001</b>" in bot.request.last_text(BUDI["id"])
    await open_card(bot)
    assert "lewat 3 hari kerja" in bot.request.last_text(BUDI["id"])


# The card -------------------------------------------------------------------------------------


async def test_the_card_shows_everything_an_officer_needs(bot):
    appoint(bot, BUDI)
    seed(bot, JOHN, IDEA + " di Martapura", anonymous=True)
    seed(bot, SITI, IDEA + " <b>segera</b> & cepat", photos=("ph-a", "ph-b"), complaint=True)
    await open_card(bot, code="ide-0002")
    [album] = bot.request.of("sendMediaGroup")
    assert [m["media"] for m in album["media"]] == ["ph-a", "ph-b"]
    card = bot.request.last_text(BUDI["id"])
    assert "&lt;b&gt;segera&lt;/b&gt; &amp; cepat" in card
    assert "Smart Environment" in card and "83%" in card and "sampah, sungai" in card
    assert "📍 Martapura" in card and "👤 Siti" in card and "2 foto" in card
    assert "pengaduan" in card and "IDE-0001 (" in card
    assert "611" not in card and "siti_banjar" not in card
    assert "diterima dari warga" in card
    assert bot.request.buttons() == [
        "rev:take:2:1",
        "rev:accept:2:1",
        "rev:reject:2:1",
        "rev:ask:2:1",
        "rev:dup:2:1",
        "rev:pillar:2:1",
        "rev:note:2:1",
        "rvv:2",
    ]
    assert all(len(data.encode()) < 64 for data in bot.request.buttons())
    await open_card(bot, code="IDE-0001")
    assert "👤 anonim" in bot.request.last_text(BUDI["id"])
    assert "John" not in bot.request.last_text(BUDI["id"])
    await open_card(bot, code="IDE-0404")
    assert "tidak ditemukan" in bot.request.last_text(BUDI["id"])


async def test_the_residents_name_on_the_card_is_escaped(bot):
    appoint(bot, BUDI)
    seed(bot, u.user(613, first_name="Tom & <Jerry>"))
    await open_card(bot)
    assert bot.request.refused == []
    assert "\n👤 Tom &amp; &lt;Jerry&gt;\n" in bot.request.last_text(BUDI["id"])


async def test_an_idea_sent_anonymously_is_anonymous_on_the_card_whatever_the_consent(bot):
    appoint(bot, BUDI)
    seed(bot, SITI)
    seed(bot, SITI, anonymous=True)
    await open_card(bot, code="IDE-0002")
    assert "\n👤 anonim\n" in bot.request.last_text(BUDI["id"])
    assert "Siti" not in bot.request.last_text(BUDI["id"])


# Actions without words ------------------------------------------------------------------------


async def test_take_and_accept_move_the_idea_and_tell_the_resident_in_english(bot):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN)
    await open_card(bot)
    await bot.deliver(u.callback(BUDI, button(bot, "rev:take:")))
    assert submission(bot, idea.id).status == "in_review"
    assert "being reviewed" in bot.request.last_text(JOHN["id"])
    edited = bot.request.of("editMessageText")[-1]
    assert edited["text"].startswith("<b>IDE-0001</b> · Sedang ditinjau")
    assert f"rev:accept:{idea.id}:2" in bot.request.buttons()
    await bot.deliver(u.callback(BUDI, f"rev:accept:{idea.id}:2"))
    stored = submission(bot, idea.id)
    assert (stored.status, stored.version) == ("accepted", 3)
    assert "accepted" in bot.request.last_text(JOHN["id"])
    history = changes(bot, idea.id)
    assert [(c.from_status, c.to_status, c.actor_id, c.actor_role, c.version) for c in history] == [
        (None, "new", JOHN["id"], "resident", 1),
        ("new", "in_review", BUDI["id"], "officer", 2),
        ("in_review", "accepted", BUDI["id"], "officer", 3),
    ]
    assert callback_answers(bot)[-1].startswith("IDE-0001")


async def test_implemented_only_follows_accepted(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    await bot.deliver(u.callback(BUDI, f"rev:impl:{idea.id}:1"))
    assert submission(bot, idea.id).status == "new"
    assert "tidak berlaku lagi" in bot.request.texts(BUDI["id"])[0]
    await bot.deliver(u.callback(BUDI, f"rev:accept:{idea.id}:1"))
    await bot.deliver(u.callback(BUDI, f"rev:impl:{idea.id}:2"))
    assert submission(bot, idea.id).status == "implemented"
    assert "terlaksana" in bot.request.last_text(SITI["id"])


async def test_changing_the_pillar_offers_the_others_and_tells_the_resident(bot):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN)
    await bot.deliver(u.callback(BUDI, f"rev:pillar:{idea.id}:1"))
    choices = bot.request.buttons()
    assert f"rev:pillar:{idea.id}:1:living" in choices and len(choices) == 6
    assert f"rev:pillar:{idea.id}:1:environment" not in choices
    await bot.deliver(u.callback(BUDI, f"rev:pillar:{idea.id}:1:living"))
    stored = submission(bot, idea.id)
    assert (stored.pillar, stored.status, stored.version) == ("living", "new", 2)
    last = changes(bot, idea.id)[-1]
    assert (last.from_pillar, last.to_pillar, last.from_status, last.to_status) == (
        "environment",
        "living",
        "new",
        "new",
    )
    assert "Smart Living" in bot.request.last_text(JOHN["id"])
    await bot.deliver(u.callback(BUDI, f"rev:pillar:{idea.id}:2:nonsense"))
    assert submission(bot, idea.id).version == 2


# Actions with words ---------------------------------------------------------------------------


async def test_reject_with_the_officers_own_words_escaped_for_the_resident(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    await open_card(bot)
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
    prompt = bot.request.last_text(BUDI["id"])
    assert "alasan penolakan" in prompt and "<code>Usulan ini di luar kewenangan" in prompt
    assert bot.request.buttons() == ["rvt:scope", "rvt:planned", "rvt:unclear", "rvt:-"]
    await bot.deliver(u.text(BUDI, "Anggaran <2027> & prioritas lain"))
    stored = submission(bot, idea.id)
    assert (stored.status, stored.version) == ("rejected", 2)
    assert changes(bot, idea.id)[-1].note == "Anggaran <2027> & prioritas lain"
    assert "Anggaran &lt;2027&gt; &amp; prioritas lain" in bot.request.last_text(SITI["id"])
    edited = bot.request.of("editMessageText")[-1]
    assert int(edited["message_id"]) == 100 and "Ditolak" in edited["text"]
    assert rows(bot, ReviewPrompt) == []


async def test_a_template_reaches_the_resident_in_their_own_language(bot):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN)
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
    await bot.deliver(u.callback(BUDI, "rvt:planned"))
    assert submission(bot, idea.id).status == "rejected"
    told = bot.request.last_text(JOHN["id"])
    assert "Similar work is already planned" in told and "cannot be taken further" in told
    assert changes(bot, idea.id)[-1].note.startswith("Similar work is already planned")


async def test_asking_for_information_and_the_residents_answer(bot):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN)
    await bot.deliver(u.callback(BUDI, f"rev:ask:{idea.id}:1"))
    await bot.deliver(u.callback(BUDI, "rvt:place"))
    assert submission(bot, idea.id).status == "needs_info"
    question = bot.request.last_text(JOHN["id"])
    assert "more information" in question and "Where exactly" in question
    [told] = [m for m in bot.request.of("sendMessage") if int(m["chat_id"]) == JOHN["id"]]
    assert told["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == f"ans:{idea.id}"

    await bot.deliver(u.callback(JOHN, f"ans:{idea.id}"))
    assert "Write your answer" in bot.request.last_text(JOHN["id"])
    bot.request.clear()
    await bot.deliver(u.text(JOHN, "Near the Martapura market, Jalan Ahmad Yani km 39"))
    stored = submission(bot, idea.id)
    assert (stored.status, stored.version) == ("in_review", 3)
    last = changes(bot, idea.id)[-1]
    assert (last.from_status, last.actor_role, last.actor_id) == ("needs_info", "resident", 612)
    assert last.note == "Near the Martapura market, Jalan Ahmad Yani km 39"
    assert "back in review" in bot.request.last_text(JOHN["id"])
    to_officer = bot.request.last_text(BUDI["id"])
    assert "menjawab" in to_officer and "Ahmad Yani km 39" in to_officer
    assert f"rev:accept:{idea.id}:3" in bot.request.buttons()

    await bot.deliver(u.callback(JOHN, f"ans:{idea.id}"))
    assert callback_answers(bot)[-1] == "This button is no longer active."


async def test_an_answer_handled_again_after_a_restart_is_recorded_once_and_thanked(bot):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN)
    await bot.deliver(u.callback(BUDI, f"rev:ask:{idea.id}:1"))
    await bot.deliver(u.callback(BUDI, "rvt:place"))
    await bot.deliver(u.callback(JOHN, f"ans:{idea.id}"))
    replies = bot.services.prompts
    first = await replies.answer(JOHN["id"], "Near the Martapura market")
    again = await replies.answer(JOHN["id"], "Near the Martapura market")
    assert again == first and again.asked_by == BUDI["id"]
    assert [c.to_status for c in changes(bot, idea.id)] == ["new", "needs_info", "in_review"]
    assert await replies.answer(JOHN["id"], "Something else") is Unanswered.NOT_AWAITED


async def test_marking_a_duplicate_needs_a_known_other_code(bot):
    appoint(bot, BUDI)
    original = seed(bot)
    repeat = seed(bot, JOHN, IDEA + " juga")
    await bot.deliver(u.callback(BUDI, f"rev:dup:{repeat.id}:1"))
    assert "rvt:IDE-0001" in bot.request.buttons()
    await bot.deliver(u.text(BUDI, "IDE-0999"))
    assert "tidak dikenal" in bot.request.last_text(BUDI["id"])
    await bot.deliver(u.text(BUDI, repeat.code))
    assert submission(bot, repeat.id).status == "new"
    await bot.deliver(u.text(BUDI, original.code.lower()))
    assert submission(bot, repeat.id).status == "duplicate"
    assert changes(bot, repeat.id)[-1].note == "IDE-0001"
    assert "IDE-0001" in bot.request.last_text(JOHN["id"])


async def test_an_internal_note_stays_internal(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    await bot.deliver(u.callback(BUDI, f"rev:note:{idea.id}:1"))
    await bot.deliver(u.text(BUDI, "Koordinasi dengan DLH minggu depan"))
    [note] = rows(bot, ReviewNote)
    assert (note.author_id, note.text) == (BUDI["id"], "Koordinasi dengan DLH minggu depan")
    assert submission(bot, idea.id).version == 1
    assert bot.request.texts(SITI["id"]) == []
    await open_card(bot)
    assert "catatan internal — Budi: “Koordinasi dengan DLH" in bot.request.last_text(BUDI["id"])
    await bot.deliver(u.text(SITI, "/status IDE-0001"))
    assert "DLH" not in bot.request.last_text(SITI["id"])


async def test_a_note_handled_again_after_a_restart_is_kept_once(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    for _ in range(2):
        officer = Profile(BUDI["id"], BUDI["first_name"], None, None)
        await bot.services.review.act(officer, idea.id, 1, Action.NOTE, words="Koordinasi")
    assert [note.text for note in rows(bot, ReviewNote)] == ["Koordinasi"]


async def test_words_of_nothing_but_spaces_are_refused_and_change_nothing(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    officer = Profile(BUDI["id"], BUDI["first_name"], None, None)
    for action in (Action.REJECT, Action.ASK, Action.NOTE):
        refused = await bot.services.review.act(officer, idea.id, 1, action, words=" \n ")
        assert refused is Refused.EMPTY
    assert submission(bot, idea.id).version == 1 and rows(bot, ReviewNote) == []
    assert rows(bot, OutboxMessage) == []


async def test_cancel_leaves_the_idea_as_it_was(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
    await bot.deliver(u.text(BUDI, "/batal"))
    assert "Dibatalkan" in bot.request.last_text(BUDI["id"])
    await bot.deliver(u.text(BUDI, "ini bukan alasan, hanya pesan biasa yang cukup panjang"))
    assert submission(bot, idea.id).status == "new" and rows(bot, ReviewPrompt) == []


# Waits left idle ------------------------------------------------------------------------------


async def test_an_action_awaiting_words_for_30_minutes_is_put_aside(bot, clock):
    appoint(bot, BUDI)
    idea = seed(bot)
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
    clock.now += timedelta(minutes=29)
    await bot.put_aside_idle()
    assert len(rows(bot, ReviewPrompt)) == 1
    clock.now += timedelta(minutes=2)
    await bot.put_aside_idle()
    assert rows(bot, ReviewPrompt) == []
    await bot.deliver(u.text(BUDI, "ini bukan alasan, hanya pesan biasa yang cukup panjang"))
    assert submission(bot, idea.id).status == "new"
    assert "30 menit" in bot.request.last_text(BUDI["id"])
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))  # the card's button still works
    await bot.deliver(u.text(BUDI, "Di luar kewenangan kabupaten"))
    assert submission(bot, idea.id).status == "rejected"


async def test_an_action_awaiting_words_is_put_aside_after_a_restart_too(
    bot_factory, database_url, clock
):
    settings = make_settings(database_url)
    async with bot_factory(settings) as first:
        appoint(first, BUDI)
        idea = seed(first)
        await first.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
    clock.now += timedelta(hours=3)
    async with bot_factory(settings) as second:
        await second.put_aside_idle()
        # Hours later, in the same chat: a message, not the reason for a rejection.
        await second.deliver(u.text(BUDI, "Rapat koordinasi besok jam sembilan di kantor"))
        assert submission(second, idea.id).status == "new"
        assert changes(second, idea.id)[-1].note is None


async def test_an_officers_reply_in_the_group_after_the_wait_was_put_aside_gets_no_answer(
    bot, clock
):
    appoint(bot, BUDI)
    idea = seed(bot)
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1", chat=GROUP))
    clock.now += timedelta(minutes=31)
    await bot.put_aside_idle()
    bot.request.clear()
    reply_to = {"message_id": 5, "date": 1, "chat": GROUP, "from": BOT_USER, "text": "…"}
    await bot.deliver(
        u.text(BUDI, "Setuju, kita bahas besok", chat=GROUP, reply_to_message=reply_to)
    )
    assert submission(bot, idea.id).status == "new"
    assert bot.request.of("sendMessage") == []


async def test_an_answer_awaited_for_30_minutes_is_put_aside_and_the_resident_told(bot, clock):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN)
    await bot.deliver(u.callback(BUDI, f"rev:ask:{idea.id}:1"))
    await bot.deliver(u.callback(BUDI, "rvt:place"))
    await bot.deliver(u.callback(JOHN, f"ans:{idea.id}"))
    clock.now += timedelta(minutes=31)
    await bot.put_aside_idle()
    await bot.deliver(u.text(JOHN, "Near the Martapura market, Jalan Ahmad Yani km 39"))
    assert "30 minutes" in bot.request.last_text(JOHN["id"])
    assert submission(bot, idea.id).status == "needs_info"
    await bot.deliver(u.callback(JOHN, f"ans:{idea.id}"))  # pressing Answer again works
    await bot.deliver(u.text(JOHN, "Near the Martapura market, Jalan Ahmad Yani km 39"))
    assert submission(bot, idea.id).status == "in_review"


# Two officers at once -------------------------------------------------------------------------


async def test_an_action_pressed_twice_is_done_once_and_said_done(bot):
    # A double tap, or the button's update handled again after a restart.
    appoint(bot, BUDI)
    idea = seed(bot)
    await bot.deliver(u.callback(BUDI, f"rev:accept:{idea.id}:1"))
    bot.request.clear()
    await bot.deliver(u.callback(BUDI, f"rev:accept:{idea.id}:1"))
    assert callback_answers(bot) == ["IDE-0001: Diterima"]
    assert bot.request.of("sendMessage") == []  # no refusal, and the resident was told once
    assert "<b>IDE-0001</b> · Diterima" in bot.request.last_text(BUDI["id"])  # card refreshed
    assert [c.to_status for c in changes(bot, idea.id)] == ["new", "accepted"]
    await bot.deliver(u.callback(BUDI, f"rev:impl:{idea.id}:1"))  # another action, same old card
    assert "berubah sejak kartu" in bot.request.texts(BUDI["id"])[-2]
    assert submission(bot, idea.id).status == "accepted"


async def test_a_pillar_chosen_twice_is_moved_once(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    for _ in range(2):
        await bot.deliver(u.callback(BUDI, f"rev:pillar:{idea.id}:1:living"))
    told = [int(m["chat_id"]) for m in bot.request.of("sendMessage")]
    assert told == [SITI["id"]]  # the resident, once; no refusal to the officer
    assert [c.to_pillar for c in changes(bot, idea.id)] == [None, "living"]
    await bot.deliver(u.callback(BUDI, f"rev:pillar:{idea.id}:1:economy"))
    assert "berubah sejak kartu" in bot.request.texts(BUDI["id"])[-2]
    assert submission(bot, idea.id).pillar == "living"


async def test_the_same_words_again_are_done_once_and_other_words_are_refused(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    for _ in range(2):
        bot.request.clear()
        await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
        await bot.deliver(u.text(BUDI, "Di luar kewenangan kabupaten"))
        assert bot.request.texts(BUDI["id"])[1] == "IDE-0001: Ditolak"
    [told] = rows(bot, OutboxMessage)  # the resident is told once, the first time
    assert told.chat_id == SITI["id"] and "Di luar kewenangan kabupaten" in told.text
    assert [c.to_status for c in changes(bot, idea.id)] == ["new", "rejected"]
    bot.request.clear()
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
    await bot.deliver(u.text(BUDI, "Anggaran tahun ini sudah habis"))
    assert "berubah sejak kartu" in bot.request.texts(BUDI["id"])[1]
    assert changes(bot, idea.id)[-1].note == "Di luar kewenangan kabupaten"


async def test_the_second_of_two_racing_officers_is_told_who_changed_what(bot):
    appoint(bot, BUDI)
    appoint(bot, RINA)
    idea = seed(bot)
    await open_card(bot, BUDI)
    await open_card(bot, RINA)
    await bot.deliver(u.callback(RINA, f"rev:reject:{idea.id}:1"))
    await bot.deliver(u.callback(BUDI, f"rev:accept:{idea.id}:1"))
    bot.request.clear()
    await bot.deliver(u.text(RINA, "Tidak sesuai"))
    stored = submission(bot, idea.id)
    assert (stored.status, stored.version) == ("accepted", 2)
    refusal, fresh = bot.request.texts(RINA["id"])
    assert "changed since your card" in refusal
    assert "Accepted — Budi" in refusal
    assert fresh.startswith("<b>IDE-0001</b> · Accepted")
    assert f"rev:impl:{idea.id}:2" in bot.request.buttons()
    assert bot.request.texts(SITI["id"]) == []
    await bot.deliver(u.callback(RINA, f"rev:take:{idea.id}:1"))
    assert "Accepted — Budi" in bot.request.texts(RINA["id"])[-2]
    assert len(changes(bot, idea.id)) == 2


# New ideas and the team's group ---------------------------------------------------------------


async def test_a_new_idea_is_announced_to_the_team_groups(bot_factory, database_url):
    settings = make_settings(database_url, DIGEST_CHAT_IDS=str(GROUP_ID))
    async with bot_factory(settings) as bot:
        send = await walk_to_confirm(bot, SITI, ROAD)
        await bot.deliver(u.callback(SITI, send))
        announced = bot.request.last_text(GROUP_ID)
        assert "Ide baru masuk: <b>IDE-0001</b>" in announced and "Gambut" in announced
        assert "rev:accept:1:1" in bot.request.buttons()


async def test_announcements_can_be_switched_off(bot_factory, database_url):
    settings = make_settings(database_url, DIGEST_CHAT_IDS=str(GROUP_ID), ANNOUNCE_NEW="false")
    async with bot_factory(settings) as bot:
        send = await walk_to_confirm(bot, SITI, ROAD)
        await bot.deliver(u.callback(SITI, send))
        assert bot.request.texts(GROUP_ID) == []


async def test_officers_work_in_the_group_and_answer_by_reply(bot):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN)
    await bot.deliver(u.text(BUDI, "/antrian", chat=GROUP))
    assert "IDE-0001" in bot.request.last_text(GROUP_ID)
    await bot.deliver(u.callback(BUDI, f"rev:ask:{idea.id}:1", chat=GROUP))
    assert bot.request.last_text(GROUP_ID).startswith("Budi, balas pesan ini")
    await bot.deliver(u.text(BUDI, "obrolan lain tanpa membalas", chat=GROUP))
    assert submission(bot, idea.id).status == "new"
    reply_to = {"message_id": 5, "date": 1, "chat": GROUP, "from": BOT_USER, "text": "…"}
    await bot.deliver(
        u.text(BUDI, "Berapa rumah terdampak?", chat=GROUP, reply_to_message=reply_to)
    )
    assert submission(bot, idea.id).status == "needs_info"
    assert "Berapa rumah terdampak?" in bot.request.last_text(JOHN["id"])


async def test_in_the_group_a_reply_to_a_colleague_is_not_taken_as_the_officers_words(bot):
    appoint(bot, BUDI)
    appoint(bot, RINA)
    idea = seed(bot, JOHN)
    await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1", chat=GROUP))
    bot.request.clear()
    colleague = {"message_id": 6, "date": 1, "chat": GROUP, "from": RINA, "text": "Sudah?"}
    await bot.deliver(
        u.text(BUDI, "Oke Rina, sebentar lagi", chat=GROUP, reply_to_message=colleague)
    )
    assert submission(bot, idea.id).status == "new"
    assert bot.request.texts() == []
    prompt = {"message_id": 7, "date": 1, "chat": GROUP, "from": BOT_USER, "text": "…"}
    await bot.deliver(
        u.text(BUDI, "Sudah ada di program desa", chat=GROUP, reply_to_message=prompt)
    )
    assert submission(bot, idea.id).status == "rejected"
    assert "Sudah ada di program desa" in bot.request.last_text(JOHN["id"])


# Long words -----------------------------------------------------------------------------------

LONG_IDEA = "Jalan desa di Gambut rusak parah. " + "Lubangnya banyak sekali. " * 104  # 2,634


async def note(bot, idea, words: str) -> None:
    version = submission(bot, idea.id).version
    await bot.deliver(u.callback(BUDI, f"rev:note:{idea.id}:{version}"))
    await bot.deliver(u.text(BUDI, words))


async def test_a_long_idea_with_long_notes_fits_on_its_card_newest_note_in_full(bot):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN, LONG_IDEA)
    await note(bot, idea, "Catatan pertama. " + "a" * 983)
    await note(bot, idea, "Catatan kedua. " + "b" * 985)
    bot.request.clear()
    await open_card(bot)
    card = bot.request.last_text(BUDI["id"])
    assert "Catatan kedua. " + "b" * 985 in card
    assert "Catatan pertama. " + "a" * 100 in card and "a" * 983 not in card
    assert "Jalan desa di Gambut rusak parah." in card and card.count("Lubangnya") < 104


async def test_the_card_shows_the_newest_lines_of_a_long_history(bot):
    appoint(bot, BUDI)
    idea = seed(bot)
    for number in range(1, HISTORY_LIMIT + 3):
        await note(bot, idea, f"Catatan nomor {number:02d}")
    await open_card(bot)
    card = bot.request.last_text(BUDI["id"])
    shown = [number for number in range(1, HISTORY_LIMIT + 3) if f"nomor {number:02d}" in card]
    assert shown == list(range(3, HISTORY_LIMIT + 3))
    assert "diterima dari warga" not in card


async def test_a_long_answer_to_a_long_question_reaches_the_officer_with_the_card(bot):
    appoint(bot, BUDI)
    idea = seed(bot, JOHN, LONG_IDEA[:2400])
    await bot.deliver(u.callback(BUDI, f"rev:ask:{idea.id}:1"))
    await bot.deliver(u.text(BUDI, "Mohon jelaskan lebih rinci. " + "q" * 870))
    await bot.deliver(u.callback(JOHN, f"ans:{idea.id}"))
    bot.request.clear()
    await bot.deliver(u.text(JOHN, "Lokasinya di ujung desa. " + "j" * 875))
    to_officer = bot.request.last_text(BUDI["id"])
    assert "menjawab" in to_officer and "Lokasinya di ujung desa. " + "j" * 875 in to_officer


async def test_a_conflict_lists_the_newest_changes_escaped_once(bot):
    appoint(bot, BUDI)
    appoint(bot, RINA)
    idea = seed(bot, JOHN)
    await open_card(bot, RINA)
    for round_ in range(5):
        version = submission(bot, idea.id).version
        await bot.deliver(u.callback(BUDI, f"rev:ask:{idea.id}:{version}"))
        await bot.deliver(u.text(BUDI, f"Pertanyaan {round_} & <lokasi>? " + "h" * 970))
        await bot.deliver(u.callback(JOHN, f"ans:{idea.id}"))
        await bot.deliver(u.text(JOHN, f"Jawaban {round_}. " + "i" * 985))
    bot.request.clear()
    await bot.deliver(u.callback(RINA, f"rev:accept:{idea.id}:1"))
    refusal = bot.request.texts(RINA["id"])[0]
    assert "Pertanyaan 4 &amp; &lt;lokasi&gt;?" in refusal and "&amp;amp;" not in refusal
    assert "Pertanyaan 0" not in refusal


async def test_texts_name_the_configured_region_and_code_prefix(bot_factory, database_url):
    settings = make_settings(database_url, REGION_NAME="Kabupaten Tapin", CODE_PREFIX="USUL")
    async with bot_factory(settings) as bot:
        appoint(bot, BUDI)
        idea = seed(bot, JOHN)
        await bot.deliver(u.callback(BUDI, f"rev:reject:{idea.id}:1"))
        await bot.deliver(u.callback(BUDI, "rvt:scope"))
        told = bot.request.last_text(JOHN["id"])
        assert "government of Kabupaten Tapin" in told and "Banjar" not in told
        await bot.deliver(u.text(JOHN, "/status"))
        assert "/status USUL-0001" in bot.request.last_text(JOHN["id"])
        await bot.deliver(u.text(BUDI, "/lihat"))
        assert "/lihat USUL-0001" in bot.request.last_text(BUDI["id"])


async def test_an_idea_whose_pillar_and_kecamatan_left_the_catalogue_is_shown_by_their_keys(bot):
    appoint(bot, BUDI)
    seed(bot, JOHN, pillar="tourism", kecamatan="old_district")
    await open_card(bot)
    card = bot.request.last_text(BUDI["id"])
    assert "tourism" in card and "old_district" in card
    await bot.deliver(u.text(JOHN, "/status IDE-0001"))
    assert "tourism" in bot.request.last_text(JOHN["id"])
