"""What a message is, as features: its words, its character n-grams, its shape, and the cues.

:class:`IntentFeatures` turns a message (raw and normalised) into the names of the binary features
the intent model (:mod:`bot.tagging.intent_model`) weighs: words and word pairs of the normalised
text, character 4-grams of it, the first and last words as typed, its emojis, and a few
facts that carry over to wording never seen in training: how long it is, how many of its words
are known, whether it is shaped like a question, whether it speaks of "I" or "my child", whether
it tells how long something has taken, whether it holds a link, phone number or an amount of
money, and which cue groups of ``bot/data/intent.toml`` match. The cues are features here, not
the decision.

:func:`question_topic` and :func:`small_talk_kind` read the same cues to choose the answer a
question or a piece of small talk gets.
"""

from __future__ import annotations

import itertools
import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from bot.tagging.normalise import NormalisedText, Token, is_dictionary_word

_LINK = re.compile(
    r"(?:https?://|www\.|wa\.me|bit\.ly|t\.me/|shopee\.ee)\S*"
    r"|\b\S+\.(?:com|net|xyz|site|shop|link|online|info|id)\b"
)
_PHONE = re.compile(r"(?:\+?62|\b0)8\d[\d\s-]{7,}")
_MONEY = re.compile(
    r"\b(?:rp\.?\s?\d|\d[\d.,]*\s?(?:rb|ribu|jt|juta|k|rupiah|ribuan)\b|\$\s?\d)", re.IGNORECASE
)
_DURATION_PATTERN = (
    r"\b(?:\d+|se|satu|dua|tiga|empat|lima|enam|tujuh|delapan|sepuluh|ampat|a|two|three|four|"
    r"five|six|several|many)\s?(?:x|kali|hari|minggu|pekan|bulan|tahun|thn|bln|mgg|jam|"
    r"days?|weeks?|months?|years?|hours?|times)\b"
)
_DURATION = re.compile(_DURATION_PATTERN, re.IGNORECASE)
# The same matches in lower-case ASCII text, where ignoring case changes nothing: twice as fast.
_DURATION_LOWER = re.compile(_DURATION_PATTERN)
_TYPED = re.compile(r"[^\W_]+")
_DIGIT = re.compile(r"\d")
_VOWEL = re.compile(r"[aiueo]")
_CONSONANT_RUN = re.compile(r"[^aiueo\d]{5,}")
ABBREVIATION = 4
LENGTH_BUCKETS = (0, 1, 2, 3, 4, 6, 9, 13, 20, 30)
CHAR_GRAMS = (4,)
# Words whose shape and dictionary checks are kept: enough for the words residents repeat, small
# enough (about 1.5 MB each when full, words included) for the bot's memory budget.
WORDS_CACHED = 8192


@dataclass(frozen=True, slots=True)
class IntentRules:
    """The contents of ``intent.toml``, compiled: one pattern per cue group."""

    groups: dict[str, re.Pattern[str]]
    routing: dict[str, re.Pattern[str]]
    question_words: frozenset[str]
    relatives: frozenset[str]
    time_words: frozenset[str]


def without_captures(pattern: str) -> str:
    """``pattern`` with every plain group ``(…)`` made non-capturing ``(?:…)``.

    The cues are searched and removed, never read by group, and :mod:`re` matches a pattern
    without captures faster (a repeated group such as ``( \\w+){0,4}`` above all). Escaped
    parentheses and those inside a character class are left as they are.
    """
    parts = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            end = index + 2
        elif char == "[":
            end = index + 1
            end += pattern.startswith("^", end)
            end += pattern.startswith("]", end)
            while end < len(pattern) and pattern[end] != "]":
                end += 2 if pattern[end] == "\\" else 1
        else:
            end = index + 1
            if char == "(" and not pattern.startswith("?", end):
                char = "(?:"
        parts.append(char if end == index + 1 else pattern[index:end])
        index = end
    return "".join(parts)


def _either(patterns: list[str]) -> re.Pattern[str]:
    """One pattern matching where any of ``patterns`` matches, with the same match spans.

    Groups are dropped (:func:`without_captures`) unless the patterns name a group or refer back
    to one: then they are compiled as written.
    """
    joined = "|".join(f"(?:{pattern})" for pattern in patterns)
    if "(?P" in joined:
        return re.compile(joined)
    try:
        return re.compile(without_captures(joined))
    except re.error:
        return re.compile(joined)


def load_intent_rules(path: Path | None = None) -> IntentRules:
    """Read and compile the cues (by default the shipped ``bot/data/intent.toml``)."""
    source = path or Path(str(resources.files("bot") / "data" / "intent.toml"))
    with source.open("rb") as handle:
        raw = tomllib.load(handle)
    words = raw["words"]
    return IntentRules(
        groups={name: _either(patterns) for name, patterns in raw["cues"].items()},
        routing={name: _either(patterns) for name, patterns in raw["routing"].items()},
        question_words=frozenset(words["question"]),
        relatives=frozenset(words["relatives"]),
        time_words=frozenset(words["time"]),
    )


def _tells_duration(raw: str, lowered: str) -> bool:
    """Whether ``raw`` (``lowered`` in lower case) tells how long something took ("2 bulan")."""
    if raw.isascii():
        return _DURATION_LOWER.search(lowered) is not None
    return _DURATION.search(raw) is not None


def _bucket(value: int, edges: tuple[int, ...]) -> int:
    found = 0
    for edge in edges:
        if value >= edge:
            found = edge
    return found


