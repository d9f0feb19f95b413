"""Queries of the officers' review desk: staff, officers, invites, notes, pending words.

Same habits as :mod:`storage.queries`: plain functions taking a session first and keyword-only
arguments, returning read models or plain values. Business rules (who may do what, which
transition is allowed) live in the services of :mod:`bot.domain.roles` and :mod:`bot.domain.review`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, delete, select

from storage.models import (
    Invite,
    Officer,
    PendingAnswer,
    Resident,
    ReviewNote,
    ReviewNotePublic,
    ReviewPrompt,
    Staff,
    Status,
    StatusChange,
    StatusChangePublic,
    Submission,
    SubmissionPublic,
    UnitPrompt,
)
from storage.queries import public_submission

# Staff and officers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfficerEntry:
    user_id: int
    name: str | None
    username: str | None
    added_by: int | None
    added_by_name: str | None
    added_at: datetime


def touch_staff(
    session: Session, *, user_id: int, first_name: str | None, username: str | None, now: datetime
) -> None:
    """Remember how an officer or admin is called, as Telegram shows them now."""
    staff = session.get(Staff, user_id) or Staff(id=user_id, seen_at=now)
    staff.first_name, staff.username, staff.seen_at = first_name, username, now
    session.add(staff)


def staff_names(session: Session, *, user_ids: Iterable[int]) -> dict[int, str]:
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    rows = session.exec(select(Staff).where(col(Staff.id).in_(wanted))).all()
    return {row.id: row.first_name or row.username or "?" for row in rows}


def officer(session: Session, *, user_id: int) -> Officer | None:
    found = session.get(Officer, user_id)
    return None if found is None else Officer.model_validate(found)


def appoint(session: Session, *, user_id: int, added_by: int | None, now: datetime) -> None:
    """Make ``user_id`` an officer (again, if they had been revoked)."""
    found = session.get(Officer, user_id) or Officer(user_id=user_id, added_at=now)
    found.added_by, found.added_at = added_by, now
    found.revoked_at = found.revoked_by = None
    session.add(found)


def revoke(session: Session, *, user_id: int, by: int, now: datetime) -> bool:
    """Revoke an active officer; whether there was one."""
    found = session.get(Officer, user_id)
    if found is None or found.revoked_at is not None:
        return False
    found.revoked_at, found.revoked_by = now, by
    session.add(found)
    return True


def active_officers(session: Session) -> list[OfficerEntry]:
    """Active officers, earliest appointed first, with their and their appointer's names."""
    rows = session.exec(
        select(Officer).where(col(Officer.revoked_at).is_(None)).order_by(col(Officer.added_at))
    ).all()
    staff = {
        row.id: row
        for row in session.exec(
            select(Staff).where(
                col(Staff.id).in_(
                    {r.user_id for r in rows} | {r.added_by for r in rows if r.added_by}
                )
            )
        ).all()
    }
    entries = []
    for row in rows:
        me, adder = staff.get(row.user_id), staff.get(row.added_by or 0)
        entries.append(
            OfficerEntry(
                user_id=row.user_id,
                name=me.first_name if me else None,
                username=me.username if me else None,
                added_by=row.added_by,
                added_by_name=adder.first_name if adder else None,
                added_at=row.added_at,
            )
        )
    return entries


# Invites ----------------------------------------------------------------------------------------


def add_invite(
    session: Session,
    *,
    code_hash: str,
    created_by: int,
    now: datetime,
    expires_at: datetime,
    unit: str | None = None,
) -> None:
    session.add(
        Invite(
            code_hash=code_hash,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
            unit=unit,
        )
    )


def invite(session: Session, *, code_hash: str) -> Invite | None:
    found = session.get(Invite, code_hash)
    return None if found is None else Invite.model_validate(found)


def use_invite(session: Session, *, code_hash: str, user_id: int, now: datetime) -> bool:
    """Mark the invite used by ``user_id``, unless someone used it first."""
    result = session.exec(
        update(Invite)
        .where(col(Invite.code_hash) == code_hash, col(Invite.used_by).is_(None))
        .values(used_by=user_id, used_at=now)
    )
    return result.rowcount == 1


# Submissions under review -----------------------------------------------------------------------


def submission(session: Session, *, submission_id: int) -> SubmissionPublic | None:
    found = session.get(Submission, submission_id)
    return None if found is None else public_submission(session, found)


def submissions(session: Session, *, submission_ids: list[int]) -> list[SubmissionPublic]:
    """The submissions with these ids (photos left out), in the order they were received."""
    found = session.exec(
        select(Submission).where(col(Submission.id).in_(submission_ids)).order_by(Submission.id)
    ).all()
    return [SubmissionPublic.model_validate(row) for row in found]


