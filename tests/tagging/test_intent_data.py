"""The intent training set, the development set and the frozen evaluation set: sizes, labels, no
shared message, and shipped weights that training on the shipped set reproduces."""

from __future__ import annotations

from collections import Counter

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

LANGUAGES = {"id", "id-informal", "bjn", "en", "mixed", "none"}
PILLARS = {"governance", "branding", "economy", "living", "society", "environment"}


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
