"""SQLModel tables and their read models.

Every datetime is timezone-aware UTC (:class:`storage.types.UTCDateTime`). Read models (``…Public``)
are what services hand out; live ORM objects never leave a session.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Status(enum.StrEnum):
    """The life of a submission (docs/product.md)."""

    NEW = "new"
    IN_REVIEW = "in_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    NEEDS_INFO = "needs_info"
    DUPLICATE = "duplicate"
    FORWARDED = "forwarded"  # to an SKPD (``Submission.unit``), not yet acknowledged
    IN_PROGRESS = "in_progress"  # the SKPD took it up
    IMPLEMENTED = "implemented"


def _utc(**kwargs) -> object:
    return Field(sa_column=Column(UTCDateTime(), **kwargs))


def _user_key() -> object:
    return Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))


class Resident(SQLModel, table=True):
    """A Telegram user who wrote to the bot. ``id`` is the Telegram user id."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_name: str | None = None
    username: str | None = None
    telegram_language: str | None = None
    language: str | None = None
    created_at: datetime = _utc(nullable=False)
    consent_named_at: datetime | None = _utc(nullable=True)
    # The resident's last answer to "may this idea be shown publicly?": offered (and shown) as
    # the answer for their next ideas; empty until they answer once.
    publish_default: bool | None = None
    unreachable_at: datetime | None = _utc(nullable=True)


class SubmissionBase(SQLModel):
    code: str
    text: str = Field(sa_type=Text)
    pillar: str
    suggested_pillar: str
    confidence: float
    reasons: str = ""
    kecamatan: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = True
    status: Status = Field(default=Status.NEW, sa_type=String(16))
    language: str = "id"
    looks_like_complaint: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The resident agreed that the idea may be shown publicly (the channel, /jelajah, open data).
    public: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    # The idea's post in PUBLIC_CHANNEL_ID.
    public_message_id: int | None = Field(default=None, sa_type=BigInteger)
    # The SKPD (a key of units.toml) the idea is forwarded to, while it is with them and after
    # they implemented it; empty again when they return it.
    unit: str | None = Field(default=None, index=True)


