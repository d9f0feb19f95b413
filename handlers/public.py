"""What the public sees: supports from the channel's link, /jelajah, and withdrawing a post.

Callback data: ``jlj:<order>:<kecamatan>:<pillar>:<page>`` shows a page of /jelajah (order ``t``
most supported, ``n`` newest; ``*`` for every kecamatan or pillar); ``jlk:<order>:<pillar>`` and
``jlp:<order>:<kecamatan>`` offer the kecamatan or the pillars to filter by; ``jls:<id>`` supports
an idea; ``pub:hide:<id>`` (on the officers' card) withdraws an idea from public view, the role
checked on every press.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.domain.public import SUPPORT_PREFIX, BrowsePage, Hidden, Supported
from handlers import keyboards
from handlers.base import NUMBER, PRIVATE, Turn, clip, number, profile, staff_turn, turn
from handlers.cards import card_keyboard, card_text
from handlers.posts import where
from storage.queries import SupportOutcome

ANY = "*"
ITEM_TEXT = 160
KEY = r"[a-z0-9-]{1,30}|\*"
PAGE = re.compile(rf"^jlj:([tn]):({KEY}):({KEY}):({NUMBER})$")
KECAMATAN_CHOICE = re.compile(rf"^jlk:([tn]):({KEY})$")
PILLAR_CHOICE = re.compile(rf"^jlp:([tn]):({KEY})$")
SUPPORT_KEYS = {
    SupportOutcome.ADDED: "public.supported",
    SupportOutcome.ALREADY: "public.already",
    SupportOutcome.OWN: "public.own",
    SupportOutcome.MISSING: "public.missing",
}


def _support_text(t: Turn, supported: Supported) -> str:
    return t.text(
        SUPPORT_KEYS[supported.outcome], code=supported.code or "", count=supported.supports
    )


async def support_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count the support of a resident who opened a post's "👍 Dukung" link, once, and say so."""
    t = await turn(update, context)
    payload = (context.args or [""])[0]
    supported = await t.services.public.support(profile(update), payload)
    await update.effective_message.reply_text(_support_text(t, supported))
    if supported.outcome is SupportOutcome.ADDED:
        t.services.outbox.kick(context.bot)  # the post shows the new count


# /jelajah -------------------------------------------------------------------------------------


def _valid(t: Turn, kecamatan: str, pillar: str) -> bool:
    known = {k.key for k in t.services.catalogue.kecamatan}
    return (kecamatan == ANY or kecamatan in known) and (
        pillar == ANY or pillar in t.services.catalogue.pillar_keys
    )


def _page_text(t: Turn, page: BrowsePage, order: str, kecamatan: str, pillar: str) -> str:
    header = t.text(
        "public.browse_header",
        total=page.total,
        kecamatan=t.text("public.all_kecamatan")
        if kecamatan == ANY
        else t.services.catalogue.kecamatan_name(kecamatan),
        pillar=t.text("public.all_pillars")
        if pillar == ANY
        else t.services.catalogue.pillar_name(pillar, t.language),
        order=t.text("public.order_new" if order == "n" else "public.order_top"),
        page=page.page,
        pages=page.pages,
    )
    if not page.items:
        return f"{header}\n\n{t.text('public.browse_empty')}"
    items = [
        t.text(
            "public.browse_item",
            code=item.submission.code,
            status=t.text(f"status.{item.submission.status}"),
            supports=item.supports,
            pillar=t.services.catalogue.pillar_name(item.submission.pillar, t.language),
            where=where(t, item.submission.kecamatan),
            text=clip(" ".join(item.text.split()), ITEM_TEXT),
        )
        for item in page.items
    ]
    return "\n\n".join([header, *items])


