"""Queries: plain functions taking a session first and keyword-only arguments.

They return read models or plain values; ORM objects never leave the session. Callers go through
:class:`storage.engine.Database`, which owns transactions (``write`` commits).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, func, insert, update
from sqlmodel import Session, col, delete, select

from storage.models import (
    Draft,
    DraftBase,
    Photo,
    Resident,
    Status,
    StatusChange,
    StatusChangePublic,
    Submission,
    SubmissionPublic,
    Support,
)

# Residents --------------------------------------------------------------------------------------


_RESIDENT = Resident.__table__
# Built once, as the Send step runs it: the profile, and what the resident answered at Send.
_REFRESH_RESIDENT = (
    update(_RESIDENT)
    .where(_RESIDENT.c.id == bindparam("user"))
    .values(
        first_name=bindparam("first"),
        username=bindparam("handle"),
        telegram_language=bindparam("telegram"),
        consent_named_at=func.coalesce(
            _RESIDENT.c.consent_named_at, bindparam("consent", type_=_RESIDENT.c.created_at.type)
        ),
        publish_default=func.coalesce(
            bindparam("public", type_=_RESIDENT.c.publish_default.type),
            _RESIDENT.c.publish_default,
        ),
    )
)
_INSERT_RESIDENT = insert(_RESIDENT)


def upsert_resident(
    session: Session,
    *,
    user_id: int,
    first_name: str | None,
    username: str | None,
    telegram_language: str | None,
    now: datetime,
    consent: bool = False,
    publish_default: bool | None = None,
) -> None:
    """Create the resident on first contact, or refresh their Telegram profile fields.

    ``consent`` records (once) that they agreed to be named with their ideas; ``publish_default``,
    unless ``None``, is their answer to "may this idea be shown publicly?" for their next.
    """
    connection = session.connection()
    consented_at = now if consent else None
    refreshed = connection.execute(
        _REFRESH_RESIDENT,
        {
            "user": user_id,
            "first": first_name,
            "handle": username,
            "telegram": telegram_language,
            "consent": consented_at,
            "public": publish_default,
        },
    )
    if not refreshed.rowcount:
        connection.execute(
            _INSERT_RESIDENT,
            {
                "id": user_id,
                "first_name": first_name,
                "username": username,
                "telegram_language": telegram_language,
                "created_at": now,
                "consent_named_at": consented_at,
                "publish_default": publish_default,
            },
        )


class ResidentChoices(NamedTuple):
    """What a resident chose: the bot's language, and whether their next idea may be public."""

    language: str | None
    publish_default: bool | None


_CHOICES = select(_RESIDENT.c.language, _RESIDENT.c.publish_default).where(
    _RESIDENT.c.id == bindparam("user")
)


def resident_choices(connection: Connection, *, user_id: int) -> ResidentChoices | None:
    """A quick read, as :func:`get_draft`; ``None`` for someone not yet a resident."""
    row = connection.execute(_CHOICES, {"user": user_id}).first()
    return None if row is None else ResidentChoices(*row)


def get_resident(session: Session, *, user_id: int) -> Resident | None:
    resident = session.get(Resident, user_id)
    return None if resident is None else Resident.model_validate(resident)


def set_language(session: Session, *, user_id: int, language: str, now: datetime) -> None:
    resident = session.get(Resident, user_id) or Resident(id=user_id, created_at=now)
    resident.language = language
    session.add(resident)


def mark_unreachable(session: Session, *, user_id: int, now: datetime) -> None:
    resident = session.get(Resident, user_id)
    if resident is not None:
        resident.unreachable_at = now
        session.add(resident)


# Drafts -----------------------------------------------------------------------------------------


_DRAFT = Draft.__table__
_GET_DRAFT = select(_DRAFT).where(_DRAFT.c.resident_id == bindparam("resident"))
# Without values, the statements take their columns from the parameters they are run with.
_UPDATE_DRAFT = update(_DRAFT).where(_DRAFT.c.resident_id == bindparam("resident"))
_INSERT_DRAFT = insert(_DRAFT)


