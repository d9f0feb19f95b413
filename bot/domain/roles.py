"""Who may review: admins from ``ADMIN_IDS``, officers appointed by an admin's one-time invite.

Knows nothing of Telegram. A role is read from the database every time it is asked, so a
revocation takes effect at the next command or button press.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Texts, resolve_language
from bot.domain.submissions import Profile
from storage import review as store
from storage.engine import Database
from storage.outbox import queue_message
from storage.queries import get_resident

INVITE_PREFIX = "inv-"
INVITE_VALIDITY = timedelta(hours=48)


class Role(enum.Enum):
    """What a user may do on the review desk."""

    NONE = "none"
    REVOKED = "revoked"  # was an officer: their old buttons say so
    OFFICER = "officer"
    ADMIN = "admin"

    @property
    def staff(self) -> bool:
        return self in (Role.OFFICER, Role.ADMIN)


@dataclass(frozen=True, slots=True)
class Invitation:
    payload: str  # what follows /start in the link
    expires_at: datetime


class Refusal(enum.StrEnum):
    """Why an invite did not make its user an officer."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ALREADY = "already"  # the user already is staff; the invite stays unused


@dataclass(frozen=True, slots=True)
class Appointed:
    invited_by: int


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def role_in(session: Session, settings: Settings, user_id: int) -> Role:
    """The role of ``user_id``, read inside the caller's transaction."""
    if user_id in settings.admin_ids:
        return Role.ADMIN
    officer = store.officer(session, user_id=user_id)
    if officer is None:
        return Role.NONE
    return Role.REVOKED if officer.revoked_at is not None else Role.OFFICER


class Roles:
    """Roles, invites and the list of officers."""

    def __init__(self, *, db: Database, settings: Settings, clock: Clock, texts: Texts) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._texts = texts

    async def role(self, user_id: int) -> Role:
        return await self._db.read(lambda session: role_in(session, self._settings, user_id))

    async def invite(self, admin: Profile) -> Invitation | None:
        """A new one-time invite, valid for 48 hours; ``None`` if ``admin`` is not an admin."""
        if admin.user_id not in self._settings.admin_ids:
            return None
        code = secrets.token_urlsafe(16)
        now = self._clock()
        expires_at = now + INVITE_VALIDITY

        def add(session: Session) -> None:
            store.touch_staff(
                session,
                user_id=admin.user_id,
                first_name=admin.first_name,
                username=admin.username,
                now=now,
            )
            store.add_invite(
                session,
                code_hash=_hash(code),
                created_by=admin.user_id,
                now=now,
                expires_at=expires_at,
            )

        await self._db.write(add)
        return Invitation(payload=INVITE_PREFIX + code, expires_at=expires_at)

    async def redeem(self, profile: Profile, payload: str) -> Appointed | Refusal:
        """Make ``profile`` an officer with the invite in ``payload``, if it is still good."""
        code_hash = _hash(payload.removeprefix(INVITE_PREFIX))
        now = self._clock()

        def use(session: Session) -> Appointed | Refusal:
            found = store.invite(session, code_hash=code_hash)
            if found is None:
                return Refusal.UNKNOWN
            if found.used_by is not None:
                return Refusal.USED
            if now >= found.expires_at:
                return Refusal.EXPIRED
            if role_in(session, self._settings, profile.user_id).staff:
                return Refusal.ALREADY
            if not store.use_invite(session, code_hash=code_hash, user_id=profile.user_id, now=now):
                return Refusal.USED
            store.appoint(session, user_id=profile.user_id, added_by=found.created_by, now=now)
            store.touch_staff(
                session,
                user_id=profile.user_id,
                first_name=profile.first_name,
                username=profile.username,
                now=now,
            )
            self._tell_inviter(session, found.created_by, profile, now)
            return Appointed(invited_by=found.created_by)

        return await self._db.write(use)

    def _tell_inviter(
        self, session: Session, admin_id: int, officer: Profile, now: datetime
    ) -> None:
        """Queue the message telling the admin who used their invite, in the admin's language."""
        admin = get_resident(session, user_id=admin_id)
        language = resolve_language(
            admin.language if admin else None,
            admin.telegram_language if admin else None,
            self._settings.default_language,
        )
        text = self._texts.get(
            language, "officer.invite_accepted", name=officer.first_name, user_id=officer.user_id
        )
        queue_message(session, chat_id=admin_id, text=text, now=now)

    async def officers(self) -> list[store.OfficerEntry]:
        return await self._db.read(store.active_officers)

    async def revoke(self, admin_id: int, user_id: int) -> bool:
        """Revoke an active officer; ``False`` if ``admin_id`` is no admin or there is none."""
        if admin_id not in self._settings.admin_ids:
            return False
        return await self._db.write(store.revoke, user_id=user_id, by=admin_id, now=self._clock())
