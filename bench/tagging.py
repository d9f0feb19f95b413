"""Benchmark the tagger: pillars on the development set, intent on the frozen set, and speed.

Run with ``.venv/bin/python bench/tagging.py``; while tuning, with ``--without-frozen`` (the
frozen set's results are then neither computed nor printed).

Pillars: each fold trains on the shipped seed set plus the other four folds of
``tests/data/pillars_dev.jsonl`` and tags the fifth. Reported: pillar accuracy, macro-F1 and the
confusion matrix (ideas only), is-idea precision and recall, the complaint flag's precision and
recall (rows that carry a ``complaint`` label), each beside the keyword-lexicon-only baseline.
"Seed set only" tags the whole dev set with the shipped model, trained on no dev example. "Seed
set CV" trains on four fifths of the seed set's ideas (every fifth message held out in turn) and
tags the rest, so it uses no dev set at all. The
shipped model also tags ``tests/data/pillars_dev3.jsonl`` and ``tests/data/pillars_dev4.jsonl``
(240 ideas each, written apart from the seed and the other dev sets, never trained or tuned on):
accuracy, macro-F1 and confusion matrix of each and of the two together, beside the lexicon alone.

Intent: 5-fold cross-validation on the shipped intent training set beside the shipped model on the
development set (``tests/data/intent_dev2.jsonl``, written before the changes it judges) and the
frozen evaluation set (``tests/data/intent_eval.jsonl``, written before the training set and never
tuned on), per class and per language, with the confusion matrices, the issue's four targets,
which help a question gets, and pillar accuracy and macro-F1 on each set's ideas and complaints.

Speed: the whole ``python -m bot tag`` path (:func:`run_tag`, JSON lines out) and the tagger and
baseline alone, on one core, median of several runs, over the dev sets' texts and the frozen
set's (``--without-frozen``: the dev sets' texts alone); the intent model's size and load cost.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.core.catalogue import Catalogue, load_catalogue
from bot.tagging import Intent, LabelledExample, Tagger
from bot.tagging.cli import run_tag
from bot.tagging.intent_model import MODEL_FILE, load_intent_model
from bot.tagging.intent_training import (
    DATA,
    DEVELOPMENT,
    IntentExample,
    cross_validate,
    load_evaluation,
    shipped_training_set,
)
from bot.tagging.lexicon import Lexicon
from bot.tagging.model import named_features
from bot.tagging.normalise import default_normaliser, stem
from bot.tagging.training import NONE, shipped_seed

DEV = Path(__file__).resolve().parent.parent / "tests" / "data" / "pillars_dev.jsonl"
UNSEEN = (DEV.with_name("pillars_dev3.jsonl"), DEV.with_name("pillars_dev4.jsonl"))
FOLDS = 5
RUNS = 7
PASSES = 3


def load_dev(path: Path = DEV) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
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


def throughput(
    tag: Callable[[str], object],
    texts: Sequence[str],
    *,
    cold: bool,
    forget: Callable[[], None] = stem.cache_clear,
) -> float:
    """Median texts per second over RUNS runs; ``cold`` calls ``forget`` before each run (by
    default it empties the stem cache)."""
    rates = []
    for _ in range(RUNS):
        if cold:
            forget()
        passes = 1 if cold else PASSES
        start = time.perf_counter()
        for _ in range(passes):
            for text in texts:
                tag(text)
        rates.append(passes * len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


FILED = (Intent.IDEA, Intent.COMPLAINT)
NOT_IDEAS = (Intent.QUESTION, Intent.SMALL_TALK, Intent.SPAM, Intent.GIBBERISH, Intent.ABUSE)


def share(pairs: Sequence[tuple[Intent, Intent]], expected: Sequence[Intent], ok) -> str:
    """The share of ``pairs`` whose expected class is in ``expected`` that ``ok`` accepts."""
    chosen = [(e, p) for e, p in pairs if e in expected]
    if not chosen:
        return "   -  "
    return f"{sum(1 for e, p in chosen if ok(p)) / len(chosen):.3f}"


def class_scores(pairs: Sequence[tuple[Intent, Intent]], label: Intent) -> tuple[float, float, int]:
    """Recall, precision and support of ``label``."""
    tp = sum(1 for e, p in pairs if e == label and p == label)
    support = sum(1 for e, _ in pairs if e == label)
    predicted = sum(1 for _, p in pairs if p == label)
    return tp / support if support else 0.0, tp / predicted if predicted else 0.0, support


def print_pillar_confusion(pairs: Sequence[tuple[str, str]], keys: Sequence[str]) -> None:
    print("\nconfusion matrix (rows = expected, columns = predicted)")
    print(" " * 13 + "".join(f"{key[:6]:>8}" for key in keys))
    for expected in keys:
        counts = Counter(p for e, p in pairs if e == expected)
        print(f"{expected:>13}" + "".join(f"{counts[key]:>8}" for key in keys))


def seed_cross_validation(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(expected, predicted) for each seed idea, tagged by a model trained on the other folds."""
    normalise = default_normaliser()
    lexicon = Lexicon.from_catalogue(catalogue, normalise)
    keys = catalogue.pillar_keys
    ideas = [
        (example, tuple(named_features(normalise(example.text))))
        for example in shipped_seed()
        if example.pillar in keys
    ]
    pairs = []
    for fold in range(FOLDS):
        tagger = Tagger(
            pillars=keys,
            normaliser=normalise,
            lexicon=lexicon,
            seed=[idea for index, idea in enumerate(ideas) if index % FOLDS != fold],
        )
        pairs.extend(
            (example.pillar, tagger.tag(example.text).pillar)
            for index, (example, _) in enumerate(ideas)
            if index % FOLDS == fold
        )
    return pairs


