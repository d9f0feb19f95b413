"""The /ide conversation: idea → where → pillar → name → public → check and send.

The draft in the database holds every answer, and the step shown next is always the first one the
draft lacks (:func:`bot.domain.submissions.next_step`), so editing an answer, resuming after a
restart and a repeated button all land on the right question. A draft left idle is put aside by a
job (:meth:`bot.domain.submissions.Submissions.put_aside_idle`); a step answered after that says so
and leaves the flow.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.domain.drafts import (
    MAX_LENGTH,
    MAX_PHOTOS,
    MIN_LENGTH,
    SKIPPED,
    DraftGone,
    Field,
    Step,
    TextProblem,
    check_text,
    next_step,
)
from bot.domain.submissions import LimitReached, Sent
from bot.tagging import Intent
from handlers import keyboards, steps
from handlers.base import PRIVATE, Turn, clip, number, profile, turn
from storage.models import DraftBase
from storage.queries import SupportOutcome

logger = logging.getLogger(__name__)

CONVERSATION_NAME = "submission"
END = ConversationHandler.END
# A text in /ide that the intent model reads as one of these, at least this surely, is asked for
# again instead of being taken as the idea.
NOT_AN_IDEA = frozenset({Intent.GIBBERISH, Intent.SMALL_TALK, Intent.SPAM, Intent.ABUSE})
CLEARLY = 0.6
DRAFT_SHOWN = 600

StepHandler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Step | int | None]]


def _needs_draft(handler: StepHandler) -> StepHandler:
    """Leave the flow, saying why, when the step finds the draft was put aside for idleness."""

    @functools.wraps(handler)
    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | int | None:
        try:
            return await handler(update, context)
        except DraftGone:
            t = await turn(update, context)
            await update.effective_chat.send_message(t.text("idea.timeout"))
            return END

    return answer


async def _present(t: Turn, update: Update, draft: DraftBase, *, edit: bool = False) -> Step:
    """Ask the question the draft needs next; by editing the pressed message when ``edit``."""
    step = next_step(draft)
    similar = []
    if step is Step.CONFIRM:
        similar = await t.services.submissions.similar(t.user_id, draft.text or "")
    text, markup = steps.render(t, update, draft, step, similar)
    query = update.callback_query
    if edit and query is not None:
        try:
            await query.edit_message_text(text, reply_markup=markup)
            return step
        except BadRequest as error:
            logger.debug("Could not edit the step message (%s); sending a new one", error)
    await update.effective_chat.send_message(text, reply_markup=markup)
    return step


async def _stale(update: Update, t: Turn) -> None:
    await update.callback_query.answer(t.text("idea.stale_button"), show_alert=False)


# Entry --------------------------------------------------------------------------------------


async def start_idea(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | int:
    """Start a submission; with a draft that has a text, show it and ask whether to continue."""
    t = await turn(update, context)
    if update.callback_query:
        await update.callback_query.answer()
    limit = t.services.settings.max_submissions_per_day
    if await t.services.submissions.submitted_today(t.user_id) >= limit:
        await update.effective_chat.send_message(t.text("idea.daily_limit", limit=limit))
        return END
    existing = await t.services.submissions.draft(t.user_id)
    if existing is not None and existing.text:
        await update.effective_chat.send_message(
            t.text("draft.ask", text=clip(existing.text, DRAFT_SHOWN)),
            reply_markup=keyboards.draft_choice(t),
        )
        return END
    draft = await t.services.submissions.start(t.user_id)
    return await _present(t, update, draft)


async def continue_draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | int:
    """Go on with the draft the resident chose to keep (tagged if its text came from outside the
    flow), at the step it needs next."""
    t = await turn(update, context)
    await update.callback_query.answer()
    if await t.services.submissions.draft(t.user_id) is None:
        await update.callback_query.edit_message_text(t.text("idea.stale_button"))
        return END
    draft = await t.services.submissions.suggest_for_text(t.user_id)
    return await _present(t, update, draft, edit=True)


async def restart_draft(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | int:
    """Drop the old draft and ask for a new idea."""
    t = await turn(update, context)
    await update.callback_query.answer()
    await t.services.submissions.discard(t.user_id)
    draft = await t.services.submissions.start(t.user_id)
    return await _present(t, update, draft, edit=True)


async def accept_offer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | int:
    """File the message the resident sent outside the flow as the idea's text."""
    t = await turn(update, context)
    await update.callback_query.answer()
    draft = await t.services.submissions.draft(t.user_id)
    if draft is None or not draft.text:
        await update.callback_query.edit_message_text(t.text("idea.stale_button"))
        return END
    draft = await t.services.submissions.suggest_for_text(t.user_id)
    return await _present(t, update, draft, edit=True)


# Step answers -------------------------------------------------------------------------------