def waiting(
    session: Session, *, statuses: Iterable[Status], offset: int, limit: int
) -> tuple[list[SubmissionPublic], int]:
    """A page of submissions in ``statuses``, oldest first, and how many there are."""
    where = col(Submission.status).in_([str(status) for status in statuses])
    total = session.exec(select(func.count()).select_from(Submission).where(where)).one()
    rows = session.exec(
        select(Submission)
        .where(where)
        .order_by(col(Submission.created_at), col(Submission.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return [SubmissionPublic.model_validate(row) for row in rows], total


def change(
    session: Session,
    *,
    submission_id: int,
    expected_version: int,
    to_status: Status,
    actor_id: int | None,
    actor_role: str,
    now: datetime,
    note: str | None = None,
    to_pillar: str | None = None,
    unit: str | None = None,
) -> bool:
    """Move a submission on, only if it is still at ``expected_version``; record the change
    (with the SKPD ``unit`` it was taken with, if any).

    The conditional UPDATE makes the version check hold on PostgreSQL too, where two writers do
    not wait for each other as they do on SQLite (``BEGIN IMMEDIATE``).
    """
    current = session.get(Submission, submission_id)
    if current is None:
        return False
    from_status, from_pillar = current.status, current.pillar
    values: dict = {
        "status": str(to_status),
        "version": expected_version + 1,
        "updated_at": now,
    }
    if to_pillar is not None:
        values["pillar"] = to_pillar
    result = session.exec(
        update(Submission)
        .where(col(Submission.id) == submission_id, col(Submission.version) == expected_version)
        .values(**values)
    )
    if result.rowcount != 1:
        return False
    session.add(
        StatusChange(
            submission_id=submission_id,
            from_status=from_status,
            to_status=to_status,
            actor_id=actor_id,
            actor_role=actor_role,
            note=note,
            version=expected_version + 1,
            from_pillar=from_pillar if to_pillar is not None else None,
            to_pillar=to_pillar,
            unit=unit,
            at=now,
        )
    )
    session.expire_all()
    return True


def changes_since(
    session: Session, *, submission_id: int, version: int
) -> list[StatusChangePublic]:
    """Changes that took the submission past ``version``, in order."""
    rows = session.exec(
        select(StatusChange)
        .where(StatusChange.submission_id == submission_id, col(StatusChange.version) > version)
        .order_by(col(StatusChange.version), col(StatusChange.id))
    ).all()
    return [StatusChangePublic.model_validate(row) for row in rows]


def last_change_to(
    session: Session, *, submission_id: int, status: Status
) -> StatusChangePublic | None:
    row = session.exec(
        select(StatusChange)
        .where(StatusChange.submission_id == submission_id, StatusChange.to_status == status)
        .order_by(col(StatusChange.id).desc())
    ).first()
    return None if row is None else StatusChangePublic.model_validate(row)


def last_answer(session: Session, *, resident_id: int) -> tuple[int, str | None] | None:
    """The submission and the words of the resident's latest answer to an officer's question."""
    row = session.exec(
        select(StatusChange.submission_id, StatusChange.note)
        .join(Submission, col(Submission.id) == col(StatusChange.submission_id))
        .where(
            Submission.resident_id == resident_id,
            StatusChange.actor_role == "resident",
            StatusChange.from_status == Status.NEEDS_INFO,
        )
        .order_by(col(StatusChange.id).desc())
    ).first()
    return None if row is None else (row[0], row[1])


def add_note(
    session: Session, *, submission_id: int, author_id: int, text: str, now: datetime
) -> None:
    """Add an officer's note, unless it repeats their latest one on the submission: the same
    update handled again after a restart, or the same words sent twice."""
    latest = session.exec(
        select(ReviewNote)
        .where(ReviewNote.submission_id == submission_id)
        .order_by(col(ReviewNote.id).desc())
    ).first()
    if latest is not None and (latest.author_id, latest.text) == (author_id, text):
        return
    session.add(ReviewNote(submission_id=submission_id, author_id=author_id, text=text, at=now))


def notes(session: Session, *, submission_id: int) -> list[ReviewNotePublic]:
    rows = session.exec(
        select(ReviewNote)
        .where(ReviewNote.submission_id == submission_id)
        .order_by(col(ReviewNote.at), col(ReviewNote.id))
    ).all()
    return [ReviewNotePublic.model_validate(row) for row in rows]


def resident_of(session: Session, *, submission_id: int) -> Resident | None:
    found = session.get(Submission, submission_id)
    if found is None or found.resident_id is None:
        return None
    resident = session.get(Resident, found.resident_id)
    return None if resident is None else Resident.model_validate(resident)


# Words being written ----------------------------------------------------------------------------


def set_prompt(
    session: Session,
    *,
    chat_id: int,
    officer_id: int,
    action: str,
    submission_id: int,
    version: int,
    card_message_id: int | None,
    now: datetime,
    unit: str | None = None,
) -> None:
    session.merge(
        ReviewPrompt(
            chat_id=chat_id,
            officer_id=officer_id,
            action=action,
            submission_id=submission_id,
            version=version,
            card_message_id=card_message_id,
            created_at=now,
            unit=unit,
        )
    )


def prompt(session: Session, *, chat_id: int, officer_id: int) -> ReviewPrompt | None:
    found = session.get(ReviewPrompt, (chat_id, officer_id))
    return None if found is None else ReviewPrompt.model_validate(found)


def drop_prompt(session: Session, *, chat_id: int, officer_id: int) -> None:
    session.exec(
        delete(ReviewPrompt).where(
            col(ReviewPrompt.chat_id) == chat_id, col(ReviewPrompt.officer_id) == officer_id
        )
    )


def set_pending_answer(
    session: Session, *, resident_id: int, submission_id: int, now: datetime
) -> None:
    session.merge(
        PendingAnswer(resident_id=resident_id, submission_id=submission_id, created_at=now)
    )


def pending_answer(session: Session, *, resident_id: int) -> int | None:
    found = session.get(PendingAnswer, resident_id)
    return None if found is None else found.submission_id


def drop_pending_answer(session: Session, *, resident_id: int) -> None:
    session.exec(delete(PendingAnswer).where(col(PendingAnswer.resident_id) == resident_id))


def drop_idle_waits(session: Session, *, before: datetime) -> tuple[int, int]:
    """Forget the officers' actions, liaisons' steps and residents' answers awaited since before
    ``before``; how many actions and steps, and how many answers."""
    prompts = session.exec(delete(ReviewPrompt).where(col(ReviewPrompt.created_at) < before))
    steps = session.exec(delete(UnitPrompt).where(col(UnitPrompt.created_at) < before))
    answers = session.exec(delete(PendingAnswer).where(col(PendingAnswer.created_at) < before))
    return prompts.rowcount + steps.rowcount, answers.rowcount
