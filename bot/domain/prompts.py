"""Words the bot waits for: an officer's words for an action, a resident's answer to a question.

Knows nothing of Telegram. What is awaited is kept in the database (``reviewprompt``,
``pendinganswer``), so it survives a restart like the conversations that wait for it. A resident's
answer goes onto the submission's history and sends it back from ``needs_info`` to ``in_review``.
What waits longer than :data:`bot.core.clock.IDLE_LIMIT` is put aside by a job
(:meth:`Prompts.put_aside_idle`), which a restart does not forget.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlmodel import Session

from bot.core.clock import IDLE_LIMIT, Clock
from bot.core.config import Settings
from bot.domain.review import MAX_WORDS, Action
from bot.domain.roles import role_in
from storage import review as store
from storage.engine import Database
from storage.models import CardIntro, Status, SubmissionPublic
from storage.outbox import queue_card


@dataclass(frozen=True, slots=True)
class Answered:
    submission: SubmissionPublic
    asked_by: int | None


class Unanswered(Enum):
    """Why a resident's message was not taken as their answer."""

    NOT_AWAITED = "not_awaited"  # no answer awaited: put aside when idle, or never begun
    CLOSED = "closed"  # the question is no longer open


class Prompts:
    """Prompts for officers' words and residents' answers."""

    def __init__(self, *, db: Database, settings: Settings, clock: Clock) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock

    # An officer's words for an action -----------------------------------------------------------

    async def start_prompt(
        self,
        chat_id: int,
        officer_id: int,
        action: Action,
        submission_id: int,
        version: int,
        card_message_id: int | None,
        *,
        unit: str | None = None,
    ) -> None:
        """Remember the action waiting for the officer's words in this chat (a forward's with
        its ``unit``)."""
        await self._db.write(
            store.set_prompt,
            chat_id=chat_id,
            officer_id=officer_id,
            action=str(action),
            submission_id=submission_id,
            version=version,
            card_message_id=card_message_id,
            now=self._clock(),
            unit=unit,
        )

    async def prompt(self, chat_id: int, officer_id: int) -> store.ReviewPrompt | None:
        return await self._db.read(store.prompt, chat_id=chat_id, officer_id=officer_id)

    async def drop_prompt(self, chat_id: int, officer_id: int) -> None:
        await self._db.write(store.drop_prompt, chat_id=chat_id, officer_id=officer_id)

    # Residents' answers -------------------------------------------------------------------------

    async def start_answer(self, resident_id: int, submission_id: int) -> str | None:
        """Begin the resident's answer; the code, or ``None`` if nothing of theirs awaits one."""
        now = self._clock()

        def begin(session: Session) -> str | None:
            found = store.submission(session, submission_id=submission_id)
            if found is None or found.resident_id != resident_id:
                return None
            if found.status is not Status.NEEDS_INFO:
                return None
            store.set_pending_answer(
                session, resident_id=resident_id, submission_id=submission_id, now=now
            )
            return found.code

        return await self._db.write(begin)

    async def answer(self, resident_id: int, text: str) -> Answered | Unanswered:
        """Put the resident's answer on the submission and send it back to review."""
        now = self._clock()
        text = text.strip()[:MAX_WORDS]

        def recorded_before(session: Session) -> Answered | None:
            """This very answer, if it is already recorded: the same update handled again after
            a restart that came between the answer's commit and the update's done mark."""
            answer = store.last_answer(session, resident_id=resident_id)
            if answer is None or answer[1] != text:
                return None
            found = store.submission(session, submission_id=answer[0])
            if found is None or found.status is not Status.IN_REVIEW:
                return None
            asked = store.last_change_to(session, submission_id=found.id, status=Status.NEEDS_INFO)
            return Answered(found, asked.actor_id if asked else None)

        def record(session: Session) -> Answered | Unanswered:
            submission_id = store.pending_answer(session, resident_id=resident_id)
            if submission_id is None:
                return recorded_before(session) or Unanswered.NOT_AWAITED
            store.drop_pending_answer(session, resident_id=resident_id)
            found = store.submission(session, submission_id=submission_id)
            if found is None or found.resident_id != resident_id:
                return Unanswered.CLOSED
            if found.status is not Status.NEEDS_INFO:
                return Unanswered.CLOSED
            asked = store.last_change_to(session, submission_id=found.id, status=Status.NEEDS_INFO)
            changed = store.change(
                session,
                submission_id=found.id,
                expected_version=found.version,
                to_status=Status.IN_REVIEW,
                actor_id=resident_id,
                actor_role="resident",
                now=now,
                note=text,
            )
            if not changed:
                return Unanswered.CLOSED
            fresh = store.submission(session, submission_id=found.id)
            asker = asked.actor_id if asked else None
            self._show_team(session, fresh.id, asker, now)
            return Answered(fresh, asker)

        return await self._db.write(record)

    def _show_team(
        self, session: Session, submission_id: int, asker: int | None, now: datetime
    ) -> None:
        """Queue the card with the answer for the officer who asked (if still staff) and the
        team's groups."""
        still_staff = asker is not None and role_in(session, self._settings, asker).staff
        chats = [asker] if still_staff else []
        for chat_id in dict.fromkeys([*chats, *self._settings.digest_chat_ids]):
            queue_card(
                session,
                chat_id=chat_id,
                submission_id=submission_id,
                intro=CardIntro.ANSWER,
                now=now,
            )

    async def drop_answer(self, resident_id: int) -> None:
        await self._db.write(store.drop_pending_answer, resident_id=resident_id)

    # Waits left idle ----------------------------------------------------------------------------

    async def put_aside_idle(self) -> tuple[int, int]:
        """Forget the actions and answers awaited longer than :data:`IDLE_LIMIT`; how many of
        each. Nobody is told now: whoever writes next is (see ``handlers``), and the officer's
        card and the resident's Answer button still work."""
        return await self._db.write(store.drop_idle_waits, before=self._clock() - IDLE_LIMIT)
