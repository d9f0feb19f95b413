"""Queries of what the public sees: published ideas, their channel posts, supports, open data.

An idea is *shown* when its resident agreed to publish it (``public``), no officer withdrew it
(``public_hidden_at``) and its status is one of :data:`SHOWN`. Same habits as
:mod:`storage.queries`: plain functions, a session first, keyword-only arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import (
    Resident,
    Status,
    StatusChange,
    StepPhoto,
    Submission,
    SubmissionPublic,
    Support,
)
from storage.outbox import queue_post
from storage.queries import public_submission

# Statuses in which a published idea is shown: the regency said yes to it, and after (with an
# SKPD, being carried out, implemented).
SHOWN = (Status.ACCEPTED, Status.FORWARDED, Status.IN_PROGRESS, Status.IMPLEMENTED)


def _shown():
    return (
        col(Submission.public).is_(True),
        col(Submission.public_hidden_at).is_(None),
        col(Submission.status).in_(SHOWN),
    )


def _supports():
    return (
        select(func.count())
        .select_from(Support)
        .where(Support.submission_id == Submission.id)
        .scalar_subquery()
    )


@dataclass(frozen=True, slots=True)
class Shown:
    """A shown idea with what the public may see of who sent it."""

    submission: SubmissionPublic
    supports: int
    name: str | None  # the resident's first name, only if they chose to be named
    sender: tuple[str, ...]  # what identifies the sender (names, id): blanked where shown
    evidence: str | None = None  # an implemented idea's evidence photo (file id), if it has one


def _sender(resident: Resident | None) -> tuple[str, ...]:
    if resident is None:
        return ()
    return tuple(
        part for part in (resident.first_name, resident.username, str(resident.id)) if part
    )


def shown(session: Session, *, submission_id: int) -> Shown | None:
    """The idea if it is shown now, else ``None``."""
    found = session.exec(
        select(Submission).where(Submission.id == submission_id, *_shown())
    ).first()
    if found is None:
        return None
    resident = None if found.resident_id is None else session.get(Resident, found.resident_id)
    name = None
    if not found.anonymous and resident is not None and resident.consent_named_at is not None:
        name = resident.first_name
    supports = session.exec(
        select(func.count()).select_from(Support).where(Support.submission_id == submission_id)
    ).one()
    evidence = None
    if found.status == Status.IMPLEMENTED:
        evidence = session.exec(
            select(StepPhoto.file_id)
            .join(StatusChange, col(StatusChange.id) == col(StepPhoto.change_id))
            .where(
                StatusChange.submission_id == submission_id,
                StatusChange.to_status == Status.IMPLEMENTED,
            )
            .order_by(col(StatusChange.at).desc(), col(StepPhoto.position))
        ).first()
    return Shown(public_submission(session, found), supports, name, _sender(resident), evidence)


def follow_post(
    session: Session, *, channel_id: int | None, submission: SubmissionPublic, now: datetime
) -> bool:
    """Queue the update of the idea's public post (posted, edited or removed as the idea now
    stands) when there is a channel and the resident agreed; whether it was queued."""
    if channel_id is None or not submission.public:
        return False
    queue_post(session, chat_id=channel_id, submission_id=submission.id, now=now)
    return True


def shown_by_code(session: Session, *, code: str) -> int | None:
    """The id of the idea with ``code`` if it is shown now."""
    return session.exec(select(Submission.id).where(Submission.code == code, *_shown())).first()


def hide(session: Session, *, submission_id: int, now: datetime) -> SubmissionPublic | None:
    """Withdraw the idea from public view (once); the idea as it stands, or ``None`` if gone."""
    found = session.get(Submission, submission_id)
    if found is None:
        return None
    if found.public_hidden_at is None:
        found.public_hidden_at = now
        session.add(found)
        session.flush()
    return public_submission(session, found)


def queue_posts_of_resident(
    session: Session, *, resident_id: int, channel_id: int, now: datetime
) -> int:
    """Queue an update of every channel post of the resident's ideas (their name is leaving)."""
    ids = session.exec(
        select(Submission.id).where(
            Submission.resident_id == resident_id, col(Submission.public_message_id).is_not(None)
        )
    ).all()
    for submission_id in ids:
        queue_post(session, chat_id=channel_id, submission_id=submission_id, now=now)
    return len(ids)


# Browsing ---------------------------------------------------------------------------------------


def browse(
    session: Session,
    *,
    kecamatan: str | None,
    pillar: str | None,
    newest: bool,
    offset: int,
    limit: int,
) -> tuple[list[Shown], int]:
    """One page of shown ideas with their supports (most supported first, or newest), and the
    total."""
    where = list(_shown())
    if kecamatan is not None:
        where.append(Submission.kecamatan == kecamatan)
    if pillar is not None:
        where.append(Submission.pillar == pillar)
    total = session.exec(select(func.count()).select_from(Submission).where(*where)).one()
    supports = _supports().label("supports")
    order = (
        (col(Submission.created_at).desc(), col(Submission.id).desc())
        if newest
        else (supports.desc(), col(Submission.created_at).desc(), col(Submission.id).desc())
    )
    rows = session.exec(
        select(Submission, supports, Resident)
        .join(Resident, col(Resident.id) == Submission.resident_id, isouter=True)
        .where(*where)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        Shown(SubmissionPublic.model_validate(row), count, None, _sender(resident))
        for row, count, resident in rows
    ], total


def last_kecamatan(session: Session, *, resident_id: int) -> str | None:
    """The kecamatan of the resident's newest idea that names one."""
    return session.exec(
        select(Submission.kecamatan)
        .where(Submission.resident_id == resident_id, col(Submission.kecamatan).is_not(None))
        .order_by(col(Submission.created_at).desc(), col(Submission.id).desc())
        .limit(1)
    ).first()


# Open data --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenRow:
    """One published idea as the open dataset holds it (no names, no Telegram ids)."""

    code: str
    received: datetime
    status_changed: datetime
    pillar: str
    kecamatan: str | None
    status: str
    unit: str | None  # the SKPD it is with or that implemented it (a key of units.toml)
    supports: int
    text: str
    sender: tuple[str, ...]  # never written out: what to blank in ``text``


def open_rows(session: Session) -> list[OpenRow]:
    """Every shown idea, oldest first."""
    last_change = (
        select(func.max(StatusChange.at))
        .where(StatusChange.submission_id == Submission.id)
        .scalar_subquery()
    )
    rows = session.exec(
        select(
            Submission.code,
            Submission.created_at,
            last_change,
            Submission.pillar,
            Submission.kecamatan,
            Submission.status,
            Submission.unit,
            _supports(),
            Submission.text,
            Resident,
        )
        .join(Resident, col(Resident.id) == Submission.resident_id, isouter=True)
        .where(*_shown())
        .order_by(col(Submission.id))
    ).all()
    return [OpenRow(*row[:-1], _sender(row[-1])) for row in rows]