def get_draft(connection: Connection, *, resident_id: int) -> DraftBase | None:
    """The resident's draft: a quick read (:meth:`storage.engine.Database.quick_read`); inside
    a transaction, pass ``session.connection()``."""
    row = connection.execute(_GET_DRAFT, {"resident": resident_id}).mappings().first()
    return None if row is None else DraftBase.model_construct(**row)


def save_draft(session: Session, *, draft: DraftBase) -> DraftBase:
    """Insert or replace the resident's draft.

    Statements built once rather than the ORM's merge and flush: a draft is saved at every step
    of /ide, and building and tracking the statement cost more than running it.
    """
    values = draft.model_dump()
    connection = session.connection()
    if not connection.execute(_UPDATE_DRAFT, {"resident": draft.resident_id, **values}).rowcount:
        connection.execute(_INSERT_DRAFT, values)
    return draft


_DELETE_DRAFT = delete(_DRAFT).where(_DRAFT.c.resident_id == bindparam("resident"))


def delete_draft(session: Session, *, resident_id: int) -> None:
    session.connection().execute(_DELETE_DRAFT, {"resident": resident_id})


def delete_idle_drafts(
    session: Session, *, before: datetime
) -> list[tuple[int, str | None, str | None]]:
    """Delete the drafts last changed before ``before``: (resident id, chosen language,
    Telegram's language) of each; the languages are empty for someone not yet a resident."""
    deleted = session.execute(
        delete(Draft).where(col(Draft.updated_at) < before).returning(col(Draft.resident_id))
    )
    ids = list(deleted.scalars())
    if not ids:
        return []
    known = {
        row.id: (row.language, row.telegram_language)
        for row in session.execute(
            select(Resident.id, Resident.language, Resident.telegram_language).where(
                col(Resident.id).in_(ids)
            )
        )
    }
    return [(resident_id, *known.get(resident_id, (None, None))) for resident_id in ids]


# Submissions ------------------------------------------------------------------------------------


def public_submission(session: Session, submission: Submission) -> SubmissionPublic:
    """The read model of ``submission``, with its photos' file ids in order."""
    photos = session.exec(
        select(Photo.file_id)
        .where(Photo.submission_id == submission.id)
        .order_by(col(Photo.position))
    ).all()
    return SubmissionPublic.model_validate(submission, update={"photo_file_ids": list(photos)})


_SUBMISSION = Submission.__table__
# Built once, like the draft's statements: both run at every Send.
_SENT_DRAFT = select(_SUBMISSION.c.id).where(_SUBMISSION.c.draft_key == bindparam("key"))
_SENT_SINCE = (
    select(func.count())
    .select_from(_SUBMISSION)
    .where(
        _SUBMISSION.c.resident_id == bindparam("resident"),
        _SUBMISSION.c.created_at >= bindparam("since", type_=_SUBMISSION.c.created_at.type),
    )
)


_INSERT_SUBMISSION = insert(_SUBMISSION)
_SET_CODE = (
    update(_SUBMISSION)
    .where(_SUBMISSION.c.id == bindparam("submission"))
    .values(code=bindparam("code"))
)
_INSERT_PHOTO = insert(Photo.__table__)
_INSERT_CHANGE = insert(StatusChange.__table__)


def submission_by_draft_key(session: Session, *, draft_key: str) -> SubmissionPublic | None:
    found = session.connection().execute(_SENT_DRAFT, {"key": draft_key}).scalar()
    return None if found is None else public_submission(session, session.get(Submission, found))


def create_submission(
    session: Session,
    *,
    submission: Submission,
    photos: Sequence[tuple[str, str]],
    code_prefix: str,
    actor_role: str,
) -> SubmissionPublic:
    """Store a new submission with its photos and first history entry, and give it its code.

    The code is the prefix and the row id, zero-padded to four digits (``IDE-0001``). Statements
    built once rather than the ORM's unit of work, as for drafts: this runs at every Send.
    """
    connection = session.connection()
    values = submission.model_dump(exclude={"id", "code"})
    [submission_id] = connection.execute(_INSERT_SUBMISSION, values).inserted_primary_key
    code = f"{code_prefix}-{submission_id:04d}"
    connection.execute(_SET_CODE, {"submission": submission_id, "code": code})
    if photos:
        connection.execute(
            _INSERT_PHOTO,
            [
                {
                    "submission_id": submission_id,
                    "position": position,
                    "file_id": file_id,
                    "file_unique_id": file_unique_id,
                }
                for position, (file_id, file_unique_id) in enumerate(photos)
            ],
        )
    connection.execute(
        _INSERT_CHANGE,
        {
            "submission_id": submission_id,
            "from_status": None,
            "to_status": submission.status,
            "actor_id": submission.resident_id,
            "actor_role": actor_role,
            "at": submission.created_at,
        },
    )
    return SubmissionPublic.model_validate(
        {
            **values,
            "id": submission_id,
            "code": code,
            "photo_file_ids": [file_id for file_id, _ in photos],
        }
    )


