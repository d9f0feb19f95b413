"""The pillar tagger the bot calls: lexicon + naive Bayes, explained, and retrained from officers.

For a message the tagger normalises the text once, then scores each pillar as

    score = naive-Bayes log-likelihood / TEMPERATURE + LEXICON_WEIGHT × matched keyword weights

and turns the scores into probabilities with a softmax; below LOW_CONFIDENCE the resident is
offered :attr:`TagResult.choices`. The words with the largest share in the winner's lead over the
runner-up are the reasons. What the message is at all (an idea, a complaint, a question, small
talk, spam, gibberish, abuse) is the intent model's answer (``intent.py``, ``intent_model.py``),
over the same normalised text.

The model is an immutable value held in one attribute: ``tag`` reads it once, ``retrain`` builds a
new one and swaps the attribute, so tagging needs no lock and always sees a whole model. The
constants below were tuned with ``bench/tagging.py`` and the similarity pairs in the tests.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from bot.tagging.intent import (
    IntentFeatures,
    IntentRules,
    load_intent_rules,
    question_topic,
    small_talk_kind,
)
from bot.tagging.intent_model import Intent, IntentModel, shipped_intent_model
from bot.tagging.lexicon import Lexicon, Match
from bot.tagging.model import NaiveBayes, named_features
from bot.tagging.normalise import (
    NormalisedText,
    Normaliser,
    default_normaliser,
)
from bot.tagging.similarity import Similarity, Vector
from bot.tagging.training import LabelledExample, accuracy, shipped_seed, split

if TYPE_CHECKING:
    from bot.core.catalogue import Catalogue

TEMPERATURE = 4.0
LEXICON_WEIGHT = 0.5
OFFICER_WEIGHT = 2.0
LOW_CONFIDENCE = 0.65
THIRD_CHOICE = 0.5
SIMILAR_THRESHOLD = 0.6
# Similarity vectors kept, by text: the pools compared against are the newest 1,000 ideas (the
# resident's summary) and 200 (an officer's card), so nearly every candidate is found here.
VECTOR_CACHE = 2048
# Words whose tokens the tagger keeps (about 1.1 MB when full, empty at start): residents repeat
# most of their words, and a kept word is not split, mapped and stemmed again.
WORDS_CACHED = 4096
MAX_REASONS = 5


@dataclass(frozen=True)
class TagResult:
    """What the tagger says about one message."""

    pillar: str
    confidence: float
    runner_up: str | None
    reasons: tuple[str, ...]
    ranking: tuple[tuple[str, float], ...]
    is_idea: bool
    looks_like_complaint: bool
    low_confidence: bool
    intent: Intent
    intent_probability: float
    about: str | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        """The pillars to offer the resident: the best alone, or the 2–3 likeliest when unsure.

        A third is offered when it is at least THIRD_CHOICE times as likely as the second.
        """
        if not self.low_confidence:
            return (self.pillar,)
        (first, _), (second, p2), (third, p3) = self.ranking[:3]
        return (first, second, third) if p3 >= THIRD_CHOICE * p2 else (first, second)


@dataclass(frozen=True, slots=True)
class _Current:
    """The model in use and the officers' examples it was trained on, swapped as one value."""

    model: NaiveBayes
    examples: tuple[LabelledExample, ...]


@cache
def _prepared_seed() -> tuple[tuple[LabelledExample, tuple[str, ...]], ...]:
    """The shipped seed set with its features, computed once per process.

    A feature name found in several messages is kept once (1,506 names, 0.07 MB less).
    """
    normalise = default_normaliser()
    kept: dict[str, str] = {}
    return tuple(
        (
            example,
            tuple(kept.setdefault(name, name) for name in named_features(normalise(example.text))),
        )
        for example in shipped_seed()
    )


