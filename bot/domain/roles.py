"""Who may review: admins from ``ADMIN_IDS``, officers appointed by an admin's one-time invite;
and the SKPD liaisons (penghubung), appointed by an invite for their unit.

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

from bot.core.catalogue import Catalogue
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Texts, resolve_language
from bot.domain.submissions import Profile
from storage import review as store
from storage import units as unit_store
from storage.engine import Database
from storage.outbox import queue_message
from storage.queries import get_resident

INVITE_PREFIX = "inv-"
INVITE_VALIDITY = timedelta(hours=48)


class Role(enum.Enum):
    """What a user may do on the review desk."""

    NONE = "none"
    REVOKED = "revoked"  # was an officer or a liaison: their old buttons say so
    LIAISON = "liaison"  # of one SKPD: acts on that unit's forwarded ideas only
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
    ALREADY = "already"  # the user already is staff or a liaison; the invite stays unused


@dataclass(frozen=True, slots=True)
class Appointed:
    invited_by: int
    unit: str | None = None  # made that SKPD's liaison; else an officer


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def role_in(session: Session, settings: Settings, user_id: int) -> Role:
    """The role of ``user_id``, read inside the caller's transaction."""
    if user_id in settings.admin_ids:
        return Role.ADMIN
    officer = store.officer(session, user_id=user_id)
    if officer is not None and officer.revoked_at is None:
        return Role.OFFICER
    liaison = unit_store.liaison(session, user_id=user_id)
    if liaison is not None and liaison.revoked_at is None:
        return Role.LIAISON
    return Role.NONE if officer is None and liaison is None else Role.REVOKED


def liaison_unit(session: Session, user_id: int) -> str | None:
    """The unit ``user_id`` is an active liaison of, read inside the caller's transaction."""
    liaison = unit_store.liaison(session, user_id=user_id)
    return None if liaison is None or liaison.revoked_at is not None else liaison.unit


class Roles:
    """Roles, invites and the list of officers."""

    def __init__(
        self, *, db: Database, settings: Settings, clock: Clock, texts: Texts, catalogue: Catalogue
    ) -> None:
        self._catalogue = catalogue
        self._db = db
        self._settings = settings
        self._clock = clock
        self._texts = texts

    async def role(self, user_id: int) -> Role:
        return await self._db.read(lambda session: role_in(session, self._settings, user_id))

    async def unit_of(self, user_id: int) -> str | None:
        """The unit of an active liaison, else ``None``."""
        return await self._db.read(liaison_unit, user_id)

    async def invite(self, admin: Profile, unit: str | None = None) -> Invitation | None:
        """A new one-time invite, valid for 48 hours, for an officer or for ``unit``'s liaison;
        ``None`` if ``admin`` is not an admin or the catalogue has no such unit."""
        if admin.user_id not in self._settings.admin_ids:
            return None
        if unit is not None and self._catalogue.unit(unit) is None:
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
                unit=unit,
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
            if role_in(session, self._settings, profile.user_id) in (
                Role.OFFICER,
                Role.ADMIN,
                Role.LIAISON,
            ):
                return Refusal.ALREADY
            if not store.use_invite(session, code_hash=code_hash, user_id=profile.user_id, now=now):
                return Refusal.USED
            if found.unit is None:
                store.appoint(session, user_id=profile.user_id, added_by=found.created_by, now=now)
            else:
                unit_store.appoint_liaison(
                    session,
                    user_id=profile.user_id,
                    unit=found.unit,
                    added_by=found.created_by,
                    now=now,
                )
            store.touch_staff(
                session,
                user_id=profile.user_id,
                first_name=profile.first_name,
                username=profile.username,
                now=now,
            )
            self._tell_inviter(session, found.created_by, profile, found.unit, now)
            return Appointed(invited_by=found.created_by, unit=found.unit)

        return await self._db.write(use)

    def _tell_inviter(
        self, session: Session, admin_id: int, officer: Profile, unit: str | None, now: datetime
    ) -> None:
        """Queue the message telling the admin who used their invite, in the admin's language."""
        admin = get_resident(session, user_id=admin_id)
        language = resolve_language(
            admin.language if admin else None,
            admin.telegram_language if admin else None,
            self._settings.default_language,
        )
        if unit is None:
            text = self._texts.get(
                language,
                "officer.invite_accepted",
                name=officer.first_name,
                user_id=officer.user_id,
            )
        else:
            text = self._texts.get(
                language,
                "units.invite_accepted",
                name=officer.first_name,
                user_id=officer.user_id,
                unit=self._catalogue.unit_name(unit),
            )
        queue_message(session, chat_id=admin_id, text=text, now=now)

    async def officers(self) -> list[store.OfficerEntry]:
        return await self._db.read(store.active_officers)

    async def liaisons(self) -> list[unit_store.LiaisonEntry]:
        return await self._db.read(unit_store.active_liaisons)

    async def revoke(self, admin_id: int, user_id: int) -> bool:
        """Revoke an active officer or liaison; ``False`` if ``admin_id`` is no admin or there
        is none."""
        if admin_id not in self._settings.admin_ids:
            return False
        now = self._clock()

        def revoke(session: Session) -> bool:
            officer = store.revoke(session, user_id=user_id, by=admin_id, now=now)
            liaison = unit_store.revoke_liaison(session, user_id=user_id, by=admin_id, now=now)
            return officer or liaison

        return await self._db.write(revoke)