def count_submissions_since(connection: Connection, *, resident_id: int, since: datetime) -> int:
    """A quick read, as :func:`get_draft`."""
    return connection.execute(_SENT_SINCE, {"resident": resident_id, "since": since}).scalar_one()


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
    return None if found is None else public_submission(session, found)


def history(session: Session, *, submission_id: int) -> list[StatusChangePublic]:
    rows = session.exec(
        select(StatusChange)
        .where(StatusChange.submission_id == submission_id)
        .order_by(col(StatusChange.at), col(StatusChange.id))
    ).all()
    return [StatusChangePublic.model_validate(row) for row in rows]


class Idea(NamedTuple):
    """An idea in the pool that "similar ideas" are looked for in."""

    id: int
    code: str
    text: str
    resident_id: int | None


_IDEAS = select(Submission.id, Submission.code, Submission.text, Submission.resident_id).where(
    Submission.status != Status.REJECTED
)


def newest_ideas(session: Session, *, limit: int, lookback: int) -> tuple[list[int], list[Idea]]:
    """The ``limit`` newest submissions not rejected, newest first (the pool "similar ideas" are
    looked for in), and the ids of the newest ``lookback`` status changes."""
    history = StatusChange.__table__.c
    changes = session.connection().execute(
        select(history.id).order_by(history.id.desc()).limit(lookback)
    )
    rows = session.connection().execute(_IDEAS.order_by(col(Submission.id).desc()).limit(limit))
    return [change_id for (change_id,) in changes], [Idea(*row) for row in rows]


def ideas_changed_since(
    session: Session, *, change_id: int, followed: frozenset[int]
) -> tuple[list[int], list[Idea], bool]:
    """What the pool of newest ideas must learn from the status changes after ``change_id`` that
    are not in ``followed``: the ids of all changes after ``change_id``, the submissions sent
    (not rejected; newest first), and whether an idea was rejected or taken back from rejection
    (the pool must then be read again)."""
    connection = session.connection()
    history = StatusChange.__table__.c
    changes = connection.execute(
        select(history.id, history.submission_id, history.from_status, history.to_status)
        .where(history.id > change_id)
        .order_by(history.id)
    ).all()
    new = [change for change in changes if change[0] not in followed]
    rejections = any(Status.REJECTED in (change[2], change[3]) for change in new)
    sent = [change[1] for change in new if change[2] is None]
    rows = (
        connection.execute(
            _IDEAS.where(col(Submission.id).in_(sent)).order_by(col(Submission.id).desc())
        )
        if sent and not rejections
        else []
    )
    return [change[0] for change in changes], [Idea(*row) for row in rows], rejections


class SupportOutcome(enum.StrEnum):
    """What a resident's press of "support" did."""

    ADDED = "added"
    ALREADY = "already"  # counted before
    OWN = "own"  # their own idea
    MISSING = "missing"  # no such idea, or rejected (never offered as a similar idea)


def add_support(
    session: Session, *, submission_id: int, resident_id: int, now: datetime
) -> tuple[SupportOutcome, str | None]:
    """Record a resident's support once: what it did, and the idea's code."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.status == Status.REJECTED:
        return SupportOutcome.MISSING, None
    if submission.resident_id == resident_id:
        return SupportOutcome.OWN, submission.code
    existing = session.exec(
        select(Support).where(
            Support.submission_id == submission_id, Support.resident_id == resident_id
        )
    ).first()
    if existing is not None:
        return SupportOutcome.ALREADY, submission.code
    session.add(Support(submission_id=submission_id, resident_id=resident_id, created_at=now))
    return SupportOutcome.ADDED, submission.code


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
