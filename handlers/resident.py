"""The resident's other commands: /start, /bantuan, /privasi, /bahasa, /ideaku, /status, and what
happens to messages sent outside a conversation."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from bot.core.i18n import LANGUAGES, Html
from bot.domain.drafts import check_text
from bot.domain.review import MAX_WORDS
from bot.domain.roles import Role
from bot.runtime.abuse import Verdict
from bot.tagging import Intent, TagResult
from handlers import keyboards
from handlers.base import (
    PRIVATE,
    Turn,
    clip,
    command_argument,
    fitted,
    number,
    turn,
    where_staff_work,
)
from handlers.cards import HISTORY_LIMIT, NOTE_PREVIEW
from handlers.steps import where_text
from storage.models import StatusChangePublic, SubmissionPublic

TITLE_LENGTH = 60


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the resident, with the privacy notice and a button to send an idea."""
    t = await turn(update, context)
    region = t.services.settings.region_name
    await update.effective_message.reply_text(
        f"{t.text('start.welcome', region=region)}\n\n{t.text('start.privacy_short')}",
        reply_markup=keyboards.start_idea(t),
    )


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List what a resident can do, and for officers and admins their commands too.

    In the team's group only officers and admins are answered, with their own commands; in other
    groups no one is.
    """
    t = await turn(update, context)
    role = await t.services.roles.role(t.user_id)
    private = update.effective_chat.type == ChatType.PRIVATE
    if role.staff and where_staff_work(update, t):
        sections = [t.text("help.resident")] if private else []
        sections.append(t.text("help.officer"))
        if role is Role.ADMIN:
            sections.append(t.text("help.admin"))
        await update.effective_message.reply_text("\n\n".join(sections))
        return
    if role is Role.LIAISON and private:
        sections = [t.text("help.resident"), t.text("help.liaison")]
        await update.effective_message.reply_text("\n\n".join(sections))
        return
    if not private:
        return
    await update.effective_message.reply_text(
        t.text("help.resident"), reply_markup=keyboards.start_idea(t)
    )


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what is stored, why, for how long and who sees it."""
    t = await turn(update, context)
    await update.effective_message.reply_text(
        t.text("privacy.full", region=t.services.settings.region_name)
    )


async def language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer the two languages."""
    t = await turn(update, context)
    await update.effective_message.reply_text(
        t.text("language.choose"), reply_markup=keyboards.languages(t)
    )


async def choose_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remember the chosen language and confirm in it."""
    query = update.callback_query
    await query.answer()
    chosen = query.data.removeprefix("lang:")
    t = await turn(update, context)
    if chosen not in LANGUAGES:
        await query.edit_message_text(t.text("idea.stale_button"))
        return
    await t.services.residents.choose_language(t.user_id, chosen)
    await query.edit_message_text(t.services.texts.get(chosen, "language.set"))


