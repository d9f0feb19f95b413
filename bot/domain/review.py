"""The review desk's service: the queue, a submission's card, and officers' actions.

Knows nothing of Telegram. Each action runs in one write transaction that re-checks the actor's
role and the submission's version (optimistic concurrency): a card drawn at version 3 can only
change a submission still at version 3, else the action is refused with what changed since.

The queue holds what waits for an officer: ``new`` and ``in_review``. A ``needs_info``
submission waits for its resident, so it leaves the queue until they answer (it is back
``in_review`` then). How long a submission has waited counts from when it was received.
"""

from __future__ import annotations

import asyncio
import enum
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.catalogue import Catalogue
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Texts, resolve_language
from bot.domain.ideapool import IdeaPool
from bot.domain.roles import role_in
from bot.domain.sla import sla_deadline
from bot.domain.submissions import Profile
from bot.tagging import Tagger
from storage import review as store
from storage import units as unit_store
from storage.engine import Database
from storage.models import CardIntro, Status, StatusChangePublic, SubmissionPublic
from storage.outbox import Buttons, queue_card, queue_message
from storage.public import follow_post
from storage.queries import (
    history,
    submission_by_code,
    support_count,
)

WAITING = (Status.NEW, Status.IN_REVIEW)
QUEUE_PAGE_SIZE = 5
DUPLICATE_CANDIDATES = 200
MAX_WORDS = 1000


class Action(enum.StrEnum):
    """What an officer can do on a card; the value is the callback data's action."""

    TAKE = "take"
    ACCEPT = "accept"
    REJECT = "reject"
    ASK = "ask"
    DUPLICATE = "dup"
    PILLAR = "pillar"
    NOTE = "note"
    FORWARD = "fwd"  # to an SKPD, with an optional note
    IMPLEMENT = "impl"


# Status changes: the statuses an action may start from, and where it leads.
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.TAKE: (frozenset({Status.NEW, Status.NEEDS_INFO}), Status.IN_REVIEW),
    Action.ACCEPT: (frozenset({Status.NEW, Status.IN_REVIEW}), Status.ACCEPTED),
    Action.REJECT: (
        frozenset({Status.NEW, Status.IN_REVIEW, Status.NEEDS_INFO}),
        Status.REJECTED,
    ),
    Action.ASK: (frozenset({Status.NEW, Status.IN_REVIEW}), Status.NEEDS_INFO),
    Action.DUPLICATE: (
        frozenset({Status.NEW, Status.IN_REVIEW, Status.NEEDS_INFO}),
        Status.DUPLICATE,
    ),
    Action.FORWARD: (frozenset({Status.ACCEPTED}), Status.FORWARDED),
    Action.IMPLEMENT: (frozenset({Status.ACCEPTED}), Status.IMPLEMENTED),
}
# Actions that need words from the officer: a reason, a question, a note, the other code.
NEEDS_WORDS = (Action.REJECT, Action.ASK, Action.DUPLICATE, Action.NOTE)
# Actions whose words may come from a standard template (in the resident's language).
TEMPLATES = {Action.REJECT: ("scope", "planned", "unclear"), Action.ASK: ("place", "photo", "more")}


def actions_for(status: Status) -> list[Action]:
    """The buttons a card in ``status`` offers, in order."""
    allowed = [action for action, (sources, _) in TRANSITIONS.items() if status in sources]
    return [*allowed, Action.PILLAR, Action.NOTE]


# Working days -----------------------------------------------------------------------------------


# Read models ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    submission: SubmissionPublic
    waited: timedelta
    overdue: bool


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: list[Waiting]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class Card:
    """Everything an officer's card shows. ``resident_name`` is set only with the consent."""

    submission: SubmissionPublic
    changes: list[StatusChangePublic]
    notes: list[store.ReviewNotePublic]
    names: dict[int, str]
    resident_name: str | None
    supports: int
    similar: list[tuple[str, float]]  # (code, score) of likely duplicates
    waited: timedelta
    overdue: bool


