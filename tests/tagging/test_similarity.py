"""Similar ideas: near-duplicates score above the threshold, different ideas below it.

The pairs are the ones the threshold was tuned on: paraphrases across chat abbreviations,
Banjarese and English, and hard negatives that share the topic or the place but not the idea.
"""

from __future__ import annotations

import pytest

from bot.tagging import Tagger
from bot.tagging.normalise import default_normaliser
from bot.tagging.similarity import Similarity
from bot.tagging.tagger import SIMILAR_THRESHOLD

NEAR_DUPLICATES = [
    ("Perlu bank sampah di tiap desa di Gambut", "usul bikin bank sampah di setiap desa Gambut"),
    ("Lampu jalan di jln A Yani banyak yg mati, tlg diganti", "lampu jalan di jalan A. Yani mati"),
    (
        "Pasar terapung Lok Baintan perlu dipromosikan ke turis asing",
        "Promosikan pasar terapung Lok Baintan untuk wisatawan mancanegara",
    ),
    ("KTP bisa diurus online supaya tidak antre", "usul pengurusan ktp online biar ga antri"),
    ("ulun handak banyu bersih di kampung", "Warga ingin air bersih di kampung"),
    (
        "Please add street lights on the road to Riam Kanan",
        "Tolong pasang lampu jalan di jalan menuju Riam Kanan",
    ),
    (
        "Drainase di Kertak Hanyar mampet, tiap hujan banjir",
        "Tiap hujan banjir di Kertak Hanyar karena drainase tersumbat",
    ),
    ("Puskesmas buka sampai malam", "Usul puskesmas buka layanan malam hari"),
    ("Pelatihan jualan online untuk UMKM", "UMKM perlu dilatih berjualan online"),
    ("Jalan ke Paramasan rusak parah tolong diaspal", "tolong aspal jalan menuju Paramasan"),
]
DIFFERENT = [
    ("Bank sampah di tiap desa", "Truk sampah jarang datang ke kampung kami"),
    ("Perlu bank sampah di tiap desa di Gambut", "Lampu jalan di A Yani mati"),
    ("Jalan rusak di Gambut", "Jalan rusak di Paramasan"),
    ("Puskesmas buka sampai malam", "Obat di puskesmas sering habis"),
    ("KTP bisa diurus online supaya tidak antre", "KTP saya hilang, bagaimana mengurusnya"),
    ("Lampu jalan di jln A Yani banyak yg mati", "Jalan A Yani macet tiap sore"),
    ("Pasar terapung Lok Baintan perlu dipromosikan", "Pedagang pasar terapung butuh modal"),
    ("Air bersih susah di Aluh-Aluh", "Banjir di Aluh-Aluh tiap tahun"),
]


@pytest.mark.parametrize(("a", "b"), NEAR_DUPLICATES)
def test_near_duplicates_score_above_the_threshold(tagger: Tagger, a: str, b: str) -> None:
    assert tagger.similarity(a, b) >= SIMILAR_THRESHOLD


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_ideas_score_below_the_threshold(tagger: Tagger, a: str, b: str) -> None:
    assert tagger.similarity(a, b) < SIMILAR_THRESHOLD


def test_similarity_is_symmetric_and_bounded(tagger: Tagger) -> None:
    a, b = NEAR_DUPLICATES[2]
    assert tagger.similarity(a, b) == pytest.approx(tagger.similarity(b, a))
    assert tagger.similarity(a, a) == pytest.approx(1.0)
    assert tagger.similarity(a, "") == 0.0


def test_find_similar_returns_ids_above_threshold_best_first(tagger: Tagger) -> None:
    candidates = [
        ("IDE-0001", "Lampu jalan di A Yani mati"),
        ("IDE-0002", "usul bikin bank sampah di setiap desa Gambut"),
        ("IDE-0003", "Truk sampah jarang datang ke kampung kami"),
        ("IDE-0004", "Bank sampah di tiap desa Gambut, sampah ditukar tabungan"),
        ("IDE-0005", "bank sampah tiap desa di Gambut"),
    ]
    found = tagger.find_similar("Perlu bank sampah di tiap desa di Gambut", candidates)
    assert [key for key, _ in found] == ["IDE-0002", "IDE-0005", "IDE-0004"]
    scores = [score for _, score in found]
    assert scores == sorted(scores, reverse=True)
    assert all(score >= SIMILAR_THRESHOLD for score in scores)
    best = tagger.find_similar("Perlu bank sampah di tiap desa di Gambut", candidates, limit=1)
    assert best == found[:1]


def test_the_shortcut_below_the_threshold_gives_the_full_scores_answer() -> None:
    texts = [text for pair in NEAR_DUPLICATES + DIFFERENT for text in pair]
    normalise = default_normaliser()
    similarity = Similarity([token.stem for token in normalise(text).content] for text in texts)
    vectors = list(enumerate(similarity.vector(normalise(text)) for text in texts))
    between = 0
    for _, a in vectors:
        full = [(key, similarity.score(a, b)) for key, b in vectors]
        for threshold in (0.3, SIMILAR_THRESHOLD, 0.9):
            expected = [(key, score) for key, score in full if score >= threshold]
            assert similarity.matches(a, vectors, threshold) == expected
        between += sum(0.4 < score < SIMILAR_THRESHOLD for _, score in full)
    assert between  # pairs the word cosine alone cannot settle are among them
