"""Benchmark the pillar tagger on the development set: quality under 5-fold CV, and speed.

Run with ``.venv/bin/python bench/tagging.py``. Each fold trains on the shipped seed set plus the
other four folds of ``tests/data/pillars_dev.jsonl`` and tags the fifth. Reported: pillar accuracy,
macro-F1 and the confusion matrix (ideas only), is-idea precision and recall, the complaint flag's
precision and recall (rows that carry a ``complaint`` label), and throughput of the whole pipeline
on one core (median of several runs), each beside the keyword-lexicon-only baseline. "Seed set
only" tags the whole dev set with the shipped model, trained on no dev example.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.core.catalogue import Catalogue, load_catalogue
from bot.tagging import LabelledExample, Tagger
from bot.tagging.lexicon import Lexicon
from bot.tagging.normalise import default_normaliser, stem
from bot.tagging.training import NONE

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "pillars_dev.jsonl"
FOLDS = 5
RUNS = 7
PASSES = 3


def load_dev() -> list[dict]:
    with DEV.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def folds(rows: Sequence[dict]) -> list[int]:
    """Stratified fold number per row: the n-th row of each pillar goes to fold n mod 5."""
    seen: Counter[str] = Counter()
    assignment = []
    for row in rows:
        key = row["pillar"] or NONE
        assignment.append(seen[key] % FOLDS)
        seen[key] += 1
    return assignment


def macro_f1(pairs: Sequence[tuple[str, str]], labels: Sequence[str]) -> float:
    scores = []
    for label in labels:
        tp = sum(1 for e, p in pairs if e == label and p == label)
        fp = sum(1 for e, p in pairs if e != label and p == label)
        fn = sum(1 for e, p in pairs if e == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


def precision_recall(pairs: Sequence[tuple[bool, bool]]) -> tuple[float, float]:
    tp = sum(1 for e, p in pairs if e and p)
    fp = sum(1 for e, p in pairs if not e and p)
    fn = sum(1 for e, p in pairs if e and not p)
    return (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)


def lexicon_tagger(catalogue: Catalogue) -> Callable[[str], str]:
    """The baseline: normalise, match the catalogue keywords, take the heaviest pillar."""
    normalise = default_normaliser()
    lexicon = Lexicon.from_catalogue(catalogue, normalise)
    keys = catalogue.pillar_keys

    def tag(text: str) -> str:
        scores = lexicon.scores(lexicon.matches(normalise(text)), keys)
        return max(keys, key=scores.__getitem__)

    return tag


def throughput(tag: Callable[[str], object], texts: Sequence[str], *, cold: bool) -> float:
    """Median texts per second over RUNS runs; ``cold`` empties the stem cache before each run."""
    rates = []
    for _ in range(RUNS):
        if cold:
            stem.cache_clear()
        passes = 1 if cold else PASSES
        start = time.perf_counter()
        for _ in range(passes):
            for text in texts:
                tag(text)
        rates.append(passes * len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> int:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    catalogue = load_catalogue()
    keys = catalogue.pillar_keys
    rows = load_dev()
    assignment = folds(rows)
    predicted: list[object] = [None] * len(rows)
    for fold in range(FOLDS):
        tagger = Tagger.from_catalogue(catalogue)
        tagger.fit(
            [
                LabelledExample(row["text"], row["pillar"] or NONE)
                for row, f in zip(rows, assignment, strict=True)
                if f != fold
            ]
        )
        for index, row in enumerate(rows):
            if assignment[index] == fold:
                predicted[index] = tagger.tag(row["text"])
    baseline = lexicon_tagger(catalogue)
    shipped = Tagger.from_catalogue(catalogue)
    seed_only = [shipped.tag(row["text"]).pillar for row in rows if row["is_idea"]]

    ideas = [(row, result) for row, result in zip(rows, predicted, strict=True) if row["is_idea"]]
    pairs = [(row["pillar"], result.pillar) for row, result in ideas]
    base_pairs = [(row["pillar"], baseline(row["text"])) for row, _ in ideas]
    accuracy = sum(e == p for e, p in pairs) / len(pairs)
    base_accuracy = sum(e == p for e, p in base_pairs) / len(base_pairs)
    print(f"dev set: {len(rows)} messages, {len(ideas)} ideas, {len(rows) - len(ideas)} non-ideas")
    print("5-fold CV (train = seed + 4 folds)   tagger   lexicon-only baseline")
    print(f"  pillar accuracy                     {accuracy:.3f}    {base_accuracy:.3f}")
    print(
        f"  pillar macro-F1                     {macro_f1(pairs, keys):.3f}    "
        f"{macro_f1(base_pairs, keys):.3f}"
    )
    seed_accuracy = sum(
        p == row["pillar"] for p, row in zip(seed_only, [r for r, _ in ideas], strict=True)
    ) / len(ideas)
    print(f"  accuracy, seed set only (no folds)  {seed_accuracy:.3f}")
    low = [result for _, result in ideas if result.low_confidence]
    low_right = sum(
        1 for row, result in ideas if result.low_confidence and row["pillar"] in result.choices
    )
    wrong = [result for row, result in ideas if result.pillar != row["pillar"]]
    print(
        f"  low-confidence ideas                {len(low)} "
        f"(right pillar among the 2-3 offered: {low_right}; "
        f"{sum(r.low_confidence for r in wrong)} of the {len(wrong)} wrong tags)"
    )
    print("\nconfusion matrix (rows = expected, columns = predicted)")
    print(" " * 13 + "".join(f"{key[:6]:>8}" for key in keys))
    for expected in keys:
        counts = Counter(p for e, p in pairs if e == expected)
        print(f"{expected:>13}" + "".join(f"{counts[key]:>8}" for key in keys))

    idea_p, idea_r = precision_recall(
        [(row["is_idea"], result.is_idea) for row, result in zip(rows, predicted, strict=True)]
    )
    print(f"\nis-idea precision {idea_p:.3f}  recall {idea_r:.3f}")
    labelled = [
        (row["complaint"], result.looks_like_complaint)
        for row, result in zip(rows, predicted, strict=True)
        if "complaint" in row
    ]
    complaint_p, complaint_r = precision_recall(labelled)
    print(
        f"complaint precision {complaint_p:.3f}  recall {complaint_r:.3f}  "
        f"({sum(e for e, _ in labelled)} complaints among {len(labelled)} labelled)"
    )

    texts = [row["text"] for row in rows]
    tagger = Tagger.from_catalogue(catalogue)
    print(f"\nthroughput on one core, median of {RUNS} runs (texts/second)")
    for label, cold in (("warm stem cache", False), ("cold stem cache", True)):
        full = throughput(tagger.tag, texts, cold=cold)
        base = throughput(baseline, texts, cold=cold)
        print(f"  {label}: tagger {full:,.0f}   lexicon-only {base:,.0f}   ratio {full / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
