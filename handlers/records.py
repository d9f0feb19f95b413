"""Finding and counting: /cari, /statistik and /ekspor, for officers only.

All three read the same filters (:mod:`bot.domain.search`); a bad filter gets an error that lists
the valid values. Counting, drawing the chart and writing the files run off the event loop, and with
the update's slot set aside while they and the uploads take their time.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.ext import CommandHandler, ContextTypes

from bot.domain.search import FilterError, parse
from bot.runtime.processing import slot_set_aside
from handlers.base import Turn, clip, command_argument, staff_turn
from handlers.cards import title

# How much of a filter an officer typed is quoted back when it is wrong.
ECHO_LENGTH = 40


def filter_error(t: Turn, error: FilterError) -> str:
    valid = ", ".join(str(value) for value in error.valid)
    return t.text(
        f"search.error_{error.problem}",
        name=clip(error.name, ECHO_LENGTH),
        value=clip(error.value, ECHO_LENGTH),
        valid=valid,
    )


async def _criteria(update: Update, context: ContextTypes.DEFAULT_TYPE, t: Turn):
    try:
        return parse(command_argument(context), t.services.catalogue, t.services.settings.timezone)
    except FilterError as error:
        await update.effective_message.reply_text(filter_error(t, error))
        return None


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Find submissions by words and filters, newest first."""
    t = await staff_turn(update, context)
    if t is None:
        return
    if not command_argument(context):
        await update.effective_message.reply_text(t.text("search.usage"))
        return
    criteria = await _criteria(update, context, t)
    if criteria is None:
        return
    found, total = await t.services.records.search(criteria)
    if not total:
        await update.effective_message.reply_text(t.text("search.none"))
        return
    lines = [t.text("search.header", total=total, shown=len(found))]
    lines += [
        t.text(
            "search.item",
            code=s.code,
            status=t.text(f"status.{s.status}")
            + (f" · {t.services.catalogue.unit_short_name(s.unit)}" if s.unit else ""),
            date=t.services.texts.date(t.language, s.created_at),
            title=title(s.text),
        )
        for s in found
    ]
    buttons = [InlineKeyboardButton(s.code, callback_data=f"rvv:{s.id}") for s in found]
    markup = InlineKeyboardMarkup([buttons[i : i + 5] for i in range(0, len(buttons), 5)])
    await update.effective_message.reply_text("\n\n".join(lines), reply_markup=markup)


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count submissions by pillar, status, week and kecamatan, with a chart."""
    t = await staff_turn(update, context)
    if t is None:
        return
    criteria = await _criteria(update, context, t)
    if criteria is None:
        return
    records = t.services.records
    counts = await records.counts(criteria)
    if not counts.total:
        await update.effective_message.reply_text(t.text("stats.none"))
        return
    labels = records.labels(t.language)

    def block(key: str, items) -> str:
        rows = [t.text("stats.row", name=name, count=count) for name, count in items]
        return "\n".join([t.text("stats.heading", name=t.text(f"stats.by_{key}")), *rows])

    places = sorted(counts.by_kecamatan.items(), key=lambda item: -item[1])
    text = "\n\n".join(
        [
            t.text("stats.header", total=counts.total),
            block(
                "pillar", [(labels.pillars[k], counts.by_pillar.get(k, 0)) for k in labels.pillars]
            ),
            block("status", [(labels.statuses[k], n) for k, n in counts.by_status.items()]),
            block("week", counts.by_week[-8:]),
            block("kecamatan", [(labels.kecamatan.get(k, k), n) for k, n in places]),
        ]
    )
    if counts.by_unit:
        units = sorted(counts.by_unit.items(), key=lambda item: -item[1])
        catalogue = t.services.catalogue
        text += "\n\n" + block("unit", [(catalogue.unit_short_name(k), n) for k, n in units])
    if counts.supports:
        top = [t.text("stats.row", name=code, count=n) for code, n in counts.most_supported]
        text += "\n\n" + "\n".join([t.text("stats.supports", count=counts.supports), *top])
    await update.effective_message.reply_text(text)
    async with slot_set_aside():
        chart = await records.chart(counts, t.language)
        await update.effective_chat.send_photo(
            InputFile(chart, filename="statistik.png"), caption=t.text("stats.chart_caption")
        )


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the filtered submissions as CSV and XLSX documents."""
    t = await staff_turn(update, context)
    if t is None:
        return
    criteria = await _criteria(update, context, t)
    if criteria is None:
        return
    async with slot_set_aside():
        count, csv_file, xlsx_file = await t.services.records.export(criteria, t.language)
        if not count:
            await update.effective_message.reply_text(t.text("export.none"))
            return
        stamp = f"{t.services.clock().astimezone(t.services.settings.timezone):%Y%m%d-%H%M}"
        caption = t.text("export.caption", count=count)
        chat = update.effective_chat
        await chat.send_document(
            InputFile(csv_file, filename=f"inovasi-warga-{stamp}.csv"), caption=caption
        )
        await chat.send_document(InputFile(xlsx_file, filename=f"inovasi-warga-{stamp}.xlsx"))


def handlers() -> list:
    return [
        CommandHandler(["cari", "search"], search),
        CommandHandler(["statistik", "stats"], stats),
        CommandHandler(["ekspor", "export"], export),
    ]