class Submission(SubmissionBase, table=True):
    """A resident's idea. ``draft_key`` makes sending the same draft twice create one row."""

    __table_args__ = (
        UniqueConstraint("code", name="uq_submission_code"),
        UniqueConstraint("draft_key", name="uq_submission_draft_key"),
        Index("ix_submission_resident_created", "resident_id", "created_at"),
        Index("ix_submission_status_created", "status", "created_at"),
        # The digest and the report count by pillar and kecamatan over a range of days.
        Index("ix_submission_created_pillar", "created_at", "pillar", "kecamatan"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = None  # type: ignore[assignment]
    resident_id: int | None = Field(
        default=None, sa_type=BigInteger, foreign_key="resident.id", ondelete="SET NULL"
    )
    draft_key: str
    version: int = 1
    created_at: datetime = _utc(nullable=False)
    updated_at: datetime = _utc(nullable=False)
    public_hidden_at: datetime | None = _utc(nullable=True)  # an officer withdrew it from view


class SubmissionPublic(SubmissionBase):
    id: int
    resident_id: int | None
    created_at: datetime
    updated_at: datetime
    public_hidden_at: datetime | None = None
    version: int
    photo_file_ids: list[str] = []


class Photo(SQLModel, table=True):
    """A photo of a submission, kept as Telegram's file id (up to three per submission)."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE", index=True)
    position: int
    file_id: str
    file_unique_id: str


class StatusChangeBase(SQLModel):
    from_status: Status | None = Field(default=None, sa_type=String(16))
    to_status: Status = Field(sa_type=String(16))
    actor_id: int | None = Field(default=None, sa_type=BigInteger)
    actor_role: str
    note: str | None = Field(default=None, sa_type=Text)
    # The submission's version after this change, and the pillar before and after when an
    # officer moved it (the status then stays the same).
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    from_pillar: str | None = None
    to_pillar: str | None = None
    unit: str | None = None  # the SKPD this step was taken with (forward, their own steps)


class StatusChange(StatusChangeBase, table=True):
    """Who changed a submission's status, when, from what to what, and why."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE", index=True)
    at: datetime = _utc(nullable=False, index=True)


class StatusChangePublic(StatusChangeBase):
    id: int
    at: datetime


class StepPhoto(SQLModel, table=True):
    """A photo an SKPD's liaison sent with a step (progress, evidence of implementation)."""

    id: int | None = Field(default=None, primary_key=True)
    change_id: int = Field(foreign_key="statuschange.id", ondelete="CASCADE", index=True)
    position: int
    file_id: str
    file_unique_id: str
    caption: str | None = Field(default=None, sa_type=Text)


class DraftBase(SQLModel):
    """The resident's submission in progress, as the bot reads and changes it (a draft's row
    without the ORM: it is read at every step of /ide, and a row needs no validating)."""

    resident_id: int
    key: str
    text: str | None = Field(default=None, sa_type=Text)
    photos: str = "[]"
    kecamatan: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    pillar: str | None = None
    suggested_pillar: str | None = None
    confidence: float | None = None
    reasons: str = ""
    candidates: str = "[]"
    looks_like_complaint: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    anonymous: bool | None = None
    public: bool | None = None
    updated_at: datetime


class Draft(DraftBase, table=True):
    """The table of drafts; survives restarts, deleted on send or cancel."""

    resident_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    updated_at: datetime = _utc(nullable=False)


class Support(SQLModel, table=True):
    """A resident's support for an existing idea: one per resident and idea.

    ``resident_id`` becomes empty when the resident erases their data; the support still counts.
    """

    __table_args__ = (UniqueConstraint("submission_id", "resident_id", name="uq_support_once"),)

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE", index=True)
    resident_id: int | None = Field(
        default=None, sa_type=BigInteger, foreign_key="resident.id", ondelete="SET NULL"
    )
    created_at: datetime = _utc(nullable=False)


class OutboxState(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"  # Telegram kept refusing it; given up
    UNREACHABLE = "unreachable"  # the person blocked the bot (403)


class CardIntro(enum.StrEnum):
    """Why a submission's card goes to the team: the line above the card."""

    NEW = "new"  # a new idea (ANNOUNCE_NEW); a burst of them goes as one list
    ANSWER = "answer"  # the resident answered an officer's question
    FORWARD = "forward"  # forwarded to the receiving liaison's SKPD: drawn with their buttons
    RETURNED = "returned"  # an SKPD gave it back to the team


class OutboxMessage(SQLModel, table=True):
    """A message that must reach someone, queued in the same transaction as what it reports.

    ``buttons`` is JSON: rows of ``[label, callback data]``. A message with ``card_of`` set is a
    submission's card, drawn when it is sent (so it shows the idea as it stands then), after the
    line ``card_intro``; its ``text`` is empty.
    """

    __table_args__ = (Index("ix_outboxmessage_state_due", "state", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_type=BigInteger)
    text: str = Field(sa_type=Text)
    buttons: str = "[]"
    state: OutboxState = Field(default=OutboxState.PENDING, sa_type=String(16))
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = _utc(nullable=False)
    due_at: datetime = _utc(nullable=False)
    sent_at: datetime | None = _utc(nullable=True)
    card_of: int | None = None
    card_intro: CardIntro | None = Field(default=None, sa_type=String(16))
    post_of: int | None = None
    photos: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})  # sent first


class ConversationState(SQLModel, table=True):
    """The step of a persistent ConversationHandler conversation, by handler name and key."""

    name: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    state: str


class InboxUpdate(SQLModel, table=True):
    """A Telegram update as received: stored before it is confirmed, marked done once handled."""

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: str = Field(sa_type=Text)
    received_at: datetime = _utc(nullable=False)
    done_at: datetime | None = _utc(nullable=True, index=True)


# The review desk ---------------------------------------------------------------------------------


class Staff(SQLModel, table=True):
    """An officer or admin as Telegram last showed them: the name shown beside their work."""

    id: int = _user_key()
    first_name: str | None = None
    username: str | None = None
    seen_at: datetime = _utc(nullable=False)


class Officer(SQLModel, table=True):
    """An officer appointed by an admin's invite. A revoked officer keeps the row, revoked."""

    user_id: int = _user_key()
    added_by: int | None = Field(default=None, sa_type=BigInteger)
    added_at: datetime = _utc(nullable=False)
    revoked_at: datetime | None = _utc(nullable=True)
    revoked_by: int | None = Field(default=None, sa_type=BigInteger)


class Invite(SQLModel, table=True):
    """A one-time invite link; only the SHA-256 of its code is kept."""

    code_hash: str = Field(primary_key=True)
    created_by: int = Field(sa_type=BigInteger)
    created_at: datetime = _utc(nullable=False)
    expires_at: datetime = _utc(nullable=False)
    used_by: int | None = Field(default=None, sa_type=BigInteger)
    used_at: datetime | None = _utc(nullable=True)
    unit: str | None = None  # an invite for that SKPD's liaison; else for an officer


class Liaison(SQLModel, table=True):
    """An SKPD's liaison (penghubung), appointed by an admin's invite for that unit."""

    user_id: int = _user_key()
    unit: str = Field(index=True)
    added_by: int | None = Field(default=None, sa_type=BigInteger)
    added_at: datetime = _utc(nullable=False)
    revoked_at: datetime | None = _utc(nullable=True)
    revoked_by: int | None = Field(default=None, sa_type=BigInteger)


class UnitPrompt(SQLModel, table=True):
    """A liaison's step waiting for its words and photos (progress, implemented, returned)."""

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    action: str
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE")
    version: int
    unit: str
    words: str | None = Field(default=None, sa_type=Text)
    photos: str = "[]"  # JSON: [[file_id, file_unique_id, caption], ...]
    created_at: datetime = _utc(nullable=False)


class LiaisonReminder(SQLModel, table=True):
    """The weekly reminder of open items a liaison got for the week starting ``week``."""

    user_id: int = _user_key()
    week: datetime = Field(sa_column=Column(UTCDateTime(), primary_key=True))
    sent_at: datetime = _utc(nullable=False)


class ReviewNoteBase(SQLModel):
    author_id: int = Field(sa_type=BigInteger)
    text: str = Field(sa_type=Text)


class ReviewNote(ReviewNoteBase, table=True):
    """An officer's internal note on a submission; residents never see it."""

    id: int | None = Field(default=None, primary_key=True)
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE", index=True)
    at: datetime = _utc(nullable=False)


class ReviewNotePublic(ReviewNoteBase):
    at: datetime


class ReviewPrompt(SQLModel, table=True):
    """An officer's action waiting for its words (a reason, a question, a note, a code)."""

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    officer_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    action: str
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE")
    version: int
    card_message_id: int | None = None  # the card whose button asked, refreshed once done
    created_at: datetime = _utc(nullable=False)
    unit: str | None = None  # the SKPD chosen for a forward


class PendingAnswer(SQLModel, table=True):
    """A resident writing their answer to an officer's question about one submission."""

    resident_id: int = Field(
        sa_column=Column(
            BigInteger,
            ForeignKey("resident.id", ondelete="CASCADE"),  # erased with the resident
            primary_key=True,
            autoincrement=False,
        )
    )
    submission_id: int = Field(foreign_key="submission.id", ondelete="CASCADE")
    created_at: datetime = _utc(nullable=False)


# The weekly digest -------------------------------------------------------------------------------


class DeliveryState(enum.StrEnum):
    """Where one chat's digest for one period stands."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class DigestDelivery(SQLModel, table=True):
    """One period's digest to one chat: claimed, sent part by part, then sent or failed."""

    __table_args__ = (
        UniqueConstraint("period_start", "chat_id", name="uq_digestdelivery_period_chat"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period_start: datetime = _utc(nullable=False)
    period_end: datetime = _utc(nullable=False)
    chat_id: int = Field(sa_type=BigInteger)
    state: DeliveryState = Field(default=DeliveryState.PENDING, sa_type=String(16))
    attempts: int = 0
    claim: str | None = None
    lease_until: datetime | None = _utc(nullable=True)
    message_ids: str = "[]"  # JSON list of the ids of the parts sent so far, in order
    sent_at: datetime | None = _utc(nullable=True)
    last_error: str | None = Field(default=None, sa_type=Text)
    updated_at: datetime = _utc(nullable=False)


class Installation(SQLModel, table=True):
    """The one row saying when this database was first set up: the bot sends no digest of a
    period that ended before it."""

    id: int = Field(default=1, primary_key=True)
    set_up_at: datetime = _utc(nullable=False)
