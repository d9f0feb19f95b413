"""Queries of the SKPD follow-up: liaisons, the steps of a forwarded idea and their photos, the
liaisons' words being written, and the weekly reminders.

Same habits as :mod:`storage.review`. Which step is allowed and who may take it is decided in
:mod:`bot.domain.units`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, delete, select

from storage import review
from storage.models import (
    Liaison,
    LiaisonReminder,
    Staff,
    Status,
    StatusChange,
    StatusChangePublic,
    StepPhoto,
    Submission,
    SubmissionPublic,
    UnitPrompt,
)

OPEN = (Status.FORWARDED, Status.IN_PROGRESS)


@dataclass(frozen=True, slots=True)
class LiaisonEntry:
    user_id: int
    unit: str
    name: str | None
    username: str | None
    added_at: datetime


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An idea with an SKPD: when it was last forwarded there and when it last moved."""

    submission: SubmissionPublic
    forwarded_at: datetime
    last_step_at: datetime


@dataclass(frozen=True, slots=True)
class Step:
    """One recorded step with an SKPD, for the figures and the evidence report."""

    submission_id: int
    code: str
    unit: str
    from_status: Status | None
    to_status: Status
    note: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Evidence:
    file_id: str
    caption: str | None


# Liaisons ---------------------------------------------------------------------------------------


def liaison(session: Session, *, user_id: int) -> Liaison | None:
    found = session.get(Liaison, user_id)
    return None if found is None else Liaison.model_validate(found)


def appoint_liaison(
    session: Session, *, user_id: int, unit: str, added_by: int | None, now: datetime
) -> None:
    """Make ``user_id`` the liaison of ``unit`` (again, if they had been revoked)."""
    found = session.get(Liaison, user_id) or Liaison(user_id=user_id, unit=unit, added_at=now)
    found.unit, found.added_by, found.added_at = unit, added_by, now
    found.revoked_at = found.revoked_by = None
    session.add(found)


def revoke_liaison(session: Session, *, user_id: int, by: int, now: datetime) -> bool:
    found = session.get(Liaison, user_id)
    if found is None or found.revoked_at is not None:
        return False
    found.revoked_at, found.revoked_by = now, by
    session.add(found)
    return True


def active_liaisons(session: Session, *, unit: str | None = None) -> list[LiaisonEntry]:
    """Active liaisons (of ``unit``, or all), by unit and then earliest appointed first."""
    query = (
        select(Liaison, Staff)
        .join(Staff, col(Staff.id) == col(Liaison.user_id), isouter=True)
        .where(col(Liaison.revoked_at).is_(None))
        .order_by(col(Liaison.unit), col(Liaison.added_at))
    )
    if unit is not None:
        query = query.where(Liaison.unit == unit)
    return [
        LiaisonEntry(
            user_id=row.user_id,
            unit=row.unit,
            name=staff.first_name if staff else None,
            username=staff.username if staff else None,
            added_at=row.added_at,
        )
        for row, staff in session.exec(query).all()
    ]


# Steps ------------------------------------------------------------------------------------------


def record_step(
    session: Session,
    *,
    submission_id: int,
    expected_version: int,
    to_status: Status,
    actor_id: int,
    actor_role: str,
    unit: str,
    owner: str | None,
    now: datetime,
    note: str | None = None,
    photos: Iterable[tuple[str, str, str | None]] = (),
) -> int | None:
    """Record a step taken with ``unit`` and its photos; the submission is with ``owner``
    afterwards. The step's id, or ``None`` if the submission moved past ``expected_version``."""
    if not review.change(
        session,
        submission_id=submission_id,
        expected_version=expected_version,
        to_status=to_status,
        actor_id=actor_id,
        actor_role=actor_role,
        now=now,
        note=note,
        unit=unit,
    ):
        return None
    session.exec(update(Submission).where(col(Submission.id) == submission_id).values(unit=owner))
    change_id = session.exec(
        select(StatusChange.id)
        .where(StatusChange.submission_id == submission_id)
        .order_by(col(StatusChange.id).desc())
    ).first()
    for position, (file_id, unique_id, caption) in enumerate(photos):
        session.add(
            StepPhoto(
                change_id=change_id,
                position=position,
                file_id=file_id,
                file_unique_id=unique_id,
                caption=caption,
            )
        )
    return change_id


def step_photos(session: Session, *, change_ids: Iterable[int]) -> dict[int, list[Evidence]]:
    """The photos of these steps, in the order they were sent."""
    wanted = set(change_ids)
    if not wanted:
        return {}
    rows = session.exec(
        select(StepPhoto)
        .where(col(StepPhoto.change_id).in_(wanted))
        .order_by(col(StepPhoto.change_id), col(StepPhoto.position))
    ).all()
    found: dict[int, list[Evidence]] = {}
    for row in rows:
        found.setdefault(row.change_id, []).append(Evidence(row.file_id, row.caption))
    return found


def last_unit_change(session: Session, *, submission_id: int) -> StatusChangePublic | None:
    row = session.exec(
        select(StatusChange)
        .where(StatusChange.submission_id == submission_id, col(StatusChange.unit).is_not(None))
        .order_by(col(StatusChange.id).desc())
    ).first()
    return None if row is None else StatusChangePublic.model_validate(row)


