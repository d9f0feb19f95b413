"""A known data set for the digest and report tests, written straight into the tables.

The digest week is Monday 23 to Monday 30 November 2026 (WITA); "now" is Monday 30 November,
08:30 WITA, just after the default schedule (``0 8 * * mon``).
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from storage.models import Resident, StatusChange, Submission, Support

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 11, 30, 8, 30, tzinfo=WITA).astimezone(UTC)
ESCAPED_TITLE = "Taman <b>baca</b> & perpustakaan desa untuk anak-anak di setiap kelurahan kita"

_codes = itertools.count(1)


def wita(day: int, hour: int = 10, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA).astimezone(UTC)


class Writer:
    """Adds rows in one session; ``code`` numbers follow the order of ``idea`` calls."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.number = 0

    def idea(
        self,
        pillar: str,
        at: datetime,
        *,
        kecamatan: str | None = None,
        status: str = "new",
        text: str = "Usulan warga untuk perbaikan layanan publik di desa kami",
        resident_id: int | None = None,
        anonymous: bool = True,
    ) -> int:
        self.number += 1
        submission = Submission(
            code=f"IDE-{self.number:04d}",
            text=text,
            pillar=pillar,
            suggested_pillar=pillar,
            confidence=0.9,
            kecamatan=kecamatan,
            status=status,
            anonymous=anonymous,
            resident_id=resident_id,
            draft_key=f"draft-{next(_codes)}",
            created_at=at,
            updated_at=at,
        )
        self.session.add(submission)
        self.session.flush()
        self.change(submission.id, at, None, "new")
        return submission.id

    def change(self, submission_id: int, at: datetime, from_status: str | None, to_status: str):
        self.session.add(
            StatusChange(
                submission_id=submission_id,
                from_status=from_status,
                to_status=to_status,
                actor_role="resident" if from_status is None else "officer",
                at=at,
            )
        )

    def support(self, submission_id: int, at: datetime, resident_id: int | None = None) -> None:
        self.session.add(
            Support(submission_id=submission_id, resident_id=resident_id, created_at=at)
        )

    def resident(self, user_id: int, first_name: str, *, consent: bool) -> int:
        self.session.add(
            Resident(
                id=user_id,
                first_name=first_name,
                username=f"user{user_id}",
                created_at=wita(1),
                consent_named_at=wita(1) if consent else None,
            )
        )
        self.session.flush()
        return user_id


def seed_week(engine) -> None:
    """The digest week and the week before.

    This week, 9 ideas: environment 3, living 2, governance 2, society 1, branding 1 (the week
    before: living 2, economy 2, environment 1 — 5 in all). Kecamatan: martapura 3, gambut 2,
    aranio, astambul, paramasan and pengaron 1 each. Status changes this week: in_review 3,
    accepted 2, rejected 1 (a pillar move and a change on the 30th do not count). Supports this
    week: IDE-0008 3, IDE-0006 1. Waiting now (new or in review): 10, of which 3 were received
    before Wednesday 25 November 08:30 WITA and are overdue; the oldest is IDE-0005 (20 Nov).
    """
    with Session(engine) as session:
        w = Writer(session)
        siti = w.resident(501, "Siti", consent=True)
        budi = w.resident(502, "Budi", consent=False)
        # the week before: 16–22 November
        old = w.idea("living", wita(16), kecamatan="martapura", status="accepted")
        w.idea("living", wita(17), status="rejected")
        w.idea("economy", wita(18), kecamatan="gambut", status="implemented")
        w.idea("economy", wita(19), status="duplicate")
        waiting = w.idea("environment", wita(20), status="in_review")
        w.support(old, wita(21))
        # this week: 23–29 November
        a = w.idea("environment", wita(23, 9), kecamatan="martapura", status="accepted")
        b = w.idea("environment", wita(23, 11), kecamatan="martapura", status="in_review")
        c = w.idea(
            "governance",
            wita(24),
            kecamatan="gambut",
            text=ESCAPED_TITLE,
            resident_id=siti,
            anonymous=False,
        )
        w.idea("living", wita(25), kecamatan="martapura", resident_id=budi, anonymous=False)
        w.idea("living", wita(26), kecamatan="gambut")
        w.idea("environment", wita(27), kecamatan="aranio")
        w.idea("society", wita(28), kecamatan="pengaron")
        w.idea("branding", wita(29), kecamatan="astambul")
        w.idea("governance", wita(29, 23, 59), kecamatan="paramasan")
        # one idea the minute the week ends: next week's
        w.idea("economy", wita(30, 0, 0))
        w.change(a, wita(23, 12), "new", "in_review")
        w.change(a, wita(24, 12), "in_review", "accepted")
        w.change(b, wita(24, 13), "new", "in_review")
        w.change(old, wita(25), "in_review", "accepted")
        w.change(waiting, wita(25), "new", "in_review")
        w.change(c, wita(26), "new", "new")  # a pillar move keeps the status: not counted
        w.change(old + 1, wita(27), "in_review", "rejected")
        w.change(c, wita(30, 9), "new", "in_review")  # after the week
        for resident in (None, None, None):
            w.support(c, wita(27), resident)
        w.support(a, wita(28))
        session.commit()
