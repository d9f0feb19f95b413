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

A chat that was sent the digest of another period ending inside this one (a record from before
periods followed ``DIGEST_SCHEDULE``, when they were calendar weeks, or from before the schedule
was changed) has had these days already: it is neither claimed nor counted as missing. The
moment the database was first set up (:func:`set_up_at`) is kept so that no digest is sent of a
period that ended before it.

The figures a digest shows are :mod:`storage.digest_figures`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    DeliveryState,
    DigestDelivery,
    Installation,
    Resident,
    Submission,
)


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
    covered = _covered(session, period_start, period_end)
    claimable = [DeliveryState.PENDING]
    if retry_failed:
        claimable.append(DeliveryState.FAILED)
    free = col(DigestDelivery.state).in_(claimable) | (
        (col(DigestDelivery.state) == DeliveryState.SENDING)
        & (col(DigestDelivery.lease_until) < now)
    )
    claimed: list[Claimed] = []
    for chat_id in dict.fromkeys(chat_ids):
        if chat_id in covered:
            continue
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


def sent_chats(session: Session, *, period_start: datetime, period_end: datetime) -> set[int]:
    """Chats whose digest for the period is sent or has failed for good, or that were sent one
    of another period ending inside it."""
    rows = session.exec(
        select(DigestDelivery.chat_id).where(
            DigestDelivery.period_start == period_start,
            col(DigestDelivery.state).in_((DeliveryState.SENT, DeliveryState.FAILED)),
        )
    ).all()
    return set(rows) | _covered(session, period_start, period_end)


def _covered(session: Session, period_start: datetime, period_end: datetime) -> set[int]:
    """Chats sent the digest of another period that ended after ``period_start`` and no later
    than ``period_end``."""
    rows = session.exec(
        select(DigestDelivery.chat_id).where(
            DigestDelivery.period_start != period_start,
            DigestDelivery.period_end > period_start,
            DigestDelivery.period_end <= period_end,
            DigestDelivery.state == DeliveryState.SENT,
        )
    ).all()
    return set(rows)


# The moment the database was set up -------------------------------------------------------------


def set_up_at(session: Session, *, now: datetime) -> datetime:
    """When this database was first set up, recorded on the first call: the oldest resident,
    idea or digest record already there (an installation from before this was kept), else
    ``now``."""
    found = session.get(Installation, 1)
    if found is not None:
        return found.set_up_at
    oldest = [
        session.exec(select(func.min(column))).one()
        for column in (Resident.created_at, Submission.created_at, DigestDelivery.updated_at)
    ]
    moment = min([now, *(at for at in oldest if at is not None)])
    try:
        with session.begin_nested():
            session.add(Installation(id=1, set_up_at=moment))
    except IntegrityError:
        return session.exec(select(Installation)).one().set_up_at
    return moment
