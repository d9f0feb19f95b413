"""The statistical half of the tagger: a multinomial naive Bayes over stems, in pure Python.

Features are the content stems of a message and the pairs of neighbouring stems ("lampu|jalan"),
place names left out (a kecamatan says where an idea is, not what it is about), each counted once
per message (binarised counts suit short messages). Training is a single pass of
counting, so retraining on thousands of examples takes milliseconds and needs no extra library.
Class priors are uniform: the mix of pillars the officers confirm says nothing about the next idea.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.tagging.normalise import NormalisedText


def named_features(text: NormalisedText) -> dict[str, str]:
    """The distinct unigram and bigram stem features of ``text``, place names left out: each
    name to the resident's words it came from."""
    found: dict[str, str] = {}
    previous = None
    for token in text.tokens:
        if token.stop or token.place:
            continue
        found.setdefault(token.stem, token.surface)
        if previous is not None and previous.surface != token.surface:
            found.setdefault(f"{previous.stem}|{token.stem}", f"{previous.surface} {token.surface}")
        previous = token
    return found


@dataclass(frozen=True, slots=True)
class NaiveBayes:
    """A trained model: per-feature log-likelihoods for each class."""

    classes: tuple[str, ...]
    log_likelihood: dict[str, tuple[float, ...]]

    @classmethod
    def train(
        cls,
        examples: Iterable[tuple[Sequence[str], str, float]],
        classes: Sequence[str],
        *,
        alpha: float = 0.1,
    ) -> NaiveBayes:
        """Count ``(feature names, class, weight)`` examples into a model (smoothing ``alpha``)."""
        index = {name: position for position, name in enumerate(classes)}
        counts: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(classes))
        totals = [0.0] * len(classes)
        for names, label, weight in examples:
            position = index[label]
            for name in set(names):
                counts[name][position] += weight
                totals[position] += weight
        vocabulary = len(counts)
        denominators = [math.log(total + alpha * vocabulary) for total in totals]
        # Most features were seen once or twice, so most rows are equal: each distinct row is
        # kept once and shared, which keeps the model's memory flat as the seed set grows.
        rows: dict[tuple[float, ...], tuple[float, ...]] = {}
        log_likelihood = {}
        for name, row in counts.items():
            values = tuple(
                math.log(row[position] + alpha) - denominators[position]
                for position in range(len(classes))
            )
            log_likelihood[name] = rows.setdefault(values, values)
        return cls(tuple(classes), log_likelihood)

    def log_scores(self, names: Iterable[str]) -> list[float]:
        """Sum the log-likelihoods of the known features in ``names``, one score per class."""
        scores = [0.0] * len(self.classes)
        for row in filter(None, map(self.log_likelihood.get, names)):
            scores = [total + value for total, value in zip(scores, row, strict=True)]
        return scores

    def knows(self, name: str) -> bool:
        return name in self.log_likelihood

    def evidence(self, names: Iterable[str], for_class: str, against_class: str) -> list[float]:
        """How much each feature in ``names`` favours ``for_class`` over ``against_class`` (log
        ratio; 0.0 for a feature the model does not know)."""
        first, second = self.classes.index(for_class), self.classes.index(against_class)
        rows = self.log_likelihood
        return [
            row[first] - row[second] if (row := rows.get(name)) is not None else 0.0
            for name in names
        ]
