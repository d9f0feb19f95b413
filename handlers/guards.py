"""Pre-filters, run before every other handler (a negative group): they end an update's handling
with ApplicationHandlerStop when it must go no further.

- Updates from other bots, channel posts and edits of channel posts: ignored on purpose.
- An edited message in a private chat: one short note that edits are not read (the resident's
  stored answer stays as first sent); in groups, ignored.
- A button press with no data or no message (forged, or from an inline message this bot never
  sends): answered as an old button. PTB would otherwise hand empty data to every patterned
  CallbackQueryHandler.
- More than 20 messages a minute from one person: one polite reply, then silence until the
  minute has passed. Button presses are not counted: they are how residents move through a
  submission quickly, and each person's updates are handled one at a time anyway.

An update stopped here goes no further even when the reply fails (a blocked bot, a deleted
message): the reply's error is logged.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.runtime.abuse import Verdict
from handlers.base import turn

logger = logging.getLogger(__name__)

GROUP = -10


async def screen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates that no handler should see, and answer a flood once."""
    try:
        stop = await _answered_here(update, context)
    except TelegramError as error:  # only the replies of updates to be stopped call Telegram
        logger.warning("A guard's reply failed, the update goes no further: %s", error)
        stop = True
    if stop:
        raise ApplicationHandlerStop


async def _answered_here(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Answer what needs an answer here; whether the update must go no further."""
    if update.channel_post or update.edited_channel_post:
        return True
    user = update.effective_user
    if user is None or user.is_bot:
        return True
    private = update.effective_chat is not None and update.effective_chat.type == "private"
    if update.edited_message:
        if private:
            t = await turn(update, context)
            await update.edited_message.reply_text(t.text("guard.edited"))
        return True
    query = update.callback_query
    if query is not None and (not query.data or query.message is None):
        await query.answer((await turn(update, context)).text("idea.stale_button"))
        return True
    if update.message is None:
        return False
    t = await turn(update, context)
    verdict = t.services.flood.check(user.id)
    if verdict is Verdict.WARN and private:
        await update.effective_chat.send_message(t.text("guard.flood"))
    return verdict is not Verdict.PASS


def handlers() -> list[TypeHandler]:
    return [TypeHandler(Update, screen)]
