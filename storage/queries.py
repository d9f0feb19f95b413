"""Queries: plain functions taking a session first and keyword-only arguments.

They return read models or plain values; ORM objects never leave the session. Callers go through
:class:`storage.engine.Database`, which owns transactions (``write`` commits).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from storage.models import (
    ConversationState,
    Draft,
    InboxUpdate,
    Photo,
    Resident,
    StatusChange,
    StatusChangePublic,
    Submission,
    SubmissionPublic,
    Support,
)
from storage.outbox import forget_chat

# Residents --------------------------------------------------------------------------------------


def upsert_resident(
    session: Session,
    *,
    user_id: int,
    first_name: str | None,
    username: str | None,
    telegram_language: str | None,
    now: datetime,
) -> Resident:
    """Create the resident on first contact, or refresh their Telegram profile fields."""
    resident = session.get(Resident, user_id)
    if resident is None:
        resident = Resident(id=user_id, created_at=now)
    resident.first_name = first_name
    resident.username = username
    resident.telegram_language = telegram_language
    session.add(resident)
    session.flush()
    return Resident.model_validate(resident)


def get_resident(session: Session, *, user_id: int) -> Resident | None:
    resident = session.get(Resident, user_id)
    return None if resident is None else Resident.model_validate(resident)


def set_language(session: Session, *, user_id: int, language: str, now: datetime) -> None:
    resident = session.get(Resident, user_id) or Resident(id=user_id, created_at=now)
    resident.language = language
    session.add(resident)


def record_consent(session: Session, *, user_id: int, now: datetime) -> None:
    """Record (once) when the resident agreed to be named with their ideas."""
    resident = session.get(Resident, user_id)
    if resident is not None and resident.consent_named_at is None:
        resident.consent_named_at = now
        session.add(resident)


# Drafts -----------------------------------------------------------------------------------------


def get_draft(session: Session, *, resident_id: int) -> Draft | None:
    draft = session.get(Draft, resident_id)
    return None if draft is None else Draft.model_validate(draft)


def save_draft(session: Session, *, draft: Draft) -> Draft:
    """Insert or replace the resident's draft."""
    merged = session.merge(Draft.model_validate(draft))
    session.flush()
    return Draft.model_validate(merged)


def delete_draft(session: Session, *, resident_id: int) -> None:
    session.exec(delete(Draft).where(col(Draft.resident_id) == resident_id))


# Submissions ------------------------------------------------------------------------------------


def _public(session: Session, submission: Submission) -> SubmissionPublic:
    photos = session.exec(
        select(Photo.file_id)
        .where(Photo.submission_id == submission.id)
        .order_by(col(Photo.position))
    ).all()
    return SubmissionPublic.model_validate(submission, update={"photo_file_ids": list(photos)})


def submission_by_draft_key(session: Session, *, draft_key: str) -> SubmissionPublic | None:
    found = session.exec(select(Submission).where(Submission.draft_key == draft_key)).first()
    return None if found is None else _public(session, found)


def create_submission(
    session: Session,
    *,
    submission: Submission,
    photos: Sequence[tuple[str, str]],
    code_prefix: str,
    actor_role: str,
) -> SubmissionPublic:
    """Store a new submission with its photos and first history entry, and give it its code.

    The code is the prefix and the row id, zero-padded to four digits (``IDE-0001``).
    """
    session.add(submission)
    session.flush()
    submission.code = f"{code_prefix}-{submission.id:04d}"
    for position, (file_id, file_unique_id) in enumerate(photos):
        session.add(
            Photo(
                submission_id=submission.id,
                position=position,
                file_id=file_id,
                file_unique_id=file_unique_id,
            )
        )
    session.add(
        StatusChange(
            submission_id=submission.id,
            from_status=None,
            to_status=submission.status,
            actor_id=submission.resident_id,
            actor_role=actor_role,
            at=submission.created_at,
        )
    )
    session.flush()
    return _public(session, submission)


def count_submissions_since(session: Session, *, resident_id: int, since: datetime) -> int:
    return session.exec(
        select(func.count())
        .select_from(Submission)
        .where(Submission.resident_id == resident_id, col(Submission.created_at) >= since)
    ).one()


