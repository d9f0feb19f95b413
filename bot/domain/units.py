"""The SKPD follow-up: which unit an idea likely belongs to, the liaisons' steps, their open
items, the overdue, each unit's figures and the weekly reminder.

Knows nothing of Telegram. A liaison acts only on ideas with their own unit; every step runs in
one write transaction that re-checks the liaison's unit and the submission's version, records
the step (who, when, unit, words, photos) and queues the message telling the resident, with the
photos. A step pressed twice (or its update handled again after a restart) counts once.

Deadlines: a forwarded idea not acknowledged within ``UNIT_SLA_DAYS`` working days, or in
progress with no step for ``UNIT_PROGRESS_DAYS`` days, is overdue.
"""

from __future__ import annotations

import enum
import json
import math
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.catalogue import Catalogue
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Html, Texts, resolve_language
from bot.domain.review import MAX_WORDS, Conflict, Done, Refused
from bot.domain.roles import liaison_unit
from bot.domain.sla import sla_deadline
from bot.domain.submissions import Profile
from storage import review as review_store
from storage import units as store
from storage.engine import Database
from storage.models import CardIntro, Status, SubmissionPublic
from storage.outbox import queue_card, queue_message
from storage.public import follow_post
from storage.queries import get_resident

TASKS_PAGE_SIZE = 5
MAX_PHOTOS = 5
SUGGESTED = 3


class Step(enum.StrEnum):
    """What a liaison can do on a forwarded idea; the value is the callback data's action."""

    ACKNOWLEDGE = "ack"
    PROGRESS = "prog"
    IMPLEMENTED = "done"
    RETURN = "back"


OPEN = (Status.FORWARDED, Status.IN_PROGRESS)
STEPS: dict[Step, tuple[frozenset[Status], Status]] = {
    Step.ACKNOWLEDGE: (frozenset({Status.FORWARDED}), Status.IN_PROGRESS),
    Step.PROGRESS: (frozenset(OPEN), Status.IN_PROGRESS),
    Step.IMPLEMENTED: (frozenset(OPEN), Status.IMPLEMENTED),
    Step.RETURN: (frozenset(OPEN), Status.ACCEPTED),
}
NEEDS_WORDS = (Step.PROGRESS, Step.IMPLEMENTED, Step.RETURN)
WITH_PHOTOS = (Step.PROGRESS, Step.IMPLEMENTED)


def steps_for(status: Status) -> list[Step]:
    """The buttons a liaison's card in ``status`` offers, in order."""
    return [step for step, (sources, _) in STEPS.items() if status in sources]


def suggest_units(catalogue: Catalogue, submission: SubmissionPublic) -> list[str]:
    """The units most likely to own ``submission``, best first: its words weigh most, then its
    pillar (a unit's first pillar more), then a kecamatan named for the kecamatan offices."""
    text = " " + re.sub(r"[^\w-]+", " ", submission.text.lower()) + " "
    scores: dict[str, float] = {}
    for unit in catalogue.units:
        score = sum(2.0 for word in unit.keywords if f" {word} " in text)
        if submission.pillar in unit.pillars:
            score += 1.5 if unit.pillars[0] == submission.pillar else 0.75
        if unit.key == "kecamatan" and submission.kecamatan:
            score += 0.25
        if score:
            scores[unit.key] = score
    return sorted(scores, key=lambda key: -scores[key])[:SUGGESTED]


# Read models ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Task:
    submission: SubmissionPublic
    forwarded_at: datetime
    last_step_at: datetime
    overdue: bool


@dataclass(frozen=True, slots=True)
class TaskPage:
    unit: str
    items: list[Task]
    page: int
    pages: int
    total: int


@dataclass(frozen=True, slots=True)
class UnitFigures:
    """One SKPD's contribution: what the /skpd list, the digest and the reports show.

    Counts of ``forwarded``, ``acknowledged``, ``implemented`` and ``returned`` are of ideas
    (each once) with that step in the period; ``in_progress``, ``waiting`` (forwarded, not yet
    acknowledged) and ``overdue`` are as they stand now. Median days are from the forward to
    the acknowledgement and to the implementation, of those that happened in the period.
    """

    key: str
    name: str
    short: str
    forwarded: int
    acknowledged: int
    implemented: int
    returned: int
    waiting: int
    in_progress: int
    overdue: int
    median_days_to_acknowledge: float | None
    median_days_to_implement: float | None
    liaisons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Implemented:
    """An innovation an SKPD reported implemented, with its evidence photos."""

    code: str
    unit: str
    at: datetime
    words: str | None
    photo_file_ids: tuple[str, ...]
    photo_captions: tuple[str, ...]


