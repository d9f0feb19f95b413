"""The shipped intent model on clear examples of each class and language, not the frozen set."""

from __future__ import annotations

import pytest

from bot.tagging import Intent, Tagger

CLEAR = [
    ("Usul pembangunan taman bermain anak di setiap kelurahan di Martapura", "idea", "id"),
    ("min usul dong bikin halte yg ada atapnya di depan pasar gambut", "idea", "id-informal"),
    ("ulun usul jalan ka kampung kami dibaiki wan dibari lampu", "idea", "bjn"),
    ("Please build a covered bus stop in front of the Gambut market", "idea", "en"),
    ("Usul min, bikin free wifi zone di taman kota biar pelajar bisa belajar", "idea", "mixed"),
    (
        "Bantuan PKH ibu saya sudah lima bulan tidak cair padahal namanya masih terdaftar",
        "complaint",
        "id",
    ),
    (
        "akta lahir anakku udh 2 bulan blm jadi, tiap ke dukcapil disuruh balik lagi",
        "complaint",
        "id-informal",
    ),
    ("KK ulun sudah tiga bulan kada tuntung, tiap ditakuni disuruh bulik", "complaint", "bjn"),
    (
        "My father's pension has not been paid for four months and nobody answers our calls",
        "complaint",
        "en",
    ),
    ("Tagihan PDAM saya 900rb this month, biasanya cuma 70rb, tolong dicek", "complaint", "mixed"),
    ("Apakah ide saya yang dikirim minggu lalu sudah ditinjau?", "question", "id"),
    ("kantor camat buka jam brp min?", "question", "id-informal"),
    ("kayapa caranya mangirim usulan?", "question", "bjn"),
    ("Is this bot run by the regency?", "question", "en"),
    ("Min, office hours dukcapil jam berapa ya?", "question", "mixed"),
    ("Terima kasih banyak atas bantuannya", "small_talk", "id"),
    ("makasih ya min 🙏", "small_talk", "id-informal"),
    ("tarima kasih banyak lah pian", "small_talk", "bjn"),
    ("Thank you so much!", "small_talk", "en"),
    ("Thanks ya kak", "small_talk", "mixed"),
    ("Pinjaman dana tunai cair cepat tanpa jaminan, hubungi 0812-3456-7890", "spam", "id"),
    ("slot gacor maxwin, depo 10rb langsung wd, daftar di bit.ly/gacor", "spam", "id-informal"),
    ("jual pulsa murah banar, hubungi ulun di wa 0857 1111 2222", "spam", "bjn"),
    ("Earn $300 a day from home, click bit.ly/easycash now", "spam", "en"),
    ("Promo followers IG murah, 1k cuma 10rb, order via WA", "spam", "mixed"),
    ("asdfghjkl qwerty", "gibberish", "none"),
    ("jkjkjkjkjk", "gibberish", "none"),
    ("zzxxcc vvbbnn", "gibberish", "none"),
    ("Dasar pegawai tidak berguna, bodoh semua", "abuse", "id"),
    ("goblok lu min", "abuse", "id-informal"),
    ("bungul banar adminnya", "abuse", "bjn"),
    ("You are all stupid idiots", "abuse", "en"),
    ("Bot ini useless, tolol banget", "abuse", "mixed"),
]


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    CLEAR,
    ids=[f"{intent}-{language}" for _, intent, language in CLEAR],
)
def test_the_shipped_model_reads_clear_examples(
    tagger: Tagger, text: str, intent: str, language: str
) -> None:
    result = tagger.tag(text)
    assert result.intent is Intent(intent)
    assert result.intent_probability > 0.5
    assert result.is_idea == (intent in ("idea", "complaint"))
    assert result.looks_like_complaint == (intent == "complaint")


def test_every_class_and_language_is_covered() -> None:
    assert {intent for _, intent, _ in CLEAR} == {str(intent) for intent in Intent}
    assert {language for _, _, language in CLEAR} >= {"id", "id-informal", "bjn", "en", "mixed"}


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("Apakah ide saya yang dikirim minggu lalu sudah ditinjau?", "status"),
        ("Is this bot run by the regency?", "bot"),
        ("Can I remove an idea I sent by mistake?", "bot"),
        ("bisa ga lampirkan video ke usulan?", "bot"),
        ("Dalam seminggu boleh mengirim berapa usulan?", "bot"),
        ("Apakah nama saya dirahasiakan dari petugas?", "bot"),
        ("kawa kah bausul pakai bahasa Banjar?", "bot"),
        ("What happened to my proposal about the bridge?", "status"),
        ("usulanku soal posyandu sudah diterima belum?", "status"),
        ("Kenapa usulan yang saya kirim ditolak?", "status"),
        ("Nomor telepon kantor desa Gambut berapa ya?", "other"),
        ("Min, office hours dukcapil jam berapa ya?", "other"),
        ("Terima kasih banyak atas bantuannya", "thanks"),
        ("assalamualaikum min", "salam"),
        ("selamat sore kak", "greeting"),
        ("oke siap", "other"),
    ],
)
def test_questions_and_small_talk_say_what_they_are_about(
    tagger: Tagger, text: str, about: str
) -> None:
    assert tagger.tag(text).about == about


def test_ideas_and_complaints_are_about_nothing_else(tagger: Tagger) -> None:
    assert tagger.tag(CLEAR[0][0]).about is None
