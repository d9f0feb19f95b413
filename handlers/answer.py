"""The resident's answer to an officer's question: the "answer" conversation.

When an officer asks for more information, the resident's notice carries a button ``ans:<submission
id>``. Pressing it opens this short conversation: the resident's next text goes onto the
submission's history, the submission goes back to ``in_review``, and the officer who asked and the
team's groups get the card again, through the outbox. /batal leaves without answering. An answer
awaited longer than :data:`bot.core.clock.IDLE_LIMIT` is put aside
(:meth:`bot.domain.prompts.Prompts.put_aside_idle`); what the resident writes after that is not
taken as the answer, and they are told so.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.prompts import Unanswered
from handlers import keyboards
from handlers.base import PRIVATE, turn

CONVERSATION_NAME = "answer"
ANSWER = "answer"
END = ConversationHandler.END


async def begin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str | None:
    """Ask the resident for their answer, if the question is still open and theirs."""
    t = await turn(update, context)
    query = update.callback_query
    submission_id = int(keyboards.ANSWER.match(query.data).group(1))
    code = await t.services.prompts.start_answer(t.user_id, submission_id)
    if code is None:
        await query.answer(t.text("idea.stale_button"))
        return None
    await query.answer()
    await update.effective_chat.send_message(t.text("review.answer_ask", code=code))
    return ANSWER


async def receive(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Put the answer on the submission, thank the resident and tell the officers."""
    t = await turn(update, context)
    answered = await t.services.prompts.answer(t.user_id, update.effective_message.text)
    if isinstance(answered, Unanswered):
        await update.effective_message.reply_text(t.text(f"review.answer_{answered.value}"))
        return END
    await update.effective_message.reply_text(
        t.text("review.answer_thanks", code=answered.submission.code)
    )
    t.services.outbox.kick(context.bot)
    return END


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """Explain that an answer is written in words."""
    t = await turn(update, context)
    await update.effective_message.reply_text(t.text("review.answer_words_only"))
    return ANSWER


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Leave without answering; the question stays open."""
    t = await turn(update, context)
    await t.services.prompts.drop_answer(t.user_id)
    await update.effective_message.reply_text(t.text("review.answer_cancelled"))
    return END


def conversation() -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CallbackQueryHandler(begin, pattern=keyboards.ANSWER)],
        states={
            ANSWER: [
                MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, receive),
                MessageHandler(PRIVATE & ~filters.COMMAND, not_text),
            ],
        },
        fallbacks=[CommandHandler(["batal", "cancel"], cancel, filters=PRIVATE)],
        name=CONVERSATION_NAME,
        persistent=True,
        allow_reentry=True,
    )
