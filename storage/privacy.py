"""Erasing a resident's personal data (UU PDP), keeping their ideas as anonymous ones."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from storage.models import ConversationState, Draft, InboxUpdate, Resident, StatusChange, Submission
from storage.outbox import forget_chat


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
