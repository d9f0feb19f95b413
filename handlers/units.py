"""The SKPD follow-up in Telegram: a liaison's card and steps, /tugas, and the officers' /skpd.

A liaison's card carries ``skp:<step>:<submission id>:<version>`` and ``skv:<id>``. "Terima
tugas" is taken at once; progress, implemented and return open the persistent "unit"
conversation: the liaison writes a note and (for progress and implemented) sends photos, then
presses Send (``skw:send``); a return is taken as soon as its reason is written. The role and
the unit are checked on every press and again inside the step's transaction; a button of
another unit's idea (forged or old) is refused politely.
"""

from __future__ import annotations

import json
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.i18n import Html
from bot.domain.digest.text import split_messages
from bot.domain.review import Conflict, Done, Refused
from bot.domain.units import Step, TaskPage
from handlers import keyboards
from handlers.base import (
    NUMBER,
    PRIVATE,
    Turn,
    cancel_prompt,
    liaison_turn,
    profile,
    staff_turn,
)
from handlers.cards import HISTORY_LIMIT, change_line, liaison_keyboard, send_card, title, waited

logger = logging.getLogger(__name__)

CONVERSATION_NAME = "unit"
WRITING = "writing"
END = ConversationHandler.END
STEP_BUTTON = rf"^skp:(ack|prog|done|back):({NUMBER}):({NUMBER})$"


def _button(data: str) -> tuple[Step, int, int]:
    step, submission_id, version = data.split(":")[1:]
    return Step(step), int(submission_id), int(version)


# The card and its outcome ---------------------------------------------------------------------


async def _send_card(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Turn, sid: int):
    card = await t.services.review.card(sid)
    if card is not None:
        await send_card(context.bot, update.effective_chat.id, t, card, liaison=True)


async def _outcome(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Turn,
    result: Done | Conflict | Refused,
    submission_id: int,
    *,
    on_card: bool = False,
) -> None:
    """Tell the liaison how their step went; refresh the card's buttons when pressed there."""
    query = update.callback_query
    if isinstance(result, Done):
        if result.notified:
            t.services.outbox.kick(context.bot)
        status = t.text(f"status.{result.submission.status}")
        done = t.text("review.done", code=result.submission.code, status=status)
        if query is not None:
            await query.answer(done)
        else:
            await update.effective_message.reply_text(done)
        if on_card:
            try:
                await query.edit_message_reply_markup(
                    reply_markup=liaison_keyboard(t, result.submission)
                )
            except BadRequest as error:
                logger.debug("Could not refresh the liaison's card (%s)", error)
        return
    if query is not None and result is Refused.NOT_YOURS:
        await query.answer(t.text("review.refused_not_yours"), show_alert=True)
        return
    if query is not None:
        await query.answer()
    if result is Refused.NOT_STAFF:
        return
    if isinstance(result, Conflict):
        lines = [change_line(t, c, result.names) for c in result.changes[-HISTORY_LIMIT:]]
        await update.effective_chat.send_message(
            t.text("review.conflict", changes=Html("\n".join(lines)))
        )
        await _send_card(update, context, t, submission_id)
        return
    await update.effective_chat.send_message(t.text(f"review.refused_{result}"))


async def view(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a fresh card of one of the liaison's own unit's ideas."""
    t = await liaison_turn(update, context)
    if t is None:
        return
    query = update.callback_query
    submission_id = int(query.data.split(":")[1])
    if not await t.services.units.may_see(t.user_id, submission_id):
        await query.answer(t.text("review.refused_not_yours"), show_alert=True)
        return
    await query.answer()
    await _send_card(update, context, t, submission_id)


async def acknowledge(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Take up a forwarded idea ("Terima tugas")."""
    t = await liaison_turn(update, context)
    if t is None:
        return
    _, submission_id, version = _button(update.callback_query.data)
    result = await t.services.units.act(profile(update), submission_id, version, Step.ACKNOWLEDGE)
    await _outcome(update, context, t, result, submission_id, on_card=True)


# The "unit" conversation: words and photos for a step -----------------------------------------


def _writing_keyboard(t: Turn) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t.text("units.button_send"), callback_data="skw:send")],
            [InlineKeyboardButton(t.text("button.cancel"), callback_data="skw:-")],
        ]
    )


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Ask the liaison for the words (and photos) the pressed step needs."""
    t = await liaison_turn(update, context)
    if t is None:
        return None
    query = update.callback_query
    step, submission_id, version = _button(query.data)
    code = await t.services.units.start(
        update.effective_chat.id, t.user_id, step, submission_id, version
    )
    if code is None:
        await query.answer(t.text("review.refused_not_yours"), show_alert=True)
        return None
    await query.answer()
    keyboard = None if step is Step.RETURN else _writing_keyboard(t)
    await update.effective_chat.send_message(
        t.text(f"units.prompt_{step}", code=code), reply_markup=keyboard
    )
    return WRITING


async def _finish(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Turn) -> str | int:
    waiting = await t.services.units.prompt(update.effective_chat.id, t.user_id)
    result = await t.services.units.finish(profile(update), update.effective_chat.id)
    unanswered = waiting is None or result in (None, Refused.EMPTY, Refused.NO_PHOTO)
    if update.callback_query is not None and unanswered:
        await update.callback_query.answer()  # else _outcome answers it
    if waiting is None or result is None:
        await update.effective_chat.send_message(t.text("review.prompt_put_aside"))
        return END
    if result in (Refused.EMPTY, Refused.NO_PHOTO):
        await update.effective_chat.send_message(
            t.text(f"review.refused_{result}"), reply_markup=_writing_keyboard(t)
        )
        return WRITING
    await _outcome(update, context, t, result, waiting.submission_id)
    if isinstance(result, Done) and result.submission.unit is not None:
        await _send_card(update, context, t, waiting.submission_id)
    return END


async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """Keep the liaison's words or photo; a return is taken with its reason at once."""
    t = await liaison_turn(update, context)
    if t is None:
        return END
    message = update.effective_message
    photo = None
    if message.photo:
        largest = message.photo[-1]
        photo = (largest.file_id, largest.file_unique_id, message.caption)
    waiting = await t.services.units.add(
        update.effective_chat.id, t.user_id, words=message.text, photo=photo
    )
    if waiting is None:
        await message.reply_text(t.text("review.prompt_put_aside"))
        return END
    if Step(waiting.action) is Step.RETURN:
        return await _finish(update, context, t)
    photos = len(json.loads(waiting.photos))
    await message.reply_text(
        t.text("units.collected", words="✅" if waiting.words else "—", photos=photos),
        reply_markup=_writing_keyboard(t),
    )
    return WRITING


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """Take the step with what the liaison wrote and sent."""
    t = await liaison_turn(update, context)
    if t is None:
        return END
    await update.callback_query.edit_message_reply_markup(reply_markup=None)
    return await _finish(update, context, t)  # answers the query with the outcome


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Drop the waiting step."""
    t = await liaison_turn(update, context)
    if t is None:
        return END
    return await cancel_prompt(update, t, t.services.units.drop)


async def stale(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a Send or Cancel button of a step no longer waiting."""
    t = await liaison_turn(update, context)
    if t is not None:
        await update.callback_query.answer(t.text("idea.stale_button"))


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(begin, pattern=rf"^skp:(prog|done|back):{NUMBER}:{NUMBER}$")
        ],
        states={
            WRITING: [
                MessageHandler(
                    PRIVATE & (filters.TEXT | filters.PHOTO) & ~filters.COMMAND, receive
                ),
                CallbackQueryHandler(send, pattern=r"^skw:send$"),
                CallbackQueryHandler(cancel, pattern=r"^skw:-$"),
            ],
        },
        fallbacks=[CommandHandler(["batal", "cancel"], cancel, filters=PRIVATE)],
        name=CONVERSATION_NAME,
        persistent=True,
        allow_reentry=True,
    )


