"""What a resident sees for each kind of message, outside /ide and inside it, and a kept draft."""

from __future__ import annotations

import html

from sqlmodel import Session, select

from storage.models import Draft
from tests import updates as u

SITI = u.user(931, first_name="Siti")
JOHN = u.user(932, first_name="John", language_code="en")
COMPLAINT = (
    "KTP elektronik saya sudah tiga bulan belum dicetak, setiap datang ke kantor disuruh menunggu"
)
IDEA = "Tolong perbaiki jalan <rusak> di Gambut & pasang lampu di ujung gang"
OFFERS = {"ide:offer:yes", "ide:start"}


def drafts(bot) -> list[Draft]:
    with Session(bot.services.db.engine) as session:
        return session.exec(select(Draft)).all()


async def say(bot, who, text) -> list[str]:
    """Deliver one message; return the texts the bot sent in answer."""
    bot.request.clear()
    await bot.deliver(u.text(who, text))
    return bot.request.texts(who["id"])


async def test_thanks_get_thanks_in_kind_and_no_offer(bot):
    for text in ("makasih banyak min, sangat membantu", "Terima kasih atas bantuannya"):
        assert await say(bot, SITI, text) == ["Sama-sama 🙏"]
        assert not OFFERS & set(bot.request.buttons())
    assert await say(bot, JOHN, "Thanks a million, admin") == ["You're welcome 🙏"]
    assert drafts(bot) == []


async def test_greetings_are_greeted_back(bot):
    [salam] = await say(bot, SITI, "assalamualaikum warahmatullahi")
    assert salam.startswith("Waalaikumsalam")
    [hello] = await say(bot, SITI, "selamat pagi bapak ibu admin semuanya")
    assert hello.startswith("Halo! 👋") and "/ide" in hello
    assert not OFFERS & set(bot.request.buttons())
    assert drafts(bot) == []


async def test_a_question_about_my_idea_points_to_ideaku_and_status(bot):
    [answer] = await say(bot, SITI, "ide saya yang kemarin sudah diproses belum ya?")
    assert "/ideaku" in answer and "/status" in answer
    assert drafts(bot) == []


async def test_a_question_about_the_bot_gets_what_it_does_and_the_help(bot):
    [answer] = await say(bot, SITI, "bot ini resmi dari pemkab atau bukan?")
    assert "Inovasi Warga" in answer and "/ide — kirim ide baru" in answer
    assert bot.request.buttons() == ["ide:start"]


async def test_how_to_questions_that_name_my_idea_get_the_bots_help(bot):
    for text in (
        "bagaimana cara menghapus ide saya yang salah kirim?",
        "bisa lampirkan foto ke usulan saya?",
    ):
        [answer] = await say(bot, SITI, text)
        assert "Inovasi Warga" in answer and "/ide — kirim ide baru" in answer
    [english] = await say(bot, JOHN, "How many ideas can I send in a week?")
    assert english.startswith("I am the <b>Inovasi Warga</b> bot")
    assert drafts(bot) == []


async def test_a_question_the_bot_cannot_answer_says_so_and_where_to_ask(bot):
    [answer] = await say(bot, SITI, "jam berapa kantor disdukcapil buka hari senin?")
    assert "tidak bisa saya jawab" in answer and "lapor.go.id" in answer
    [english] = await say(bot, JOHN, "What time does the village office close?")
    assert "cannot answer" in english and "lapor.go.id" in english
    assert not OFFERS & set(bot.request.buttons())
    assert drafts(bot) == []


async def test_abuse_gets_one_calm_line(bot):
    answers = await say(bot, SITI, "dasar admin goblok tidak becus")
    assert answers == [
        "Mari kita jaga bahasa yang santun 🙏. Bila ada ide atau keluhan, saya siap membantu."
    ]
    assert bot.request.buttons() == []
    assert drafts(bot) == []


