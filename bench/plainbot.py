"""The /ide flow written the way python-telegram-bot's own examples write a bot: the baseline a
regency would otherwise run, for ``bench.cpu`` to measure this bot against.

Default :class:`~telegram.ext.Application` (sequential updates), a :class:`ConversationHandler`
with its state in memory, the answers in ``user_data``, a keyword pillar guess (the catalogue's
words, counted), one ``sqlite3`` insert at Send. No inbox, no persistence, no rate limiter, no
announcement: a restart loses every conversation in progress and whatever was not yet answered.
Its steps, buttons and callback data are those of this bot, so the same updates drive both.

``python -m bench.plainbot`` runs it on its own, polling as the examples do (python-telegram-bot's
default request, httpx), with ``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_API_BASE_URL`` and
``DATABASE_URL`` (``sqlite:///PATH``) from the environment, until SIGTERM.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.core.catalogue import Catalogue

IDEA, WHERE, PILLAR, NAME, PUBLIC, CONFIRM = range(6)


def build_plain_bot(
    token: str,
    database: Path,
    catalogue: Catalogue,
    request: BaseRequest | None = None,
    base_url: str = "https://api.telegram.org",
) -> Application:
    """The plain bot on ``database`` (created here), talking through ``request`` (by default
    python-telegram-bot's own) to the Bot API at ``base_url``."""
    connection = sqlite3.connect(database)
    connection.execute(
        "CREATE TABLE idea (id INTEGER PRIMARY KEY, user_id INTEGER, text TEXT, kecamatan TEXT,"
        " pillar TEXT, anonymous INTEGER, public INTEGER)"
    )
    kecamatan = [place.key for place in catalogue.kecamatan]
    words = {
        pillar.key: [(keyword.term, keyword.weight) for keyword in pillar.keywords]
        for pillar in catalogue.pillars
    }

    def guess(text: str) -> str:
        lowered = text.lower()
        scores = {
            key: sum(w for term, w in terms if term in lowered) for key, terms in words.items()
        }
        return max(scores, key=scores.get)

    def keyboard(prefix: str, keys: list[str], width: int = 2) -> InlineKeyboardMarkup:
        buttons = [InlineKeyboardButton(key, callback_data=f"{prefix}:{key}") for key in keys]
        return InlineKeyboardMarkup([buttons[i : i + width] for i in range(0, len(buttons), width)])

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Ask for the idea."""
        context.user_data.clear()
        await update.message.reply_text("Tuliskan ide Anda.")
        return IDEA

    async def idea(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Store the idea and ask where it is for."""
        context.user_data["text"] = update.message.text
        await update.message.reply_text(
            "Di kecamatan mana?", reply_markup=keyboard("ide:kec", kecamatan)
        )
        return WHERE

    async def where(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Store the kecamatan and suggest a pillar."""
        query = update.callback_query
        await query.answer()
        context.user_data["kecamatan"] = query.data.removeprefix("ide:kec:")
        suggested = guess(context.user_data["text"])
        await query.edit_message_text(
            f"Saran pilar: {suggested}. Setuju, atau pilih yang lain?",
            reply_markup=keyboard("ide:pil", list(words)),
        )
        return PILLAR

    async def pillar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Store the pillar and ask whether to show the name."""
        query = update.callback_query
        await query.answer()
        context.user_data["pillar"] = query.data.removeprefix("ide:pil:")
        await query.edit_message_text(
            "Bolehkah nama Anda ditampilkan?", reply_markup=keyboard("ide:name", ["public", "anon"])
        )
        return NAME

    async def name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Store the choice and ask whether the idea may be shown publicly."""
        query = update.callback_query
        await query.answer()
        context.user_data["anonymous"] = query.data == "ide:name:anon"
        await query.edit_message_text(
            "Bolehkah ide ini ditampilkan kepada publik?",
            reply_markup=keyboard("ide:pub", ["yes", "no"]),
        )
        return PUBLIC

    async def public(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Store the choice and show the summary with the Send button."""
        query = update.callback_query
        await query.answer()
        answers = context.user_data
        answers["public"] = query.data == "ide:pub:yes"
        answers["key"] = uuid.uuid4().hex
        await query.edit_message_text(
            f"Periksa kembali:\n{answers['text']}\n{answers['kecamatan']} · {answers['pillar']}",
            reply_markup=keyboard("ide:send", [answers["key"]], width=1),
        )
        return CONFIRM

    async def send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Store the idea and give the tracking code."""
        query = update.callback_query
        await query.answer()
        answers = context.user_data
        with connection:
            cursor = connection.execute(
                "INSERT INTO idea (user_id, text, kecamatan, pillar, anonymous, public)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    update.effective_user.id,
                    answers["text"],
                    answers["kecamatan"],
                    answers["pillar"],
                    answers["anonymous"],
                    answers["public"],
                ),
            )
        await query.edit_message_reply_markup(reply_markup=None)
        await query.message.reply_text(
            f"Terima kasih, ide Anda sudah kami terima dengan kode IDE-{cursor.lastrowid:04d}."
        )
        answers.clear()
        return ConversationHandler.END

    async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        """Leave the conversation."""
        context.user_data.clear()
        await update.message.reply_text("Dibatalkan.")
        return ConversationHandler.END

    builder = ApplicationBuilder().token(token).base_url(f"{base_url}/bot")
    if request is not None:
        builder = builder.request(request).get_updates_request(request).updater(None)
    application = builder.build()
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("ide", start)],
            states={
                IDEA: [MessageHandler(filters.TEXT & ~filters.COMMAND, idea)],
                WHERE: [CallbackQueryHandler(where, pattern=r"^ide:kec:")],
                PILLAR: [CallbackQueryHandler(pillar, pattern=r"^ide:pil:")],
                NAME: [CallbackQueryHandler(name, pattern=r"^ide:name:")],
                PUBLIC: [CallbackQueryHandler(public, pattern=r"^ide:pub:")],
                CONFIRM: [CallbackQueryHandler(send, pattern=r"^ide:send:")],
            },
            fallbacks=[CommandHandler("batal", cancel)],
        )
    )
    application.bot_data["connection"] = connection
    return application


def main() -> None:
    from bot.core.catalogue import load_catalogue

    logging.basicConfig(level=logging.WARNING)
    database = Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))
    application = build_plain_bot(
        os.environ["TELEGRAM_BOT_TOKEN"],
        database,
        load_catalogue(),
        base_url=os.environ["TELEGRAM_API_BASE_URL"],
    )
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main()