@dataclass(frozen=True, slots=True)
class Done:
    """The change is stored; ``notified`` says a message (to the resident, or the idea's public
    post) was queued with it; ``liaisons`` how many liaisons of the SKPD a forward was sent to."""

    submission: SubmissionPublic
    notified: bool = False
    liaisons: int | None = None


@dataclass(frozen=True, slots=True)
class Conflict:
    """The card was out of date: what changed since it was drawn, and by whom."""

    changes: list[StatusChangePublic]
    names: dict[int, str] = field(default_factory=dict)


class Refused(enum.StrEnum):
    NOT_STAFF = "not_staff"
    GONE = "gone"
    NOT_ALLOWED = "not_allowed"  # the action does not apply to the current status
    BAD_PILLAR = "bad_pillar"
    BAD_CODE = "bad_code"  # the duplicate's original is unknown or the submission itself
    BAD_UNIT = "bad_unit"  # the SKPD is not in the catalogue
    EMPTY = "empty"
    NOT_YOURS = "not_yours"  # a liaison's button on another SKPD's idea
    NO_PHOTO = "no_photo"  # implemented needs at least one photo as evidence


class Review:
    """The queue, the cards and the actions."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        clock: Clock,
        catalogue: Catalogue,
        tagger: Tagger,
        texts: Texts,
        ideas: IdeaPool,
        answer_button: Callable[[int], str],
    ) -> None:
        """``answer_button`` gives the data of the button a resident presses to answer an
        officer's question about a submission (the handlers own that format)."""
        self._db = db
        self._answer_button = answer_button
        self._ideas = ideas
        self._settings = settings
        self._clock = clock
        self._catalogue = catalogue
        self._tagger = tagger
        self._texts = texts

    def _overdue(self, submission: SubmissionPublic, now: datetime) -> bool:
        if submission.status not in WAITING:
            return False
        zone, days = self._settings.timezone, self._settings.review_sla_days
        return now > sla_deadline(submission.created_at, zone, days)

    # Reading ------------------------------------------------------------------------------------

    async def queue(self, page: int) -> QueuePage:
        """One page of waiting submissions, oldest first (pages count from 1)."""
        page = max(page, 1)
        items, total = await self._db.read(
            store.waiting,
            statuses=WAITING,
            offset=(page - 1) * QUEUE_PAGE_SIZE,
            limit=QUEUE_PAGE_SIZE,
        )
        pages = max(math.ceil(total / QUEUE_PAGE_SIZE), 1)
        if page > pages:  # an old button, pressed after the queue shrank
            return await self.queue(pages)
        now = self._clock()
        return QueuePage(
            items=[Waiting(s, now - s.created_at, self._overdue(s, now)) for s in items],
            page=page,
            pages=pages,
            total=total,
        )

    async def find(self, code: str) -> int | None:
        found = await self._db.read(submission_by_code, code=code.strip().upper())
        return None if found is None else found.id

    async def submissions(self, submission_ids: list[int]) -> list[SubmissionPublic]:
        """The submissions with these ids, oldest first: what a list of new ideas names."""
        return await self._db.read(store.submissions, submission_ids=submission_ids)

    async def card(self, submission_id: int) -> Card | None:
        def load(session: Session):
            found = store.submission(session, submission_id=submission_id)
            if found is None:
                return None
            changes = history(session, submission_id=submission_id)
            notes = store.notes(session, submission_id=submission_id)
            names = store.staff_names(
                session,
                user_ids=[c.actor_id for c in changes if c.actor_role != "resident"]
                + [n.author_id for n in notes],
            )
            resident = store.resident_of(session, submission_id=submission_id)
            named = not found.anonymous and resident and resident.consent_named_at is not None
            return (
                found,
                changes,
                notes,
                names,
                resident.first_name if named else None,
                support_count(session, submission_id=submission_id),
            )

        loaded = await self._db.read(load)
        if loaded is None:
            return None
        found, changes, notes, names, resident_name, supports = loaded
        others = [
            (code, text)
            for other_id, code, text, _ in await self._ideas.newest(DUPLICATE_CANDIDATES)
            if other_id != submission_id
        ]
        similar = await asyncio.to_thread(self._tagger.find_similar, found.text, others)
        now = self._clock()
        return Card(
            submission=found,
            changes=changes,
            notes=notes,
            names=names,
            resident_name=resident_name,
            supports=supports,
            similar=similar,
            waited=now - found.created_at,
            overdue=self._overdue(found, now),
        )

    # Acting -------------------------------------------------------------------------------------

    async def act(
        self,
        actor: Profile,
        submission_id: int,
        version: int,
        action: Action,
        *,
        words: str | None = None,
        template: str | None = None,
        pillar: str | None = None,
        unit: str | None = None,
    ) -> Done | Conflict | Refused:
        """Apply ``action`` to the submission as the card at ``version`` showed it.

        ``words`` are the officer's own; ``template`` names a standard text, which the resident
        reads in their own language. For a duplicate, ``words`` is the original's code; a
        forward goes to ``unit``.
        """
        now = self._clock()
        words = (words or "").strip()[:MAX_WORDS] or None

        def apply(session: Session) -> Done | Conflict | Refused:
            if not role_in(session, self._settings, actor.user_id).staff:
                return Refused.NOT_STAFF
            store.touch_staff(
                session,
                user_id=actor.user_id,
                first_name=actor.first_name,
                username=actor.username,
                now=now,
            )
            current = store.submission(session, submission_id=submission_id)
            if current is None:
                return Refused.GONE
            if action is Action.NOTE:
                if not words:
                    return Refused.EMPTY
                store.add_note(
                    session,
                    submission_id=submission_id,
                    author_id=actor.user_id,
                    text=words,
                    now=now,
                )
                return Done(current)
            if current.version != version:
                if self._already_done(session, current.id, version, actor, action, words, pillar):
                    return Done(current)
                return self._conflict(session, submission_id, version)
            if action is Action.FORWARD:
                return self._forward(session, current, actor, unit, words, now)
            return self._change(session, current, actor, action, words, template, pillar, now)

        return await self._db.write(apply)

    def _forward(
        self,
        session: Session,
        current: SubmissionPublic,
        actor: Profile,
        unit: str | None,
        words: str | None,
        now: datetime,
    ) -> Done | Conflict | Refused:
        """Hand an accepted idea to ``unit``: its liaisons get the card, the resident is told."""
        found = self._catalogue.unit(unit or "")
        if found is None:
            return Refused.BAD_UNIT
        if current.status not in TRANSITIONS[Action.FORWARD][0]:
            return Refused.NOT_ALLOWED
        step = unit_store.record_step(
            session,
            submission_id=current.id,
            expected_version=current.version,
            to_status=Status.FORWARDED,
            actor_id=actor.user_id,
            actor_role="officer",
            unit=found.key,
            owner=found.key,
            now=now,
            note=words,
        )
        if step is None:
            return self._conflict(session, current.id, current.version)
        liaisons = unit_store.active_liaisons(session, unit=found.key)
        for liaison in liaisons:
            queue_card(
                session,
                chat_id=liaison.user_id,
                submission_id=current.id,
                intro=CardIntro.FORWARD,
                now=now,
            )
        fresh = store.submission(session, submission_id=current.id)
        channel = self._settings.public_channel_id
        follow_post(session, channel_id=channel, submission=fresh, now=now)
        resident = store.resident_of(session, submission_id=current.id)
        if resident is not None:
            language = resolve_language(
                resident.language, resident.telegram_language, current.language
            )
            text = self._texts.get(
                language, "units.notify_forwarded", code=current.code, unit=found.name
            )
            queue_message(session, chat_id=resident.id, text=text, now=now)
        return Done(fresh, notified=resident is not None or bool(liaisons), liaisons=len(liaisons))

    def _already_done(
        self,
        session: Session,
        submission_id: int,
        version: int,
        actor: Profile,
        action: Action,
        words: str | None,
        pillar: str | None,
    ) -> bool:
        """Whether the one change since ``version`` is this very action by this officer: the same
        button pressed twice, or its update handled again after a restart."""
        changes = store.changes_since(session, submission_id=submission_id, version=version)
        if len(changes) != 1 or changes[0].actor_id != actor.user_id:
            return False
        change = changes[0]
        if action is Action.PILLAR:
            return change.to_pillar is not None and change.to_pillar == pillar
        if change.to_pillar is not None or change.to_status != TRANSITIONS[action][1]:
            return False
        # Words typed again must be the same words; a standard text is the same by its button.
        return words is None or (change.note or "").casefold() == words.casefold()

    def _conflict(self, session: Session, submission_id: int, version: int) -> Conflict:
        changes = store.changes_since(session, submission_id=submission_id, version=version)
        names = store.staff_names(session, user_ids=[c.actor_id for c in changes])
        return Conflict(changes, names)

    def _change(
        self,
        session: Session,
        current: SubmissionPublic,
        actor: Profile,
        action: Action,
        words: str | None,
        template: str | None,
        pillar: str | None,
        now: datetime,
    ) -> Done | Conflict | Refused:
        resident = store.resident_of(session, submission_id=current.id)
        language = resolve_language(
            resident.language if resident else None,
            resident.telegram_language if resident else None,
            current.language,
        )
        to_status, to_pillar, other_code = current.status, None, None
        if action is Action.PILLAR:
            if pillar not in self._catalogue.pillar_keys or pillar == current.pillar:
                return Refused.BAD_PILLAR
            to_pillar = pillar
        else:
            sources, to_status = TRANSITIONS[action]
            if current.status not in sources:
                return Refused.NOT_ALLOWED
        if action is Action.DUPLICATE:
            original = submission_by_code(session, code=(words or "").upper())
            if original is None or original.id == current.id:
                return Refused.BAD_CODE
            words = other_code = original.code
        elif template is not None:
            if template not in TEMPLATES.get(action, ()):
                return Refused.EMPTY
            words = self._texts.get(language, f"review.template_{action}_{template}")
        if action in NEEDS_WORDS and not words:
            return Refused.EMPTY
        changed = store.change(
            session,
            submission_id=current.id,
            expected_version=current.version,
            to_status=to_status,
            actor_id=actor.user_id,
            actor_role="officer",
            now=now,
            note=words,
            to_pillar=to_pillar,
        )
        if not changed:
            return self._conflict(session, current.id, current.version)
        fresh = store.submission(session, submission_id=current.id)
        channel = self._settings.public_channel_id
        posted = follow_post(session, channel_id=channel, submission=fresh, now=now)
        if resident is None:
            return Done(fresh, notified=posted)
        text, buttons = self._notice(language, action, current, words, to_pillar, other_code)
        queue_message(session, chat_id=resident.id, text=text, buttons=buttons, now=now)
        return Done(fresh, notified=True)

    def _notice(
        self,
        language: str,
        action: Action,
        submission: SubmissionPublic,
        words: str | None,
        pillar: str | None,
        other_code: str | None,
    ) -> tuple[str, Buttons]:
        """The message telling the resident about a change, in their language."""
        params = {"code": submission.code, "words": words or "", "other": other_code or ""}
        if pillar:
            params["pillar"] = self._catalogue.pillar_name(pillar, language)
        buttons: Buttons = []
        if action is Action.ASK:
            label = self._texts.get(language, "review.answer_button")
            buttons = [[(label, self._answer_button(submission.id))]]
        return self._texts.get(language, f"review.notify_{action}", **params), buttons