async def test_spam_is_answered_once_then_met_with_silence(bot):
    [first] = await say(
        bot, SITI, "Slot gacor hari ini, depo 25rb bonus 100%, daftar di gacor77.xyz"
    )
    assert "promosi" in first
    assert bot.request.buttons() == []
    assert (
        await say(bot, SITI, "Pinjaman dana cair 10 menit tanpa jaminan, WA 0812-7777-1234") == []
    )
    assert drafts(bot) == []
    assert await say(bot, JOHN, "Slot gacor hari ini, depo 25rb bonus 100%, daftar di x.xyz") != []


async def test_gibberish_gets_no_offer(bot):
    [answer] = await say(bot, SITI, "sdkfjhsdkjfh wqeoiru")
    assert "belum memahami" in answer
    assert not OFFERS & set(bot.request.buttons())
    assert drafts(bot) == []


async def test_a_complaint_points_to_lapor_and_can_still_be_filed(bot):
    [answer] = await say(bot, SITI, COMPLAINT)
    assert "SP4N-LAPOR!" in answer and "lapor.go.id" in answer and "1708" in answer
    assert bot.request.buttons() == ["ide:offer:yes", "ide:offer:no"]
    await bot.deliver(u.callback(SITI, "ide:offer:yes"))
    assert "kecamatan" in bot.request.last_text(SITI["id"])
    [draft] = drafts(bot)
    assert draft.text == COMPLAINT and draft.looks_like_complaint


async def test_in_the_flow_gibberish_and_a_greeting_alone_are_asked_for_again(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    for text in ("ghjghjghjg kjkljkljkl", "selamat pagi bapak ibu admin semuanya"):
        [answer] = await say(bot, SITI, text)
        assert "belum berisi ide" in answer
        assert drafts(bot)[0].text is None
    await say(bot, SITI, IDEA)
    assert "kecamatan" in bot.request.last_text(SITI["id"])
    assert drafts(bot)[0].text == IDEA


async def test_ide_with_a_draft_shows_it_and_continues_it_when_asked(bot):
    await say(bot, SITI, IDEA)
    assert "ide:offer:yes" in bot.request.buttons()
    [question] = await say(bot, SITI, "/ide")
    assert html.escape(IDEA, quote=False) in question
    assert bot.request.buttons() == ["drf:go", "drf:new"]
    await bot.deliver(u.callback(SITI, "drf:go"))
    assert "kecamatan" in bot.request.last_text(SITI["id"])
    [draft] = drafts(bot)
    assert draft.text == IDEA and draft.suggested_pillar is not None
    await bot.deliver(u.callback(SITI, "ide:kec:gambut"))
    assert f"ide:pil:{draft.suggested_pillar}" in bot.request.buttons()


async def test_ide_with_a_draft_starts_anew_when_asked(bot):
    await say(bot, SITI, IDEA)
    await say(bot, SITI, "/ide")
    await bot.deliver(u.callback(SITI, "drf:new"))
    assert "Tuliskan ide Anda" in bot.request.last_text(SITI["id"])
    assert drafts(bot)[0].text is None
    await say(bot, SITI, "Perlu taman bacaan anak di setiap balai desa di Karang Intan")
    assert "kecamatan" in bot.request.last_text(SITI["id"])


async def test_ide_in_the_middle_of_the_flow_asks_too(bot):
    await bot.deliver(u.text(SITI, "/ide"))
    await say(bot, SITI, IDEA)
    [question] = await say(bot, SITI, "/ide")
    assert "belum dikirim" in question
    assert bot.request.buttons() == ["drf:go", "drf:new"]


async def test_a_draft_button_for_a_draft_that_is_gone_is_stale(bot):
    await say(bot, SITI, IDEA)
    await say(bot, SITI, "/ide")
    await bot.deliver(u.callback(SITI, "ide:offer:no"))
    await bot.deliver(u.callback(SITI, "drf:go"))
    assert "tidak berlaku" in bot.request.of("editMessageText")[-1]["text"]
