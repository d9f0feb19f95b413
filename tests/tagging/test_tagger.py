"""Pillar tagging: the right pillar across languages, reasons, ranking, low-confidence choices."""

from __future__ import annotations

import time

import pytest

from bot.core.catalogue import Catalogue
from bot.tagging import Tagger

PILLARS = {"governance", "branding", "economy", "living", "society", "environment"}


@pytest.mark.parametrize(
    ("text", "pillar"),
    [
        ("Mohon layanan perekaman KTP elektronik dibuka juga hari Sabtu", "governance"),
        ("sy usul urus akta kelahiran cukup di kantor desa aja, ga usah ke dukcapil", "governance"),
        ("Festival budaya di Pasar Terapung Lok Baintan tiap tahun biar turis datang", "branding"),
        ("kain sasirangan dijadikan oleh-oleh resmi kabupaten 👍", "branding"),
        ("Koperasi untuk petani karet supaya harga jual tidak dipermainkan tengkulak", "economy"),
        ("ulun handak bajualan di pasar tapi kada baisi modal", "economy"),
        ("Jalan menuju desa kami di Aranio berlubang dan licin, tolong diaspal", "living"),
        ("banyu PDAM di rumah ulun kada mengalir, tolong pian perbaiki", "living"),
        ("Please open a health clinic with a doctor in our village", "living"),
        ("Beasiswa buat anak nelayan yg pintar tapi ga mampu kuliah", "society"),
        ("Our teenagers need a youth center and free English classes", "society"),
        ("bubuhan kakanakan di kampung kada sakolah, tolong dibantu", "society"),
        ("Sampah plastik di sungai Martapura makin banyak, perlu jaring sampah", "environment"),
        ("Stop the peat fires in Gambut, the haze is terrible every dry season", "environment"),
        ("tiap hujan banyu naik ka rumah, saluran banyu tasumbat", "environment"),
    ],
)
def test_tags_the_pillar_in_indonesian_banjarese_and_english(
    tagger: Tagger, text: str, pillar: str
) -> None:
    assert tagger.tag(text).pillar == pillar


def test_result_ranks_all_six_pillars_with_probabilities(tagger: Tagger) -> None:
    result = tagger.tag("Lampu jalan di Jalan A. Yani banyak yang mati, gelap sekali")
    assert {key for key, _ in result.ranking} == PILLARS
    probabilities = [p for _, p in result.ranking]
    assert probabilities == sorted(probabilities, reverse=True)
    assert sum(probabilities) == pytest.approx(1.0)
    assert result.ranking[0] == (result.pillar, result.confidence)
    assert result.runner_up == result.ranking[1][0]


def test_reasons_are_the_residents_deciding_words(tagger: Tagger) -> None:
    result = tagger.tag("Tolong tambah lampu jln di gang kami, gelap bgt 😨")
    assert result.pillar == "living"
    assert set(result.reasons[:2]) == {"lampu jln", "gelap"}
    assert "tolong" not in result.reasons


def test_a_clear_idea_is_confident_and_offers_one_pillar(tagger: Tagger) -> None:
    result = tagger.tag("Bank sampah di setiap RT supaya sampah plastik tidak dibuang ke sungai")
    assert result.pillar == "environment"
    assert not result.low_confidence
    assert result.confidence >= 0.65
    assert result.choices == ("environment",)


@pytest.mark.parametrize(
    ("text", "likely"),
    [
        ("Perahu untuk pedagang pasar terapung", {"economy", "branding"}),
        ("wifi di taman", {"living", "environment"}),
    ],
)
def test_an_ambiguous_idea_offers_the_two_or_three_likeliest(
    tagger: Tagger, text: str, likely: set[str]
) -> None:
    result = tagger.tag(text)
    assert result.low_confidence
    assert 2 <= len(result.choices) <= 3
    assert result.choices == tuple(key for key, _ in result.ranking[: len(result.choices)])
    assert likely <= set(result.choices)


def test_text_with_no_known_words_is_low_confidence(tagger: Tagger) -> None:
    result = tagger.tag("")
    assert result.low_confidence
    assert result.reasons == ()
    assert not result.is_idea


def test_construction_is_fast(catalogue: Catalogue) -> None:
    start = time.perf_counter()
    Tagger.from_catalogue(catalogue)
    assert time.perf_counter() - start < 1.0
