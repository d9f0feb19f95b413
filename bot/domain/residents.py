"""Residents as the bot addresses them: above all, in which language."""

from __future__ import annotations

from collections import OrderedDict

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.i18n import resolve_language
from bot.domain.ideapool import IdeaPool
from storage import privacy, public, queries
from storage.engine import Database

# Residents whose language is kept in memory (the most recent; the others are read again).
LANGUAGES_KEPT = 10_000


class Residents:
    """Language choices, remembered in the database and cached in memory."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        ideas: IdeaPool,
        default_language: str,
        public_channel_id: int | None = None,
    ) -> None:
        self._db = db
        self._channel = public_channel_id
        self._ideas = ideas
        self._clock = clock
        self._default = default_language
        self._chosen: OrderedDict[int, str | None] = OrderedDict()

    async def language(self, user_id: int, telegram_code: str | None) -> str:
        """The language to address ``user_id`` in: their choice, else Telegram's, else default."""
        if user_id in self._chosen:
            self._chosen.move_to_end(user_id)
        else:
            resident = await self._db.quick_read(queries.resident_choices, user_id=user_id)
            self._remember(user_id, resident.language if resident else None)
        return resolve_language(self._chosen[user_id], telegram_code, self._default)

    def _remember(self, user_id: int, language: str | None) -> None:
        self._chosen[user_id] = language
        self._chosen.move_to_end(user_id)
        while len(self._chosen) > LANGUAGES_KEPT:
            self._chosen.popitem(last=False)

    async def erase(self, user_id: int) -> privacy.Erased:
        """Erase the resident's personal data; their ideas stay, anonymous and unlinked, and their
        posts in the public channel lose the name (queued with the erasure)."""
        now = self._clock()

        def erase(session: Session) -> privacy.Erased:
            if self._channel is not None:
                public.queue_posts_of_resident(
                    session, resident_id=user_id, channel_id=self._channel, now=now
                )
            return privacy.erase_resident(session, user_id=user_id)

        erased = await self._db.write(erase)
        self._chosen.pop(user_id, None)
        await self._ideas.unlink(user_id)
        return erased

    async def mark_unreachable(self, user_id: int) -> None:
        """Remember that the person blocked the bot (the next message that arrives clears it)."""
        await self._db.write(queries.mark_unreachable, user_id=user_id, now=self._clock())

    async def choose_language(self, user_id: int, language: str) -> None:
        await self._db.write(
            queries.set_language, user_id=user_id, language=language, now=self._clock()
        )
        self._remember(user_id, language)
