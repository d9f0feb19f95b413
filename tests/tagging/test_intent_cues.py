"""Patterns compiled for speed (cue groups without captures, the duration pattern on lower-case
ASCII text) match as they are written."""

from __future__ import annotations

import re
import tomllib
from importlib import resources

import pytest

from bot.tagging.intent import (
    _DURATION,
    _either,
    _tells_duration,
    load_intent_rules,
    without_captures,
)
from bot.tagging.intent_training import shipped_training_set
from bot.tagging.normalise import default_normaliser


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(a|b)( \w+){0,4}", r"(?:a|b)(?: \w+){0,4}"),
        (r"\(a\)", r"\(a\)"),
        (r"\\(a)", r"\\(?:a)"),
        (r"[(]x", r"[(]x"),
        (r"[]()](b)", r"[]()](?:b)"),
        (r"[^]()](b)", r"[^]()](?:b)"),
        (r"[\](](c)", r"[\](](?:c)"),
        (r"(?:x)(?=y)(?!z)(?<=w)(?P<n>v)", r"(?:x)(?=y)(?!z)(?<=w)(?P<n>v)"),
        ("", ""),
    ],
)
def test_only_plain_groups_lose_their_capture(pattern: str, expected: str) -> None:
    assert without_captures(pattern) == expected


def test_named_groups_and_back_references_are_compiled_as_written() -> None:
    assert _either([r"(a)(b)", "c"]).groups == 0
    assert _either([r"(a)\1"]).groups == 1
    assert _either([r"(?P<x>a)(b)"]).groups == 2


def test_the_shipped_cues_match_where_their_patterns_as_written_match() -> None:
    with resources.files("bot").joinpath("data", "intent.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    rules = load_intent_rules()
    normalise = default_normaliser()
    texts = [normalise(example.text).text for example in shipped_training_set()]
    for section, compiled in (("cues", rules.groups), ("routing", rules.routing)):
        for name, patterns in raw[section].items():
            written = re.compile("|".join(f"(?:{pattern})" for pattern in patterns))
            assert compiled[name].groups == 0
            for text in texts:
                found, expected = compiled[name].search(text), written.search(text)
                assert (found and found.span()) == (expected and expected.span()), (name, text)
                assert compiled[name].sub("", text) == written.sub("", text), (name, text)


@pytest.mark.parametrize(
    "text",
    [
        "Sudah 3 BULAN belum jadi",
        "dua Minggu tidak diangkut",
        "waited SEVERAL WEEKS",
        "a Day",
        "2x datang",
        "Tahun depan",
        "sampah menumpuk 2 minggu 🙏",
        "ſeveral days",
    ],
)
def test_a_duration_is_found_as_the_case_blind_pattern_finds_it(text: str) -> None:
    assert _tells_duration(text, text.lower()) == (_DURATION.search(text) is not None)


def test_durations_in_the_training_set_are_found_as_the_case_blind_pattern_finds_them() -> None:
    for example in shipped_training_set():
        text = example.text
        assert _tells_duration(text, text.lower()) == (_DURATION.search(text) is not None), text
