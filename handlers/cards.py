"""A submission's card as officers see it: its text, its buttons, and sending it with its photos;
:class:`TeamCards` draws the cards and lists of new ideas the outbox sends to the team.

Callback data of the card's buttons: ``rev:<action>:<submission id>:<version>`` (the version the
card was drawn at, see :mod:`bot.domain.review`); ``rev:pillar:<id>:<version>:<pillar>`` for a
chosen pillar, ``rev:fwd:<id>:<version>:<unit>`` for a chosen SKPD; ``rvv:<id>`` sends a fresh
card; ``pub:hide:<id>`` withdraws a shown idea from public view. A liaison's card has
``skp:<step>:<id>:<version>`` (:mod:`bot.domain.units`) and ``skv:<id>``.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from bot.core.i18n import MESSAGE_LIMIT, Html
from bot.domain.public import is_shown
from bot.domain.review import MAX_WORDS, Action, Card, actions_for
from bot.domain.units import steps_for
from bot.runtime.outbox import CardMessage, send_card_message
from bot.services import services
from handlers.base import Turn, clip, fitted, shown_length
from handlers.steps import where_text
from storage.models import CardIntro, ReviewNotePublic, StatusChangePublic, SubmissionPublic

logger = logging.getLogger(__name__)

CARD_TEXT_LIMIT = 2500
# The card shows the newest lines of history, the newest with its words in full (a resident's
# answer, say) and the others' words clipped, so the whole card always fits in one message.
HISTORY_LIMIT = 8
NOTE_PREVIEW = 150
MAX_REASONS = 3


def waited(t: Turn, duration: timedelta) -> str:
    """``3 hari 4 jam`` / ``5 jam`` / ``12 menit``."""
    hours = int(duration.total_seconds() // 3600)
    if hours >= 24:
        return t.text("review.waited_days", days=hours // 24, hours=hours % 24)
    if hours:
        return t.text("review.waited_hours", hours=hours)
    return t.text("review.waited_minutes", minutes=max(int(duration.total_seconds() // 60), 0))


def title(text: str, length: int = 60) -> str:
    return clip(text.strip().splitlines()[0] if text.strip() else "", length)


def _actor(t: Turn, card_names: dict[int, str], actor_id: int | None, role: str) -> str:
    if role == "resident":
        return t.text("review.actor_resident")
    return card_names.get(actor_id or 0) or t.text("review.actor_officer")


def change_line(
    t: Turn, change: StatusChangePublic, names: dict[int, str], note_length: int = NOTE_PREVIEW
) -> str:
    """One line of history: a status change, a pillar change, or the submission's arrival."""
    params = {
        "date": t.services.texts.datetime(t.language, change.at),
        "actor": _actor(t, names, change.actor_id, change.actor_role),
    }
    if change.from_status is None:
        return t.text("review.history_created", **params)
    if change.to_pillar is not None:
        return t.text(
            "review.history_pillar",
            old=t.services.catalogue.pillar_name(
                change.from_pillar or change.to_pillar, t.language
            ),
            new=t.services.catalogue.pillar_name(change.to_pillar, t.language),
            **params,
        )
    params["status"] = t.text(f"status.{change.to_status}")
    if change.unit:
        params["status"] += f" · {t.services.catalogue.unit_short_name(change.unit)}"
    if change.note:
        return t.text("review.history_change_note", note=clip(change.note, note_length), **params)
    return t.text("review.history_change", **params)


def _note_line(t: Turn, note: ReviewNotePublic, names: dict[int, str], note_length: int) -> str:
    return t.text(
        "review.history_internal",
        date=t.services.texts.datetime(t.language, note.at),
        actor=_actor(t, names, note.author_id, "officer"),
        note=clip(note.text, note_length),
    )