def unseen_report(tagger: Tagger, baseline: Callable[[str], str], keys: Sequence[str]) -> None:
    """The shipped model on pillars_dev3 and pillars_dev4, which nothing was trained or tuned on."""
    every: list[tuple[str, str]] = []
    every_base: list[tuple[str, str]] = []
    for path in UNSEEN:
        rows = load_dev(path)
        pairs = [(row["pillar"], tagger.tag(row["text"]).pillar) for row in rows]
        base_pairs = [(row["pillar"], baseline(row["text"])) for row in rows]
        print_unseen(path.stem, pairs, base_pairs, keys)
        print_pillar_confusion(pairs, keys)
        every += pairs
        every_base += base_pairs
    print_unseen("pillars_dev3 + pillars_dev4", every, every_base, keys)


def print_unseen(
    name: str,
    pairs: Sequence[tuple[str, str]],
    base_pairs: Sequence[tuple[str, str]],
    keys: Sequence[str],
) -> None:
    right = sum(e == p for e, p in pairs)
    base_right = sum(e == p for e, p in base_pairs)
    print(
        f"\n{name} ({len(pairs)} ideas, shipped model): accuracy {right / len(pairs):.3f} "
        f"({right} right), macro-F1 {macro_f1(pairs, keys):.3f}; "
        f"lexicon only {base_right / len(pairs):.3f}"
    )


def print_confusion(title: str, pairs: Sequence[tuple[Intent, Intent]]) -> None:
    print(f"\n{title} (rows = expected, columns = predicted)")
    print(" " * 12 + "".join(f"{label.value[:7]:>8}" for label in Intent))
    for expected in Intent:
        counts = Counter(p for e, p in pairs if e == expected)
        print(f"{expected.value:>12}" + "".join(f"{counts[label]:>8}" for label in Intent))


def intent_report(catalogue: Catalogue, *, frozen_too: bool) -> None:
    """Cross-validation on the training set beside the development and frozen sets, and pillars."""
    training = list(shipped_training_set())
    started = time.perf_counter()
    cv_pairs = list(zip((e.intent for e in training), cross_validate(training), strict=True))
    cv_seconds = time.perf_counter() - started
    tagger = Tagger.from_catalogue(catalogue)
    named = [("development", load_evaluation(DEVELOPMENT))]
    if frozen_too:
        named.append(("frozen", load_evaluation()))
    columns: list[tuple[str, list[IntentExample], list[tuple[Intent, Intent]]]] = [
        ("training CV", training, cv_pairs)
    ]
    results = {}
    for name, examples in named:
        results[name] = [tagger.tag(example.text) for example in examples]
        pairs = [(e.intent, r.intent) for e, r in zip(examples, results[name], strict=True)]
        columns.append((f"{name} set", examples, pairs))
    sizes = ", ".join(f"{title} {len(examples)}" for title, examples, _ in columns)
    print(f"\nintent ({sizes} messages; CV took {cv_seconds:.0f} s; the sets: shipped model)")
    print("  class           " + "".join(f"{title:>22}" for title, _, _ in columns))
    print("                  " + "   recall  prec.    n" * len(columns))
    for label in Intent:
        cells = "".join(
            "{:>9.3f} {:>6.3f} {:>5}".format(*class_scores(pairs, label)) for _, _, pairs in columns
        )
        print(f"  {label.value:<16}{cells}")
    accuracy = [sum(e == p for e, p in pairs) / len(pairs) for _, _, pairs in columns]
    print("  accuracy        " + "".join(f"{value:>9.3f}{'':>13}" for value in accuracy))
    print("\n  language        " + "".join(f"{title:>16}  (n)" for title, _, _ in columns))
    every = {e.language for _, examples, _ in columns for e in examples}
    for language in sorted(every):
        cells = []
        for _, examples, chosen in columns:
            mine = [
                pair for e, pair in zip(examples, chosen, strict=True) if e.language == language
            ]
            right = sum(e == p for e, p in mine) / len(mine) if mine else 0.0
            cells.append(f"{right:>16.3f} {len(mine):>4}" if mine else f"{'-':>16} {0:>4}")
        print(f"  {language:<16}" + "".join(cells))
    print(
        "\n  issue 17 targets                        "
        + "".join(f"{title:>17}" for title, _, _ in columns)
        + "  goal"
    )
    targets = (
        ("non-ideas recognised as not ideas", NOT_IDEAS, lambda p: p not in FILED, ">= 0.95"),
        (
            "complaints flagged for SP4N-LAPOR!",
            (Intent.COMPLAINT,),
            Intent.COMPLAINT.__eq__,
            ">= 0.85",
        ),
        ("ideas wrongly flagged as complaints", (Intent.IDEA,), Intent.COMPLAINT.__eq__, "<= 0.05"),
        ("ideas recognised as ideas", (Intent.IDEA,), Intent.IDEA.__eq__, ">= 0.97"),
    )
    for name, expected, ok, goal in targets:
        cells = "".join(f"{share(pairs, expected, ok):>17}" for _, _, pairs in columns)
        print(f"  {name:<38}{cells}  {goal}")
    for title, _, pairs in columns:
        print_confusion(f"intent confusion, {title}", pairs)
    for name, examples in named:
        questions = [
            (e.about, r.about)
            for e, r in zip(examples, results[name], strict=True)
            if e.intent is Intent.QUESTION and r.intent is Intent.QUESTION
        ]
        right = sum(e == p for e, p in questions)
        print(
            f"\n{name} set: questions read as questions and given the right help (bot, status, "
            f"other): {right}/{len(questions)}"
        )
        set_pillars(catalogue, name, examples, results[name])


