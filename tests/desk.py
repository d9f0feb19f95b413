"""Helpers for the review desk's tests: people, seeded submissions, officers, buttons."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage import queries
from storage import review as store
from storage.models import Status, StatusChange, Submission, SubmissionPublic
from tests import updates as u
from tests.conftest import ADMIN_ID, TEAM_GROUP_ID

ADMIN = u.user(ADMIN_ID, first_name="Admin")
BUDI = u.user(601, first_name="Budi")
RINA = u.user(602, first_name="Rina", language_code="en")
SITI = u.user(611, first_name="Siti", username="siti_banjar")
JOHN = u.user(612, first_name="John", language_code="en")
GROUP_ID = TEAM_GROUP_ID
GROUP = u.group_chat(GROUP_ID)
IDEA = "Tolong sediakan bank sampah di setiap desa agar sampah plastik tidak dibuang ke sungai"


def appoint(bot, who: dict, *, by: int = ADMIN_ID) -> None:
    """Make ``who`` an officer directly in the database (the invite flow has its own tests)."""
    now = bot.services.clock()
    bot.services.db.call_write(store.appoint, user_id=who["id"], added_by=by, now=now)
    bot.services.db.call_write(
        store.touch_staff, user_id=who["id"], first_name=who["first_name"], username=None, now=now
    )


def seed(
    bot,
    who: dict | None = SITI,
    text: str = IDEA,
    *,
    anonymous: bool = False,
    created_at: datetime | None = None,
    kecamatan: str | None = "martapura",
    pillar: str = "environment",
    photos: tuple[str, ...] = (),
    status: Status = Status.NEW,
    complaint: bool = False,
) -> SubmissionPublic:
    """Store a submission as the /ide flow would, with its resident and their consent."""
    now = created_at or bot.services.clock()
    db = bot.services.db
    if who is not None:
        db.call_write(
            queries.upsert_resident,
            user_id=who["id"],
            first_name=who["first_name"],
            username=who.get("username"),
            telegram_language=who.get("language_code"),
            now=now,
            consent=not anonymous,
        )
    count = len(rows(bot, Submission))
    return db.call_write(
        queries.create_submission,
        submission=Submission(
            draft_key=f"seed-{count}",
            resident_id=who["id"] if who else None,
            text=text,
            pillar=pillar,
            suggested_pillar=pillar,
            confidence=0.83,
            reasons='["sampah", "sungai"]',
            kecamatan=kecamatan,
            anonymous=anonymous,
            status=status,
            language=(who or {}).get("language_code") or "id",
            looks_like_complaint=complaint,
            created_at=now,
            updated_at=now,
        ),
        photos=[(file_id, f"u-{file_id}") for file_id in photos],
        code_prefix="IDE",
        actor_role="resident",
    )


def rows(bot, model) -> list:
    with Session(bot.services.db.engine) as session:
        return session.exec(select(model)).all()


def submission(bot, submission_id: int) -> Submission:
    with Session(bot.services.db.engine) as session:
        return session.get(Submission, submission_id)


def changes(bot, submission_id: int) -> list[StatusChange]:
    with Session(bot.services.db.engine) as session:
        return session.exec(
            select(StatusChange)
            .where(StatusChange.submission_id == submission_id)
            .order_by(StatusChange.id)
        ).all()


def button(bot, prefix: str) -> str:
    """The callback data of the last keyboard's button starting with ``prefix``."""
    found = [data for data in bot.request.buttons() if data.startswith(prefix)]
    assert found, (prefix, bot.request.buttons())
    return found[0]


def callback_answers(bot) -> list[str | None]:
    return [params.get("text") for params in bot.request.of("answerCallbackQuery")]


SENDING = ("sendMessage", "sendPhoto", "sendMediaGroup", "sendDocument", "editMessageText")


def sent(bot) -> list:
    """Every call that would show something in a chat."""
    return [call for call in bot.request.calls if call.method in SENDING]
