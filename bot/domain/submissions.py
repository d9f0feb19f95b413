"""The resident's side of a submission: the draft, its steps, sending it, and reading it back.

Knows nothing of Telegram. Sending a submission commits before it returns, so a resident hears
"received" only about what is stored. A draft's changes are staged instead
(:meth:`storage.engine.Database.stage`): they are committed with the next write, at the latest with
the done mark of the update that made them, and a crash before that replays the update. The draft
is the single source of the conversation's data; the step a resident is at follows from what the
draft holds (:func:`next_step`).
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.core.clock import IDLE_LIMIT, Clock, start_of_local_day
from bot.core.config import Settings
from bot.core.i18n import Texts, resolve_language
from bot.domain.drafts import (
    MAX_PHOTOS,
    SKIPPED,
    DraftGone,
    Field,
    Step,
    TextProblem,
    check_text,
    clean_text,
    next_step,
    photos_of,
)
from bot.domain.ideapool import IdeaPool
from bot.tagging import Tagger, TagResult
from storage import queries
from storage.engine import Database
from storage.models import (
    CardIntro,
    DraftBase,
    Status,
    StatusChangePublic,
    Submission,
    SubmissionPublic,
)
from storage.outbox import queue_card, queue_message

PAGE_SIZE = 5
SIMILAR_SHOWN = 3
SIMILAR_POOL = 1000


@dataclass(frozen=True, slots=True)
class Profile:
    """What Telegram tells us about the resident."""

    user_id: int
    first_name: str | None
    username: str | None
    language_code: str | None


@dataclass(frozen=True, slots=True)
class PhotoAdded:
    count: int
    kept: bool


@dataclass(frozen=True, slots=True)
class Sent:
    submission: SubmissionPublic
    already: bool
    announced_to: tuple[int, ...] = ()  # the chats whose announcement of it was queued


@dataclass(frozen=True, slots=True)
class LimitReached:
    limit: int


@dataclass(frozen=True, slots=True)
class Similar:
    """An existing idea that says nearly the same as the resident's draft."""

    submission_id: int
    code: str
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class Page:
    items: list[SubmissionPublic]
    page: int
    pages: int
    total: int