def _kind(step: store.Step) -> str | None:
    """What a recorded step counts as: a forward, an acknowledgement, an implementation, a
    return; ``None`` for a progress report."""
    if step.to_status == Status.FORWARDED:
        return "fwd"
    if step.to_status == Status.IN_PROGRESS:
        return "ack" if step.from_status == Status.FORWARDED else None
    if step.to_status == Status.IMPLEMENTED:
        return "done"
    return "back" if step.to_status == Status.ACCEPTED else None


def _median_days(durations: Sequence[timedelta]) -> float | None:
    if not durations:
        return None
    return round(statistics.median(d.total_seconds() for d in durations) / 86400, 1)


class Units:
    """The liaisons' steps, their tasks, and each unit's figures."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        clock: Clock,
        catalogue: Catalogue,
        texts: Texts,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._catalogue = catalogue
        self._texts = texts

    def suggest(self, submission: SubmissionPublic) -> list[str]:
        return suggest_units(self._catalogue, submission)

    def overdue(self, item: store.OpenItem, now: datetime) -> bool:
        if item.submission.status == Status.FORWARDED:
            zone, days = self._settings.timezone, self._settings.unit_sla_days
            return now > sla_deadline(item.forwarded_at, zone, days)
        return now - item.last_step_at > timedelta(days=self._settings.unit_progress_days)

    # Whose is it --------------------------------------------------------------------------------

    async def may_see(self, user_id: int, submission_id: int) -> bool:
        """Whether ``user_id`` is an active liaison of the unit the submission is with."""

        def check(session: Session) -> bool:
            found = review_store.submission(session, submission_id=submission_id)
            unit = liaison_unit(session, user_id)
            return found is not None and unit is not None and found.unit == unit

        return await self._db.read(check)

    # A liaison's step ---------------------------------------------------------------------------

    async def act(
        self,
        actor: Profile,
        submission_id: int,
        version: int,
        step: Step,
        *,
        words: str | None = None,
        photos: Sequence[tuple[str, str, str | None]] = (),
    ) -> Done | Conflict | Refused:
        """Take ``step`` on the submission as the card at ``version`` showed it."""
        now = self._clock()
        words = (words or "").strip()[:MAX_WORDS] or None
        photos = list(photos)[:MAX_PHOTOS]

        def apply(session: Session) -> Done | Conflict | Refused:
            unit = liaison_unit(session, actor.user_id)
            if unit is None:
                return Refused.NOT_STAFF
            current = review_store.submission(session, submission_id=submission_id)
            if current is None:
                return Refused.GONE
            if current.unit != unit and not self._returned_by(session, current, actor, step):
                return Refused.NOT_YOURS
            review_store.touch_staff(
                session,
                user_id=actor.user_id,
                first_name=actor.first_name,
                username=actor.username,
                now=now,
            )
            if current.version != version:
                changes = review_store.changes_since(
                    session, submission_id=current.id, version=version
                )
                if (
                    len(changes) == 1
                    and changes[0].actor_id == actor.user_id
                    and changes[0].to_status == STEPS[step][1]
                    and (words is None or (changes[0].note or "") == words)
                ):
                    return Done(current)
                names = review_store.staff_names(session, user_ids=[c.actor_id for c in changes])
                return Conflict(changes, names)
            sources, to_status = STEPS[step]
            if current.status not in sources:
                return Refused.NOT_ALLOWED
            if step in NEEDS_WORDS and not words:
                return Refused.EMPTY
            if step is Step.IMPLEMENTED and not photos:
                return Refused.NO_PHOTO
            changed = store.record_step(
                session,
                submission_id=current.id,
                expected_version=current.version,
                to_status=to_status,
                actor_id=actor.user_id,
                actor_role="liaison",
                unit=unit,
                owner=None if step is Step.RETURN else unit,
                now=now,
                note=words,
                photos=photos if step in WITH_PHOTOS else (),
            )
            if changed is None:
                return Conflict(
                    review_store.changes_since(session, submission_id=current.id, version=version)
                )
            if step is Step.RETURN:
                self._tell_team(session, current.id, now)
            notified = self._tell_resident(session, current, step, unit, words, photos, now)
            fresh = review_store.submission(session, submission_id=current.id)
            channel = self._settings.public_channel_id
            follow_post(session, channel_id=channel, submission=fresh, now=now)
            return Done(fresh, notified=notified or step is Step.RETURN)

        return await self._db.write(apply)

    @staticmethod
    def _returned_by(session: Session, current: SubmissionPublic, actor: Profile, step: Step):
        """A return pressed again by the liaison who returned it: the unit is gone by then."""
        if step is not Step.RETURN or current.status != Status.ACCEPTED:
            return False
        last = store.last_unit_change(session, submission_id=current.id)
        return last is not None and last.actor_id == actor.user_id

    def _tell_team(self, session: Session, submission_id: int, now: datetime) -> None:
        """The returned idea's card for the officer who forwarded it and the team's groups."""
        forward = review_store.last_change_to(
            session, submission_id=submission_id, status=Status.FORWARDED
        )
        chats = [forward.actor_id] if forward and forward.actor_id else []
        for chat_id in dict.fromkeys([*chats, *self._settings.digest_chat_ids]):
            queue_card(
                session,
                chat_id=chat_id,
                submission_id=submission_id,
                intro=CardIntro.RETURNED,
                now=now,
            )

    def _tell_resident(
        self,
        session: Session,
        submission: SubmissionPublic,
        step: Step,
        unit: str,
        words: str | None,
        photos: Sequence[tuple[str, str, str | None]],
        now: datetime,
    ) -> bool:
        resident = review_store.resident_of(session, submission_id=submission.id)
        if resident is None:
            return False
        language = resolve_language(
            resident.language, resident.telegram_language, submission.language
        )
        text = self._texts.get(
            language,
            f"units.notify_{step}",
            code=submission.code,
            unit=self._catalogue.unit_name(unit),
            words=words or "",
        )
        queue_message(
            session,
            chat_id=resident.id,
            text=text,
            now=now,
            photos=[file_id for file_id, _, _ in photos] if step in WITH_PHOTOS else [],
        )
        return True

    # Words and photos being written -------------------------------------------------------------

    async def start(
        self, chat_id: int, user_id: int, step: Step, submission_id: int, version: int
    ) -> str | None:
        """Remember the step waiting for the liaison's words; the idea's code, or ``None`` if it
        is not theirs."""
        now = self._clock()

        def begin(session: Session) -> str | None:
            unit = liaison_unit(session, user_id)
            found = review_store.submission(session, submission_id=submission_id)
            if unit is None or found is None or found.unit != unit:
                return None
            store.set_prompt(
                session,
                chat_id=chat_id,
                user_id=user_id,
                action=str(step),
                submission_id=submission_id,
                version=version,
                unit=unit,
                now=now,
            )
            return found.code

        return await self._db.write(begin)

    async def prompt(self, chat_id: int, user_id: int) -> store.UnitPrompt | None:
        return await self._db.read(store.prompt, chat_id=chat_id, user_id=user_id)

    async def add(
        self,
        chat_id: int,
        user_id: int,
        *,
        words: str | None = None,
        photo: tuple[str, str, str | None] | None = None,
    ) -> store.UnitPrompt | None:
        """Keep the liaison's words or one more photo for the waiting step."""
        return await self._db.write(
            store.add_to_prompt,
            chat_id=chat_id,
            user_id=user_id,
            words=(words or "").strip()[:MAX_WORDS] or None,
            photo=photo,
            max_photos=MAX_PHOTOS,
            now=self._clock(),
        )

    async def finish(self, actor: Profile, chat_id: int) -> Done | Conflict | Refused | None:
        """Take the waiting step with what was written; ``None`` if none waits."""
        waiting = await self.prompt(chat_id, actor.user_id)
        if waiting is None:
            return None
        photos = [tuple(p) for p in json.loads(waiting.photos)]
        words = waiting.words or next((p[2] for p in photos if p[2]), None)
        result = await self.act(
            actor,
            waiting.submission_id,
            waiting.version,
            Step(waiting.action),
            words=words,
            photos=photos,
        )
        if result not in (Refused.EMPTY, Refused.NO_PHOTO):
            await self.drop(chat_id, actor.user_id)
        return result

    async def drop(self, chat_id: int, user_id: int) -> None:
        await self._db.write(store.drop_prompt, chat_id=chat_id, user_id=user_id)

    # Lists and figures --------------------------------------------------------------------------

    async def tasks(self, user_id: int, page: int) -> TaskPage | None:
        """One page of the liaison's open items, oldest forward first; ``None`` for anyone who
        is not a liaison."""

        def load(session: Session):
            unit = liaison_unit(session, user_id)
            return None if unit is None else (unit, store.open_items(session, unit=unit))

        loaded = await self._db.read(load)
        if loaded is None:
            return None
        unit, items = loaded
        pages = max(math.ceil(len(items) / TASKS_PAGE_SIZE), 1)
        page = min(max(page, 1), pages)
        now = self._clock()
        shown = items[(page - 1) * TASKS_PAGE_SIZE : page * TASKS_PAGE_SIZE]
        return TaskPage(
            unit=unit,
            items=[self._task(item, now) for item in shown],
            page=page,
            pages=pages,
            total=len(items),
        )

    def _task(self, item: store.OpenItem, now: datetime) -> Task:
        return Task(item.submission, item.forwarded_at, item.last_step_at, self.overdue(item, now))

    async def figures(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[UnitFigures]:
        """Every unit of the catalogue (and any unit stored that it no longer has), with its
        figures for ``[start, end)`` (all time when not given)."""

        def load(session: Session):
            return (
                store.unit_steps(session, end=end),
                store.open_items(session),
                store.active_liaisons(session),
            )

        steps, items, liaisons = await self._db.read(load)
        now = self._clock()
        keys = list(dict.fromkeys([u.key for u in self._catalogue.units] + [s.unit for s in steps]))
        return [self._figures(key, steps, items, liaisons, start, now) for key in keys]

    def _figures(self, key, steps, items, liaisons, start, now) -> UnitFigures:
        def in_period(step: store.Step) -> bool:
            return start is None or step.at >= start

        mine = [step for step in steps if step.unit == key]
        ideas: dict[str, set[int]] = {kind: set() for kind in ("fwd", "ack", "done", "back")}
        for step in filter(in_period, mine):
            kind = _kind(step)
            if kind is not None:
                ideas[kind].add(step.submission_id)
        to_ack, to_done, forwarded_at = [], [], {}
        for step in mine:
            if step.to_status == Status.FORWARDED:
                forwarded_at[step.submission_id] = step.at
                continue
            since = forwarded_at.get(step.submission_id)
            if since is None or not in_period(step):
                continue
            if _kind(step) == "ack":
                to_ack.append(step.at - since)
            elif _kind(step) == "done":
                to_done.append(step.at - since)
        open_here = [item for item in items if item.submission.unit == key]
        unit = self._catalogue.unit(key)
        return UnitFigures(
            key=key,
            name=unit.name if unit else key,
            short=unit.short if unit else key,
            forwarded=len(ideas["fwd"]),
            acknowledged=len(ideas["ack"]),
            implemented=len(ideas["done"]),
            returned=len(ideas["back"]),
            waiting=sum(1 for i in open_here if i.submission.status == Status.FORWARDED),
            in_progress=sum(1 for i in open_here if i.submission.status == Status.IN_PROGRESS),
            overdue=sum(1 for i in open_here if self.overdue(i, now)),
            median_days_to_acknowledge=_median_days(to_ack),
            median_days_to_implement=_median_days(to_done),
            liaisons=tuple(
                entry.name or entry.username or str(entry.user_id)
                for entry in liaisons
                if entry.unit == key
            ),
        )

    async def implemented(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[Implemented]:
        """The innovations SKPD reported implemented in ``[start, end)``, with their evidence."""
        rows = await self._db.read(store.implemented_evidence, start=start, end=end)
        return [
            Implemented(
                code=step.code,
                unit=step.unit,
                at=step.at,
                words=step.note,
                photo_file_ids=tuple(p.file_id for p in photos),
                photo_captions=tuple(p.caption or "" for p in photos),
            )
            for step, photos in rows
        ]

    # The weekly reminder ------------------------------------------------------------------------

    async def remind(self) -> int:
        """Queue, once a week (from Monday 00:00 in ``TIMEZONE``), each liaison's list of open
        items (overdue marked) in their private chat; how many were queued."""
        now = self._clock()
        local = now.astimezone(self._settings.timezone)
        week = (local - timedelta(days=local.weekday())).replace(
            hour=0, minute=0, second=0, microsecond=0
        )

        def queue(session: Session) -> int:
            items = store.open_items(session)
            queued = 0
            for liaison in store.active_liaisons(session):
                tasks = [
                    self._task(item, now) for item in items if item.submission.unit == liaison.unit
                ]
                if not tasks:
                    continue
                if not store.claim_reminder(session, user_id=liaison.user_id, week=week, now=now):
                    continue
                resident = get_resident(session, user_id=liaison.user_id)
                language = resolve_language(
                    resident.language if resident else None,
                    resident.telegram_language if resident else None,
                    self._settings.default_language,
                )
                queue_message(
                    session,
                    chat_id=liaison.user_id,
                    text=self.reminder_text(language, liaison.unit, tasks),
                    now=now,
                )
                queued += 1
            return queued

        return await self._db.write(queue)

    def reminder_text(self, language: str, unit: str, tasks: list[Task]) -> str:
        lines = [
            self._texts.get(
                language,
                "units.reminder_item_overdue" if task.overdue else "units.reminder_item",
                code=task.submission.code,
                status=self._texts.get(language, f"status.{task.submission.status}"),
                date=self._texts.date(language, task.forwarded_at),
            )
            for task in tasks
        ]
        overdue = sum(1 for task in tasks if task.overdue)
        return self._texts.get(
            language,
            "units.reminder",
            unit=self._catalogue.unit_name(unit),
            count=len(tasks),
            overdue=overdue,
            items=Html("\n".join(lines)),
        )
