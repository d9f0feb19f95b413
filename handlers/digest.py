"""The digest and the evidence report on demand: /ringkasan (/digest) and /laporan (/report).

Both are for officers and admins (:func:`handlers.officer.staff_turn` checks the role on every
use): anyone else gets the resident's help in a private chat and silence in a group. The answer
goes to the chat the command came from, in the asker's language; nothing is recorded as sent.
Building and uploading are slow, so they run with the update's slot set aside.
"""

from __future__ import annotations

from datetime import timedelta

from telegram import InputFile, Update
from telegram.ext import CommandHandler, ContextTypes

from bot.domain.reports import SpanError, report_span
from bot.runtime.photos import photo_source
from bot.runtime.processing import slot_set_aside
from handlers.base import staff_turn


async def digest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send this week's digest so far, with its chart and workbook, to the asking chat."""
    t = await staff_turn(update, context)
    if t is None:
        return
    async with slot_set_aside():
        await t.services.digests.send_current(context.bot, update.effective_chat.id, t.language)


async def report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the evaluation evidence report, PDF and workbook, for the period asked (this year by
    default)."""
    t = await staff_turn(update, context)
    if t is None:
        return
    found = t.services
    words = context.args or []
    if len(words) not in (0, 2):
        await update.effective_message.reply_text(t.text("report.usage"))
        return
    try:
        start, end = report_span(*(words or (None, None)), found.clock(), found.settings.timezone)
    except SpanError:
        await update.effective_message.reply_text(t.text("report.usage"))
        return
    async with slot_set_aside():
        built = await found.reports.build(start, end, t.language, photos=photo_source(context.bot))
        caption = t.text(
            "report.caption",
            region=found.settings.region_name,
            start=found.texts.date(t.language, start),
            end=found.texts.date(t.language, end - timedelta(seconds=1)),
            count=built.ideas,
        )
        for data, name in ((built.pdf, built.pdf_name), (built.workbook, built.file_name)):
            await update.effective_message.reply_document(
                InputFile(data, filename=name), caption=caption
            )


def handlers() -> list:
    return [
        CommandHandler(["ringkasan", "digest"], digest),
        CommandHandler(["laporan", "report"], report),
    ]