@lru_cache(maxsize=WORDS_CACHED)
def odd(word: str) -> bool:
    """A word shaped like no word: a long run of consonants ("asdfgh"), a long word with no vowel,
    one letter repeated, or a repeated syllable ("wkwkwk"). Short vowelless words are taken for
    abbreviations ("sd", "pkk")."""
    if _CONSONANT_RUN.search(word) or len(set(word)) == 1:
        return True
    if not _VOWEL.search(word):
        return len(word) > ABBREVIATION
    return len(word) >= 6 and len(set(word)) <= 3


def is_known(token: Token) -> bool:
    """A function word, a place, a word the word maps know, or one in Sastrawi's dictionary."""
    return (
        token.stop
        or token.place
        or token.surface != token.word
        or _in_dictionary(token.word, token.stem)
    )


@lru_cache(maxsize=WORDS_CACHED)
def _in_dictionary(word: str, stem: str) -> bool:
    return is_dictionary_word(word) or is_dictionary_word(stem)


class IntentFeatures:
    """Names the binary features of a message; ``known`` says whether a token is a known word."""

    def __init__(self, rules: IntentRules, known: Callable[[Token], bool] = is_known) -> None:
        self.rules = rules
        self.known = known

    def __call__(self, raw: str, text: NormalisedText) -> list[str]:
        tokens = text.tokens
        words = [token.word for token in tokens]
        normal = " ".join(words)  # text.text, built once
        found = {"bias"}
        found.update(["w=" + word for word in words])
        found.update(["s=" + token.stem for token in tokens if token.stem != token.word])
        found.update([f"b={a}_{b}" for a, b in itertools.pairwise(words)])
        joined = f" {normal} "
        for size in CHAR_GRAMS:
            found.update(["c=" + joined[i : i + size] for i in range(len(joined) - size + 1)])
        found.update(self._shape(raw, tokens, words))
        found.update(self._cues(normal))
        return list(found)

    def _shape(self, raw: str, tokens: tuple[Token, ...], words: list[str]) -> list[str]:
        lowered = raw.lower()
        typed = _TYPED.findall(lowered)
        shape = [f"len={_bucket(len(tokens), LENGTH_BUCKETS)}"]
        if typed:
            shape.append("f0=" + typed[0])
            shape.append("fl=" + typed[-1])
        elif raw.strip():
            shape.append("symbols" if any(ch.isalnum() for ch in raw) else "no_letters")
        else:
            shape.append("empty")
        if tokens:
            unknown = [token.word for token in tokens if not self.known(token)]
            shape.append(f"known={4 * (len(tokens) - len(unknown)) // len(tokens)}")
            strange = sum(map(odd, unknown))
            shape.append(f"odd={min(2, 3 * strange // len(tokens))}")
        if "?" in raw:
            shape.append("qmark_end" if raw.rstrip().endswith("?") else "qmark")
        if "!" in raw:
            shape.append("bang")
        if not raw.isascii():
            shape.extend("e=" + ch for ch in raw if unicodedata.category(ch) == "So")
        if not self.rules.question_words.isdisjoint(words):
            shape.append("question_word")
        if raw != lowered and len(raw) > 12:
            letters = sum(map(str.isalpha, raw))
            if letters > 12 and sum(map(str.isupper, raw)) > 0.6 * letters:
                shape.append("shouting")
        if ("." in raw or "/" in raw) and _LINK.search(lowered):
            shape.append("link")
        digits = _DIGIT.search(raw) is not None
        if digits and _PHONE.search(raw):
            shape.append("phone")
        if digits and _MONEY.search(raw):
            shape.append("money")
        if not self.rules.time_words.isdisjoint(words) or _tells_duration(raw, lowered):
            shape.append("time")
        shape.extend(self._person(tokens, words))
        return shape

    def _person(self, tokens: tuple[Token, ...], words: list[str]) -> list[str]:
        person = []
        if "saya" in words or "aku" in words:
            person.append("me")
        if "kami" in words:
            person.append("us")
        relatives = self.rules.relatives
        # Most messages name no relative: the set checks settle them without a loop.
        relative = (
            not relatives.isdisjoint(words)
            and any(
                word in relatives and following in ("saya", "aku", "kami")
                for word, following in itertools.pairwise(words)
            )
        ) or (
            not relatives.isdisjoint([token.stem for token in tokens])
            and any(token.word.endswith("ku") and token.stem in relatives for token in tokens)
        )
        if relative:
            person.append("my_relative")
        return person

    def _cues(self, normal: str) -> list[str]:
        found = [
            f"cue={name}" for name, pattern in self.rules.groups.items() if pattern.search(normal)
        ]
        if (
            "cue=small_talk" in found
            and not self.rules.groups["small_talk"].sub("", normal).strip()
        ):
            found.append("cue=small_talk_only")
        return found


def question_topic(rules: IntentRules, text: NormalisedText) -> str:
    """What a question is about: "status" (the resident's own idea), "bot", or "other"."""
    normal = text.text
    if rules.routing["how_to"].search(normal):
        return "bot"
    if rules.routing["status"].search(normal):
        return "status"
    if rules.groups["bot_question"].search(normal):
        return "bot"
    return "other"


def small_talk_kind(rules: IntentRules, text: NormalisedText) -> str:
    """Which answer in kind small talk gets: "thanks", "salam", "greeting" or "other"."""
    normal = text.text
    for kind in ("thanks", "salam", "greeting"):
        if rules.routing[kind].search(normal):
            return kind
    return "other"
