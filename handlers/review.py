"""The card's buttons and the "review" conversation for actions that need words.

Buttons carry ``rev:<action>:<submission id>:<version>``. "Forward" offers the SKPD (the likeliest
first); a chosen one opens the conversation for an optional note. The role is checked on every press
(:func:`handlers.officer.staff_turn`) and again inside the action's transaction. Actions that need
words (reject, ask, duplicate, note) open the persistent "review" conversation: the bot asks in the
same chat, offering standard texts as buttons (a resident reads a standard text in their own
language) and showing them as tap-to-copy text to edit; the officer may type their own words
instead. In a group the officer answers by replying to the bot's question.
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType
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
from bot.domain.review import TEMPLATES, Action, Conflict, Done, Refused
from bot.services import services
from handlers.base import NUMBER, PRIVATE, Turn, cancel_prompt, profile, staff_turn, turn
from handlers.cards import (
    HISTORY_LIMIT,
    card_keyboard,
    card_text,
    change_line,
    pillar_keyboard,
    send_card,
    unit_keyboard,
)

logger = logging.getLogger(__name__)

CONVERSATION_NAME = "review"
WORDS = "words"
END = ConversationHandler.END
BUTTON = re.compile(rf"^rev:([a-z]+):({NUMBER}):({NUMBER})(?::([a-z]+))?$")
WORD_ACTIONS = "|".join(
    str(action) for action in (Action.REJECT, Action.ASK, Action.DUPLICATE, Action.NOTE)
)
PLAIN_ACTIONS = "|".join(
    str(action)
    for action in (Action.TAKE, Action.ACCEPT, Action.IMPLEMENT, Action.PILLAR, Action.FORWARD)
)
FORWARD_TO = rf"^rev:{Action.FORWARD}:{NUMBER}:{NUMBER}:[a-z]{{2,20}}$"


def _button(data: str) -> tuple[Action, int, int, str | None]:
    action, submission_id, version, extra = BUTTON.match(data).groups()
    return Action(action), int(submission_id), int(version), extra


def _in_group(update: Update) -> bool:
    return update.effective_chat is not None and update.effective_chat.type != "private"


# Outcomes -----------------------------------------------------------------------------------


async def _refresh(
    context: ContextTypes.DEFAULT_TYPE,
    t: Turn,
    chat_id: int,
    message_id: int | None,
    submission_id: int,
) -> None:
    card = await t.services.review.card(submission_id)
    if card is None or message_id is None:
        return
    try:
        await context.bot.edit_message_text(
            card_text(t, card),
            chat_id=chat_id,
            message_id=message_id,
            reply_markup=card_keyboard(t, card.submission),
        )
    except BadRequest as error:
        logger.debug("Could not refresh the card (%s)", error)


async def _outcome(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    t: Turn,
    result: Done | Conflict | Refused,
    submission_id: int,
    card_message_id: int | None,
) -> None:
    """Tell the officer how their action went; refresh or resend the card."""
    chat_id = update.effective_chat.id
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
        if result.liaisons == 0:
            unit = result.submission.unit or ""
            await update.effective_chat.send_message(
                t.text(
                    "units.no_liaison",
                    unit=t.services.catalogue.unit_name(unit),
                    key=unit,
                )
            )
        await _refresh(context, t, chat_id, card_message_id, submission_id)
        return
    if query is not None:
        await query.answer()
    if result is Refused.NOT_STAFF:
        return
    if isinstance(result, Conflict):
        lines = [change_line(t, c, result.names) for c in result.changes[-HISTORY_LIMIT:]]
        text = t.text("review.conflict", changes=Html("\n".join(lines)))
    else:
        text = t.text(f"review.refused_{result}")
    await update.effective_chat.send_message(text)
    card = await t.services.review.card(submission_id)
    if card is not None and result is not Refused.GONE:
        await send_card(context.bot, chat_id, t, card)


# Buttons without words ----------------------------------------------------------------------


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Apply take, accept, implement or a chosen pillar; offer the pillars on "change pillar" and
    the SKPD, the likeliest first, on "forward"."""
    t = await staff_turn(update, context)
    if t is None:
        return
    query = update.callback_query
    action, submission_id, version, pillar = _button(query.data)
    if action is Action.FORWARD:
        await query.answer()
        card = await t.services.review.card(submission_id)
        if card is not None:
            drawn = card.submission.model_copy(update={"version": version})
            await query.edit_message_reply_markup(
                reply_markup=unit_keyboard(t, drawn, t.services.units.suggest(card.submission))
            )
        return
    if action is Action.PILLAR and pillar is None:
        await query.answer()
        card = await t.services.review.card(submission_id)
        if card is not None:
            await query.edit_message_reply_markup(
                reply_markup=pillar_keyboard(
                    t, card.submission.model_copy(update={"version": version})
                )
            )
        return
    result = await t.services.review.act(
        profile(update), submission_id, version, action, pillar=pillar
    )
    await _outcome(update, context, t, result, submission_id, query.message.message_id)


# The "review" conversation: words for an action ---------------------------------------------


def _prompt_keyboard(t: Turn, action: Action, similar: list[str]) -> InlineKeyboardMarkup:
    if action is Action.FORWARD:
        choices = [(t.text("units.button_no_note"), "+")]
    elif action is Action.DUPLICATE:
        choices = [(code, code) for code in similar]
    else:
        choices = [(f"📋 {i}", key) for i, key in enumerate(TEMPLATES.get(action, ()), start=1)]
    rows = [[InlineKeyboardButton(label, callback_data=f"rvt:{value}")] for label, value in choices]
    rows.append([InlineKeyboardButton(t.text("button.cancel"), callback_data="rvt:-")])
    return InlineKeyboardMarkup(rows)