def _title(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"


async def _my_ideas_page(t: Turn, page_number: int) -> tuple[str, object]:
    page = await t.services.submissions.page_of(t.user_id, page_number)
    if not page.total:
        return t.text("mine.empty"), None
    lines = [t.text("mine.header", total=page.total, page=page.page, pages=page.pages)]
    lines += [
        t.text(
            "mine.item",
            code=item.code,
            status=_status(t, item.status, item.unit),
            date=t.services.texts.date(t.language, item.created_at),
            title=_title(item.text),
        )
        for item in page.items
    ]
    return "\n\n".join(lines), keyboards.pages(t, "mine:page", page.page, page.pages)


async def my_ideas(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the resident's own ideas, newest first, paged."""
    t = await turn(update, context)
    text, markup = await _my_ideas_page(t, 1)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def my_ideas_page(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show another page of the presser's own ideas."""
    query = update.callback_query
    await query.answer()
    t = await turn(update, context)
    page = number(query.data.removeprefix("mine:page:")) or 1
    text, markup = await _my_ideas_page(t, page)
    await query.edit_message_text(text, reply_markup=markup)


def _status(t: Turn, status: str, unit: str | None) -> str:
    """The status, with the SKPD that has the idea: "Sedang dikerjakan · Dinas PUPR"."""
    shown = t.text(f"status.{status}")
    return f"{shown} · {t.services.catalogue.unit_short_name(unit)}" if unit else shown


def _history_line(t: Turn, change: StatusChangePublic, note_length: int) -> str:
    params = {
        "date": t.services.texts.datetime(t.language, change.at),
        "status": _status(t, change.to_status, change.unit),
    }
    if change.to_pillar:
        pillar = t.services.catalogue.pillar_name(change.to_pillar, t.language)
        return t.text("mine.history_pillar", pillar=pillar, date=params["date"])
    if change.note:
        return t.text("mine.history_note", note=clip(change.note, note_length), **params)
    return t.text("mine.history_item", **params)


def _card(t: Turn, submission: SubmissionPublic, changes: list[StatusChangePublic]) -> str:
    """The idea, clipped if the message must be, and its newest history: the newest change with
    the officer's words in full, the others' clipped (as on the officers' card)."""
    catalogue = t.services.catalogue
    recent = changes[-HISTORY_LIMIT:]
    history = Html(
        "\n".join(
            _history_line(t, change, MAX_WORDS if change is recent[-1] else NOTE_PREVIEW)
            for change in recent
        )
    )
    return fitted(
        lambda text: t.text(
            "mine.card",
            code=submission.code,
            status=_status(t, submission.status, submission.unit),
            pillar=catalogue.pillar_name(submission.pillar, t.language),
            where=where_text(t, submission.latitude, submission.longitude, submission.kecamatan),
            date=t.services.texts.datetime(t.language, submission.created_at),
            text=text,
            history=history,
        ),
        submission.text,
    )


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show one of the resident's own ideas in full, with its history."""
    t = await turn(update, context)
    code = command_argument(context)
    if not code:
        await update.effective_message.reply_text(t.text("mine.status_usage"))
        return
    found = await t.services.submissions.owned(t.user_id, code)
    if found is None:
        await update.effective_message.reply_text(t.text("mine.not_found", code=code[:40]))
        return
    await update.effective_message.reply_text(_card(t, *found))


async def erase_request(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask the resident to confirm erasing their personal data."""
    t = await turn(update, context)
    await update.effective_message.reply_text(
        t.text("privacy.erase_confirm"), reply_markup=keyboards.erase_confirm(t)
    )


async def erase_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Erase on "yes" (only the presser's own data), keep everything on "no"."""
    query = update.callback_query
    await query.answer()
    t = await turn(update, context)
    if query.data != "priv:erase:yes":
        await query.edit_message_text(t.text("privacy.erase_kept"))
        return
    language = t.language
    erased = await t.services.residents.erase(t.user_id)
    t.services.outbox.kick(context.bot)  # their name leaves the public posts
    await query.edit_message_text(
        t.services.texts.get(
            language,
            "privacy.erased",
            submissions=erased.submissions_unlinked,
            locations=erased.locations_removed,
        )
    )


async def nothing_to_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer /batal outside a conversation."""
    t = await turn(update, context)
    await update.effective_message.reply_text(t.text("idea.nothing_to_cancel"))


async def free_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer to file an idea, point a complaint to SP4N-LAPOR!, and answer the rest in kind."""
    t = await turn(update, context)
    text = update.effective_message.text
    reading = await t.services.submissions.read(text)
    if reading.intent not in (Intent.IDEA, Intent.COMPLAINT):
        await _answer_in_kind(update, t, reading)
        return
    if check_text(text) is not None:
        await update.effective_message.reply_text(
            t.text("help.resident"), reply_markup=keyboards.start_idea(t)
        )
        return
    await t.services.submissions.start_with_text(t.user_id, text)
    if reading.intent is Intent.COMPLAINT:
        await update.effective_message.reply_text(
            t.text("intent.complaint"), reply_markup=keyboards.complaint_offer(t)
        )
        return
    await update.effective_message.reply_text(t.text("idea.offer"), reply_markup=keyboards.offer(t))


async def _answer_in_kind(update: Update, t: Turn, reading: TagResult) -> None:
    """Answer what is not an idea: small talk in kind, a question with what helps, abuse with one
    calm line, spam once a day and then silence, gibberish with a pointer to /ide."""
    message = update.effective_message
    match reading.intent:
        case Intent.SMALL_TALK:
            await message.reply_text(t.text(f"intent.{reading.about}"))
        case Intent.QUESTION if reading.about == "status":
            await message.reply_text(t.text("intent.question_status"))
        case Intent.QUESTION if reading.about == "bot":
            await message.reply_text(
                f"{t.text('intent.question_bot')}\n\n{t.text('help.resident')}",
                reply_markup=keyboards.start_idea(t),
            )
        case Intent.QUESTION:
            await message.reply_text(t.text("intent.question_other"))
        case Intent.SPAM:
            if t.services.spam.check(t.user_id) is Verdict.PASS:
                await message.reply_text(t.text("intent.spam"))
        case _:
            await message.reply_text(t.text(f"intent.{reading.intent}"))


async def decline_offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget the offered text."""
    query = update.callback_query
    await query.answer()
    t = await turn(update, context)
    await t.services.submissions.discard(t.user_id)
    await query.edit_message_text(t.text("idea.offer_declined"))


async def other_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer anything else a resident sends outside the flow with what the bot can do."""
    t = await turn(update, context)
    await update.effective_message.reply_text(
        t.text("help.resident"), reply_markup=keyboards.start_idea(t)
    )


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button that belongs to nothing current (an old or forged one)."""
    t = await turn(update, context)
    await update.callback_query.answer(t.text("idea.stale_button"))


def command_handlers() -> list:
    return [
        CommandHandler("start", start, filters=PRIVATE),
        CommandHandler(["bantuan", "help"], help_command),
        CommandHandler(["privasi", "privacy"], privacy, filters=PRIVATE),
        CommandHandler(["bahasa", "language"], language, filters=PRIVATE),
        CommandHandler(["ideaku", "myideas"], my_ideas, filters=PRIVATE),
        CommandHandler("status", status, filters=PRIVATE),
        CommandHandler(["batal", "cancel"], nothing_to_cancel, filters=PRIVATE),
        CommandHandler(["hapusdata", "deletemydata"], erase_request, filters=PRIVATE),
        CallbackQueryHandler(erase_answer, pattern=r"^priv:erase:(yes|no)$"),
        CallbackQueryHandler(choose_language, pattern=r"^lang:"),
        CallbackQueryHandler(my_ideas_page, pattern=r"^mine:page:"),
        CallbackQueryHandler(decline_offer, pattern=r"^ide:offer:no$"),
    ]


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a command the resident cannot use (or that does not exist) with the help."""
    t = await turn(update, context)
    await update.effective_message.reply_text(
        t.text("help.resident"), reply_markup=keyboards.start_idea(t)
    )


def outside_flow_handlers() -> list:
    return [
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, free_text),
        MessageHandler(PRIVATE & filters.COMMAND, unknown_command),
        MessageHandler(PRIVATE & ~filters.COMMAND & ~filters.StatusUpdate.ALL, other_message),
        CallbackQueryHandler(stale_button),
    ]
