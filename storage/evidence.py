"""The evaluation evidence report's figures: every one an SQL aggregate over a period's ideas.

The report follows the ideas received in ``[start, end)`` and counts them as they stand now.
Times to a first response and to a decision come back as histograms of whole hours (hours →
how many ideas), so that medians are taken from a few hundred rows, not from every idea.
:func:`residents_taking_part` counts the residents of a span once, whatever their pillars.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, cast, distinct, func
from sqlalchemy.sql import ColumnElement
from sqlmodel import Session, col, select

from storage.models import Photo, Status, StatusChange, Submission

ACCEPTED = (Status.ACCEPTED, Status.IMPLEMENTED)
DECISIONS = (Status.ACCEPTED, Status.REJECTED, Status.DUPLICATE)
DESCRIPTION_CHARS = 300
PHOTOS_PER_IDEA = 3


@dataclass(frozen=True, slots=True)
class Tally:
    """Ideas of one pillar or kecamatan; ``accepted`` includes those since implemented."""

    key: str | None
    ideas: int
    residents: int
    accepted: int
    implemented: int
    rejected: int


@dataclass(frozen=True, slots=True)
class ImplementedIdea:
    code: str
    pillar: str
    kecamatan: str | None
    received: datetime
    implemented: datetime | None
    description: str


@dataclass(frozen=True, slots=True)
class EvidenceFigures:
    by_pillar: list[Tally]
    by_kecamatan: list[Tally]
    by_month: dict[tuple[str, str], int]  # ("2026-11", pillar) → ideas
    first_response: dict[str, dict[int, int]]  # pillar → {hours: ideas}
    decision: dict[str, dict[int, int]]
    implemented: list[ImplementedIdea]
    residents: int  # residents taking part, each counted once
    photos: dict[str, list[str]]  # an implemented idea's code → its photos' Telegram file ids


def _tallies(session: Session, column, start: datetime, end: datetime) -> list[Tally]:
    status = col(Submission.status)
    rows = session.exec(
        select(
            column,
            func.count(),
            func.count(distinct(col(Submission.resident_id))),
            func.sum(case((status.in_(ACCEPTED), 1), else_=0)),
            func.sum(case((status == Status.IMPLEMENTED, 1), else_=0)),
            func.sum(case((status == Status.REJECTED, 1), else_=0)),
        )
        .where(col(Submission.created_at) >= start, col(Submission.created_at) < end)
        .group_by(column)
    ).all()
    return [Tally(*row) for row in rows]


def _hours_between(session: Session, later, earlier) -> ColumnElement:
    if session.get_bind().dialect.name == "sqlite":
        seconds = func.round((func.julianday(later) - func.julianday(earlier)) * 86400)
        return cast(seconds, Integer) // 3600
    return cast(func.floor(func.extract("epoch", later - earlier) / 3600), Integer)


def _local_month(session: Session, zone: ZoneInfo, moment: datetime) -> ColumnElement:
    """The calendar month of ``created_at`` in ``zone`` (SQLite: at the zone's offset at
    ``moment``; the zones of Indonesia keep no daylight saving time)."""
    created = col(Submission.created_at)
    if session.get_bind().dialect.name == "sqlite":
        offset = moment.astimezone(zone).utcoffset()
        minutes = int(offset.total_seconds() // 60) if offset else 0
        return func.strftime("%Y-%m", created, f"{minutes:+d} minutes")
    return func.to_char(func.timezone(zone.key, created), "YYYY-MM")


def _waits(session: Session, start: datetime, end: datetime, *where) -> dict[str, dict[int, int]]:
    """Per pillar, how many ideas waited how many whole hours for their first change in
    ``where``."""
    hours = _hours_between(session, func.min(col(StatusChange.at)), col(Submission.created_at))
    per_idea = (
        select(Submission.pillar, hours.label("hours"))
        .join(StatusChange, col(StatusChange.submission_id) == col(Submission.id))
        .where(col(Submission.created_at) >= start, col(Submission.created_at) < end, *where)
        .group_by(col(Submission.id), col(Submission.pillar), col(Submission.created_at))
        .subquery()
    )
    rows = session.exec(
        select(per_idea.c.pillar, per_idea.c.hours, func.count()).group_by(
            per_idea.c.pillar, per_idea.c.hours
        )
    ).all()
    histograms: dict[str, dict[int, int]] = {}
    for pillar, waited, count in rows:
        histograms.setdefault(pillar, {})[max(int(waited), 0)] = count
    return histograms


def evidence_figures(
    session: Session, *, start: datetime, end: datetime, zone: ZoneInfo, details: bool = True
) -> EvidenceFigures:
    """The report's figures for the ideas received in ``[start, end)``; without ``details``
    only the per-pillar tallies, the waits and the residents (what a comparison needs)."""
    if not details:
        return EvidenceFigures(
            by_pillar=_tallies(session, col(Submission.pillar), start, end),
            by_kecamatan=[],
            by_month={},
            first_response=_first_responses(session, start, end),
            decision=_decisions(session, start, end),
            implemented=[],
            residents=residents_taking_part(session, start=start, end=end),
            photos={},
        )
    month = _local_month(session, zone, start)
    months = session.exec(
        select(month, Submission.pillar, func.count())
        .where(col(Submission.created_at) >= start, col(Submission.created_at) < end)
        .group_by(month, Submission.pillar)
    ).all()
    implemented_at = func.min(col(StatusChange.at))
    implemented = session.exec(
        select(
            Submission.code,
            Submission.pillar,
            Submission.kecamatan,
            Submission.created_at,
            implemented_at,
            func.substr(col(Submission.text), 1, DESCRIPTION_CHARS),
        )
        .outerjoin(
            StatusChange,
            (col(StatusChange.submission_id) == col(Submission.id))
            & (col(StatusChange.to_status) == Status.IMPLEMENTED),
        )
        .where(
            col(Submission.created_at) >= start,
            col(Submission.created_at) < end,
            col(Submission.status) == Status.IMPLEMENTED,
        )
        .group_by(col(Submission.id))
        .order_by(col(Submission.created_at), col(Submission.id))
    ).all()
    photos = session.exec(
        select(Submission.code, Photo.file_id)
        .join(Photo, col(Photo.submission_id) == col(Submission.id))
        .where(
            col(Submission.created_at) >= start,
            col(Submission.created_at) < end,
            col(Submission.status) == Status.IMPLEMENTED,
            col(Photo.position) < PHOTOS_PER_IDEA,
        )
        .order_by(col(Submission.code), col(Photo.position))
    ).all()
    by_code: dict[str, list[str]] = {}
    for code, file_id in photos:
        by_code.setdefault(code, []).append(file_id)
    return EvidenceFigures(
        residents=residents_taking_part(session, start=start, end=end),
        photos=by_code,
        by_pillar=_tallies(session, col(Submission.pillar), start, end),
        by_kecamatan=_tallies(session, col(Submission.kecamatan), start, end),
        by_month={(str(m), pillar): n for m, pillar, n in months},
        first_response=_first_responses(session, start, end),
        decision=_decisions(session, start, end),
        implemented=[ImplementedIdea(*row) for row in implemented],
    )


def _first_responses(session: Session, start: datetime, end: datetime) -> dict:
    return _waits(
        session,
        start,
        end,
        col(StatusChange.from_status) == Status.NEW,
        col(StatusChange.to_status) != Status.NEW,
    )


def _decisions(session: Session, start: datetime, end: datetime) -> dict:
    return _waits(session, start, end, col(StatusChange.to_status).in_(DECISIONS))


def residents_taking_part(session: Session, *, start: datetime, end: datetime) -> int:
    """How many residents sent at least one idea received in ``[start, end)``."""
    return session.exec(
        select(func.count(distinct(col(Submission.resident_id)))).where(
            col(Submission.created_at) >= start, col(Submission.created_at) < end
        )
    ).one()