def _page_keyboard(
    t: Turn, page: BrowsePage, order: str, kecamatan: str, pillar: str
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                t.text("public.button_support", code=item.submission.code),
                callback_data=f"jls:{item.submission.id}",
            )
            for item in page.items[i : i + 3]
        ]
        for i in range(0, len(page.items), 3)
    ]
    pager = keyboards.pages(t, f"jlj:{order}:{kecamatan}:{pillar}", page.page, page.pages)
    if pager is not None:
        rows += [list(row) for row in pager.inline_keyboard]
    other = "t" if order == "n" else "n"
    rows.append(
        [
            InlineKeyboardButton(
                t.text("public.button_top" if other == "t" else "public.button_new"),
                callback_data=f"jlj:{other}:{kecamatan}:{pillar}:1",
            ),
            InlineKeyboardButton(
                t.text("public.button_kecamatan"), callback_data=f"jlk:{order}:{pillar}"
            ),
            InlineKeyboardButton(
                t.text("public.button_pillar"), callback_data=f"jlp:{order}:{kecamatan}"
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def _show(
    t: Turn, update: Update, order: str, kecamatan: str, pillar: str, page_number: int
) -> None:
    page = await t.services.public.browse(
        kecamatan=None if kecamatan == ANY else kecamatan,
        pillar=None if pillar == ANY else pillar,
        newest=order == "n",
        page=page_number,
    )
    text = _page_text(t, page, order, kecamatan, pillar)
    markup = _page_keyboard(t, page, order, kecamatan, pillar)
    if update.callback_query is not None:
        await update.callback_query.edit_message_text(text, reply_markup=markup)
    else:
        await update.effective_message.reply_text(text, reply_markup=markup)


async def browse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the first page of published ideas, most supported first."""
    t = await turn(update, context)
    await _show(t, update, "t", ANY, ANY, 1)


async def browse_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the page, order and filters the pressed button names."""
    t = await turn(update, context)
    query = update.callback_query
    found = PAGE.match(query.data)
    if found is None or not _valid(t, found[2], found[3]):
        await query.answer(t.text("idea.stale_button"))
        return
    await query.answer()
    await _show(t, update, found[1], found[2], found[3], int(found[4]))


async def choose_kecamatan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the kecamatan to filter by: the resident's own (from their last idea) first."""
    t = await turn(update, context)
    query = update.callback_query
    found = KECAMATAN_CHOICE.match(query.data)
    if found is None or not _valid(t, ANY, found[2]):
        await query.answer(t.text("idea.stale_button"))
        return
    await query.answer()
    order, pillar = found[1], found[2]
    own = await t.services.public.own_kecamatan(t.user_id)
    choices = sorted(t.services.catalogue.kecamatan, key=lambda k: k.key != own)
    buttons = [
        InlineKeyboardButton(
            ("📍 " if k.key == own else "") + k.name,
            callback_data=f"jlj:{order}:{k.key}:{pillar}:1",
        )
        for k in choices
    ]
    rows = [
        [
            InlineKeyboardButton(
                t.text("public.button_all_kecamatan"), callback_data=f"jlj:{order}:*:{pillar}:1"
            )
        ],
        *[buttons[i : i + 2] for i in range(0, len(buttons), 2)],
    ]
    await query.edit_message_text(
        t.text("public.choose_kecamatan"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def choose_pillar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the six pillars to filter by."""
    t = await turn(update, context)
    query = update.callback_query
    found = PILLAR_CHOICE.match(query.data)
    if found is None or not _valid(t, found[2], ANY):
        await query.answer(t.text("idea.stale_button"))
        return
    await query.answer()
    order, kecamatan = found[1], found[2]
    rows = [
        [
            InlineKeyboardButton(
                t.text("public.button_all_pillars"), callback_data=f"jlj:{order}:{kecamatan}:*:1"
            )
        ],
        *[
            [
                InlineKeyboardButton(
                    t.services.catalogue.pillar_name(key, t.language),
                    callback_data=f"jlj:{order}:{kecamatan}:{key}:1",
                )
            ]
            for key in t.services.catalogue.pillar_keys
        ],
    ]
    await query.edit_message_text(
        t.text("public.choose_pillar"), reply_markup=InlineKeyboardMarkup(rows)
    )


async def support_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count the presser's support for an idea listed in /jelajah, once, and say so."""
    t = await turn(update, context)
    query = update.callback_query
    submission_id = number(query.data.removeprefix("jls:"))
    if submission_id is None:
        await query.answer(t.text("idea.stale_button"))
        return
    supported = await t.services.public.support_by_id(profile(update), submission_id)
    await query.answer(_support_text(t, supported), show_alert=True)
    if supported.outcome is SupportOutcome.ADDED:
        t.services.outbox.kick(context.bot)


# Withdrawing (officers) -----------------------------------------------------------------------


async def hide(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Withdraw the idea from public view, then refresh the card without the button."""
    t = await staff_turn(update, context)
    if t is None:
        return
    query = update.callback_query
    submission_id = number(query.data.removeprefix("pub:hide:"))
    if submission_id is None:
        await query.answer(t.text("idea.stale_button"))
        return
    result = await t.services.public.hide(profile(update), submission_id)
    if result is not Hidden.DONE:
        await query.answer(t.text("idea.stale_button"))
        return
    t.services.outbox.kick(context.bot)
    card = await t.services.review.card(submission_id)
    await query.answer(t.text("public.hidden", code=card.submission.code if card else ""))
    if card is not None:
        await query.edit_message_text(
            card_text(t, card), reply_markup=card_keyboard(t, card.submission)
        )


def handlers() -> list:
    return [
        CommandHandler(
            "start",
            support_link,
            filters=PRIVATE & filters.Regex(rf"^/start {SUPPORT_PREFIX}"),
        ),
        CommandHandler(["jelajah", "browse"], browse, filters=PRIVATE),
        CallbackQueryHandler(browse_page, pattern=r"^jlj:"),
        CallbackQueryHandler(choose_kecamatan, pattern=r"^jlk:"),
        CallbackQueryHandler(choose_pillar, pattern=r"^jlp:"),
        CallbackQueryHandler(support_pressed, pattern=r"^jls:"),
        CallbackQueryHandler(hide, pattern=r"^pub:hide:"),
    ]