class Submissions:
    """Drafts and submissions of residents."""

    def __init__(
        self,
        *,
        db: Database,
        ideas: IdeaPool,
        tagger: Tagger,
        texts: Texts,
        settings: Settings,
        clock: Clock,
    ) -> None:
        self._db = db
        self._ideas = ideas
        self._tagger = tagger
        self._texts = texts
        self._settings = settings
        self._clock = clock

    # Reading the text -----------------------------------------------------------------------
    # Tagging and the similar-idea search run on the event loop's thread: they are pure Python
    # and take about a millisecond, so a worker thread would not run them beside the loop (the
    # GIL), only add the cost of handing them over.

    async def read(self, text: str) -> TagResult:
        """What a message is (idea, complaint, question, small talk, spam, gibberish, abuse)."""
        return self._tagger.tag(text)

    async def similar(self, user_id: int, text: str) -> list[Similar]:
        """Up to three existing ideas of other residents that say nearly the same as ``text``."""
        pool = await self._ideas.newest(SIMILAR_POOL, exclude_resident=user_id)
        by_id = {str(idea.id): idea for idea in pool}
        found = self._tagger.find_similar(
            text, [(key, idea.text) for key, idea in by_id.items()], limit=SIMILAR_SHOWN
        )
        return [
            Similar(int(key), by_id[key].code, by_id[key].text, score)
            for key, score in found
            if key in by_id
        ]

    async def support(
        self, profile: Profile, submission_id: int
    ) -> tuple[queries.SupportOutcome, str | None]:
        """Count the resident's support for an idea once: what it did, and the idea's code."""
        now = self._clock()

        def add(session: Session) -> tuple[queries.SupportOutcome, str | None]:
            _remember(session, profile, now)
            return queries.add_support(
                session, submission_id=submission_id, resident_id=profile.user_id, now=now
            )

        return await self._db.write(add)

    # Drafts ---------------------------------------------------------------------------------

    async def draft(self, user_id: int) -> DraftBase | None:
        """The resident's draft as last changed (a copy: change it through this service)."""
        staged = self._db.staged(_draft_key(user_id), _NOT_STAGED)
        if staged is _NOT_STAGED:
            return await self._db.quick_read(queries.get_draft, resident_id=user_id)
        return None if staged is None else staged.model_copy()

    async def start(self, user_id: int) -> DraftBase:
        """The resident's draft, created empty if there is none."""
        return await self._update(user_id, lambda draft: None, create=True)

    async def start_with_text(self, user_id: int, text: str) -> DraftBase:
        """A fresh draft holding ``text`` (the resident offered a message outside the flow)."""
        await self.discard(user_id)
        return await self._update(user_id, lambda draft: setattr(draft, "text", text), create=True)

    async def discard(self, user_id: int) -> bool:
        """Drop the resident's draft; whether there was one."""
        existed = await self.draft(user_id) is not None
        self._db.stage(_draft_key(user_id), None, queries.delete_draft, resident_id=user_id)
        return existed

    async def set_text(self, user_id: int, text: str) -> TextProblem | DraftBase:
        """Store the idea's text with the tagger's suggestion, or say what is wrong with it."""
        problem = check_text(text)
        if problem is not None:
            return problem
        suggestion = self._tagger.tag(clean_text(text))
        return await self._update(user_id, lambda draft: _apply_text(draft, text, suggestion))

    async def suggest_for_text(self, user_id: int) -> DraftBase:
        """Tag a draft whose text came from outside the flow."""
        draft = await self.start(user_id)
        if not draft.text or draft.suggested_pillar is not None:
            return draft
        suggestion = self._tagger.tag(draft.text)
        return await self._update(user_id, lambda d: _apply_text(d, d.text or "", suggestion))

    async def add_photo(
        self, user_id: int, *, file_id: str, file_unique_id: str, caption: str | None
    ) -> tuple[PhotoAdded, TextProblem | DraftBase]:
        """Keep a photo (up to three); a caption counts as the idea's text."""

        def add(draft: DraftBase) -> None:
            photos = photos_of(draft)
            if len(photos) < MAX_PHOTOS and all(p[1] != file_unique_id for p in photos):
                photos.append([file_id, file_unique_id])
                draft.photos = json.dumps(photos)

        draft = await self.draft(user_id)
        if draft is None:
            raise DraftGone
        before = len(photos_of(draft))
        draft = await self._update(user_id, add)
        count = len(photos_of(draft))
        added = PhotoAdded(count=count, kept=count > before)
        if caption and caption.strip():
            return added, await self.set_text(user_id, caption)
        return added, draft

    async def set_kecamatan(self, user_id: int, kecamatan: str | None) -> DraftBase:
        """Record the kecamatan, or that the resident skipped the question (``None``)."""

        def apply(draft: DraftBase) -> None:
            draft.kecamatan = kecamatan or SKIPPED
            draft.latitude = draft.longitude = None

        return await self._update(user_id, apply)

    async def set_location(self, user_id: int, latitude: float, longitude: float) -> DraftBase:
        def apply(draft: DraftBase) -> None:
            draft.kecamatan = None
            draft.latitude, draft.longitude = latitude, longitude

        return await self._update(user_id, apply)

    async def set_pillar(self, user_id: int, pillar: str) -> DraftBase:
        return await self._update(user_id, lambda draft: setattr(draft, "pillar", pillar))

    async def set_anonymous(self, user_id: int, anonymous: bool) -> DraftBase:
        return await self._update(user_id, lambda draft: setattr(draft, "anonymous", anonymous))

    async def set_public(self, user_id: int, public: bool) -> DraftBase:
        """Record whether the idea may be shown publicly (the resident's next ideas offer it)."""
        return await self._update(user_id, lambda draft: setattr(draft, "public", public))

    async def clear(self, user_id: int, field: Field) -> DraftBase:
        """Forget one answer so that the conversation asks for it again."""

        def apply(draft: DraftBase) -> None:
            if field is Field.TEXT:
                draft.text = None
            elif field is Field.WHERE:
                draft.kecamatan = draft.latitude = draft.longitude = None
            elif field is Field.PILLAR:
                draft.pillar = None
            elif field is Field.PUBLIC:
                draft.public = None
            else:
                draft.anonymous = None

        return await self._update(user_id, apply)

    async def put_aside_idle(self) -> int:
        """Delete the drafts untouched for :data:`IDLE_LIMIT` and queue a message telling each
        resident, in the same transaction; the number put aside.

        The drafts are in the database, so this holds across restarts (python-telegram-bot's
        conversation timeout is a job in memory, and a restart forgot it).
        """
        now = self._clock()

        def put_aside(session: Session) -> int:
            idle = queries.delete_idle_drafts(session, before=now - IDLE_LIMIT)
            for resident_id, chosen, telegram_language in idle:
                language = resolve_language(
                    chosen, telegram_language, self._settings.default_language
                )
                text = self._texts.get(language, "idea.timeout")
                queue_message(session, chat_id=resident_id, text=text, now=now)
            return len(idle)

        return await self._db.write(put_aside)

    async def _update(
        self, user_id: int, change: Callable[[DraftBase], None], *, create: bool = False
    ) -> DraftBase:
        """Apply ``change`` to the resident's draft; without one, create it when ``create``
        (answering "may it be shown publicly?" as the resident last did), else raise
        :class:`DraftGone`.

        The change is staged, not committed here: it is committed with the next write, at the
        latest the done mark of the update that made it (see :mod:`storage.engine`).
        """
        now = self._clock()
        draft = await self.draft(user_id)
        if draft is None:
            if not create:
                raise DraftGone
            resident = await self._db.quick_read(queries.resident_choices, user_id=user_id)
            draft = DraftBase(
                resident_id=user_id,
                key=uuid.uuid4().hex,
                public=resident.publish_default if resident else None,
                updated_at=now,
            )
        change(draft)
        draft.updated_at = now
        self._db.stage(_draft_key(user_id), draft, queries.save_draft, draft=draft)
        return draft.model_copy()

    # Sending --------------------------------------------------------------------------------

    async def submitted_today(self, user_id: int) -> int:
        since = start_of_local_day(self._clock(), self._settings.timezone)
        return await self._db.quick_read(
            queries.count_submissions_since, resident_id=user_id, since=since
        )

    async def submit(
        self, profile: Profile, *, draft_key: str, language: str
    ) -> Sent | LimitReached | None:
        """Store the draft ``draft_key`` as a submission and drop the draft, in one transaction.

        Sending the same draft again answers with the submission already stored; ``None`` means
        there is no such draft (an old button).
        """
        now = self._clock()
        since = start_of_local_day(now, self._settings.timezone)
        limit = self._settings.max_submissions_per_day

        def send(session: Session) -> Sent | LimitReached | None:
            existing = queries.submission_by_draft_key(session, draft_key=draft_key)
            if existing is not None:
                return (
                    Sent(existing, already=True)
                    if existing.resident_id == profile.user_id
                    else None
                )
            draft = queries.get_draft(session.connection(), resident_id=profile.user_id)
            if draft is None or draft.key != draft_key or next_step(draft) is not Step.CONFIRM:
                return None
            count = queries.count_submissions_since(
                session.connection(), resident_id=profile.user_id, since=since
            )
            if count >= limit:
                return LimitReached(limit)
            _remember(
                session,
                profile,
                now,
                consent=not draft.anonymous,
                publish_default=bool(draft.public),
            )
            submission = Submission(
                draft_key=draft.key,
                resident_id=profile.user_id,
                text=(draft.text or "").strip(),
                pillar=draft.pillar or "",
                suggested_pillar=draft.suggested_pillar or draft.pillar or "",
                confidence=draft.confidence or 0.0,
                reasons=draft.reasons,
                kecamatan=None if draft.kecamatan == SKIPPED else draft.kecamatan,
                latitude=draft.latitude,
                longitude=draft.longitude,
                anonymous=bool(draft.anonymous),
                public=bool(draft.public),
                status=Status.NEW,
                language=language,
                looks_like_complaint=draft.looks_like_complaint,
                created_at=now,
                updated_at=now,
            )
            stored = queries.create_submission(
                session,
                submission=submission,
                photos=[(p[0], p[1]) for p in photos_of(draft)],
                code_prefix=self._settings.code_prefix,
                actor_role="resident",
            )
            queries.delete_draft(session, resident_id=profile.user_id)
            announced_to = tuple(
                self._settings.digest_chat_ids if self._settings.announce_new else ()
            )
            for chat_id in announced_to:
                queue_card(
                    session, chat_id=chat_id, submission_id=stored.id, intro=CardIntro.NEW, now=now
                )
            return Sent(stored, already=False, announced_to=announced_to)

        return await self._db.write(send)

    # Reading back ---------------------------------------------------------------------------

    async def page_of(self, user_id: int, page: int) -> Page:
        """One page of the resident's own submissions, newest first (pages count from 1)."""
        page = max(page, 1)
        items, total = await self._db.read(
            queries.submissions_of_resident,
            resident_id=user_id,
            offset=(page - 1) * PAGE_SIZE,
            limit=PAGE_SIZE,
        )
        pages = max(math.ceil(total / PAGE_SIZE), 1)
        if page > pages:
            return await self.page_of(user_id, pages)
        return Page(items=items, page=page, pages=pages, total=total)

    async def owned(
        self, user_id: int, code: str
    ) -> tuple[SubmissionPublic, list[StatusChangePublic]] | None:
        """One submission with its history, only if ``user_id`` sent it."""

        def load(session: Session):
            found = queries.submission_by_code(session, code=code.strip().upper())
            if found is None or found.resident_id != user_id:
                return None
            return found, queries.history(session, submission_id=found.id)

        return await self._db.read(load)


_NOT_STAGED = object()


def _draft_key(user_id: int) -> tuple[str, int]:
    """What a resident's staged draft is known by in :meth:`Database.stage`."""
    return ("draft", user_id)


def _remember(
    session: Session,
    profile: Profile,
    now: datetime,
    *,
    consent: bool = False,
    publish_default: bool | None = None,
) -> None:
    """Create or refresh the resident from what Telegram says about them (and, at Send, what
    they answered: see :func:`storage.queries.upsert_resident`)."""
    queries.upsert_resident(
        session,
        user_id=profile.user_id,
        first_name=profile.first_name,
        username=profile.username,
        telegram_language=profile.language_code,
        now=now,
        consent=consent,
        publish_default=publish_default,
    )


def _apply_text(draft: DraftBase, text: str, suggestion: TagResult) -> None:
    draft.text = clean_text(text)
    draft.suggested_pillar = suggestion.pillar
    draft.confidence = suggestion.confidence
    draft.reasons = json.dumps(list(suggestion.reasons), ensure_ascii=False)
    draft.candidates = json.dumps(list(suggestion.choices) if suggestion.low_confidence else [])
    draft.looks_like_complaint = suggestion.looks_like_complaint
    draft.pillar = None
