"""The keyword lexicon: the pillar catalogue's weighted terms and phrases, matched on stems.

Each catalogue keyword goes through the same normaliser as the residents' messages, so "pelayanan"
also matches "layanan" and "dilayani", "banyu bersih" matches "air bersih", and "street light"
matches "lampu jalan". Matching is greedy longest-first, so "pasar terapung" (branding) is not
also counted as "pasar" (economy). Each term counts once per message.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, NamedTuple

from bot.tagging.normalise import NormalisedText, Normaliser, Token

if TYPE_CHECKING:
    from bot.core.catalogue import Catalogue


class Match(NamedTuple):
    """One keyword found in a message (a named tuple: quick to build)."""

    pillar: str
    weight: float
    phrase: str
    start: int
    end: int


def _surface(tokens: Iterable[Token]) -> str:
    """Join the resident's own words behind ``tokens`` ("rs" once, not once per expanded word)."""
    words: list[str] = []
    for token in tokens:
        if not words or words[-1] != token.surface:
            words.append(token.surface)
    return " ".join(words)


class Lexicon:
    """Weighted keyword matching over the content stems of a :class:`NormalisedText`."""

    def __init__(self, entries: Iterable[tuple[str, str, float]], normaliser: Normaliser) -> None:
        self._terms: dict[tuple[str, ...], dict[str, float]] = {}
        for pillar, term, weight in entries:
            stems = tuple(token.stem for token in normaliser(term).content)
            if not stems:
                continue
            weights = self._terms.setdefault(stems, {})
            weights[pillar] = max(weights.get(pillar, 0.0), weight)
        # Most terms point at one pillar with one of three weights: each distinct mapping is kept
        # once and shared, which keeps the lexicon's memory flat as the keyword lists grow.
        shared: dict[tuple[tuple[str, float], ...], dict[str, float]] = {}
        for stems, weights in self._terms.items():
            self._terms[stems] = shared.setdefault(tuple(weights.items()), weights)
        # The longest term starting with each stem: where no term starts, nothing is looked up.
        self._longest_from: dict[str, int] = {}
        for stems in self._terms:
            self._longest_from[stems[0]] = max(self._longest_from.get(stems[0], 0), len(stems))

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue, normaliser: Normaliser) -> Lexicon:
        """Build the lexicon from a :class:`bot.core.catalogue.Catalogue`'s keywords."""
        return cls(
            (
                (pillar.key, keyword.term, keyword.weight)
                for pillar in catalogue.pillars
                for keyword in pillar.keywords
            ),
            normaliser,
        )

    def matches(self, text: NormalisedText) -> list[Match]:
        """Return the keywords in ``text``, positions counted over its content tokens."""
        content = text.content
        stems = [token.stem for token in content]
        found: list[Match] = []
        seen: set[tuple[str, ...]] = set()
        index = 0
        while index < len(stems):
            longest = self._longest_from.get(stems[index], 0)
            for size in range(min(longest, len(stems) - index), 0, -1):
                key = tuple(stems[index : index + size])
                weights = self._terms.get(key)
                if weights is None:
                    continue
                if key not in seen:
                    seen.add(key)
                    phrase = _surface(content[index : index + size])
                    found.extend(
                        Match(pillar, weight, phrase, index, index + size)
                        for pillar, weight in weights.items()
                    )
                index += size
                break
            else:
                index += 1
        return found

    def scores(self, matches: Iterable[Match], pillars: Iterable[str]) -> dict[str, float]:
        """Sum the weights of ``matches`` per pillar (every pillar present, 0.0 if unmatched)."""
        totals = dict.fromkeys(pillars, 0.0)
        for match in matches:
            totals[match.pillar] = totals.get(match.pillar, 0.0) + match.weight
        return totals