def submissions_of_resident(
    session: Session, *, resident_id: int, offset: int, limit: int
) -> tuple[list[SubmissionPublic], int]:
    """One page of the resident's submissions, newest first, and the total count."""
    total = session.exec(
        select(func.count()).select_from(Submission).where(Submission.resident_id == resident_id)
    ).one()
    rows = session.exec(
        select(Submission)
        .where(Submission.resident_id == resident_id)
        .order_by(col(Submission.created_at).desc(), col(Submission.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [SubmissionPublic.model_validate(row) for row in rows], total


def submission_by_code(session: Session, *, code: str) -> SubmissionPublic | None:
    found = session.exec(select(Submission).where(Submission.code == code)).first()
    return None if found is None else _public(session, found)


def history(session: Session, *, submission_id: int) -> list[StatusChangePublic]:
    rows = session.exec(
        select(StatusChange)
        .where(StatusChange.submission_id == submission_id)
        .order_by(col(StatusChange.at), col(StatusChange.id))
    ).all()
    return [StatusChangePublic.model_validate(row) for row in rows]


def recent_submission_texts(
    session: Session, *, limit: int, exclude_resident: int | None
) -> list[tuple[int, str, str]]:
    """(id, code, text) of the newest submissions not rejected, for finding similar ideas."""
    query = (
        select(Submission.id, Submission.code, Submission.text)
        .where(Submission.status != "rejected")
        .order_by(col(Submission.id).desc())
        .limit(limit)
    )
    if exclude_resident is not None:
        query = query.where(
            (col(Submission.resident_id).is_(None)) | (Submission.resident_id != exclude_resident)
        )
    return [(row[0], row[1], row[2]) for row in session.exec(query).all()]


def add_support(
    session: Session, *, submission_id: int, resident_id: int, now: datetime
) -> tuple[str, str | None]:
    """Record a resident's support once: ("added" | "already" | "own" | "missing", code)."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        return "missing", None
    if submission.resident_id == resident_id:
        return "own", submission.code
    existing = session.exec(
        select(Support).where(
            Support.submission_id == submission_id, Support.resident_id == resident_id
        )
    ).first()
    if existing is not None:
        return "already", submission.code
    session.add(Support(submission_id=submission_id, resident_id=resident_id, created_at=now))
    return "added", submission.code


def support_count(session: Session, *, submission_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Support).where(Support.submission_id == submission_id)
    ).one()


def labelled_examples(session: Session) -> list[tuple[str, str]]:
    """(text, pillar) of every submission whose pillar an officer confirmed or corrected.

    A submission counts once someone other than the resident changed it (took it for review,
    decided on it, or moved its pillar): from then on its pillar is an officer's word.
    """
    reviewed = select(StatusChange.submission_id).where(StatusChange.actor_role != "resident")
    rows = session.exec(
        select(Submission.text, Submission.pillar).where(col(Submission.id).in_(reviewed))
    ).all()
    return [(row[0], row[1]) for row in rows]


# Conversation states ----------------------------------------------------------------------------


def conversation_states(session: Session, *, name: str) -> dict[str, str]:
    rows = session.exec(select(ConversationState).where(ConversationState.name == name)).all()
    return {row.key: row.state for row in rows}


def set_conversation_state(session: Session, *, name: str, key: str, state: str | None) -> None:
    """Record a conversation's step; ``None`` ends the conversation."""
    existing = session.get(ConversationState, (name, key))
    if state is None:
        if existing is not None:
            session.delete(existing)
        return
    if existing is None:
        session.add(ConversationState(name=name, key=key, state=state))
    else:
        existing.state = state
        session.add(existing)


# Inbox of updates -------------------------------------------------------------------------------


def store_updates(
    session: Session, *, updates: Iterable[tuple[int, dict]], now: datetime
) -> list[int]:
    """Store updates not seen before; return the ids that were new, in order."""
    fresh = []
    for update_id, payload in updates:
        if session.get(InboxUpdate, update_id) is not None:
            continue
        try:
            with session.begin_nested():
                session.add(
                    InboxUpdate(update_id=update_id, payload=json.dumps(payload), received_at=now)
                )
        except IntegrityError:
            continue
        fresh.append(update_id)
    return fresh


def pending_updates(session: Session) -> list[tuple[int, dict]]:
    """Updates stored but not handled yet, oldest first."""
    rows = session.exec(
        select(InboxUpdate)
        .where(col(InboxUpdate.done_at).is_(None))
        .order_by(col(InboxUpdate.update_id))
    ).all()
    return [(row.update_id, json.loads(row.payload)) for row in rows]


def last_update_id(session: Session) -> int | None:
    return session.exec(select(func.max(InboxUpdate.update_id))).one()


def mark_update_done(session: Session, *, update_id: int, now: datetime) -> None:
    """Mark an update handled and drop its payload: only the id is kept, to refuse a re-delivery."""
    row = session.get(InboxUpdate, update_id)
    if row is not None and row.done_at is None:
        row.done_at = now
        row.payload = "{}"
        session.add(row)


def prune_updates(session: Session, *, before: datetime) -> int:
    """Forget handled updates done before ``before`` (Telegram re-delivers for 24 hours at most)."""
    result = session.exec(
        delete(InboxUpdate).where(
            col(InboxUpdate.done_at).is_not(None), col(InboxUpdate.done_at) < before
        )
    )
    return result.rowcount


# Privacy ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Erased:
    """What an erasure removed."""

    had_profile: bool
    submissions_unlinked: int
    locations_removed: int


def erase_resident(session: Session, *, user_id: int) -> Erased:
    """Erase a resident's personal data and unlink their submissions, which stay anonymous.

    Removes the resident row (Telegram id, names, language, consent), their draft, conversation
    steps and pending updates; clears the submissions' links, shared locations and the resident's id
    in the status history.
    """
    resident = session.get(Resident, user_id)
    submissions = session.exec(select(Submission).where(Submission.resident_id == user_id)).all()
    locations = 0
    for submission in submissions:
        if submission.latitude is not None or submission.longitude is not None:
            locations += 1
        submission.resident_id = None
        submission.anonymous = True
        submission.latitude = submission.longitude = None
        session.add(submission)
        for change in session.exec(
            select(StatusChange).where(
                StatusChange.submission_id == submission.id, StatusChange.actor_id == user_id
            )
        ).all():
            change.actor_id = None
            session.add(change)
    session.exec(delete(Draft).where(col(Draft.resident_id) == user_id))
    # Conversation keys are JSON lists ending with the user id: "[chat_id, user_id]".
    session.exec(
        delete(ConversationState).where(col(ConversationState.key).endswith(f", {user_id}]"))
    )
    # Pending payloads are Telegram JSON, where a user is written {"id": <id>, "is_bot": ...}.
    session.exec(
        delete(InboxUpdate).where(
            col(InboxUpdate.done_at).is_(None),
            col(InboxUpdate.payload).contains(f'"id": {user_id},'),
        )
    )
    forget_chat(session, chat_id=user_id)
    if resident is not None:
        session.delete(resident)
    return Erased(
        had_profile=resident is not None,
        submissions_unlinked=len(submissions),
        locations_removed=locations,
    )