# /tugas and /skpd -----------------------------------------------------------------------------


def _tasks_text(t: Turn, page: TaskPage) -> tuple[str, InlineKeyboardMarkup | None]:
    unit = t.services.catalogue.unit_name(page.unit)
    if not page.total:
        return t.text("units.tasks_empty", unit=unit), None
    now = t.services.clock()
    lines = [
        t.text("units.tasks_header", unit=unit, total=page.total, page=page.page, pages=page.pages)
    ]
    for task in page.items:
        s = task.submission
        lines.append(
            t.text(
                "units.tasks_item_overdue" if task.overdue else "units.tasks_item",
                code=s.code,
                status=t.text(f"status.{s.status}"),
                waited=waited(t, now - task.forwarded_at),
                title=title(s.text),
            )
        )
    rows = [
        [
            InlineKeyboardButton(task.submission.code, callback_data=f"skv:{task.submission.id}")
            for task in page.items
        ]
    ]
    paging = keyboards.pages(t, "skt", page.page, page.pages)
    if paging is not None:
        rows += paging.inline_keyboard
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


async def tasks(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the liaison's unit's open items, oldest first, overdue marked."""
    t = await liaison_turn(update, context)
    if t is None:
        return
    page = await t.services.units.tasks(t.user_id, 1)
    text, markup = _tasks_text(t, page)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def tasks_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of /tugas."""
    t = await liaison_turn(update, context)
    if t is None:
        return
    await update.callback_query.answer()
    page = await t.services.units.tasks(t.user_id, int(update.callback_query.data.split(":")[1]))
    text, markup = _tasks_text(t, page)
    await update.callback_query.edit_message_text(text, reply_markup=markup)


def _days(t: Turn, days: float | None) -> str:
    return "—" if days is None else t.text("units.days", days=days)


async def units(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List every SKPD with its forwarded, in progress, implemented, overdue, median days and
    liaisons."""
    t = await staff_turn(update, context)
    if t is None:
        return
    lines = [
        t.text(
            "units.overview_item",
            unit=figures.short,
            forwarded=figures.forwarded,
            waiting=figures.waiting,
            in_progress=figures.in_progress,
            implemented=figures.implemented,
            overdue=figures.overdue,
            ack=_days(t, figures.median_days_to_acknowledge),
            done=_days(t, figures.median_days_to_implement),
            liaisons=", ".join(figures.liaisons) or t.text("units.no_liaisons"),
            key=figures.key,
        )
        for figures in await t.services.units.figures()
    ]
    text = t.text("units.overview", items=Html("\n\n".join(lines)))
    for message in split_messages([text]):
        await update.effective_message.reply_text(message)


def handlers() -> list:
    """The liaison's buttons and commands, and the officers' /skpd."""
    return [
        CommandHandler(["tugas", "tasks"], tasks),
        CommandHandler(["skpd", "units"], units),
        CallbackQueryHandler(acknowledge, pattern=rf"^skp:ack:{NUMBER}:{NUMBER}$"),
        CallbackQueryHandler(view, pattern=rf"^skv:{NUMBER}$"),
        CallbackQueryHandler(tasks_page, pattern=rf"^skt:{NUMBER}$"),
        CallbackQueryHandler(stale, pattern=r"^skw:"),
    ]
