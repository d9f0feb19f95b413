"""Labelled examples: the shipped seed set, officers' confirmations, and how both are split.

The seed set is ``bot/data/seed_examples.toml``: one list of messages per pillar, plus ``none`` for
messages that are not ideas. It is written separately from the development set the benchmark uses.
Examples are split for validation by a stable hash of their text, so the same example always lands
on the same side however often the model is retrained.
"""

from __future__ import annotations

import tomllib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

NONE = "none"
HOLDOUT_BUCKETS = 5


@dataclass(frozen=True)
class LabelledExample:
    """A message with the pillar it belongs to (``"none"`` only in the seed set's non-ideas)."""

    text: str
    pillar: str


def load_seed(path: Path | None = None) -> tuple[LabelledExample, ...]:
    """Read the seed set (by default the shipped ``bot/data/seed_examples.toml``)."""
    source = path or Path(str(resources.files("bot") / "data" / "seed_examples.toml"))
    with source.open("rb") as handle:
        raw = tomllib.load(handle)
    return tuple(
        LabelledExample(text, pillar) for pillar, texts in raw["seed"].items() for text in texts
    )


@cache
def shipped_seed() -> tuple[LabelledExample, ...]:
    """The shipped seed set, read once."""
    return load_seed()


def is_holdout(example: LabelledExample) -> bool:
    """Whether ``example`` belongs to the validation side (about one in five, stable)."""
    return zlib.crc32(example.text.strip().lower().encode("utf-8")) % HOLDOUT_BUCKETS == 0


def split(
    examples: Iterable[LabelledExample],
) -> tuple[list[LabelledExample], list[LabelledExample]]:
    """Split ``examples`` into (training side, validation side)."""
    train: list[LabelledExample] = []
    holdout: list[LabelledExample] = []
    for example in examples:
        (holdout if is_holdout(example) else train).append(example)
    return train, holdout


def accuracy(predicted: Sequence[str], expected: Sequence[str]) -> float:
    """Share of positions where ``predicted`` equals ``expected`` (1.0 for empty input)."""
    if not expected:
        return 1.0
    return sum(p == e for p, e in zip(predicted, expected, strict=True)) / len(expected)
