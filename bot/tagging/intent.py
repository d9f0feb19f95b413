"""Is a message an idea at all, and does it look like a personal complaint?

The cues are data (``bot/data/intent.toml``), matched against the normalised message. Non-ideas
are: nothing left once small talk (greetings, thanks, "tes", "min") is removed; a question about
the bot with little pillar vocabulary; advertising or scam spam; and gibberish, judged by how many
words are known Indonesian (Sastrawi's root-word dictionary, the word maps, the model's vocabulary).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from bot.tagging.normalise import NormalisedText, Token

_LINK_OR_PHONE = re.compile(
    r"(?:https?://|www\.|wa\.me|bit\.ly|t\.me/)\S*|\S+\.(?:com|net|xyz|site|shop|link)\b"
    r"|(?:\+62|\b08)\d[\d\s-]{7,}"
)
SHORT = 6
FEW_KEYWORDS = 3.0
SHORT_GIBBERISH = 2
ABBREVIATION = 4
_VOWEL = re.compile(r"[aiueo]")
_CONSONANT_RUN = re.compile(r"[^aiueo\d]{5,}")


@dataclass(frozen=True, slots=True)
class Weighted:
    pattern: re.Pattern[str]
    weight: float


@dataclass(frozen=True, slots=True)
class IntentRules:
    """The contents of ``intent.toml``, compiled."""

    small_talk: tuple[re.Pattern[str], ...]
    bot_questions: tuple[re.Pattern[str], ...]
    spam: tuple[Weighted, ...]
    spam_threshold: float
    link_weight: float
    complaint_threshold: float
    personal: re.Pattern[str]
    personal_weight: float
    failure: tuple[Weighted, ...]
    idea: tuple[Weighted, ...]


def _weighted(items: list[dict]) -> tuple[Weighted, ...]:
    return tuple(Weighted(re.compile(item["pattern"]), float(item["weight"])) for item in items)


def load_intent_rules(path: Path | None = None) -> IntentRules:
    """Read and compile the cues (by default the shipped ``bot/data/intent.toml``)."""
    source = path or Path(str(resources.files("bot") / "data" / "intent.toml"))
    with source.open("rb") as handle:
        raw = tomllib.load(handle)
    non_idea, complaint = raw["non_idea"], raw["complaint"]
    return IntentRules(
        small_talk=tuple(re.compile(p) for p in non_idea["small_talk"]),
        bot_questions=tuple(re.compile(p) for p in non_idea["bot_questions"]),
        spam=_weighted(non_idea["spam"]),
        spam_threshold=float(non_idea["spam_threshold"]),
        link_weight=float(non_idea["link_weight"]),
        complaint_threshold=float(complaint["threshold"]),
        personal=re.compile(complaint["personal"]),
        personal_weight=float(complaint["personal_weight"]),
        failure=_weighted(complaint["failure"]),
        idea=_weighted(complaint["idea"]),
    )


def _total(cues: tuple[Weighted, ...], text: str) -> float:
    return sum(cue.weight for cue in cues if cue.pattern.search(text))


class IntentDetector:
    """Applies :class:`IntentRules`.

    ``known`` says whether a token is a word the tagger knows; ``stopwords`` are the function words
    that do not make a message an idea on their own ("oh begitu ya").
    """

    def __init__(
        self, rules: IntentRules, known: Callable[[Token], bool], stopwords: frozenset[str]
    ) -> None:
        self.rules = rules
        self.known = known
        self.stopwords = stopwords

    def without_small_talk(self, text: NormalisedText) -> str:
        """The normalised message with greetings, thanks, tests and fillers removed."""
        rest = text.text
        for pattern in self.rules.small_talk:
            rest = pattern.sub(" ", rest)
        return rest.strip()

    def spam_score(self, raw: str, text: NormalisedText) -> float:
        score = _total(self.rules.spam, text.text)
        if _LINK_OR_PHONE.search(raw.lower()):
            score += self.rules.link_weight
        return score

    def is_gibberish(self, text: NormalisedText) -> bool:
        """True when half the words are shaped like no word, or a short text has no known word."""
        content = text.content or text.tokens
        if not content:
            return True
        strange = [token for token in content if not self.known(token)]
        odd = sum(1 for token in strange if _odd(token.word))
        return odd * 2 >= len(content) or (len(strange) == len(content) <= SHORT_GIBBERISH)

    def is_idea(self, raw: str, text: NormalisedText, pillar_evidence: float) -> bool:
        """Decide whether the message should be offered for filing as an idea."""
        rest = self.without_small_talk(text)
        if all(word in self.stopwords for word in rest.split()):
            return False
        if self.spam_score(raw, text) >= self.rules.spam_threshold:
            return False
        if (len(text.content) <= SHORT or pillar_evidence < FEW_KEYWORDS) and any(
            pattern.search(text.text) for pattern in self.rules.bot_questions
        ):
            return False
        return not self.is_gibberish(text)

    def looks_like_complaint(self, text: NormalisedText) -> bool:
        """True when the message reads as the sender's own service failure rather than an idea."""
        words = text.text
        failure = _total(self.rules.failure, words)
        if not failure:
            return False
        if self.rules.personal.search(words):
            failure += self.rules.personal_weight
        return failure - _total(self.rules.idea, words) >= self.rules.complaint_threshold


def _odd(word: str) -> bool:
    """A word shaped like no word: a long run of consonants ("asdfgh"), a long word with no vowel,
    one letter repeated, or a repeated syllable ("wkwkwk"). Short vowelless words are taken for
    abbreviations ("sd", "pkk")."""
    if _CONSONANT_RUN.search(word) or len(set(word)) == 1:
        return True
    if not _VOWEL.search(word):
        return len(word) > ABBREVIATION
    return len(word) >= 6 and len(set(word)) <= 3
