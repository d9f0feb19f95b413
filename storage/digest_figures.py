"""The figures a weekly digest shows, and the rows of its workbook.

Every figure is an SQL aggregate (``GROUP BY``, ``count``, ``min``); only the few rows a digest
lists (the newest ideas, the most supported) are read, and of their text only the beginning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    case,
    false,
    func,
)
from sqlmodel import Session, col, select

from storage.models import (
    Resident,
    Status,
    StatusChange,
    Submission,
    Support,
)

WAITING = (Status.NEW, Status.IN_REVIEW)
EXCERPT_CHARS = 200


@dataclass(frozen=True, slots=True)
class Listed:
    """An idea as a digest lists it: no resident, only its code, pillar and first words."""

    code: str
    pillar: str
    excerpt: str
    supports: int = 0


@dataclass(frozen=True, slots=True)
class DigestFigures:
    """What one period's digest shows; ``previous_*`` are the same span one week earlier."""

    new_by_pillar: dict[str, int]
    previous_by_pillar: dict[str, int]
    top_kecamatan: list[tuple[str, int]]
    status_changes: dict[str, int]
    waiting: int
    overdue: int
    oldest_code: str | None
    oldest_at: datetime | None
    supported: list[Listed]
    new_ideas: list[Listed]

    @property
    def new_total(self) -> int:
        return sum(self.new_by_pillar.values())

    @property
    def previous_total(self) -> int:
        return sum(self.previous_by_pillar.values())


def _in(column, start: datetime, end: datetime):
    return (col(column) >= start) & (col(column) < end)


def digest_figures(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    previous_start: datetime,
    previous_end: datetime,
    overdue_before: datetime,
    top: int,
    listed: int,
) -> DigestFigures:
    """The figures of the period ``[start, end)`` against ``[previous_start, previous_end)``.

    A waiting submission received before ``overdue_before`` is overdue.
    """
    created = col(Submission.created_at)
    current = func.sum(case((created >= start, 1), else_=0))
    previous = func.sum(case((created < previous_end, 1), else_=0))
    by_pillar = session.exec(
        select(Submission.pillar, current, previous)
        .where(created >= previous_start, created < end)
        .group_by(Submission.pillar)
    ).all()
    count = func.count().label("n")
    kecamatan = session.exec(
        select(Submission.kecamatan, count)
        .where(_in(Submission.created_at, start, end), col(Submission.kecamatan).is_not(None))
        .group_by(Submission.kecamatan)
        .order_by(count.desc(), col(Submission.kecamatan))
        .limit(top)
    ).all()
    changes = session.exec(
        select(StatusChange.to_status, func.count())
        .where(
            _in(StatusChange.at, start, end),
            col(StatusChange.from_status).is_not(None),
            col(StatusChange.from_status) != col(StatusChange.to_status),
        )
        .group_by(StatusChange.to_status)
    ).all()
    waiting = col(Submission.status).in_(WAITING)
    backlog = session.exec(
        select(func.count(), func.sum(case((created < overdue_before, 1), else_=0))).where(waiting)
    ).one()
    oldest = session.exec(
        select(Submission.code, Submission.created_at)
        .where(waiting)
        .order_by(created, col(Submission.id))
        .limit(1)
    ).first()
    return DigestFigures(
        new_by_pillar={pillar: now for pillar, now, _ in by_pillar if now},
        previous_by_pillar={pillar: then for pillar, _, then in by_pillar if then},
        top_kecamatan=[(key, n) for key, n in kecamatan],
        status_changes={str(status): n for status, n in changes},
        waiting=backlog[0],
        overdue=backlog[1] or 0,
        oldest_code=oldest[0] if oldest else None,
        oldest_at=oldest[1] if oldest else None,
        supported=_most_supported(session, start=start, end=end, limit=top),
        new_ideas=_newest(session, start=start, end=end, limit=listed),
    )


def _excerpt_column():
    return func.substr(col(Submission.text), 1, EXCERPT_CHARS)


def _most_supported(
    session: Session, *, start: datetime, end: datetime, limit: int
) -> list[Listed]:
    """The ideas that gathered the most supports in the period."""
    supports = func.count().label("supports")
    rows = session.exec(
        select(Submission.code, Submission.pillar, _excerpt_column(), supports)
        .select_from(Support)
        .join(Submission, col(Submission.id) == col(Support.submission_id))
        .where(_in(Support.created_at, start, end))
        .group_by(Submission.id, Submission.code, Submission.pillar)
        .order_by(supports.desc(), col(Submission.id))
        .limit(limit)
    ).all()
    return [Listed(code, pillar, excerpt, n) for code, pillar, excerpt, n in rows]


def _newest(session: Session, *, start: datetime, end: datetime, limit: int) -> list[Listed]:
    """The period's new ideas in the order they came, at most ``limit``."""
    rows = session.exec(
        select(Submission.code, Submission.pillar, _excerpt_column())
        .where(_in(Submission.created_at, start, end))
        .order_by(col(Submission.created_at), col(Submission.id))
        .limit(limit)
    ).all()
    return [Listed(code, pillar, excerpt) for code, pillar, excerpt in rows]


@dataclass(frozen=True, slots=True)
class WeekRow:
    """A submission as the weekly XLSX lists it; ``name`` only with the resident's consent."""

    code: str
    created_at: datetime
    pillar: str
    kecamatan: str | None
    status: str
    text: str
    name: str | None


def week_rows(session: Session, *, start: datetime, end: datetime) -> list[WeekRow]:
    """The period's submissions, oldest first, for the attachment.

    The resident's first name is given only when the submission is not anonymous and the consent
    to be named is recorded; the Telegram id, username and language are never selected.
    """
    named = (col(Submission.anonymous) == false()) & col(Resident.consent_named_at).is_not(None)
    rows = session.exec(
        select(
            Submission.code,
            Submission.created_at,
            Submission.pillar,
            Submission.kecamatan,
            Submission.status,
            Submission.text,
            case((named, Resident.first_name), else_=None),
        )
        .outerjoin(Resident, col(Resident.id) == col(Submission.resident_id))
        .where(_in(Submission.created_at, start, end))
        .order_by(col(Submission.created_at), col(Submission.id))
    ).all()
    return [WeekRow(*row) for row in rows]
