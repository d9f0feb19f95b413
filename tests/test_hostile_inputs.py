"""A corpus of hostile and odd inputs: each gets its expected answer or deliberate silence, none
reaches the error handler, and nothing in the database is corrupted."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from storage.models import Draft, Submission
from tests import updates as u
from tests.conftest import ADMIN_ID

WHO = u.user(4242, first_name="Tester")
GROUP = u.group_chat()
IDEA = "Tolong sediakan bank sampah di setiap desa agar sampah plastik tidak dibuang ke sungai"
STICKER = {
    "file_id": "s",
    "file_unique_id": "s",
    "type": "regular",
    "width": 1,
    "height": 1,
    "is_animated": False,
    "is_video": False,
}
HELP = "/ide — kirim ide baru"
NOT_UNDERSTOOD = "belum memahami pesan itu"
IN_KIND = "👍"
SALAM = "Waalaikumsalam"
OFFER = "sebagai ide"
STALE = "Tombol ini sudah tidak berlaku."
SILENCE = None


def msg(**fields):
    return lambda: u.message(WHO, **fields)


def say(text, chat=None):
    return lambda: u.text(WHO, text, chat=chat)


def press(data):
    return lambda: u.callback(WHO, data)


def photo(caption=None, unique="h1"):
    return lambda: u.photo(WHO, caption=caption, unique=unique)


@dataclass
class Case:
    name: str
    make: object
    expect: str | None  # a text the bot's last message or button answer contains; None: silence
    before: list = field(default_factory=list)  # steps that put the resident where the case starts


IN_IDEA = [say("/ide")]
IN_WHERE = [say("/ide"), say(IDEA)]
IN_CONFIRM = [
    say("/ide"),
    say(IDEA),
    press("ide:kec:gambut"),
    press("ide:pil:environment"),
    press("ide:name:anon"),
    press("ide:pub:no"),
]

CASES = [
    # Outside any conversation, in a private chat
    Case("sticker", msg(sticker=STICKER), HELP),
    Case("voice note", msg(voice={"file_id": "v", "file_unique_id": "v", "duration": 2}), HELP),
    Case(
        "video",
        msg(video={"file_id": "v", "file_unique_id": "v", "width": 1, "height": 1, "duration": 1}),
        HELP,
    ),
    Case(
        "video note",
        msg(video_note={"file_id": "v", "file_unique_id": "v", "length": 1, "duration": 1}),
        HELP,
    ),
    Case(
        "document",
        msg(document={"file_id": "d", "file_unique_id": "d", "file_name": "a.pdf"}),
        HELP,
    ),
    Case("audio", msg(audio={"file_id": "a", "file_unique_id": "a", "duration": 1}), HELP),
    Case(
        "animation",
        msg(
            animation={
                "file_id": "g",
                "file_unique_id": "g",
                "width": 1,
                "height": 1,
                "duration": 1,
            }
        ),
        HELP,
    ),
    Case(
        "poll",
        msg(
            poll={
                "id": "1",
                "question": "Q?",
                "options": [
                    {"persistent_id": "a", "text": "a", "voter_count": 0},
                    {"persistent_id": "b", "text": "b", "voter_count": 0},
                ],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            }
        ),
        HELP,
    ),
    Case("dice", msg(dice={"emoji": "🎲", "value": 3}), HELP),
    Case("contact", msg(contact={"phone_number": "+6281234567890", "first_name": "X"}), HELP),
    Case("location outside the flow", msg(location={"latitude": -3.4, "longitude": 114.8}), HELP),
    Case(
        "venue",
        msg(
            venue={
                "location": {"latitude": -3.4, "longitude": 114.8},
                "title": "Pasar",
                "address": "Martapura",
            },
            location={"latitude": -3.4, "longitude": 114.8},
        ),
        HELP,
    ),
    Case("photo without caption", photo(), HELP),
    Case("photo with an empty caption", photo(caption=""), HELP),
    Case(
        "HTML injection",
        say(
            "<b>tebal</b><script>alert(1)</script> jalan di Martapura rusak parah tolong diperbaiki"
        ),
        OFFER,
    ),
    Case(
        "MarkdownV2 injection",
        say(
            "*tebal* _miring_ `kode` ||spoiler|| ~coret~ jalan rusak parah di Gambut "
            "tolong diperbaiki"
        ),
        OFFER,
    ),
    Case(
        "SQL-looking text",
        say("'; DROP TABLE submission; -- jalan rusak di Gambut perlu diperbaiki segera"),
        OFFER,
    ),
    Case(
        "zero-width characters",
        say("jalan\u200b rusak\u200b di\u200b Martapura\u200b tolong\u200b diperbaiki"),
        OFFER,
    ),
    Case(
        "right-to-left override", say("\u202eharap perbaiki jalan rusak di Martapura segera"), OFFER
    ),
    Case("4,096 characters", say("a" * 4096), NOT_UNDERSTOOD),
    Case("emoji only", say("🙏🙏🙏😀😀😀👍👍"), IN_KIND),
    Case("greeting", say("assalamualaikum pian"), SALAM),
    Case("unknown command", say("/foo"), HELP),
    Case("officer command by a resident", say("/antrian"), HELP),
    Case("admin command by a resident", say("/undang"), HELP),
    Case("command for another bot", say("/start@other_bot"), HELP),
    Case("command with this bot's name", say("/start@inovasi_test_bot"), "Selamat datang"),
    Case("/status without a code", say("/status"), "Tulis kodenya"),
    Case("/status of a code that does not exist", say("/status IDE-9999"), "tidak ditemukan"),
    Case("/status with HTML", say("/status <b>IDE-1</b>"), "&lt;b&gt;IDE-1&lt;/b&gt;"),
    Case("/status with SQL", say("/status ' OR 1=1 --"), "tidak ditemukan"),
    Case("/status with a very long argument", say("/status " + "X" * 500), "tidak ditemukan"),
    Case("/ideaku with arguments", say("/ideaku semua halaman"), "belum mengirim ide"),
    Case("/bahasa with arguments", say("/bahasa jawa"), "Choose a language"),
    Case("/batal outside the flow", say("/batal"), "Tidak ada yang sedang berjalan"),
    # Buttons: forged, malformed, too long, for nothing that exists
    Case("callback data too long", press("ide:kec:" + "x" * 100), STALE),
    Case("malformed callback data", press("::::"), STALE),
    Case("empty callback data", press(""), STALE),
    Case("page that is not a number", press("mine:page:abc"), "belum mengirim ide"),
    Case("page far beyond the last", press("mine:page:99999"), "belum mengirim ide"),
    Case("page beyond any integer", press("mine:page:" + "9" * 30), "belum mengirim ide"),
    Case("page in superscript digits", press("mine:page:²"), "belum mengirim ide"),
    Case("answering an idea beyond any integer", press("ans:" + "9" * 30), STALE),
    Case("unknown language", press("lang:xx"), STALE),
    Case("erase with a forged answer", press("priv:erase:maybe"), STALE),
    Case("a kecamatan button outside the flow", press("ide:kec:martapura"), STALE),
    Case("a send button for no draft", press("ide:send:" + "f" * 32), STALE),
    Case("an officer's button pressed by a resident", press("rev:accept:1:1"), STALE),
    # Inside the /ide conversation
    Case("sticker while asked for the idea", msg(sticker=STICKER), "teks atau foto", IN_IDEA),
    Case(
        "voice while asked for the idea",
        msg(voice={"file_id": "v", "file_unique_id": "v", "duration": 2}),
        "teks atau foto",
        IN_IDEA,
    ),
    Case(
        "contact while asked for the idea",
        msg(contact={"phone_number": "+62812", "first_name": "X"}),
        "teks atau foto",
        IN_IDEA,
    ),
    Case("4,001 characters", say("x" * 4001), "terlalu panjang", IN_IDEA),
    Case("4,096 characters in the flow", say("y" * 4096), "terlalu panjang", IN_IDEA),
    Case("whitespace only", say("      "), "terlalu pendek", IN_IDEA),
    Case("emoji only in the flow", say("🙏" * 30), "terlalu pendek", IN_IDEA),
    Case("zero-width padding", say("ide\u200b" * 4), "terlalu pendek", IN_IDEA),
    Case("a caption too long", photo(caption="z" * 4500), "terlalu panjang", IN_IDEA),
    Case(
        "forwarded text as the idea",
        msg(text=IDEA, forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "A"}),
        "kecamatan",
        IN_IDEA,
    ),
    Case(
        "typing where a button is expected", say("martapura"), "pilih salah satu tombol", IN_WHERE
    ),
    Case(
        "sticker where a button is expected",
        msg(sticker=STICKER),
        "pilih salah satu tombol",
        IN_WHERE,
    ),
    Case("an unknown kecamatan", press("ide:kec:../../etc"), STALE, IN_WHERE),
    Case("a pillar button too early", press("ide:pil:environment"), STALE, IN_WHERE),
    Case(
        "a forged pillar", press("ide:pil:" + "p" * 50), STALE, [*IN_WHERE, press("ide:kec:gambut")]
    ),
    Case("supporting an idea that does not exist", press("ide:sup:999999"), STALE, IN_CONFIRM),
    Case("supporting with a malformed id", press("ide:sup:abc"), STALE, IN_CONFIRM),
    Case("supporting an id beyond any integer", press("ide:sup:" + "9" * 30), STALE, IN_CONFIRM),
    Case("supporting with superscript digits", press("ide:sup:²"), STALE, IN_CONFIRM),
    Case("someone else's draft key", press("ide:send:" + "0" * 32), STALE, IN_CONFIRM),
    Case("typing on the summary", say("kirim"), "pilih salah satu tombol", IN_CONFIRM),
    # Group chats: residents are not served there
    Case("/start in a group", say("/start", chat=GROUP), SILENCE),
    Case("/ide in a group", say("/ide", chat=GROUP), SILENCE),
    Case("/bantuan in a group", say("/bantuan", chat=GROUP), SILENCE),
    Case("an idea in a group", say(IDEA, chat=GROUP), SILENCE),
    Case("/hapusdata in a group", say("/hapusdata", chat=GROUP), SILENCE),
    Case("a sticker in a group", lambda: u.message(WHO, chat=GROUP, sticker=STICKER), SILENCE),
    Case(
        "a member joining a group",
        lambda: u.message(WHO, chat=GROUP, new_chat_members=[WHO]),
        SILENCE,
    ),
]


def counts(bot) -> tuple[int, int]:
    with Session(bot.services.db.engine) as session:
        return (
            session.exec(select(func.count()).select_from(Submission)).one(),
            session.exec(select(func.count()).select_from(Draft)).one(),
        )


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_hostile_input(bot, case: Case):
    for step in case.before:
        await bot.deliver(step())
    submissions_before, _ = counts(bot)
    bot.request.clear()

    await bot.deliver(case.make())

    sent = bot.request.texts()
    answers = [params.get("text") or "" for params in bot.request.of("answerCallbackQuery")]
    assert not any("Maaf, terjadi kesalahan" in text for text in sent), "reached the error handler"
    assert bot.request.texts(ADMIN_ID) == [], "the admins were alerted"
    if case.expect is SILENCE:
        assert sent == [] and answers in ([], [""])
    else:
        assert any(case.expect in text for text in sent + answers), (sent, answers)
    assert counts(bot)[0] == submissions_before
    for text in sent:
        assert "<script>" not in text and "\u202e" not in text
