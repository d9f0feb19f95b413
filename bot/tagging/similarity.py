"""Text similarity for "similar ideas": how nearly two messages say the same thing.

Both texts are normalised first, so abbreviations, Banjarese and English wording do not hide a
duplicate. The score blends two cosines: one over content stems weighted by inverse document
frequency (rare words such as "sasirangan" count more than "warga"), and one over character
trigrams of the stems (robust to typos such as "sampa" / "sampah"). The blend is 0–1.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from collections.abc import Iterable

from bot.tagging.normalise import NormalisedText

WORD_SHARE = 0.6

# Weights by content stem, and counts by character trigram (interned: callers keep many vectors).
Vector = tuple[dict[str, float], dict[str, int]]


def _cosine(a: dict[str, float] | dict[str, int], b: dict[str, float] | dict[str, int]) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(value * b.get(key, 0.0) for key, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


class Similarity:
    """Scores pairs of normalised texts; the IDF table comes from a reference corpus of stems."""

    def __init__(self, corpus: Iterable[Iterable[str]]) -> None:
        frequency: Counter[str] = Counter()
        documents = 0
        for stems in corpus:
            documents += 1
            frequency.update(set(stems))
        self._idf = {
            stem: math.log((documents + 1) / (count + 1)) + 1.0 for stem, count in frequency.items()
        }
        self._unseen = math.log(documents + 1) + 1.0

    def vector(self, text: NormalisedText) -> Vector:
        """The word and character-trigram vectors of ``text``."""
        stems = [token.stem for token in text.content]
        words = {stem: self._idf.get(stem, self._unseen) for stem in stems}
        joined = f" {' '.join(stems)} "
        grams = Counter(sys.intern(joined[index : index + 3]) for index in range(len(joined) - 2))
        return words, dict(grams)

    def score(self, a: Vector, b: Vector) -> float:
        """Blend of the two cosines, 0–1."""
        return WORD_SHARE * _cosine(a[0], b[0]) + (1 - WORD_SHARE) * _cosine(a[1], b[1])
