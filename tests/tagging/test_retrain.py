"""Learning from officers: corrections change later tags; a worse model is never swapped in."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

from bot.core.catalogue import Catalogue
from bot.tagging import LabelledExample, Tagger

DEV = Path(__file__).resolve().parent.parent / "data" / "pillars_dev.jsonl"


def dev_ideas() -> list[LabelledExample]:
    rows = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()]
    return [LabelledExample(row["text"], row["pillar"]) for row in rows if row["is_idea"]]


def test_an_officers_correction_changes_the_tag_of_a_similar_text(catalogue: Catalogue) -> None:
    tagger = Tagger.from_catalogue(catalogue)
    later = "Adakan lomba kebersihan los pasar antar pedagang di Martapura"
    assert tagger.tag(later).pillar == "economy"

    swapped = tagger.retrain(
        [LabelledExample("Lomba kebersihan pasar antar pedagang", "environment")]
    )

    assert swapped
    assert tagger.tag(later).pillar == "environment"


def test_retraining_on_shuffled_labels_is_not_swapped_in(catalogue: Catalogue) -> None:
    tagger = Tagger.from_catalogue(catalogue)
    ideas = dev_ideas()
    labels = [example.pillar for example in ideas]
    random.Random(0).shuffle(labels)
    probe = [example.text for example in ideas[:40]]
    before = [tagger.tag(text) for text in probe]

    swapped = tagger.retrain(
        [LabelledExample(example.text, label) for example, label in zip(ideas, labels, strict=True)]
    )

    assert not swapped
    assert [tagger.tag(text) for text in probe] == before


def test_retraining_on_correct_labels_is_swapped_in(catalogue: Catalogue) -> None:
    tagger = Tagger.from_catalogue(catalogue)
    ideas = dev_ideas()

    def right() -> int:
        return sum(tagger.tag(example.text).pillar == example.pillar for example in ideas)

    before = right()
    assert tagger.retrain(ideas)
    assert right() > before


def test_non_pillar_labels_are_ignored(catalogue: Catalogue) -> None:
    tagger = Tagger.from_catalogue(catalogue)
    text = "Jalan di depan sekolah berlubang"
    before = tagger.tag(text)
    assert tagger.retrain([LabelledExample(text, "not-a-pillar")])
    assert tagger.tag(text) == before


def test_tagging_goes_on_while_another_thread_retrains(catalogue: Catalogue) -> None:
    tagger = Tagger.from_catalogue(catalogue)
    ideas = dev_ideas()
    failures: list[Exception] = []

    def tag_repeatedly() -> None:
        try:
            for example in ideas:
                assert tagger.tag(example.text).pillar
        except Exception as error:
            failures.append(error)

    workers = [threading.Thread(target=tag_repeatedly) for _ in range(2)]
    for worker in workers:
        worker.start()
    for size in (50, 100, 200):
        tagger.retrain(ideas[:size])
    for worker in workers:
        worker.join()
    assert failures == []
