"""The update inbox and the conversation steps: what the bot received and where each
conversation stands, so that a restart loses neither."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from storage.models import ConversationState, InboxUpdate


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
