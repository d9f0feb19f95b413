"""What the public sees of the ideas: the channel's posts, supports by link, browsing.

Knows nothing of Telegram. An idea is shown only when its resident agreed to publish it, and
only from the moment the team accepts it (:data:`storage.public.SHOWN`) until an officer
withdraws it. Its post in ``PUBLIC_CHANNEL_ID`` is kept in step through the outbox: every change
that could alter it queues an update, in the change's transaction, and the outbox draws the post
as the idea stands when it sends (:mod:`bot.runtime.outbox`).
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.domain.digest.text import BLANK, without_contacts
from bot.domain.roles import role_in
from bot.domain.submissions import Profile
from storage import public as store
from storage import queries
from storage.engine import Database
from storage.models import SubmissionPublic
from storage.outbox import queue_post
from storage.queries import SupportOutcome

BROWSE_PAGE_SIZE = 5
SUPPORT_PREFIX = "dukung-"
SHORTEST_NAME_BLANKED = 3


def anonymised(text: str, sender: tuple[str, ...]) -> str:
    """``text`` with phone numbers, e-mail addresses and @-names blanked, and whatever names the
    sender (their first name and its words, their username, their Telegram id)."""
    text = without_contacts(text)
    words = {part for part in sender for part in (part, *part.split())}
    words = {word for word in words if len(word) >= SHORTEST_NAME_BLANKED}
    for word in sorted(words, key=len, reverse=True):
        text = re.sub(rf"(?<!\w)@?{re.escape(word)}(?!\w)", BLANK, text, flags=re.IGNORECASE)
    return text


@dataclass(frozen=True, slots=True)
class ShownIdea:
    """A shown idea as the public sees it: contact details in its text blanked."""

    submission: SubmissionPublic
    text: str
    supports: int
    name: str | None
    evidence: str | None = None  # an implemented idea's evidence photo (file id)


@dataclass(frozen=True, slots=True)
class Supported:
    outcome: SupportOutcome
    code: str | None
    supports: int


@dataclass(frozen=True, slots=True)
class BrowsePage:
    items: list[ShownIdea]
    page: int
    pages: int
    total: int


def is_shown(submission: SubmissionPublic) -> bool:
    """Whether the idea is shown publicly now."""
    return (
        submission.public
        and submission.public_hidden_at is None
        and submission.status in store.SHOWN
    )


class Hidden(enum.StrEnum):
    DONE = "done"
    NOT_STAFF = "not_staff"
    GONE = "gone"


class Public:
    """The public channel's posts, supports by link, and /jelajah."""

    def __init__(self, *, db: Database, settings: Settings, clock: Clock) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock

    @property
    def channel(self) -> int | None:
        return self._settings.public_channel_id

    async def shown(self, submission_id: int) -> ShownIdea | None:
        """The idea as its post shows it, or ``None`` when it is not shown."""
        found = await self._db.read(store.shown, submission_id=submission_id)
        if found is None:
            return None
        # A named idea shows the name anyway; an anonymous one hides it in the text too.
        sender = () if found.name else found.sender
        text = anonymised(found.submission.text, sender)
        return ShownIdea(found.submission, text, found.supports, found.name, found.evidence)

    async def support(self, profile: Profile, payload: str) -> Supported:
        """Count the resident's support for the shown idea a link names (``dukung-IDE-0012``),
        once; its post then shows the new count."""
        code = payload.removeprefix(SUPPORT_PREFIX).strip().upper()
        now = self._clock()

        def add(session: Session) -> Supported:
            submission_id = store.shown_by_code(session, code=code)
            if submission_id is None:
                return Supported(SupportOutcome.MISSING, None, 0)
            queries.upsert_resident(
                session,
                user_id=profile.user_id,
                first_name=profile.first_name,
                username=profile.username,
                telegram_language=profile.language_code,
                now=now,
            )
            outcome, found = queries.add_support(
                session, submission_id=submission_id, resident_id=profile.user_id, now=now
            )
            if outcome is SupportOutcome.ADDED and self.channel is not None:
                queue_post(session, chat_id=self.channel, submission_id=submission_id, now=now)
            session.flush()
            supports = queries.support_count(session, submission_id=submission_id)
            return Supported(outcome, found, supports)

        return await self._db.write(add)

    async def support_by_id(self, profile: Profile, submission_id: int) -> Supported:
        """Count a support pressed on /jelajah's list (the idea must still be shown)."""
        found = await self._db.read(store.shown, submission_id=submission_id)
        if found is None:
            return Supported(SupportOutcome.MISSING, None, 0)
        return await self.support(profile, found.submission.code or "")

    async def hide(self, actor: Profile, submission_id: int) -> Hidden:
        """Withdraw the idea from public view: its post goes, it leaves /jelajah and open data."""
        now = self._clock()

        def apply(session: Session) -> Hidden:
            if not role_in(session, self._settings, actor.user_id).staff:
                return Hidden.NOT_STAFF
            if store.hide(session, submission_id=submission_id, now=now) is None:
                return Hidden.GONE
            if self.channel is not None:
                queue_post(session, chat_id=self.channel, submission_id=submission_id, now=now)
            return Hidden.DONE

        return await self._db.write(apply)

    # Browsing -----------------------------------------------------------------------------------

    async def own_kecamatan(self, user_id: int) -> str | None:
        """The kecamatan of the resident's last idea, offered first when filtering."""
        return await self._db.read(store.last_kecamatan, resident_id=user_id)

    async def browse(
        self, *, kecamatan: str | None, pillar: str | None, newest: bool, page: int
    ) -> BrowsePage:
        """One page of shown ideas, most supported first or newest (pages count from 1)."""
        page = max(page, 1)
        rows, total = await self._db.read(
            store.browse,
            kecamatan=kecamatan,
            pillar=pillar,
            newest=newest,
            offset=(page - 1) * BROWSE_PAGE_SIZE,
            limit=BROWSE_PAGE_SIZE,
        )
        pages = max(math.ceil(total / BROWSE_PAGE_SIZE), 1)
        if page > pages:  # an old button, pressed after ideas were withdrawn
            return await self.browse(kecamatan=kecamatan, pillar=pillar, newest=newest, page=pages)
        items = [
            ShownIdea(
                row.submission, anonymised(row.submission.text, row.sender), row.supports, None
            )
            for row in rows
        ]
        return BrowsePage(items=items, page=page, pages=pages, total=total)
