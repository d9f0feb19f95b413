"""Inline keyboards. Callback data is ``prefix:action[:value]``, well under Telegram's 64 bytes."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.catalogue import Catalogue

if TYPE_CHECKING:  # base.py's staff_turn answers strangers with a keyboard from here
    from handlers.base import Turn


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def start_idea(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(turn.text("start.button_idea"), callback_data="ide:start")]]
    )


def kecamatan(turn: Turn, catalogue: Catalogue) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(k.name, callback_data=f"ide:kec:{k.key}") for k in catalogue.kecamatan
    ]
    rows = _rows(buttons, 2)
    rows.append([InlineKeyboardButton(turn.text("button.skip"), callback_data="ide:kec:-")])
    return InlineKeyboardMarkup(rows)


def pillar_suggestion(turn: Turn, suggested: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    turn.text("button.accept_pillar"), callback_data=f"ide:pil:{suggested}"
                )
            ],
            [InlineKeyboardButton(turn.text("button.change_pillar"), callback_data="ide:pil:*")],
        ]
    )


def pillars(
    turn: Turn, catalogue: Catalogue, keys: list[str] | None = None
) -> InlineKeyboardMarkup:
    """A button per pillar (all six, or ``keys`` and a button to see all)."""
    shown = keys or list(catalogue.pillar_keys)
    rows = [
        [
            InlineKeyboardButton(
                catalogue.pillar(key).name(turn.language), callback_data=f"ide:pil:{key}"
            )
        ]
        for key in shown
    ]
    if keys:
        rows.append(
            [InlineKeyboardButton(turn.text("button.change_pillar"), callback_data="ide:pil:*")]
        )
    return InlineKeyboardMarkup(rows)


def name_choice(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(turn.text("button.public"), callback_data="ide:name:public")],
            [InlineKeyboardButton(turn.text("button.anonymous"), callback_data="ide:name:anon")],
        ]
    )


def public_choice(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(turn.text("button.public_yes"), callback_data="ide:pub:yes")],
            [InlineKeyboardButton(turn.text("button.public_no"), callback_data="ide:pub:no")],
        ]
    )


def confirm(
    turn: Turn, draft_key: str, similar: list[tuple[int, str]] | None = None
) -> InlineKeyboardMarkup:
    """Send / Edit / Cancel, with a button to support each similar idea shown."""
    rows = [
        [
            InlineKeyboardButton(
                turn.text("button.support", code=code), callback_data=f"ide:sup:{submission_id}"
            )
        ]
        for submission_id, code in similar or []
    ]
    rows += [
        [InlineKeyboardButton(turn.text("button.send"), callback_data=f"ide:send:{draft_key}")],
        [
            InlineKeyboardButton(turn.text("button.edit"), callback_data="ide:edit"),
            InlineKeyboardButton(turn.text("button.cancel"), callback_data="ide:cancel"),
        ],
    ]
    return InlineKeyboardMarkup(rows)


def edit_fields(turn: Turn) -> InlineKeyboardMarkup:
    fields = ("text", "where", "pillar", "name", "public")
    buttons = [
        InlineKeyboardButton(turn.text(f"button.edit_{f}"), callback_data=f"ide:editf:{f}")
        for f in fields
    ]
    return InlineKeyboardMarkup(_rows(buttons, 2))


def offer(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(turn.text("button.yes_idea"), callback_data="ide:offer:yes")],
            [InlineKeyboardButton(turn.text("button.no"), callback_data="ide:offer:no")],
        ]
    )


def complaint_offer(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(turn.text("intent.file_anyway"), callback_data="ide:offer:yes")],
            [InlineKeyboardButton(turn.text("button.no"), callback_data="ide:offer:no")],
        ]
    )


def draft_choice(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(turn.text("draft.continue"), callback_data="drf:go"),
                InlineKeyboardButton(turn.text("draft.restart"), callback_data="drf:new"),
            ]
        ]
    )


def pages(turn: Turn, prefix: str, page: int, total_pages: int) -> InlineKeyboardMarkup | None:
    buttons = []
    if page > 1:
        buttons.append(
            InlineKeyboardButton(turn.text("button.previous"), callback_data=f"{prefix}:{page - 1}")
        )
    if page < total_pages:
        buttons.append(
            InlineKeyboardButton(turn.text("button.next"), callback_data=f"{prefix}:{page + 1}")
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


def languages(turn: Turn) -> InlineKeyboardMarkup:
    texts = turn.services.texts
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.get(lang, "language.name"), callback_data=f"lang:{lang}")]
            for lang in ("id", "en")
        ]
    )


def erase_confirm(turn: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(turn.text("button.erase_yes"), callback_data="priv:erase:yes")],
            [InlineKeyboardButton(turn.text("button.erase_no"), callback_data="priv:erase:no")],
        ]
    )


# The resident's answer to an officer's question: the button on the question's message.
ANSWER = re.compile(r"^ans:([0-9]{1,18})$")


def answer_data(submission_id: int) -> str:
    return f"ans:{submission_id}"
