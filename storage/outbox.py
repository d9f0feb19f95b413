"""The outbox: messages queued in the transaction that caused them, then delivered by a worker."""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import Session, col, delete, select

from storage.models import OutboxMessage, OutboxState, Resident

Buttons = list[list[tuple[str, str]]]


def queue_message(
    session: Session, *, chat_id: int, text: str, buttons: Buttons | None = None, now: datetime
) -> None:
    """Queue a message inside the caller's transaction: it exists exactly when that commits."""
    session.add(
        OutboxMessage(
            chat_id=chat_id,
            text=text,
            buttons=json.dumps(buttons or [], ensure_ascii=False),
            created_at=now,
            due_at=now,
        )
    )


def due_messages(session: Session, *, now: datetime, limit: int) -> list[OutboxMessage]:
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.state == OutboxState.PENDING, col(OutboxMessage.due_at) <= now)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
    ).all()
    return [OutboxMessage.model_validate(row) for row in rows]


def mark_sent(session: Session, *, message_id: int, now: datetime) -> None:
    message = session.get(OutboxMessage, message_id)
    if message is None:
        return
    message.state, message.sent_at = OutboxState.SENT, now
    message.attempts += 1
    session.add(message)
    resident = session.get(Resident, message.chat_id)
    if resident is not None and resident.unreachable_at is not None:
        resident.unreachable_at = None
        session.add(resident)


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
