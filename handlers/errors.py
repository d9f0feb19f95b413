"""The one error handler: log with the update's context, apologise once, tell the admins (rarely).

The log line names the update, chat and user, never the message text or the token. The resident
gets one apology per failed update. Admins hear of failures at most once per throttle interval
(``Services.error_alerts``), with the count held back since, so a failure loop cannot flood them.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ContextTypes

from bot.services import services

logger = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure, apologise to the person affected, and alert the admins if due.

    A 403 from a private chat is no failure of the bot: the person blocked it. They are marked
    unreachable, and nobody is apologised to or alerted.
    """
    found = services(context)
    chat_id = user_id = update_id = None
    if isinstance(update, Update):
        update_id = update.update_id
        chat_id = update.effective_chat.id if update.effective_chat else None
        user_id = update.effective_user.id if update.effective_user else None
    if isinstance(context.error, Forbidden) and chat_id is not None and chat_id == user_id:
        logger.info("User %s blocked the bot; marked unreachable", user_id)
        await found.residents.mark_unreachable(user_id)
        return
    logger.error(
        "Unhandled %s while handling update %s (chat %s, user %s)",
        type(context.error).__name__,
        update_id,
        chat_id,
        user_id,
        exc_info=context.error,
    )
    if (
        isinstance(update, Update)
        and update.effective_chat
        and update.effective_chat.type == "private"
    ):
        language = await found.residents.language(
            user_id or 0, update.effective_user.language_code if update.effective_user else None
        )
        try:
            await update.effective_chat.send_message(found.texts.get(language, "error.apology"))
        except TelegramError as error:
            logger.warning("Could not apologise in chat %s: %s", chat_id, error)
    await _alert_admins(context, type(context.error).__name__, update_id)


async def _alert_admins(
    context: ContextTypes.DEFAULT_TYPE, kind: str, update_id: int | None
) -> None:
    found = services(context)
    allowed, held_back = found.error_alerts.allow()
    if not allowed:
        return
    text = found.texts.get(
        found.settings.default_language,
        "error.admin_alert",
        kind=kind,
        update_id=update_id if update_id is not None else "-",
        suppressed=held_back,
    )
    try:
        await found.outbox.queue_text(sorted(found.settings.admin_ids), text)
    except SQLAlchemyError as error:  # the database may be what failed
        logger.warning("Could not queue the admins' alert: %s", error)
        return
    found.outbox.kick(context.bot)
