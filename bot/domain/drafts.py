"""The rules of a draft idea: its steps, what counts as a usable text, and how it is read.

Pure functions over :class:`storage.models.DraftBase`; the service in :mod:`bot.domain.submissions`
applies them, the /ide conversation asks the step :func:`next_step` names.
"""

from __future__ import annotations

import enum
import json
import unicodedata
from dataclasses import dataclass

from storage.models import DraftBase

MIN_LENGTH = 15
MAX_LENGTH = 4000
MAX_PHOTOS = 3


class Step(enum.StrEnum):
    """Steps of the /ide conversation, in order."""

    IDEA = "idea"
    WHERE = "where"
    PILLAR = "pillar"
    NAME = "name"
    PUBLIC = "public"
    CONFIRM = "confirm"


class Field(enum.StrEnum):
    """Parts of a draft the resident can go back and change."""

    TEXT = "text"
    WHERE = "where"
    PILLAR = "pillar"
    NAME = "name"
    PUBLIC = "public"


SKIPPED = "-"


class DraftGone(Exception):
    """A step was answered after the resident's draft was put aside."""


def next_step(draft: DraftBase) -> Step:
    """The first step whose answer the draft lacks, or the confirmation."""
    if not draft.text:
        return Step.IDEA
    if draft.kecamatan is None and draft.latitude is None:
        return Step.WHERE
    if draft.pillar is None:
        return Step.PILLAR
    if draft.anonymous is None:
        return Step.NAME
    if draft.public is None:
        return Step.PUBLIC
    return Step.CONFIRM


@dataclass(frozen=True, slots=True)
class TextProblem:
    kind: str  # "too_short" or "too_long"
    length: int


def clean_text(text: str) -> str:
    """The text without invisible format characters (bidi overrides, zero-width spaces), which
    could disguise what officers read; the zero-width joiner of emoji sequences stays."""
    return "".join(ch for ch in text if ch == "\u200d" or unicodedata.category(ch) != "Cf").strip()


def check_text(text: str) -> TextProblem | None:
    """Too short counts letters and digits only (emoji and punctuation alone say nothing)."""
    cleaned = clean_text(text)
    if len(cleaned) > MAX_LENGTH:
        return TextProblem("too_long", len(cleaned))
    meaningful = sum(1 for ch in cleaned if unicodedata.category(ch)[0] in "LN")
    if meaningful < MIN_LENGTH:
        return TextProblem("too_short", meaningful)
    return None


def photos_of(draft: DraftBase) -> list[list[str]]:
    return json.loads(draft.photos)


def candidates_of(draft: DraftBase) -> list[str]:
    """The pillars offered when the tagger was unsure (empty when it was sure)."""
    return json.loads(draft.candidates)
