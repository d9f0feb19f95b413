"""The intent training set, the development sets and the frozen evaluation set: sizes, labels, no
shared message, and shipped weights that training on the shipped set reproduces."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bot.tagging.intent_generator import generate
from bot.tagging.intent_model import Intent, shipped_intent_model
from bot.tagging.intent_training import (
    DATA,
    DEVELOPMENT,
    IntentExample,
    load_evaluation,
    message_key,
    shipped_training_set,
    train,
)
from bot.tagging.training import shipped_seed

LANGUAGES = {"id", "id-informal", "bjn", "en", "mixed", "none"}
PILLARS = {"governance", "branding", "economy", "living", "society", "environment"}
PILLARS_DEV3 = DEVELOPMENT.with_name("pillars_dev3.jsonl")
PILLARS_DEV4 = DEVELOPMENT.with_name("pillars_dev4.jsonl")


@pytest.fixture(scope="module")
def evaluation() -> list[IntentExample]:
    return load_evaluation()


@pytest.fixture(scope="module")
def development() -> list[IntentExample]:
    return load_evaluation(DEVELOPMENT)


def test_the_sets_share_no_message(
    evaluation: list[IntentExample], development: list[IntentExample]
) -> None:
    frozen = {message_key(example.text) for example in evaluation}
    judged = {message_key(example.text) for example in development}
    shared = [e.text for e in shipped_training_set() if message_key(e.text) in frozen | judged]
    assert shared == []
    assert frozen.isdisjoint(judged)


def read_rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize(
    ("unseen_set", "earlier_sets"),
    [
        (PILLARS_DEV3, ("pillars_dev.jsonl",)),
        (PILLARS_DEV4, ("pillars_dev.jsonl", "pillars_dev3.jsonl")),
    ],
    ids=["pillars_dev3", "pillars_dev4"],
)
def test_the_unseen_pillar_sets_share_no_message_with_training_or_the_other_dev_sets(
    unseen_set: Path, earlier_sets: tuple[str, ...]
) -> None:
    rows = read_rows(unseen_set)
    unseen = {message_key(row["text"]) for row in rows}
    others = [e.text for e in shipped_training_set()] + [e.text for e in shipped_seed()]
    others += [e.text for e in load_evaluation(DEVELOPMENT)]
    others += [e.text for e in load_evaluation()]  # the frozen set: tuning must not see its texts
    for name in earlier_sets:
        others += [row["text"] for row in read_rows(unseen_set.with_name(name))]
    assert [text for text in others if message_key(text) in unseen] == []
    assert len(unseen) == len(rows)
    assert Counter(row["pillar"] for row in rows) == dict.fromkeys(PILLARS, 40)
    assert all(row["is_idea"] for row in rows)


def test_the_training_set_is_large_and_covers_every_class() -> None:
    examples = shipped_training_set()
    per_class = Counter(example.intent for example in examples)
    assert len(examples) >= 2000
    assert set(per_class) == set(Intent)
    assert min(per_class.values()) >= 200
    assert {example.language for example in examples} <= LANGUAGES
    assert len({message_key(example.text) for example in examples}) == len(examples)


def test_the_evaluation_set_is_labelled_in_full(evaluation: list[IntentExample]) -> None:
    assert len(evaluation) >= 500
    assert_labelled(evaluation)


def test_the_development_set_is_labelled_in_full(development: list[IntentExample]) -> None:
    assert len(development) >= 250
    assert {example.pillar for example in development if example.intent is Intent.IDEA} == PILLARS
    assert_labelled(development)


def assert_labelled(examples: list[IntentExample]) -> None:
    assert {example.intent for example in examples} == set(Intent)
    assert {example.language for example in examples} == LANGUAGES
    for example in examples:
        filed = example.intent in (Intent.IDEA, Intent.COMPLAINT)
        assert (example.pillar in PILLARS) if filed else example.pillar is None
        if example.intent is Intent.QUESTION:
            assert example.about in ("bot", "status", "other")


def test_the_generated_file_is_what_the_generator_writes() -> None:
    assert (DATA / "intent_generated.toml").read_text(encoding="utf-8") == generate()


def test_training_on_the_shipped_set_gives_the_shipped_weights() -> None:
    shipped = shipped_intent_model()
    retrained = train(shipped_training_set())
    assert retrained.classes == shipped.classes
    assert set(retrained.weights) == set(shipped.weights)
    worst = max(
        abs(a - b)
        for name, row in shipped.weights.items()
        for a, b in zip(row, retrained.weights[name], strict=True)
    )
    assert worst <= 0.002