async def ask_words(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Ask the officer for the words the pressed action needs."""
    t = await staff_turn(update, context)
    if t is None:
        return None
    query = update.callback_query
    await query.answer()
    action, submission_id, version, unit = _button(query.data)
    card = await t.services.review.card(submission_id)
    if card is None:
        return None
    if unit is not None and t.services.catalogue.unit(unit) is None:
        await update.effective_chat.send_message(t.text("review.refused_bad_unit"))
        return None
    await t.services.prompts.start_prompt(
        update.effective_chat.id,
        t.user_id,
        action,
        submission_id,
        version,
        query.message.message_id,
        unit=unit,
    )
    lines = [
        t.text(
            f"review.prompt_{action}",
            code=card.submission.code,
            unit=t.services.catalogue.unit_name(unit or ""),
        )
    ]
    for i, key in enumerate(TEMPLATES.get(action, ()), start=1):
        template = t.text(f"review.template_{action}_{key}")
        lines.append(t.text("review.prompt_template", number=i, text=template))
    if _in_group(update):
        lines.insert(0, t.text("review.prompt_group", name=update.effective_user.first_name))
    similar = [code for code, _ in card.similar]
    await update.effective_chat.send_message(
        "\n".join(lines), reply_markup=_prompt_keyboard(t, action, similar)
    )
    return WORDS


async def _apply_words(
    update: Update, context: ContextTypes.DEFAULT_TYPE, t: Turn, *, words=None, template=None
) -> str | int:
    prompts = t.services.prompts
    chat_id = update.effective_chat.id
    prompt = await prompts.prompt(chat_id, t.user_id)
    if prompt is None:
        # Put aside after waiting too long. In a group the officer may be talking to the team.
        if update.effective_chat.type == ChatType.PRIVATE:
            await update.effective_chat.send_message(t.text("review.prompt_put_aside"))
        return END
    result = await t.services.review.act(
        profile(update),
        prompt.submission_id,
        prompt.version,
        Action(prompt.action),
        words=words,
        template=template,
        unit=prompt.unit,
    )
    if result in (Refused.BAD_CODE, Refused.EMPTY):
        await update.effective_chat.send_message(t.text(f"review.refused_{result}"))
        return WORDS
    await prompts.drop_prompt(chat_id, t.user_id)
    await _outcome(update, context, t, result, prompt.submission_id, prompt.card_message_id)
    return END


async def receive_words(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """Apply the waiting action with the officer's own words."""
    t = await staff_turn(update, context)
    if t is None:
        await services(context).prompts.drop_prompt(
            update.effective_chat.id, update.effective_user.id
        )
        return END
    return await _apply_words(update, context, t, words=update.effective_message.text)


async def use_template(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | int:
    """Apply the waiting action with a standard text (or the chosen code), or cancel it."""
    t = await staff_turn(update, context)
    if t is None:
        return END
    query = update.callback_query
    value = query.data.removeprefix("rvt:")
    if value == "-":
        return await cancel_words(update, context)
    prompt = await t.services.prompts.prompt(update.effective_chat.id, t.user_id)
    if prompt is None:
        await query.answer(t.text("idea.stale_button"))
        return END
    await query.edit_message_reply_markup(reply_markup=None)
    if Action(prompt.action) is Action.FORWARD:
        return await _apply_words(update, context, t)
    if Action(prompt.action) is Action.DUPLICATE:
        return await _apply_words(update, context, t, words=value)
    return await _apply_words(update, context, t, template=value)


async def cancel_words(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Drop the waiting action."""
    t = await turn(update, context)
    return await cancel_prompt(update, t, t.services.prompts.drop_prompt)


async def stale_template(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a template button of a question no longer open."""
    t = await staff_turn(update, context)
    if t is not None:
        await update.callback_query.answer(t.text("idea.stale_button"))


class _ReplyToTheBot(filters.MessageFilter):
    """A reply to one of the bot's own messages: in a group, the officer's answer to its prompt,
    not a reply to a colleague (which the bot sees when it is an admin or reads all messages)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        return bool(replied and replied.from_user and replied.from_user.id == message.get_bot().id)


def conversation() -> ConversationHandler:
    typed = (PRIVATE | _ReplyToTheBot()) & filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(ask_words, pattern=rf"^rev:({WORD_ACTIONS}):{NUMBER}:{NUMBER}$"),
            CallbackQueryHandler(ask_words, pattern=FORWARD_TO),
        ],
        states={
            WORDS: [
                MessageHandler(typed, receive_words),
                CallbackQueryHandler(use_template, pattern=r"^rvt:"),
            ],
        },
        fallbacks=[CommandHandler(["batal", "cancel"], cancel_words)],
        name=CONVERSATION_NAME,
        persistent=True,
        allow_reentry=True,
    )


def handlers() -> list:
    """The card's buttons that need no words, and template buttons of closed questions."""
    return [
        CallbackQueryHandler(
            press, pattern=rf"^rev:({PLAIN_ACTIONS}):{NUMBER}:{NUMBER}(:[a-z]+)?$"
        ),
        CallbackQueryHandler(stale_template, pattern=r"^rvt:"),
    ]