def open_items(session: Session, *, unit: str | None = None) -> list[OpenItem]:
    """Ideas forwarded and not yet implemented or returned (of ``unit``, or all), the longest
    with the unit first."""
    forwarded = (
        select(StatusChange.submission_id, func.max(StatusChange.at).label("at"))
        .where(StatusChange.to_status == Status.FORWARDED)
        .group_by(col(StatusChange.submission_id))
        .subquery()
    )
    moved = (
        select(StatusChange.submission_id, func.max(StatusChange.at).label("at"))
        .group_by(col(StatusChange.submission_id))
        .subquery()
    )
    query = (
        select(Submission, forwarded.c.at, moved.c.at)
        .join(forwarded, forwarded.c.submission_id == Submission.id)
        .join(moved, moved.c.submission_id == Submission.id)
        .where(col(Submission.status).in_([str(s) for s in OPEN]))
        .order_by(forwarded.c.at, col(Submission.id))
    )
    if unit is not None:
        query = query.where(Submission.unit == unit)
    return [
        OpenItem(SubmissionPublic.model_validate(row), forwarded_at, moved_at)
        for row, forwarded_at, moved_at in session.exec(query).all()
    ]


def unit_steps(
    session: Session, *, start: datetime | None = None, end: datetime | None = None
) -> list[Step]:
    """Every step taken with a unit (in ``[start, end)`` when given), in the order taken."""
    query = (
        select(
            StatusChange.submission_id,
            Submission.code,
            StatusChange.unit,
            StatusChange.from_status,
            StatusChange.to_status,
            StatusChange.note,
            StatusChange.at,
        )
        .join(Submission, col(Submission.id) == col(StatusChange.submission_id))
        .where(col(StatusChange.unit).is_not(None))
        .order_by(col(StatusChange.at), col(StatusChange.id))
    )
    if start is not None:
        query = query.where(col(StatusChange.at) >= start)
    if end is not None:
        query = query.where(col(StatusChange.at) < end)
    return [
        Step(
            submission_id=submission_id,
            code=code or "",
            unit=unit,
            from_status=Status(from_status) if from_status else None,
            to_status=Status(to_status),
            note=note,
            at=at,
        )
        for submission_id, code, unit, from_status, to_status, note, at in session.exec(query)
    ]


def implemented_evidence(
    session: Session, *, start: datetime | None = None, end: datetime | None = None
) -> list[tuple[Step, list[Evidence]]]:
    """Each implementation an SKPD reported (in ``[start, end)``) with its photos."""
    query = (
        select(StatusChange, Submission.code)
        .join(Submission, col(Submission.id) == col(StatusChange.submission_id))
        .where(col(StatusChange.unit).is_not(None), StatusChange.to_status == Status.IMPLEMENTED)
        .order_by(col(StatusChange.at), col(StatusChange.id))
    )
    if start is not None:
        query = query.where(col(StatusChange.at) >= start)
    if end is not None:
        query = query.where(col(StatusChange.at) < end)
    rows = session.exec(query).all()
    photos = step_photos(session, change_ids=[change.id for change, _ in rows])
    return [
        (
            Step(
                change.submission_id,
                code or "",
                change.unit,
                change.from_status,
                change.to_status,
                change.note,
                change.at,
            ),
            photos.get(change.id, []),
        )
        for change, code in rows
    ]


# Words and photos being written -----------------------------------------------------------------


def set_prompt(
    session: Session,
    *,
    chat_id: int,
    user_id: int,
    action: str,
    submission_id: int,
    version: int,
    unit: str,
    now: datetime,
) -> None:
    session.merge(
        UnitPrompt(
            chat_id=chat_id,
            user_id=user_id,
            action=action,
            submission_id=submission_id,
            version=version,
            unit=unit,
            created_at=now,
        )
    )


def prompt(session: Session, *, chat_id: int, user_id: int) -> UnitPrompt | None:
    found = session.get(UnitPrompt, (chat_id, user_id))
    return None if found is None else UnitPrompt.model_validate(found)


def add_to_prompt(
    session: Session,
    *,
    chat_id: int,
    user_id: int,
    words: str | None,
    photo: tuple[str, str, str | None] | None,
    max_photos: int,
    now: datetime,
) -> UnitPrompt | None:
    """Keep the liaison's latest words and one more photo (up to ``max_photos``)."""
    found = session.get(UnitPrompt, (chat_id, user_id))
    if found is None:
        return None
    if words:
        found.words = words
    photos = json.loads(found.photos)
    if photo is not None and len(photos) < max_photos and photo[1] not in {p[1] for p in photos}:
        photos.append(list(photo))
        found.photos = json.dumps(photos)
    found.created_at = now
    session.add(found)
    session.flush()
    return UnitPrompt.model_validate(found)


def drop_prompt(session: Session, *, chat_id: int, user_id: int) -> None:
    session.exec(
        delete(UnitPrompt).where(
            col(UnitPrompt.chat_id) == chat_id, col(UnitPrompt.user_id) == user_id
        )
    )


# Weekly reminders -------------------------------------------------------------------------------


def claim_reminder(session: Session, *, user_id: int, week: datetime, now: datetime) -> bool:
    """Record the reminder of ``week`` for ``user_id``; ``False`` if they already had it."""
    if session.get(LiaisonReminder, (user_id, week)) is not None:
        return False
    session.add(LiaisonReminder(user_id=user_id, week=week, sent_at=now))
    return True
