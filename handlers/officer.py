"""Officers' and admins' commands: the roster and invites, the queue, a submission's card.

Every command and button checks the user's role first (:func:`staff_turn`). Anyone else meets
what unknown input meets: in a private chat the resident's help (or, for a button, the answer any
stale button gets), in a group nothing at all. A button pressed in a group by a non-officer is
answered with an empty answer, which only stops the spinner on the presser's own screen. A revoked
officer's old buttons say that the access was revoked.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.domain.digest.text import split_messages
from bot.domain.roles import INVITE_PREFIX, Appointed
from bot.runtime.menus import publish_staff_menu, withdraw_staff_menu
from handlers import keyboards
from handlers.base import (
    NUMBER,
    PRIVATE,
    Turn,
    command_argument,
    number,
    profile,
    staff_turn,
    turn,
)
from handlers.cards import send_card, title, waited

logger = logging.getLogger(__name__)


# The roster (admins) ------------------------------------------------------------------------


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make a one-time invite link, valid for 48 hours, for an officer or (``/undang pupr``) an
    SKPD's liaison; only in a private chat."""
    t = await staff_turn(update, context, admin=True)
    if t is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        # Whoever opens the link first becomes an officer: it is never shown to a whole group.
        await update.effective_message.reply_text(t.text("officer.invite_private_only"))
        return
    unit = command_argument(context).lower() or None
    if unit is not None and t.services.catalogue.unit(unit) is None:
        catalogue = t.services.catalogue
        keys = ", ".join(u.key for u in catalogue.units)
        buttons = [
            InlineKeyboardButton(u.short, callback_data=f"inv:{u.key}") for u in catalogue.units
        ]
        await update.effective_message.reply_text(
            t.text("units.invite_unknown", key=unit[:40], keys=keys),
            reply_markup=InlineKeyboardMarkup(
                [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
            ),
        )
        return
    await _send_invite(update, context, t, unit)


async def invite_unit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make a liaison's invite for the SKPD picked from the buttons."""
    t = await staff_turn(update, context, admin=True)
    if t is None:
        return
    await update.callback_query.answer()
    unit = update.callback_query.data.removeprefix("inv:")
    if update.effective_chat.type != ChatType.PRIVATE or t.services.catalogue.unit(unit) is None:
        return
    await _send_invite(update, context, t, unit)


async def _send_invite(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Turn, unit: str | None
) -> None:
    invitation = await t.services.roles.invite(profile(update), unit)
    link = f"https://t.me/{context.bot.username}?start={invitation.payload}"
    expires = t.services.texts.datetime(t.language, invitation.expires_at)
    if unit is None:
        text = t.text("officer.invite", link=link, expires=expires)
    else:
        name = t.services.catalogue.unit_name(unit)
        text = t.text("units.invite", link=link, expires=expires, unit=name)
    await update.effective_chat.send_message(text)


async def redeem(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Make the opener of an invite link an officer, if the invite is still good."""
    t = await turn(update, context)
    payload = (context.args or [""])[0]
    result = await t.services.roles.redeem(profile(update), payload)
    if not isinstance(result, Appointed):
        await update.effective_message.reply_text(t.text(f"officer.invite_{result}"))
        return
    if result.unit is None:
        welcome = t.text("officer.welcome")
    else:
        welcome = t.text("units.welcome", unit=t.services.catalogue.unit_name(result.unit))
    await update.effective_message.reply_text(welcome)
    await publish_staff_menu(
        context.bot,
        t.services.texts,
        t.services.settings.default_language,
        update.effective_chat.id,
        admin=False,
        liaison=result.unit is not None,
    )
    t.services.outbox.kick(context.bot)  # the admin's note that the invite was used


async def officers(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the active officers, with when and by whom each was added, and the SKPD liaisons."""
    t = await staff_turn(update, context, admin=True)
    if t is None:
        return
    entries = await t.services.roles.officers()
    liaisons = await t.services.roles.liaisons()
    if not entries and not liaisons:
        await update.effective_message.reply_text(t.text("officer.none"))
        return
    lines = [t.text("officer.list_header", count=len(entries))]
    for entry in entries:
        name = entry.name or "?"
        if entry.username:
            name += f" (@{entry.username})"
        lines.append(
            t.text(
                "officer.list_item",
                name=name,
                user_id=entry.user_id,
                by=entry.added_by_name or entry.added_by or "?",
                date=t.services.texts.datetime(t.language, entry.added_at),
            )
        )
    if liaisons:
        lines.append(t.text("units.liaisons_header", count=len(liaisons)))
    for liaison in liaisons:
        name = liaison.name or "?"
        if liaison.username:
            name += f" (@{liaison.username})"
        lines.append(
            t.text(
                "units.liaisons_item",
                name=name,
                user_id=liaison.user_id,
                unit=t.services.catalogue.unit_short_name(liaison.unit),
                date=t.services.texts.datetime(t.language, liaison.added_at),
            )
        )
    for message in split_messages(["\n".join(lines)]):  # a long roster goes in several
        await update.effective_message.reply_text(message)


async def revoke(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Revoke an officer by their Telegram user id."""
    t = await staff_turn(update, context, admin=True)
    if t is None:
        return
    user_id = number(command_argument(context))
    if user_id is None:
        await update.effective_message.reply_text(t.text("officer.revoke_usage"))
        return
    if not await t.services.roles.revoke(t.user_id, user_id):
        await update.effective_message.reply_text(t.text("officer.revoke_unknown", user_id=user_id))
        return
    await withdraw_staff_menu(context.bot, user_id)
    await update.effective_message.reply_text(t.text("officer.revoked_done", user_id=user_id))


# The queue and the card ---------------------------------------------------------------------


async def _queue_page(t: Turn, page_number: int) -> tuple[str, InlineKeyboardMarkup | None]:
    page = await t.services.review.queue(page_number)
    if not page.total:
        return t.text("review.queue_empty"), None
    lines = [t.text("review.queue_header", total=page.total, page=page.page, pages=page.pages)]
    for item in page.items:
        s = item.submission
        lines.append(
            t.text(
                "review.queue_item_overdue" if item.overdue else "review.queue_item",
                code=s.code,
                status=t.text(f"status.{s.status}"),
                waited=waited(t, item.waited),
                title=title(s.text),
            )
        )
    rows = [
        [
            InlineKeyboardButton(item.submission.code, callback_data=f"rvv:{item.submission.id}")
            for item in page.items
        ]
    ]
    paging = keyboards.pages(t, "rvq", page.page, page.pages)
    if paging is not None:
        rows += paging.inline_keyboard
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


async def queue(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the submissions waiting for review, oldest first."""
    t = await staff_turn(update, context)
    if t is None:
        return
    text, markup = await _queue_page(t, 1)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def queue_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of the queue."""
    t = await staff_turn(update, context)
    if t is None:
        return
    await update.callback_query.answer()
    text, markup = await _queue_page(t, int(update.callback_query.data.split(":")[1]))
    await update.callback_query.edit_message_text(text, reply_markup=markup)


async def view(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send one submission's card, by its code."""
    t = await staff_turn(update, context)
    if t is None:
        return
    code = command_argument(context)
    if not code:
        await update.effective_message.reply_text(t.text("review.view_usage"))
        return
    submission_id = await t.services.review.find(code)
    card = None if submission_id is None else await t.services.review.card(submission_id)
    if card is None:
        await update.effective_message.reply_text(t.text("review.not_found", code=code[:40]))
        return
    await send_card(context.bot, update.effective_chat.id, t, card)


async def view_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a fresh card for the pressed code."""
    t = await staff_turn(update, context)
    if t is None:
        return
    await update.callback_query.answer()
    card = await t.services.review.card(int(update.callback_query.data.split(":")[1]))
    if card is not None:
        await send_card(context.bot, update.effective_chat.id, t, card)


def handlers() -> list:
    """Officer and admin commands (private chats and groups) and the queue's buttons."""
    return [
        CommandHandler(
            "start", redeem, filters=PRIVATE & filters.Regex(rf"^/start {INVITE_PREFIX}")
        ),
        CommandHandler(["undang", "invite"], invite),
        CommandHandler(["petugas", "officers"], officers),
        CommandHandler(["cabut", "revoke"], revoke),
        CommandHandler(["antrian", "queue"], queue),
        CommandHandler(["lihat", "view"], view),
        CallbackQueryHandler(queue_page, pattern=rf"^rvq:{NUMBER}$"),
        CallbackQueryHandler(view_button, pattern=rf"^rvv:{NUMBER}$"),
        CallbackQueryHandler(invite_unit, pattern=r"^inv:[a-z]{2,20}$"),
    ]
