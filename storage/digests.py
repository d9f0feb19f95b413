"""The weekly digest's storage: the record of each delivery, and the figures a digest shows.

Deliveries are recorded per (period, chat), once: :func:`claim` turns the rows a caller may send
into ``sending`` with a claim token and a lease, inside the caller's write transaction (``BEGIN
IMMEDIATE`` on SQLite, row locks on PostgreSQL), so two runs at once never both get one. ::

    pending ──claim──▶ sending ──▶ sent
       ▲                  │
       └──── release ─────┤
                          └──▶ failed ──claim (only when asked to retry failed ones)──▶ sending

A ``sending`` row whose lease ran out (its process died) may be claimed again; the message ids
already sent are kept, so the next sender goes on from the first part not yet sent.

Every figure is an SQL aggregate (``GROUP BY``, ``count``, ``min``); only the few rows a digest
lists (the newest ideas, the most supported) are read, and of their text only the beginning.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    case,
    false,
    func,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    DeliveryState,
    DigestDelivery,
    Resident,
    Status,
    StatusChange,
    Submission,
    Support,
)

WAITING = (Status.NEW, Status.IN_REVIEW)
EXCERPT_CHARS = 200


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this caller now owns: send the parts from ``len(message_ids)`` on."""

    chat_id: int
    claim: str
    attempts: int
    message_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    chat_id: int
    state: DeliveryState
    attempts: int
    message_ids: tuple[int, ...]
    sent_at: datetime | None
    last_error: str | None


# Deliveries -------------------------------------------------------------------------------------


def claim(
    session: Session,
    *,
    period_start: datetime,
    period_end: datetime,
    chat_ids: Iterable[int],
    token: str,
    now: datetime,
    lease_until: datetime,
    retry_failed: bool,
) -> list[Claimed]:
    """Claim the deliveries of ``period_start`` this caller may send now, creating missing ones.

    A delivery is free when pending, when its sender's lease ran out, or, with ``retry_failed``,
    when it failed. Sent deliveries are never claimed.
    """
    claimable = [DeliveryState.PENDING]
    if retry_failed:
        claimable.append(DeliveryState.FAILED)
    free = col(DigestDelivery.state).in_(claimable) | (
        (col(DigestDelivery.state) == DeliveryState.SENDING)
        & (col(DigestDelivery.lease_until) < now)
    )
    claimed: list[Claimed] = []
    for chat_id in dict.fromkeys(chat_ids):
        try:
            with session.begin_nested():
                session.add(
                    DigestDelivery(
                        period_start=period_start,
                        period_end=period_end,
                        chat_id=chat_id,
                        state=DeliveryState.SENDING,
                        claim=token,
                        lease_until=lease_until,
                        updated_at=now,
                    )
                )
            claimed.append(Claimed(chat_id, token, 0, ()))
            continue
        except IntegrityError:
            pass
        taken = session.exec(
            update(DigestDelivery)
            .where(
                col(DigestDelivery.period_start) == period_start,
                col(DigestDelivery.chat_id) == chat_id,
                free,
            )
            .values(
                state=DeliveryState.SENDING, claim=token, lease_until=lease_until, updated_at=now
            )
        )
        if taken.rowcount == 1:
            row = _row(session, period_start, chat_id)
            claimed.append(
                Claimed(chat_id, token, row.attempts, tuple(json.loads(row.message_ids)))
            )
    return claimed


def _row(session: Session, period_start: datetime, chat_id: int) -> DigestDelivery:
    return session.exec(
        select(DigestDelivery).where(
            DigestDelivery.period_start == period_start, DigestDelivery.chat_id == chat_id
        )
    ).one()


def _owned(period_start: datetime, chat_id: int, token: str):
    return (
        update(DigestDelivery)
        .where(
            col(DigestDelivery.period_start) == period_start,
            col(DigestDelivery.chat_id) == chat_id,
            col(DigestDelivery.claim) == token,
            col(DigestDelivery.state) == DeliveryState.SENDING,
        )
        .execution_options(synchronize_session=False)
    )


def record_part(
    session: Session,
    *,
    period_start: datetime,
    chat_id: int,
    token: str,
    message_ids: Iterable[int],
    now: datetime,
    lease_until: datetime,
) -> bool:
    """Record the parts sent so far and extend the lease; ``False`` if the claim was lost."""
    result = session.exec(
        _owned(period_start, chat_id, token).values(
            message_ids=json.dumps(list(message_ids)), lease_until=lease_until, updated_at=now
        )
    )
    return result.rowcount == 1


def record_attempt(
    session: Session,
    *,
    period_start: datetime,
    chat_id: int,
    token: str,
    error: str,
    now: datetime,
    lease_until: datetime,
) -> bool:
    """Count a failed attempt and keep the claim through the back-off before the next one."""
    result = session.exec(
        _owned(period_start, chat_id, token).values(
            attempts=DigestDelivery.attempts + 1,
            last_error=error[:500],
            lease_until=lease_until,
            updated_at=now,
        )
    )
    return result.rowcount == 1


def finish(
    session: Session,
    *,
    period_start: datetime,
    chat_id: int,
    token: str,
    state: DeliveryState,
    now: datetime,
) -> bool:
    """End a claim: ``sent`` (with the time), ``failed``, or back to ``pending`` (released)."""
    values: dict[str, object] = {
        "state": state,
        "claim": None,
        "lease_until": None,
        "updated_at": now,
    }
    if state is DeliveryState.SENT:
        values["sent_at"] = now
    result = session.exec(_owned(period_start, chat_id, token).values(**values))
    return result.rowcount == 1


def deliveries(session: Session, *, period_start: datetime) -> list[DeliveryRecord]:
    """The deliveries of one period, by chat id."""
    rows = session.exec(
        select(DigestDelivery)
        .where(DigestDelivery.period_start == period_start)
        .order_by(col(DigestDelivery.chat_id))
    ).all()
    return [
        DeliveryRecord(
            chat_id=row.chat_id,
            state=DeliveryState(row.state),
            attempts=row.attempts,
            message_ids=tuple(json.loads(row.message_ids)),
            sent_at=row.sent_at,
            last_error=row.last_error,
        )
        for row in rows
    ]


def sent_chats(session: Session, *, period_start: datetime) -> set[int]:
    """Chats whose digest for ``period_start`` is sent or has failed for good."""
    rows = session.exec(
        select(DigestDelivery.chat_id).where(
            DigestDelivery.period_start == period_start,
            col(DigestDelivery.state).in_((DeliveryState.SENT, DeliveryState.FAILED)),
        )
    ).all()
    return set(rows)


# The digest's figures ---------------------------------------------------------------------------


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
