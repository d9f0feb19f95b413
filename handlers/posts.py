"""An idea as the public sees it: its post in the public channel and its lines in /jelajah.

:class:`PublicPosts` draws the posts the outbox sends to ``PUBLIC_CHANNEL_ID``, in the default
language. The status line is the status's own name (``status.<status>``), so a new status needs
no text here. Each post carries a "👍 Dukung" link button that opens the bot with
``/start dukung-<CODE>``.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application

from bot.core.i18n import Html
from bot.domain.public import SUPPORT_PREFIX, ShownIdea
from bot.runtime.outbox import PostMessage
from bot.services import services
from handlers.base import Turn, clip, fitted

CAPTION_LIMIT = 1024  # Telegram's longest photo caption
POST_TEXT_LIMIT = 2500


def support_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start={SUPPORT_PREFIX}{code}"


def where(t: Turn, kecamatan: str | None) -> str:
    """The kecamatan's name; never a shared point, which could show where the resident lives."""
    if kecamatan:
        return t.services.catalogue.kecamatan_name(kecamatan)
    return t.services.settings.region_name


def post_text(t: Turn, idea: ShownIdea, room: int) -> str:
    s = idea.submission
    named = Html(t.text("public.post_named", name=idea.name) if idea.name else "")
    return fitted(
        lambda text: t.text(
            "public.post",
            code=s.code,
            status=t.text(f"status.{s.status}"),
            pillar=t.services.catalogue.pillar_name(s.pillar, t.language),
            where=where(t, s.kecamatan),
            text=text,
            named=named,
            supports=idea.supports,
        ),
        clip(idea.text, POST_TEXT_LIMIT),
        room,
    )


class PublicPosts:
    """What the outbox posts in the public channel, in the default language."""

    def __init__(self, application: Application) -> None:
        self._application = application

    def _turn(self) -> Turn:
        found = services(self._application)
        return Turn(services=found, language=found.settings.default_language, user_id=0)

    async def post(self, submission_id: int) -> PostMessage | None:
        t = self._turn()
        idea = await t.services.public.shown(submission_id)
        if idea is None:
            return None
        photos = idea.submission.photo_file_ids
        photo = idea.evidence or (photos[0] if photos else None)
        link = support_link(self._application.bot.username, idea.submission.code or "")
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(t.text("public.support_button"), url=link)]]
        )
        room = CAPTION_LIMIT if photo else 4096
        return PostMessage(photo, post_text(t, idea, room), markup)

    async def withdrawn(self, submission_id: int) -> str:
        t = self._turn()
        found = await t.services.review.submissions([submission_id])
        return t.text("public.withdrawn", code=found[0].code if found else "")
