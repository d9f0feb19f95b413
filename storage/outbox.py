"""The outbox: messages queued in the transaction that caused them, then delivered by a worker."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import func, insert
from sqlmodel import Session, col, delete, select, update

from storage.models import CardIntro, OutboxMessage, OutboxState, Resident, Submission

Buttons = list[list[tuple[str, str]]]


def queue_message(
    session: Session,
    *,
    chat_id: int,
    text: str,
    buttons: Buttons | None = None,
    now: datetime,
    photos: list[str] | None = None,
) -> None:
    """Queue a message inside the caller's transaction: it exists exactly when that commits.
    ``photos`` (Telegram file ids) are sent before the text."""
    _queue(
        session,
        chat_id=chat_id,
        text=text,
        buttons=json.dumps(buttons or [], ensure_ascii=False),
        now=now,
        photos=json.dumps(photos or []),
    )


def queue_card(
    session: Session, *, chat_id: int, submission_id: int, intro: CardIntro, now: datetime
) -> None:
    """Queue a submission's card for ``chat_id`` inside the caller's transaction."""
    _queue(session, chat_id=chat_id, card_of=submission_id, card_intro=intro, now=now)


def queue_post(session: Session, *, chat_id: int, submission_id: int, now: datetime) -> None:
    """Queue bringing the submission's post in the channel ``chat_id`` in step with the idea
    (post, edit or delete it, whichever it needs when sent), inside the caller's transaction."""
    _queue(session, chat_id=chat_id, post_of=submission_id, now=now)


_INSERT = insert(OutboxMessage.__table__)
_BLANK = {
    "text": "",
    "buttons": "[]",
    "photos": "[]",
    "card_of": None,
    "card_intro": None,
    "post_of": None,
    "state": OutboxState.PENDING,
    "attempts": 0,
}


def _queue(session: Session, *, chat_id: int, now: datetime, **fields: object) -> None:
    """Insert one message (a statement built once rather than the ORM's unit of work: the Send
    step queues the team's announcement this way)."""
    session.connection().execute(
        _INSERT, {**_BLANK, **fields, "chat_id": chat_id, "created_at": now, "due_at": now}
    )


def post_message_id(session: Session, *, submission_id: int) -> int | None:
    return session.exec(
        select(Submission.public_message_id).where(Submission.id == submission_id)
    ).first()


def set_post_message_id(session: Session, *, submission_id: int, message_id: int | None) -> None:
    """Remember the idea's post in the channel (``None``: it has none now)."""
    found = session.get(Submission, submission_id)
    if found is not None:
        found.public_message_id = message_id
        session.add(found)


def _due(now: datetime):
    return (OutboxMessage.state == OutboxState.PENDING, col(OutboxMessage.due_at) <= now)


def due_chats(session: Session, *, now: datetime, limit: int) -> list[int]:
    """Chats with a message due, the longest waiting first."""
    rows = session.exec(
        select(OutboxMessage.chat_id)
        .where(*_due(now))
        .group_by(col(OutboxMessage.chat_id))
        .order_by(func.min(OutboxMessage.id))
        .limit(limit)
    ).all()
    return list(rows)


def due_messages(
    session: Session, *, chat_id: int, now: datetime, limit: int
) -> list[OutboxMessage]:
    """One chat's due messages, in the order they were queued."""
    rows = session.exec(
        select(OutboxMessage)
        .where(*_due(now), OutboxMessage.chat_id == chat_id)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    ).all()
    return [OutboxMessage.model_validate(row) for row in rows]


def mark_sent(session: Session, *, message_ids: list[int], now: datetime) -> None:
    """Settle messages that went out (several at once: a burst of new ideas sent as one list);
    a resident who receives one is reachable again."""
    session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(message_ids))
        .values(state=OutboxState.SENT, sent_at=now, attempts=OutboxMessage.attempts + 1)
    )
    chats = select(OutboxMessage.chat_id).where(col(OutboxMessage.id).in_(message_ids))
    session.exec(
        update(Resident)
        .where(col(Resident.id).in_(chats), col(Resident.unreachable_at).is_not(None))
        .values(unreachable_at=None)
    )


def mark_retry(session: Session, *, message_id: int, error: str, due_at: datetime | None) -> None:
    """Count a failed attempt: try again at ``due_at``, or give up when it is ``None``."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return
    message.attempts += 1
    message.last_error = error[:500]
    if due_at is None:
        message.state = OutboxState.FAILED
    else:
        message.due_at = due_at
    session.add(message)


def mark_unreachable(session: Session, *, message_id: int, error: str, now: datetime) -> None:
    """The person blocked the bot: stop trying, and remember it on the resident."""
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return
    message.state, message.last_error = OutboxState.UNREACHABLE, error[:500]
    message.attempts += 1
    session.add(message)
    resident = session.get(Resident, message.chat_id)
    if resident is not None:
        resident.unreachable_at = now
        session.add(resident)


def forget_chat(session: Session, *, chat_id: int) -> None:
    session.exec(delete(OutboxMessage).where(col(OutboxMessage.chat_id) == chat_id))


def prune_delivered(session: Session, *, before: datetime) -> int:
    """Forget messages settled (sent, failed, unreachable) before ``before``."""
    result = session.exec(
        delete(OutboxMessage).where(
            OutboxMessage.state != OutboxState.PENDING, col(OutboxMessage.created_at) < before
        )
    )
    return result.rowcount
