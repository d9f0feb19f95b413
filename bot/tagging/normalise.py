"""Text normalisation: the first step of every tagging, similarity and detection call.

A resident's message becomes a :class:`NormalisedText`: Unicode NFKC, lower case, no emojis, symbols
or punctuation noise, stretched letters squeezed ("bangeeet" → "banget"), chat reduplication folded
("anak2", "jalan-jalan"), then each word mapped through ``bot/data/normalisation.toml`` (Indonesian
chat abbreviations, Banjarese, English → Indonesian, place names) and stemmed with PySastrawi.
Stems are cached: Sastrawi is slow and residents repeat the same words.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

_URL = re.compile(r"(?:https?://|www\.)\S+|\b\S+\.(?:com|id|net|org|co|ly|me)(?:/\S*)?\b")
_MENTION = re.compile(r"[@#]\w+")
_STRETCH = re.compile(r"(\w)\1{2,}")
_REDUPLICATION_DIGIT = re.compile(r"^([a-z]{3,})2$")
_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_KEEP_CATEGORIES = ("L", "N", "Z")
_ASCII_DROPPED = re.compile(r"[^a-z0-9 -]")  # what the categories above drop, in ASCII text


class Token(NamedTuple):
    """One word after normalisation: what the resident wrote, its Indonesian form and its stem.

    ``stop`` marks function words; ``place`` marks a place name, which says where, not what.
    A named tuple, as every message makes one per word: it is built in a third of a frozen
    dataclass's time.
    """

    surface: str
    word: str
    stem: str
    stop: bool
    place: bool = False


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """A message as the tagger sees it."""

    tokens: tuple[Token, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(token.word for token in self.tokens)

    @property
    def content(self) -> tuple[Token, ...]:
        """The tokens that carry meaning (no function words)."""
        return tuple(token for token in self.tokens if not token.stop)

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class WordMaps:
    """The contents of ``normalisation.toml``."""

    abbreviations: dict[str, str]
    banjar: dict[str, str]
    english: dict[str, str]
    stopwords: frozenset[str]
    places: dict[tuple[str, ...], str]
    ambiguous_places: frozenset[str]
    place_markers: frozenset[str]

    def map(self, word: str) -> str:
        for table in (self.abbreviations, self.banjar, self.english):
            if word in table:
                return table[word]
        if len(word) > 3 and word.endswith("s"):
            for singular in (word[:-1], word[:-2] if word.endswith("es") else ""):
                if singular in self.english:
                    return self.english[singular]
        return word


def load_word_maps(path: Path | None = None) -> WordMaps:
    """Read the word maps (by default the shipped ``bot/data/normalisation.toml``)."""
    source = path or Path(str(resources.files("bot") / "data" / "normalisation.toml"))
    with source.open("rb") as handle:
        raw = tomllib.load(handle)
    places = raw.get("places", {})
    return WordMaps(
        abbreviations=dict(raw.get("abbreviations", {})),
        banjar=dict(raw.get("banjar", {})),
        english=dict(raw.get("english", {})),
        stopwords=frozenset(raw.get("stopwords", {}).get("words", [])),
        places={tuple(name.split()): "_".join(name.split()) for name in places.get("names", [])},
        ambiguous_places=frozenset(places.get("ambiguous", [])),
        place_markers=frozenset(places.get("after", [])),
    )


@cache
def _sastrawi() -> Any:  # Sastrawi ships no type information
    return StemmerFactory().create_stemmer().delegatedStemmer


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Return the Sastrawi stem of one lower-case word, cached across calls and threads."""
    if len(word) <= 3 or not word.isalpha():
        return word
    return _sastrawi().stem_word(word) or word


def is_dictionary_word(word: str) -> bool:
    """Whether ``word`` is in Sastrawi's Indonesian root-word dictionary."""
    return bool(_sastrawi().get_dictionary().contains(word))


def clean(text: str) -> str:
    """Return ``text`` in NFKC lower case with URLs, mentions, emojis and punctuation removed."""
    text = unicodedata.normalize("NFKC", text).lower()
    if "." in text or "://" in text:  # every URL _URL finds holds one of them
        text = _URL.sub(" ", text)
    if "@" in text or "#" in text:
        text = _MENTION.sub(" ", text)
    if text.isascii():
        text = _ASCII_DROPPED.sub(" ", text)
    else:
        text = "".join(
            char if unicodedata.category(char)[0] in _KEEP_CATEGORIES or char == "-" else " "
            for char in text
        )
    return _STRETCH.sub(r"\1", text)


def _split(word: str) -> list[str]:
    """Fold doubling and hyphens: "anak2" → "anak", "jalan-jalan" → "jalan", "e-ktp" → "ektp"."""
    if "-" not in word:
        match = word.endswith("2") and _REDUPLICATION_DIGIT.match(word)
        return [match.group(1)] if match else [word]
    parts = [part for part in word.split("-") if part]
    if len(parts) == 2 and parts[0] == parts[1]:
        return [parts[0]]
    if len(parts) == 2 and len(parts[0]) == 1:
        return [parts[0] + parts[1]]
    return parts


class Normaliser:
    """Turns raw messages into :class:`NormalisedText` using one set of :class:`WordMaps`.

    With ``words_cached`` it keeps the tokens of that many words as the texts have them (the
    most recently seen), for texts that repeat words; about 280 bytes a word.
    """

    def __init__(self, maps: WordMaps, *, words_cached: int = 0) -> None:
        self.maps = maps

        self._longest_place = max((len(name) for name in maps.places), default=1)
        self._place_starts = frozenset(name[0] for name in maps.places)
        self._place_words = self._place_starts | maps.ambiguous_places
        self._word_tokens = lru_cache(maxsize=words_cached)(self._tokens_of)

    def __call__(self, text: str) -> NormalisedText:
        words = [token for raw in _WORD.findall(clean(text)) for token in self._word_tokens(raw)]
        return NormalisedText(tuple(self._join_places(words)))

    def forget_words(self) -> None:
        """Empty the words kept (a benchmark times words never seen this way)."""
        self._word_tokens.cache_clear()

    def _tokens_of(self, raw: str) -> tuple[Token, ...]:
        """The tokens of one word as the text has it, before place names are joined."""
        return tuple(
            Token(surface, word, stem(word), word in self.maps.stopwords)
            for surface in _split(raw)
            if not surface.isdigit()
            for word in self.maps.map(surface).split()
        )

    def _join_places(self, words: list[Token]) -> list[Token]:
        """Join each place name into one token, and mark an ambiguous one after a place marker."""
        if self._place_words.isdisjoint([token.word for token in words]):
            return words
        tokens: list[Token] = []
        index = 0
        while index < len(words):
            token = words[index]
            longest = self._longest_place if token.word in self._place_starts else 0
            for size in range(min(longest, len(words) - index), 0, -1):
                name = tuple(word.word for word in words[index : index + size])
                if name in self.maps.places:
                    surface = " ".join(word.surface for word in words[index : index + size])
                    place = self.maps.places[name]
                    tokens.append(Token(surface, place, place, False, True))
                    index += size
                    break
            else:
                if (
                    token.word in self.maps.ambiguous_places
                    and index
                    and words[index - 1].word in self.maps.place_markers
                ):
                    place = f"{token.word}_"
                    tokens.append(Token(token.surface, place, place, False, True))
                else:
                    tokens.append(token)
                index += 1
        return tokens


@cache
def default_normaliser() -> Normaliser:
    """The normaliser built from the shipped word maps (built once, then shared)."""
    return Normaliser(load_word_maps())