def _history(t: Turn, card: Card) -> list[str]:
    """The newest lines of the card's history, oldest first; only the newest one's words in full."""
    entries: list[StatusChangePublic | ReviewNotePublic] = [*card.changes, *card.notes]
    entries = sorted(entries, key=lambda entry: entry.at)[-HISTORY_LIMIT:]
    lines = []
    for entry in entries:
        note_length = MAX_WORDS if entry is entries[-1] else NOTE_PREVIEW
        if isinstance(entry, ReviewNotePublic):
            lines.append(_note_line(t, entry, card.names, note_length))
        else:
            lines.append(change_line(t, entry, card.names, note_length))
    return lines


def card_text(t: Turn, card: Card, room: int = MESSAGE_LIMIT) -> str:
    """The card, no longer than ``room``: the idea's text is clipped when it must be."""
    s = card.submission
    head = t.text("review.card_head", code=s.code, status=t.text(f"status.{s.status}"))
    if card.overdue:
        head += t.text("review.card_overdue", days=t.services.settings.review_sla_days)
    reasons = json.loads(s.reasons or "[]")[:MAX_REASONS]
    lines = [
        head,
        t.text(
            "review.card_pillar",
            pillar=t.services.catalogue.pillar_name(s.pillar, t.language),
            confidence=round(s.confidence * 100),
        )
        + (t.text("review.card_reasons", words=", ".join(reasons)) if reasons else ""),
        t.text("review.card_where", where=where_text(t, s.latitude, s.longitude, s.kecamatan)),
        t.text("review.card_named", name=card.resident_name)
        if card.resident_name
        else t.text("review.card_anonymous"),
        t.text(
            "review.card_received",
            date=t.services.texts.datetime(t.language, s.created_at),
            waited=waited(t, card.waited),
        ),
    ]
    if s.unit:
        lines.append(t.text("units.card_unit", unit=t.services.catalogue.unit_name(s.unit)))
    if s.photo_file_ids:
        lines.append(t.text("review.card_photos", count=len(s.photo_file_ids)))
    if card.supports:
        lines.append(t.text("review.card_supports", count=card.supports))
    if s.looks_like_complaint:
        lines.append(t.text("review.card_complaint"))
    if card.similar:
        similar = ", ".join(f"{code} ({round(score * 100)}%)" for code, score in card.similar)
        lines.append(t.text("review.card_similar", items=similar))
    history = Html("\n".join(_history(t, card)))
    return fitted(
        lambda body: t.text("review.card", head=Html("\n".join(lines)), text=body, history=history),
        clip(s.text, CARD_TEXT_LIMIT),
        room,
    )


def card_keyboard(t: Turn, s: SubmissionPublic) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            t.text(f"review.button_{action}"), callback_data=f"rev:{action}:{s.id}:{s.version}"
        )
        for action in actions_for(s.status)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if is_shown(s):
        rows.append(
            [InlineKeyboardButton(t.text("public.hide_button"), callback_data=f"pub:hide:{s.id}")]
        )
    rows.append(
        [InlineKeyboardButton(t.text("review.button_refresh"), callback_data=f"rvv:{s.id}")]
    )
    return InlineKeyboardMarkup(rows)


def liaison_keyboard(t: Turn, s: SubmissionPublic) -> InlineKeyboardMarkup:
    """A liaison's buttons: ``skp:<step>:<submission id>:<version>``, and a fresh card."""
    buttons = [
        InlineKeyboardButton(
            t.text(f"units.button_{step}"), callback_data=f"skp:{step}:{s.id}:{s.version}"
        )
        for step in steps_for(s.status)
    ]
    rows = [[button] for button in buttons]
    rows.append(
        [InlineKeyboardButton(t.text("review.button_refresh"), callback_data=f"skv:{s.id}")]
    )
    return InlineKeyboardMarkup(rows)


