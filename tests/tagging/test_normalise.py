"""Normalisation: abbreviations, Banjarese, English, emojis, punctuation, NFKC, stems, places."""

from __future__ import annotations

from bot.tagging.normalise import default_normaliser, stem


def words(text: str) -> list[str]:
    return list(default_normaliser()(text).words)


def test_chat_abbreviations_are_expanded() -> None:
    assert words("sy tdk tau jln yg dgn tlg gmn bgt") == [
        "saya",
        "tidak",
        "tau",
        "jalan",
        "yang",
        "dengan",
        "tolong",
        "bagaimana",
        "banget",
    ]


def test_banjarese_words_are_mapped_to_indonesian() -> None:
    assert words("ulun handak banyu bersih gasan urang kampung") == [
        "saya",
        "ingin",
        "air",
        "bersih",
        "untuk",
        "orang",
        "kampung",
    ]
    assert words("pian kada kawa tulak") == ["anda", "tidak", "bisa", "pergi"]


def test_meaningless_banjarese_particles_are_dropped() -> None:
    assert words("kayapa am jalan nang rusak tu kah") == [
        "bagaimana",
        "jalan",
        "yang",
        "rusak",
        "itu",
    ]


def test_english_words_are_mapped() -> None:
    assert words("more street lights please") == ["lebih", "jalan", "lampu", "tolong"]
    assert words("the streetlights") == ["lampu", "jalan"]


def test_emojis_punctuation_and_stretched_letters_are_removed() -> None:
    assert words("Sampahhhh!!! 😡😡 di sungai??? 🙏🏽 #banjar @admin") == ["sampah", "di", "sungai"]


def test_unicode_is_nfkc_normalised() -> None:
    assert words("ＫＴＰ ｈｉｌａｎｇ") == ["ktp", "hilang"]
    assert words("café") == words("cafe\u0301")


def test_reduplication_and_hyphens_are_folded() -> None:
    assert words("anak2 jalan-jalan e-ktp m-banking") == ["anak", "jalan", "ktp", "mbanking"]


def test_place_names_become_single_words() -> None:
    assert words("di Sungai Tabuk") == ["di", "sungai_tabuk"]
    assert words("lahan gambut di Gambut") == ["lahan", "gambut", "di", "gambut_"]


def test_stems_and_stopwords() -> None:
    tokens = default_normaliser()("pelayanan perizinan yang dipersulit").tokens
    assert [token.stem for token in tokens] == ["layan", "izin", "yang", "sulit"]
    assert [token.stop for token in tokens] == [False, False, True, False]
    assert stem("kebersihan") == "bersih"