@_needs_draft
async def receive_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """Store the idea's text if it reads as one and its length is right, else ask again."""
    t = await turn(update, context)
    text = update.effective_message.text
    if check_text(text) is None:
        reading = await t.services.submissions.read(text)
        if reading.intent in NOT_AN_IDEA and reading.intent_probability >= CLEARLY:
            await update.effective_message.reply_text(t.text("intent.not_an_idea"))
            return Step.IDEA
    result = await t.services.submissions.set_text(t.user_id, text)
    if isinstance(result, TextProblem):
        await update.effective_message.reply_text(_problem_text(t, result))
        return Step.IDEA
    return await _present(t, update, result)


def _problem_text(t: Turn, problem: TextProblem) -> str:
    if problem.kind == "too_short":
        return t.text("idea.too_short", length=problem.length, min=MIN_LENGTH)
    return t.text("idea.too_long", length=problem.length, max=MAX_LENGTH)


@_needs_draft
async def receive_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """Keep the photo (up to three); its caption, if any, is the idea's text."""
    t = await turn(update, context)
    message = update.effective_message
    largest = message.photo[-1]
    added, result = await t.services.submissions.add_photo(
        t.user_id,
        file_id=largest.file_id,
        file_unique_id=largest.file_unique_id,
        caption=message.caption,
    )
    if not added.kept:
        await message.reply_text(t.text("idea.photo_limit", max=MAX_PHOTOS))
    if isinstance(result, TextProblem):
        await message.reply_text(_problem_text(t, result))
        draft = await t.services.submissions.draft(t.user_id)
        if draft is None or not draft.text:
            return Step.IDEA
        return await _present(t, update, draft)  # the text it had stays: back to the same step
    step = next_step(result)
    if step is Step.IDEA:
        await message.reply_text(t.text("idea.photo_needs_text", count=added.count, max=MAX_PHOTOS))
        return step
    if message.caption:
        return await _present(t, update, result)
    if added.kept and message.media_group_id is None:
        await message.reply_text(t.text("idea.photo_added", count=added.count, max=MAX_PHOTOS))
    return step


async def not_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """Explain that an idea is text or a photo (stickers, voice notes, files…)."""
    t = await turn(update, context)
    await update.effective_message.reply_text(t.text("idea.text_or_photo"))
    return Step.IDEA


