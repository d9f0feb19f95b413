"""What each step of the /ide conversation shows: the question, its buttons, the summary."""

from __future__ import annotations

import json

from telegram import InlineKeyboardMarkup, Update

from bot.core.i18n import Html
from bot.domain.drafts import MAX_PHOTOS, MIN_LENGTH, SKIPPED, Step, candidates_of, photos_of
from bot.domain.submissions import Similar
from handlers import keyboards
from handlers.base import Turn
from storage.models import DraftBase

SUMMARY_PREVIEW = 3000


def where_text(
    t: Turn, latitude: float | None, longitude: float | None, kecamatan: str | None
) -> str:
    """Where an idea is for: a shared point, a kecamatan, or nowhere in particular."""
    if latitude is not None and longitude is not None:
        return t.text("idea.where_point", latitude=f"{latitude:.5f}", longitude=f"{longitude:.5f}")
    if kecamatan and kecamatan != SKIPPED:
        return t.services.catalogue.kecamatan_name(kecamatan)
    return t.text("idea.where_none")


def _reason(t: Turn, draft: DraftBase) -> str:
    words = json.loads(draft.reasons or "[]")[:3]
    if not words:
        return t.text("idea.reason_none")
    return t.text("idea.reason_words", words=", ".join(words))


def render(
    t: Turn, update: Update, draft: DraftBase, step: Step, similar: list[Similar]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons of ``step`` for ``draft``; the summary lists ``similar`` ideas."""
    catalogue = t.services.catalogue
    first_name = (update.effective_user.first_name if update.effective_user else None) or "-"
    if step is Step.IDEA:
        return t.text("idea.ask", min=MIN_LENGTH, max_photos=MAX_PHOTOS), None
    if step is Step.WHERE:
        return t.text("idea.ask_where"), keyboards.kecamatan(t, catalogue)
    if step is Step.PILLAR:
        candidates = candidates_of(draft)
        if candidates:
            return t.text("idea.ask_pillar_choice"), keyboards.pillars(t, catalogue, candidates)
        suggested = draft.suggested_pillar or catalogue.pillar_keys[0]
        return (
            t.text(
                "idea.ask_pillar",
                pillar=catalogue.pillar(suggested).name(t.language),
                reason=_reason(t, draft),
            ),
            keyboards.pillar_suggestion(t, suggested),
        )
    if step is Step.NAME:
        return t.text("idea.ask_name", name=first_name), keyboards.name_choice(t)
    if step is Step.PUBLIC:
        return t.text("idea.ask_public"), keyboards.public_choice(t)
    text = draft.text or ""
    if len(text) > SUMMARY_PREVIEW:
        text = text[:SUMMARY_PREVIEW] + "…"
    name = Html(
        t.text("idea.name_anonymous")
        if draft.anonymous
        else t.text("idea.name_public", name=first_name)
    )
    summary = t.text(
        "idea.summary",
        text=text,
        where=where_text(t, draft.latitude, draft.longitude, draft.kecamatan),
        pillar=catalogue.pillar(draft.pillar or "").name(t.language),
        name=name,
        public=Html(t.text("idea.public_yes" if draft.public else "idea.public_no")),
        photos=len(photos_of(draft)),
    )
    if similar:
        items = "\n".join(
            t.text("idea.similar_item", code=item.code, text=_preview(item.text))
            for item in similar
        )
        summary += "\n\n" + t.text("idea.similar", items=Html(items))
    return summary, keyboards.confirm(
        t, draft.key, [(item.submission_id, item.code) for item in similar]
    )


def _preview(text: str, length: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"