def unit_keyboard(t: Turn, s: SubmissionPublic, suggested: list[str]) -> InlineKeyboardMarkup:
    """The SKPD to forward to: the suggested ones first (starred), then every other."""
    units = t.services.catalogue.units
    others = [unit.key for unit in units if unit.key not in suggested]

    def button(key: str, star: bool) -> InlineKeyboardButton:
        label = t.services.catalogue.unit_short_name(key)
        return InlineKeyboardButton(
            f"⭐ {label}" if star else label,
            callback_data=f"rev:{Action.FORWARD}:{s.id}:{s.version}:{key}",
        )

    rows = [[button(key, True)] for key in suggested]
    rows += [[button(key, False) for key in others[i : i + 2]] for i in range(0, len(others), 2)]
    rows.append([InlineKeyboardButton(t.text("review.button_back"), callback_data=f"rvv:{s.id}")])
    return InlineKeyboardMarkup(rows)


def pillar_keyboard(t: Turn, s: SubmissionPublic) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                t.services.catalogue.pillar_name(key, t.language),
                callback_data=f"rev:{Action.PILLAR}:{s.id}:{s.version}:{key}",
            )
        ]
        for key in t.services.catalogue.pillar_keys
        if key != s.pillar
    ]
    rows.append([InlineKeyboardButton(t.text("review.button_back"), callback_data=f"rvv:{s.id}")])
    return InlineKeyboardMarkup(rows)


def card_message(
    t: Turn, card: Card, *, intro: str | None = None, liaison: bool = False
) -> CardMessage:
    """The card with its photos and buttons (a liaison's, with ``liaison``), after the line
    ``intro`` if there is one."""
    if intro is None:
        text = card_text(t, card)
    else:
        text = f"{intro}\n\n{card_text(t, card, MESSAGE_LIMIT - shown_length(intro) - 2)}"
    keyboard = liaison_keyboard if liaison else card_keyboard
    return CardMessage(card.submission.photo_file_ids, text, keyboard(t, card.submission))


async def send_card(bot: Bot, chat_id: int, t: Turn, card: Card, *, liaison: bool = False) -> None:
    """Send the photos (if any), then the card with its buttons (a liaison's, with
    ``liaison``)."""
    await send_card_message(bot, chat_id, card_message(t, card, liaison=liaison))


# The list stands for every idea it names: the first ones with their pillar and first words, the
# rest by code, so it always fits in one message.
LISTED_IN_FULL = 15
LISTED_WORDS = 50


class TeamCards:
    """What the outbox sends the team about submissions, in the receiving chat's language."""

    def __init__(self, application: Application) -> None:
        self._application = application

    async def _turn(self, chat_id: int) -> Turn:
        found = services(self._application)
        if chat_id > 0:
            language = await found.residents.language(chat_id, None)
        else:
            language = found.settings.default_language
        return Turn(services=found, language=language, user_id=chat_id)

    async def card(self, chat_id: int, submission_id: int, intro: CardIntro) -> CardMessage | None:
        t = await self._turn(chat_id)
        card = await t.services.review.card(submission_id)
        if card is None:
            return None
        if intro is CardIntro.FORWARD:
            text = t.text(
                "units.announce_forward",
                code=card.submission.code,
                unit=t.services.catalogue.unit_name(card.submission.unit or ""),
            )
            return card_message(t, card, intro=text, liaison=True)
        if intro is CardIntro.RETURNED:
            return card_message(
                t, card, intro=t.text("units.announce_returned", code=card.submission.code)
            )
        return card_message(
            t, card, intro=t.text(f"review.announce_{intro}", code=card.submission.code)
        )

    async def new_ideas(self, chat_id: int, submission_ids: list[int]) -> str:
        t = await self._turn(chat_id)
        ideas = await t.services.review.submissions(submission_ids)
        lines = [
            t.text(
                "review.announce_burst_item",
                code=s.code,
                pillar=t.services.catalogue.pillar_name(s.pillar, t.language),
                words=title(s.text, LISTED_WORDS),
            )
            for s in ideas[:LISTED_IN_FULL]
        ]
        rest = [s.code for s in ideas[LISTED_IN_FULL:]]
        if rest:
            lines.append(t.text("review.announce_burst_more", codes=", ".join(rest)))
        return t.text("review.announce_burst", count=len(ideas), items=Html("\n".join(lines)))