class Tagger:
    """Tags messages with a pillar; see the module docstring for how."""

    def __init__(
        self,
        *,
        pillars: Sequence[str],
        normaliser: Normaliser,
        lexicon: Lexicon,
        intent_rules: IntentRules | None = None,
        intent_model: IntentModel | None = None,
        seed: Sequence[tuple[LabelledExample, tuple[str, ...]]],
    ) -> None:
        self.pillars = tuple(pillars)
        self._classes = self.pillars
        self._normalise = normaliser
        self._lexicon = lexicon
        self._seed = tuple(seed)
        self._intent_rules = intent_rules or load_intent_rules()
        self._intent_features = IntentFeatures(self._intent_rules)
        self._intent_model = intent_model or shipped_intent_model()
        self._similarity = Similarity(
            [name for name in names if "|" not in name] for _, names in self._seed
        )
        self._retrain_lock = threading.Lock()
        self._current = _Current(self._train(()), ())
        self._vector = lru_cache(maxsize=VECTOR_CACHE)(self._text_vector)

    @classmethod
    def from_catalogue(cls, catalogue: Catalogue) -> Tagger:
        """The tagger for ``catalogue``'s keywords, its model trained on the shipped seed set."""
        normaliser = default_normaliser()
        return cls(
            pillars=catalogue.pillar_keys,
            normaliser=Normaliser(normaliser.maps, words_cached=WORDS_CACHED),
            lexicon=Lexicon.from_catalogue(catalogue, normaliser),
            seed=_prepared_seed(),
        )

    def _train(
        self, examples: Iterable[LabelledExample], seed: Iterable[LabelledExample] | None = None
    ) -> NaiveBayes:
        prepared: list[tuple[Sequence[str], str, float]] = []
        wanted = None if seed is None else {id(example) for example in seed}
        for example, names in self._seed:
            if example.pillar in self._classes and (wanted is None or id(example) in wanted):
                prepared.append((names, example.pillar, 1.0))
        for example in examples:
            if example.pillar in self._classes:
                names = list(named_features(self._normalise(example.text)))
                prepared.append((names, example.pillar, OFFICER_WEIGHT))
        return NaiveBayes.train(prepared, self._classes)

    def _probabilities(
        self, model: NaiveBayes, names: list[str], lexicon_scores: dict[str, float]
    ) -> dict[str, float]:
        """Pillar probabilities, summing to 1."""
        raw = model.log_scores(names)
        scores = {
            cls: value / TEMPERATURE + LEXICON_WEIGHT * lexicon_scores.get(cls, 0.0)
            for cls, value in zip(model.classes, raw, strict=True)
        }
        top = max(scores.values())
        exps = {cls: math.exp(value - top) for cls, value in scores.items()}
        total = sum(exps.values())
        return {cls: value / total for cls, value in exps.items()}

    def _score(
        self, model: NaiveBayes, normalised: NormalisedText
    ) -> tuple[dict[str, str], list[Match], dict[str, float]]:
        """Features (each with the resident's words), keyword matches and pillar probabilities."""
        found = named_features(normalised)
        matches = self._lexicon.matches(normalised)
        lexicon_scores = self._lexicon.scores(matches, self.pillars)
        probabilities = self._probabilities(model, list(found), lexicon_scores)
        return found, matches, probabilities

    def tag(self, text: str) -> TagResult:
        """Tag one message."""
        model = self._current.model
        normalised = self._normalise(text)
        found, matches, probabilities = self._score(model, normalised)
        ranking = tuple(sorted(probabilities.items(), key=lambda item: -item[1]))
        best, confidence = ranking[0]
        runner_up = ranking[1][0]
        reading = self._intent_model.read(self._intent_features(text, normalised))
        is_idea = reading.intent in (Intent.IDEA, Intent.COMPLAINT)
        about = None
        if reading.intent is Intent.QUESTION:
            about = question_topic(self._intent_rules, normalised)
        elif reading.intent is Intent.SMALL_TALK:
            about = small_talk_kind(self._intent_rules, normalised)
        return TagResult(
            pillar=best,
            confidence=confidence,
            runner_up=runner_up,
            reasons=_reasons(model, found, matches, best, runner_up) if is_idea else (),
            ranking=ranking,
            is_idea=is_idea,
            looks_like_complaint=reading.intent is Intent.COMPLAINT,
            low_confidence=confidence < LOW_CONFIDENCE,
            intent=reading.intent,
            intent_probability=reading.probability,
            about=about,
        )

    def _predict(self, model: NaiveBayes, examples: Sequence[LabelledExample]) -> list[str]:
        predicted = []
        for example in examples:
            _, _, probabilities = self._score(model, self._normalise(example.text))
            predicted.append(max(probabilities, key=probabilities.__getitem__))
        return predicted

    def retrain(self, examples: Sequence[LabelledExample]) -> bool:
        """Retrain on the seed set plus ``examples``; swap the model in only if it is not worse.

        Candidate and current are judged the same way: each trained without the validation side
        (a stable fifth of the seed set and of the officers' examples), then scored on it.
        """
        examples = tuple(example for example in examples if example.pillar in self.pillars)
        with self._retrain_lock:
            seed_train, seed_holdout = split(example for example, _ in self._seed)
            new_train, new_holdout = split(examples)
            old_train, _ = split(self._current.examples)
            held = [e for e in (*seed_holdout, *new_holdout) if e.pillar in self.pillars]
            expected = [example.pillar for example in held]
            candidate = accuracy(self._predict(self._train(new_train, seed_train), held), expected)
            current = accuracy(self._predict(self._train(old_train, seed_train), held), expected)
            if candidate < current:
                return False
            self.fit(examples)
            return True

    def fit(self, examples: Sequence[LabelledExample]) -> None:
        """Train on the seed set plus ``examples`` and swap the model in without validation.

        ``retrain`` is the bot's way in; this is for the benchmark's cross-validation folds.
        """
        examples = tuple(examples)
        self._current = _Current(self._train(examples), examples)

    def forget_words(self) -> None:
        """Empty the words the normaliser keeps (a benchmark times words never seen this way)."""
        self._normalise.forget_words()

    def _text_vector(self, text: str) -> Vector:
        """The similarity vector of ``text`` (the IDF table and normaliser never change)."""
        return self._similarity.vector(self._normalise(text))

    def similarity(self, a: str, b: str) -> float:
        """How nearly ``a`` and ``b`` say the same thing, 0–1, over normalised text."""
        return self._similarity.score(self._vector(a), self._vector(b))

    def find_similar(
        self, text: str, candidates: Sequence[tuple[str, str]], *, limit: int = 3
    ) -> list[tuple[str, float]]:
        """The ids of ``candidates`` (id, text) that nearly repeat ``text``, best first."""
        scored = self._similarity.matches(
            self._vector(text),
            ((key, self._vector(other)) for key, other in candidates),
            SIMILAR_THRESHOLD,
        )
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]


def _reasons(
    model: NaiveBayes, found: dict[str, str], matches: list[Match], best: str, runner_up: str
) -> tuple[str, ...]:
    """The resident's words with the largest share in ``best``'s lead over ``runner_up``.

    ``found`` maps each feature's name to the resident's words it came from.
    """
    shares: dict[str, float] = {}
    evidence = model.evidence(found, best, runner_up)
    for surface, log_ratio in zip(found.values(), evidence, strict=True):
        shares[surface] = shares.get(surface, 0.0) + log_ratio / TEMPERATURE
    for match in matches:
        if match.pillar == best:
            shares[match.phrase] = shares.get(match.phrase, 0.0) + LEXICON_WEIGHT * match.weight
    ordered = sorted(shares.items(), key=lambda item: -item[1])
    return tuple(surface for surface, share in ordered if share > 0)[:MAX_REASONS]
