"""Finding and counting submissions for officers: search, GROUP BY counts, export rows.

Every count is a SQL ``GROUP BY``; no query here loads rows into Python to count them. The local
day of a submission is computed in SQL, per dialect (:func:`local_day`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, false, func, or_
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from storage.models import Resident, Submission, SubmissionPublic, Support


@dataclass(frozen=True, slots=True)
class Criteria:
    """What /cari, /statistik and /ekspor select; every part optional. Times are aware UTC."""

    words: tuple[str, ...] = ()
    pillar: str | None = None
    status: str | None = None
    kecamatan: str | None = None
    unit: str | None = None  # the SKPD the idea is with (or implemented by)
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


@dataclass(frozen=True, slots=True)
class ExportRow:
    code: str
    created_at: datetime
    updated_at: datetime
    status: str
    pillar: str
    kecamatan: str | None
    text: str
    resident_name: str | None
    unit: str | None


def _where(criteria: Criteria) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for word in criteria.words:
        clauses.append(
            or_(
                func.lower(col(Submission.text)).contains(word.lower(), autoescape=True),
                func.upper(col(Submission.code)) == word.upper(),
            )
        )
    if criteria.pillar:
        clauses.append(col(Submission.pillar) == criteria.pillar)
    if criteria.status:
        clauses.append(col(Submission.status) == criteria.status)
    if criteria.kecamatan:
        clauses.append(col(Submission.kecamatan) == criteria.kecamatan)
    if criteria.unit:
        clauses.append(col(Submission.unit) == criteria.unit)
    if criteria.since:
        clauses.append(col(Submission.created_at) >= criteria.since)
    if criteria.until:
        clauses.append(col(Submission.created_at) < criteria.until)
    return clauses


def search(
    session: Session, *, criteria: Criteria, limit: int
) -> tuple[list[SubmissionPublic], int]:
    """The newest ``limit`` submissions matching ``criteria``, and how many match in all."""
    where = _where(criteria)
    total = session.exec(select(func.count()).select_from(Submission).where(*where)).one()
    rows = session.exec(
        select(Submission)
        .where(*where)
        .order_by(col(Submission.created_at).desc(), col(Submission.id).desc())
        .limit(limit)
    ).all()
    return [SubmissionPublic.model_validate(row) for row in rows], total


def count_by(session: Session, *, field: str, criteria: Criteria) -> dict[str | None, int]:
    """How many matching submissions per value of ``field`` (pillar, status, unit or
    kecamatan)."""
    column = {
        "pillar": Submission.pillar,
        "status": Submission.status,
        "unit": Submission.unit,
    }.get(field, Submission.kecamatan)
    rows = session.exec(
        select(column, func.count()).where(*_where(criteria)).group_by(column)
    ).all()
    return {value: count for value, count in rows}


def most_supported(
    session: Session, *, criteria: Criteria, limit: int
) -> tuple[int, list[tuple[str, int]]]:
    """The supports of the matching submissions, and the ``limit`` most supported ones."""
    supports = func.count(col(Support.id)).label("supports")
    top = session.exec(
        select(Submission.code, supports)
        .join(Support, col(Support.submission_id) == Submission.id)
        .where(*_where(criteria))
        .group_by(col(Submission.id), col(Submission.code))
        .order_by(supports.desc(), col(Submission.id))
        .limit(limit)
    ).all()
    total = session.exec(
        select(func.count(col(Support.id)))
        .join(Submission, col(Support.submission_id) == Submission.id)
        .where(*_where(criteria))
    ).one()
    return total, [(code, count) for code, count in top]


def local_day(session: Session, zone: ZoneInfo, moment: datetime) -> ColumnElement:
    """The calendar day of ``created_at`` in ``zone``, as SQL for the session's database.

    SQLite has no time zones: it shifts by the zone's offset at ``moment`` (the zones of
    Indonesia keep no daylight saving time, so the offset is the same all year).
    """
    if session.get_bind().dialect.name == "sqlite":
        offset = moment.astimezone(zone).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        return func.date(col(Submission.created_at), f"{minutes:+d} minutes")
    return func.date(func.timezone(zone.key, col(Submission.created_at)))


def count_by_day(
    session: Session, *, criteria: Criteria, zone: ZoneInfo, moment: datetime
) -> dict[date, int]:
    """How many matching submissions per local calendar day."""
    day = local_day(session, zone, moment)
    rows = session.exec(select(day, func.count()).where(*_where(criteria)).group_by(day)).all()
    return {date.fromisoformat(str(value)): count for value, count in rows}


def export_rows(session: Session, *, criteria: Criteria) -> list[ExportRow]:
    """Matching submissions, oldest first, with the resident's name only where they consented.

    The name is given only when the submission is not anonymous and the resident's consent to be
    named is recorded; the Telegram id, username and language are never selected.
    """
    named = and_(col(Submission.anonymous) == false(), col(Resident.consent_named_at).is_not(None))
    rows = session.exec(
        select(
            Submission.code,
            Submission.created_at,
            Submission.updated_at,
            Submission.status,
            Submission.pillar,
            Submission.kecamatan,
            Submission.text,
            case((named, Resident.first_name), else_=None),
            Submission.unit,
        )
        .outerjoin(Resident, col(Resident.id) == col(Submission.resident_id))
        .where(*_where(criteria))
        .order_by(col(Submission.created_at), col(Submission.id))
    ).all()
    return [ExportRow(*row) for row in rows]
