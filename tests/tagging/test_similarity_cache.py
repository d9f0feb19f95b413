"""The similarity vectors of texts already seen are kept: a pool of recent ideas is normalised
once, not at every resident's summary and every officer's card."""

from __future__ import annotations

import math
import tracemalloc
from collections import Counter

import pytest

from bot.core.catalogue import Catalogue
from bot.tagging import Tagger
from bot.tagging.lexicon import Lexicon
from bot.tagging.model import named_features
from bot.tagging.normalise import (
    NormalisedText,
    Normaliser,
    default_normaliser,
    load_word_maps,
)
from bot.tagging.similarity import WORD_SHARE, Similarity
from bot.tagging.tagger import VECTOR_CACHE
from bot.tagging.training import shipped_seed

POOL = [
    ("1", "usul bikin bank sampah di setiap desa Gambut"),
    ("2", "Truk sampah jarang datang ke kampung kami"),
    ("3", "Bank sampah di tiap desa Gambut, sampah ditukar tabungan"),
    ("4", "Lampu jalan di A Yani mati"),
]
IDEA = "Perlu bank sampah di tiap desa di Gambut"


class CountingNormaliser(Normaliser):
    """The shipped normaliser, counting the texts it is asked to normalise."""

    def __init__(self) -> None:
        super().__init__(load_word_maps())
        self.seen: Counter[str] = Counter()

    def __call__(self, text: str) -> NormalisedText:
        self.seen[text] += 1
        return super().__call__(text)


def counting_tagger(catalogue: Catalogue) -> tuple[Tagger, CountingNormaliser]:
    normaliser = CountingNormaliser()
    tagger = Tagger(
        pillars=catalogue.pillar_keys,
        normaliser=normaliser,
        lexicon=Lexicon.from_catalogue(catalogue, normaliser),
        seed=[
            (example, tuple(named_features(normaliser(example.text)))) for example in shipped_seed()
        ],
    )
    normaliser.seen.clear()
    return tagger, normaliser


def test_a_pool_seen_before_is_not_normalised_again(catalogue: Catalogue) -> None:
    tagger, normaliser = counting_tagger(catalogue)
    first = tagger.find_similar(IDEA, POOL)
    assert normaliser.seen == Counter([IDEA, *(text for _, text in POOL)])
    normaliser.seen.clear()
    assert tagger.find_similar(IDEA, POOL) == first
    assert tagger.find_similar("Lampu jalan di Jalan A Yani mati semua", POOL[::-1])
    assert normaliser.seen == Counter(["Lampu jalan di Jalan A Yani mati semua"])


def test_the_cache_is_bounded(catalogue: Catalogue) -> None:
    tagger, normaliser = counting_tagger(catalogue)
    many = [(str(i), f"usulan nomor {i} tentang bank sampah") for i in range(VECTOR_CACHE + 10)]
    tagger.find_similar(IDEA, many)
    normaliser.seen.clear()
    tagger.find_similar(IDEA, many[:1])
    assert normaliser.seen == Counter([IDEA, many[0][1]])  # the oldest went first


def test_a_cached_vector_is_small(catalogue: Catalogue) -> None:
    tagger, _ = counting_tagger(catalogue)
    texts = [
        (
            str(i),
            f"Usulan {i}: bank sampah di setiap desa Kecamatan Gambut, sampah plastik ditukar "
            "tabungan warga dan hasilnya dipakai untuk kebersihan sungai kampung",
        )
        for i in range(500)
    ]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tagger.find_similar(IDEA, texts)
        per_text = (tracemalloc.get_traced_memory()[0] - before) / len(texts)
    finally:
        tracemalloc.stop()
    assert per_text < 2000  # 1,340 bytes; with its trigram counts kept, 4,600


def test_cached_scores_equal_fresh_ones(catalogue: Catalogue) -> None:
    cached, _ = counting_tagger(catalogue)
    fresh, _ = counting_tagger(catalogue)
    cached.find_similar(IDEA, POOL)
    for _, text in POOL:
        assert cached.similarity(IDEA, text) == fresh.similarity(IDEA, text)


def _textbook_cosine(a: dict, b: dict) -> float:
    dot = sum(value * b.get(key, 0) for key, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def _trigrams(text: NormalisedText) -> Counter[str]:
    padded = " " + " ".join(token.stem for token in text.content) + " "
    return Counter(padded[i : i + 3] for i in range(len(padded) - 2))


def test_scores_are_the_textbook_cosine_blend() -> None:
    normalise = default_normaliser()
    similarity = Similarity([token.stem for token in normalise(text).content] for _, text in POOL)
    texts = [IDEA, *(text for _, text in POOL), "", "sampah"]
    for a in texts:
        for b in texts:
            vector_a, vector_b = similarity.vector(normalise(a)), similarity.vector(normalise(b))
            words = _textbook_cosine(vector_a.words.weights, vector_b.words.weights)
            grams = _textbook_cosine(_trigrams(normalise(a)), _trigrams(normalise(b)))
            expected = WORD_SHARE * words + (1 - WORD_SHARE) * grams
            assert similarity.score(vector_a, vector_b) == pytest.approx(expected, abs=1e-12)
