"""What every handler needs: the services, the language of the person, and the text catalogue."""

from __future__ import annotations

import html
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes, ConversationHandler, filters

from bot.core.i18n import MESSAGE_LIMIT
from bot.domain.roles import Role
from bot.domain.submissions import Profile
from bot.services import Services, services
from handlers import keyboards

PRIVATE = filters.ChatType.PRIVATE

# A number as the bot writes it into buttons (an id, a version, a page) and as officers type user
# ids: ASCII digits, at most 18 of them, so it fits the database's 64-bit integers. Anything else
# in their place was not written by the bot.
NUMBER = r"[0-9]{1,18}"


def number(raw: str) -> int | None:
    """``raw`` as a :data:`NUMBER`, or None when it is not one."""
    return int(raw) if re.fullmatch(NUMBER, raw) else None


_TAG = re.compile(r"<[^>]+>")


def shown_length(message: str) -> int:
    """The length Telegram checks an HTML message against: without its tags, an entity as one
    character, in UTF-16 code units."""
    return len(html.unescape(_TAG.sub("", message)).encode("utf-16-le")) // 2


def clip(text: str, length: int) -> str:
    """``text``, or its first ``length - 1`` characters and "…" when it is longer."""
    return text if len(text) <= length else text[: max(length - 1, 0)] + "…"


def fitted(render: Callable[[str], str], text: str, room: int = MESSAGE_LIMIT) -> str:
    """``render(text)``, with the plain ``text`` clipped as far as the message must be to be no
    longer than ``room``. The rest of the message must leave room for a little of ``text``."""
    message = render(text)
    excess = shown_length(message) - room
    return message if excess <= 0 else render(clip(text, len(text) - excess))


@dataclass(frozen=True, slots=True)
class Turn:
    """One update as a handler sees it: who, in which language, with which services."""

    services: Services
    language: str
    user_id: int

    def text(self, key: str, /, **params: object) -> str:
        return self.services.texts.get(self.language, key, **params)


async def turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn:
    """Resolve the services and the language for the user behind ``update``."""
    found = services(context)
    user = update.effective_user
    assert user is not None, "handlers are registered only for updates with a user"
    language = await found.residents.language(user.id, user.language_code)
    return Turn(services=found, language=language, user_id=user.id)


def where_staff_work(update: Update, t: Turn) -> bool:
    """A private chat or the team's group (``DIGEST_CHAT_IDS``); never another group the bot was
    added to, where whatever an officer is shown, everyone there would see."""
    chat = update.effective_chat
    return chat.type == ChatType.PRIVATE or chat.id in t.services.settings.digest_chat_ids


def profile(update: Update) -> Profile:
    user = update.effective_user
    assert user is not None
    return Profile(
        user_id=user.id,
        first_name=user.first_name,
        username=user.username,
        language_code=user.language_code,
    )


def command_argument(context: ContextTypes.DEFAULT_TYPE) -> str:
    """The words after a command, joined (``/status IDE-0001`` → ``IDE-0001``)."""
    return " ".join(context.args or []).strip()


async def cancel_prompt(
    update: Update, t: Turn, drop: Callable[[int, int], Awaitable[object]]
) -> int:
    """Cancel what waits for a staff member's words: take the prompt's buttons away, drop it
    (``drop(chat_id, user_id)``) and say so; the conversation ends."""
    query = update.callback_query
    if query:
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
    await drop(update.effective_chat.id, t.user_id)
    await update.effective_chat.send_message(t.text("review.prompt_cancelled"))
    return ConversationHandler.END


async def _as_unknown(update: Update, t: Turn, role: Role) -> None:
    private = update.effective_chat is not None and update.effective_chat.type == "private"
    query = update.callback_query
    if query is not None:
        if role is Role.REVOKED:
            await query.answer(t.text("officer.revoked"), show_alert=True)
        elif private:
            await query.answer(t.text("idea.stale_button"))
        else:
            await query.answer()
        return
    if private:
        await update.effective_message.reply_text(
            t.text("help.resident"), reply_markup=keyboards.start_idea(t)
        )


async def liaison_turn(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Turn | None:
    """The turn of an SKPD's liaison, in their private chat; ``None`` once anyone else is
    answered as unknown input is."""
    t = await turn(update, context)
    role = await t.services.roles.role(t.user_id)
    if role is Role.LIAISON and update.effective_chat.type == ChatType.PRIVATE:
        return t
    await _as_unknown(update, t, role if role is Role.REVOKED else Role.NONE)
    return None


async def staff_turn(
    update: Update, context: ContextTypes.DEFAULT_TYPE, *, admin: bool = False
) -> Turn | None:
    """The turn of an officer (or admin, when ``admin``); ``None`` once anyone else is answered."""
    t = await turn(update, context)
    if not where_staff_work(update, t):
        await _as_unknown(update, t, Role.NONE)
        return None
    role = await t.services.roles.role(t.user_id)
    if role is Role.ADMIN or (role is Role.OFFICER and not admin):
        return t
    await _as_unknown(update, t, Role.NONE if admin and role.staff else role)
    return None
