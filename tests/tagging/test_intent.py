"""Non-ideas (greetings, thanks, tests, questions about the bot, spam, gibberish) and complaints."""

from __future__ import annotations

import pytest

from bot.tagging import Tagger


@pytest.mark.parametrize(
    "text",
    [
        "Assalamualaikum wr wb 🙏",
        "selamat siang pak admin",
        "hallo",
        "Terima kasih banyak ya min",
        "mksh bnyk 👍👍",
        "thanks a lot",
        "tes",
        "test 123",
        "ini bot apa sih?",
        "gmn cara kirim ide di sini?",
        "how do I send an idea?",
        "Slot online gacor, depo 20rb bisa WD jutaan, klik link di bio",
        "Pinjaman cepat cair tanpa jaminan, hubungi 0812-3456-7890",
        "sdfjkl qwpoeiru",
        "wkwkwkwkwk",
        "",
        "😀😀😀",
    ],
)
def test_non_ideas_are_recognised(tagger: Tagger, text: str) -> None:
    assert not tagger.tag(text).is_idea


@pytest.mark.parametrize(
    "text",
    [
        "Assalamualaikum, ulun handak usul bank sampah di tiap desa",
        "Terima kasih min. Usul: lampu jalan di gang Mawar diganti LED",
        "Penyuluhan bahaya judi online dan pinjol untuk remaja di sekolah",
        "Free wifi in the public library please",
        "jln rsk prh dpn SD, tlg diaspal",
    ],
)
def test_ideas_wrapped_in_small_talk_or_naming_spam_topics_stay_ideas(
    tagger: Tagger, text: str
) -> None:
    assert tagger.tag(text).is_idea


@pytest.mark.parametrize(
    "text",
    [
        "KTP saya hilang waktu pindahan, sudah sebulan diurus belum jadi juga",
        "Bansos ibu saya sudah tiga bulan belum cair, padahal masih terdaftar",
        "Petugas di kantor kecamatan kasar, saya dibentak waktu bertanya syarat",
        "ulun sudah tiga kali bolak balik ka dukcapil, akta anak ulun kada tuntung jua",
    ],
)
def test_personal_service_failures_look_like_complaints(tagger: Tagger, text: str) -> None:
    result = tagger.tag(text)
    assert result.looks_like_complaint
    assert result.is_idea


@pytest.mark.parametrize(
    "text",
    [
        "Usul layanan KTP keliling ke desa-desa supaya warga tidak perlu ke kota",
        "Perlu bank sampah di setiap RT",
        "Bansos sebaiknya disalurkan lewat rekening supaya tidak ada potongan",
        "Petugas pelayanan perlu pelatihan keramahan",
    ],
)
def test_general_improvement_ideas_are_not_complaints(tagger: Tagger, text: str) -> None:
    assert not tagger.tag(text).looks_like_complaint