def set_pillars(
    catalogue: Catalogue, name: str, examples: list[IntentExample], results: list
) -> None:
    keys = catalogue.pillar_keys
    for title, kinds in (("ideas", (Intent.IDEA,)), ("ideas and complaints", FILED)):
        chosen = [
            (e.pillar, r.pillar)
            for e, r in zip(examples, results, strict=True)
            if e.intent in kinds
        ]
        accuracy = sum(e == p for e, p in chosen) / len(chosen)
        print(
            f"pillar on the {name} set, {title} ({len(chosen)}): accuracy {accuracy:.3f}, "
            f"macro-F1 {macro_f1(chosen, keys):.3f}"
        )


class Discard(io.TextIOBase):
    """Standard output that keeps nothing."""

    def write(self, text: str) -> int:
        return len(text)


def tag_path(tagger: Tagger, texts: Sequence[str]) -> float:
    """Median texts per second through run_tag, as ``python -m bot tag`` runs it (warm caches)."""
    data = "\n".join(texts) + "\n"
    run_tag(io.StringIO(data), Discard(), tagger)
    rates = []
    for _ in range(RUNS):
        start = time.perf_counter()
        run_tag(io.StringIO(data), Discard(), tagger)
        rates.append(len(texts) / (time.perf_counter() - start))
    return statistics.median(rates)


def model_cost() -> None:
    path = DATA / MODEL_FILE
    tracemalloc.start()
    started = time.perf_counter()
    model = load_intent_model(path)
    seconds = time.perf_counter() - started
    size = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    print(
        f"intent model: {len(model.weights):,} features, file {path.stat().st_size / 1e6:.2f} MB, "
        f"loaded in {seconds * 1000:.0f} ms, {size / 1e6:.1f} MB of Python objects"
    )


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
    seed_pairs = seed_cross_validation(catalogue)
    label = f"accuracy, seed set CV ({len(seed_pairs)} ideas)"
    print(
        f"  {label:<36}{sum(e == p for e, p in seed_pairs) / len(seed_pairs):.3f}    "
        f"(macro-F1 {macro_f1(seed_pairs, keys):.3f})"
    )
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
    print_pillar_confusion(pairs, keys)
    unseen_report(shipped, baseline, keys)

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

    frozen_too = "--without-frozen" not in sys.argv
    intent_report(catalogue, frozen_too=frozen_too)

    texts = [row["text"] for row in rows]
    tagger = Tagger.from_catalogue(catalogue)
    print(f"\nthroughput on one core, median of {RUNS} runs (texts/second)")
    if frozen_too:
        every = texts + [example.text for example in load_evaluation()]
    else:
        every = texts + [e.text for e in load_evaluation(DEVELOPMENT)]
        every += [row["text"] for row in load_dev(UNSEEN[0])]
    print(f"  python -m bot tag path (run_tag, JSON lines): {tag_path(tagger, every):,.0f}")

    def forget_tagger() -> None:
        stem.cache_clear()
        tagger.forget_words()

    for label, cold in (("warm stem and word caches", False), ("cold stem and word caches", True)):
        full = throughput(tagger.tag, texts, cold=cold, forget=forget_tagger)
        base = throughput(baseline, texts, cold=cold)
        print(f"  {label}: tagger {full:,.0f}   lexicon-only {base:,.0f}   ratio {full / base:.2f}")
    model_cost()
    return 0


if __name__ == "__main__":
    sys.exit(main())
