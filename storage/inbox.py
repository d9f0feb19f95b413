"""The update inbox and the conversation steps: what the bot received and where each
conversation stands, so that a restart loses neither."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Insert, bindparam, func, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, delete, select

from storage.models import ConversationState, InboxUpdate

_INBOX = InboxUpdate.__table__
# Built once: the inbox is written for every batch and every handled update, and building these
# statements anew each time cost more than running them.
_SEEN = select(_INBOX.c.update_id).where(_INBOX.c.update_id.in_(bindparam("ids", expanding=True)))
_STORE = insert(_INBOX)
_MARK_DONE = (
    update(_INBOX)
    .where(_INBOX.c.update_id.in_(bindparam("ids", expanding=True)), _INBOX.c.done_at.is_(None))
    .values(done_at=bindparam("now", type_=_INBOX.c.done_at.type), payload="{}")
)


def store_updates(
    session: Session, *, updates: Iterable[tuple[int, dict]], now: datetime
) -> list[int]:
    """Store updates not seen before; return the ids that were new, in order."""
    batch = {update_id: payload for update_id, payload in updates}
    if not batch:
        return []
    connection = session.connection()
    seen = set(connection.execute(_SEEN, {"ids": list(batch)}).scalars())
    fresh = [update_id for update_id in batch if update_id not in seen]
    if fresh:
        connection.execute(
            _STORE,
            [{"update_id": i, "payload": json.dumps(batch[i]), "received_at": now} for i in fresh],
        )
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


def mark_updates_done(session: Session, *, update_ids: Iterable[int], now: datetime) -> None:
    """Mark updates handled and drop their payloads: the ids are kept, to refuse re-deliveries."""
    ids = list(update_ids)
    if ids:
        session.connection().execute(_MARK_DONE, {"ids": ids, "now": now})


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


_STATE = ConversationState.__table__
_END_STATE = delete(_STATE).where(
    _STATE.c.name == bindparam("end_name"), _STATE.c.key == bindparam("end_key")
)


def _upsert_state(dialect_insert) -> Insert:
    statement = dialect_insert(_STATE)
    return statement.on_conflict_do_update(
        index_elements=[_STATE.c.name, _STATE.c.key], set_={"state": statement.excluded.state}
    )


# Built once: conversation steps are stored after every update.
_SET_STATE = {
    "sqlite": _upsert_state(sqlite.insert),
    "postgresql": _upsert_state(postgresql.insert),
}


def set_conversation_states(
    session: Session, *, states: Mapping[tuple[str, str], str | None]
) -> None:
    """Record conversations' steps by (name, key); a step of ``None`` ends the conversation."""
    connection = session.connection()
    ended = [{"end_name": n, "end_key": k} for (n, k), state in states.items() if state is None]
    kept = [
        {"name": n, "key": k, "state": state}
        for (n, k), state in states.items()
        if state is not None
    ]
    if ended:
        connection.execute(_END_STATE, ended)
    if kept:
        connection.execute(_SET_STATE[connection.dialect.name], kept)


def finish_updates(
    session: Session,
    *,
    states: Mapping[tuple[str, str], str | None],
    done: Iterable[int],
    now: datetime,
) -> None:
    """What handling updates left to store: the conversations' steps, then the done marks."""
    set_conversation_states(session, states=states)
    mark_updates_done(session, update_ids=done, now=now)