async def use_buttons(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Point at the buttons when the resident types where a choice is expected."""
    t = await turn(update, context)
    await update.effective_message.reply_text(t.text("idea.use_buttons"))


@_needs_draft
async def choose_kecamatan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | None:
    """Store the chosen kecamatan (or the skip) and ask for the pillar."""
    t = await turn(update, context)
    value = update.callback_query.data.removeprefix("ide:kec:")
    known = {k.key for k in t.services.catalogue.kecamatan}
    if value != SKIPPED and value not in known:
        await _stale(update, t)
        return None
    await update.callback_query.answer()
    draft = await t.services.submissions.set_kecamatan(
        t.user_id, None if value == SKIPPED else value
    )
    return await _present(t, update, draft, edit=True)


@_needs_draft
async def receive_location(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step:
    """Store a shared location and ask for the pillar."""
    t = await turn(update, context)
    location = update.effective_message.location
    draft = await t.services.submissions.set_location(
        t.user_id, location.latitude, location.longitude
    )
    return await _present(t, update, draft)


@_needs_draft
async def choose_pillar(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | None:
    """Store the accepted or chosen pillar, or show all six to choose from."""
    t = await turn(update, context)
    query = update.callback_query
    value = query.data.removeprefix("ide:pil:")
    if value == "*":
        await query.answer()
        await query.edit_message_text(
            t.text("idea.choose_pillar"), reply_markup=keyboards.pillars(t, t.services.catalogue)
        )
        return None
    if value not in t.services.catalogue.pillar_keys:
        await _stale(update, t)
        return None
    await query.answer()
    draft = await t.services.submissions.set_pillar(t.user_id, value)
    return await _present(t, update, draft, edit=True)


@_needs_draft
async def choose_name(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | None:
    """Store whether the resident's name may be shown, and show the summary."""
    t = await turn(update, context)
    value = update.callback_query.data.removeprefix("ide:name:")
    if value not in ("public", "anon"):
        await _stale(update, t)
        return None
    await update.callback_query.answer()
    draft = await t.services.submissions.set_anonymous(t.user_id, value == "anon")
    return await _present(t, update, draft, edit=True)


@_needs_draft
async def choose_public(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | None:
    """Store whether the idea may be shown publicly, and show the summary."""
    t = await turn(update, context)
    value = update.callback_query.data.removeprefix("ide:pub:")
    if value not in ("yes", "no"):
        await _stale(update, t)
        return None
    await update.callback_query.answer()
    draft = await t.services.submissions.set_public(t.user_id, value == "yes")
    return await _present(t, update, draft, edit=True)


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | int | None:
    """Commit the submission, then give the resident the tracking code."""
    t = await turn(update, context)
    query = update.callback_query
    draft_key = query.data.removeprefix("ide:send:")
    await query.answer()
    result = await t.services.submissions.submit(
        profile(update), draft_key=draft_key, language=t.language
    )
    if result is None:
        await update.effective_chat.send_message(t.text("idea.stale_button"))
        return None if await t.services.submissions.draft(t.user_id) else END
    if isinstance(result, LimitReached):
        await query.edit_message_reply_markup(reply_markup=None)
        await update.effective_chat.send_message(t.text("idea.daily_limit", limit=result.limit))
        await t.services.submissions.discard(t.user_id)
        return END
    assert isinstance(result, Sent)
    await query.edit_message_reply_markup(reply_markup=None)
    sent = t.text("idea.sent", code=result.submission.code)
    if result.submission.looks_like_complaint:
        sent += "\n\n" + t.text("idea.complaint_hint")
    await update.effective_chat.send_message(sent)
    if result.announced_to:  # the team's announcement, queued with the idea
        t.services.outbox.kick(context.bot, result.announced_to)
    return END


async def support(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Count the resident's support for a similar idea shown on the summary (once per idea)."""
    t = await turn(update, context)
    submission_id = number(update.callback_query.data.removeprefix("ide:sup:"))
    if submission_id is None:
        await _stale(update, t)
        return
    outcome, code = await t.services.submissions.support(profile(update), submission_id)
    key = {
        SupportOutcome.ADDED: "idea.supported",
        SupportOutcome.ALREADY: "idea.already_supported",
        SupportOutcome.OWN: "idea.own_idea",
    }
    await update.callback_query.answer(
        t.text(key.get(outcome, "idea.stale_button"), code=code or "")
    )


async def edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask which part of the draft to change."""
    t = await turn(update, context)
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(
        t.text("idea.choose_edit"), reply_markup=keyboards.edit_fields(t)
    )


@_needs_draft
async def edit_field(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Step | None:
    """Forget the chosen answer and ask its question again."""
    t = await turn(update, context)
    value = update.callback_query.data.removeprefix("ide:editf:")
    if value not in Field.__members__.values():
        await _stale(update, t)
        return None
    await update.callback_query.answer()
    draft = await t.services.submissions.clear(t.user_id, Field(value))
    return await _present(t, update, draft, edit=True)


# Leaving ------------------------------------------------------------------------------------


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """Drop the draft and leave the flow with nothing half-saved."""
    t = await turn(update, context)
    if update.callback_query:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(reply_markup=None)
    await t.services.submissions.discard(t.user_id)
    await update.effective_chat.send_message(t.text("idea.cancelled"))
    return END


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer a button of a step that is no longer current."""
    await _stale(update, await turn(update, context))


def conversation() -> ConversationHandler:
    photo = MessageHandler(PRIVATE & filters.PHOTO, receive_photo)
    typed = MessageHandler(PRIVATE & ~filters.COMMAND, use_buttons)
    return ConversationHandler(
        entry_points=[
            CommandHandler(["ide", "idea"], start_idea, filters=PRIVATE),
            CallbackQueryHandler(start_idea, pattern=r"^ide:start$"),
            CallbackQueryHandler(accept_offer, pattern=r"^ide:offer:yes$"),
            CallbackQueryHandler(continue_draft, pattern=r"^drf:go$"),
            CallbackQueryHandler(restart_draft, pattern=r"^drf:new$"),
        ],
        states={
            Step.IDEA: [
                MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, receive_text),
                photo,
                MessageHandler(PRIVATE & ~filters.COMMAND, not_text),
            ],
            Step.WHERE: [
                CallbackQueryHandler(choose_kecamatan, pattern=r"^ide:kec:"),
                MessageHandler(PRIVATE & filters.LOCATION, receive_location),
                photo,
                typed,
            ],
            Step.PILLAR: [CallbackQueryHandler(choose_pillar, pattern=r"^ide:pil:"), photo, typed],
            Step.NAME: [CallbackQueryHandler(choose_name, pattern=r"^ide:name:"), photo, typed],
            Step.PUBLIC: [
                CallbackQueryHandler(choose_public, pattern=r"^ide:pub:"),
                photo,
                typed,
            ],
            Step.CONFIRM: [
                CallbackQueryHandler(send, pattern=r"^ide:send:"),
                CallbackQueryHandler(support, pattern=r"^ide:sup:"),
                CallbackQueryHandler(edit, pattern=r"^ide:edit$"),
                CallbackQueryHandler(edit_field, pattern=r"^ide:editf:"),
                CallbackQueryHandler(cancel, pattern=r"^ide:cancel$"),
                photo,
                typed,
            ],
        },
        fallbacks=[
            CommandHandler(["batal", "cancel"], cancel, filters=PRIVATE),
            CommandHandler(["ide", "idea"], start_idea, filters=PRIVATE),
            CallbackQueryHandler(stale_button, pattern=r"^ide:"),
        ],
        name=CONVERSATION_NAME,
        persistent=True,
    )
