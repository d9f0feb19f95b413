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
from dataclasses import dataclass

from bot.tagging.normalise import NormalisedText

WORD_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class Sparse:
    """A sparse vector with its length computed once (a text is compared with many others)."""

    weights: dict[str, float] | dict[str, int]
    norm: float

    @classmethod
    def of(cls, weights: dict[str, float] | dict[str, int]) -> Sparse:
        return cls(weights, math.sqrt(sum(v * v for v in weights.values())))

    def cosine(self, other: Sparse) -> float:
        if not self.norm or not other.norm:
            return 0.0
        a, b = self.weights, other.weights
        if len(a) > len(b):
            a, b = b, a
        # Only the shared keys matter; the set intersection finds them in C.
        dot = sum(a[key] * b[key] for key in a.keys() & b.keys())
        return dot / (self.norm * other.norm)


# Weights by content stem, and counts by character trigram (interned: callers keep many vectors).
Vector = tuple[Sparse, Sparse]


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
        return Sparse.of(words), Sparse.of(dict(grams))

    def score(self, a: Vector, b: Vector) -> float:
        """Blend of the two cosines, 0–1."""
        return WORD_SHARE * a[0].cosine(b[0]) + (1 - WORD_SHARE) * a[1].cosine(b[1])

    def score_if_at_least(self, a: Vector, b: Vector, threshold: float) -> float | None:
        """:meth:`score` when it reaches ``threshold``, else ``None``.

        The trigram cosine is at most 1, so a word cosine too low to reach the threshold even
        with it settles the answer; most ideas share few words, and the trigram vectors are the
        larger ones.
        """
        words = WORD_SHARE * a[0].cosine(b[0])
        if words + (1 - WORD_SHARE) < threshold:
            return None
        score = words + (1 - WORD_SHARE) * a[1].cosine(b[1])
        return score if score >= threshold else None
