"""The intent model: a multinomial logistic regression over the features of :mod:`intent`.

Trained offline by :mod:`bot.tagging.intent_training` and shipped as plain JSON
(``bot/data/intent_model.json``: the classes and, per feature, one weight per class). Inference
here is pure Python: look each feature up, add the weights per class, softmax. Unknown features
weigh nothing. The weights are kept as tuples of shared floats, so the model costs a few megabytes
and loads in milliseconds.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple


class Intent(StrEnum):
    """What a message is."""

    IDEA = "idea"
    COMPLAINT = "complaint"
    QUESTION = "question"
    SMALL_TALK = "small_talk"
    SPAM = "spam"
    GIBBERISH = "gibberish"
    ABUSE = "abuse"


MODEL_FILE = "intent_model.json"


class Reading(NamedTuple):
    """The intent of one message, its probability, and every class's probability."""

    intent: Intent
    probability: float
    probabilities: dict[Intent, float]


class IntentModel:
    """Weights per feature and class; :meth:`read` gives a message's :class:`Reading`."""

    def __init__(self, classes: Iterable[str], weights: dict[str, tuple[float, ...]]) -> None:
        self.classes = tuple(Intent(name) for name in classes)
        self.weights = weights

    @classmethod
    def from_json(cls, data: dict) -> IntentModel:
        """Build the model from its JSON form, sharing equal weights between features."""
        shared: dict[float, float] = {}
        weights = {
            name: tuple(shared.setdefault(value, value) for value in row)
            for name, row in data["weights"].items()
        }
        return cls(data["classes"], weights)

    def to_json(self) -> dict:
        return {
            "classes": [str(name) for name in self.classes],
            "weights": {name: list(row) for name, row in sorted(self.weights.items())},
        }

    def scores(self, features: Iterable[str]) -> list[float]:
        """The summed weight per class of the known ``features``."""
        rows = list(filter(None, map(self.weights.get, features)))
        if not rows:
            return [0.0] * len(self.classes)
        return list(map(sum, zip(*rows, strict=True)))

    def read(self, features: Iterable[str]) -> Reading:
        """The likeliest intent of a message with ``features``."""
        scores = self.scores(features)
        top = max(scores)
        exps = [math.exp(score - top) for score in scores]
        total = sum(exps)
        probabilities = {
            name: value / total for name, value in zip(self.classes, exps, strict=True)
        }
        best = max(probabilities, key=probabilities.__getitem__)
        return Reading(best, probabilities[best], probabilities)


def load_intent_model(path: Path | None = None) -> IntentModel:
    """Read a model file (by default the shipped ``bot/data/intent_model.json``)."""
    source = path or Path(str(resources.files("bot") / "data" / MODEL_FILE))
    with source.open(encoding="utf-8") as handle:
        return IntentModel.from_json(json.load(handle))


@cache
def shipped_intent_model() -> IntentModel:
    """The shipped model, read once per process."""
    return load_intent_model()
