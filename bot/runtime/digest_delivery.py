"""Sending the digest: on schedule, exactly once per period and chat, and on demand.

Two JobQueue jobs call :meth:`Digests.deliver_due`: ``weekly-digest`` on ``DIGEST_SCHEDULE``
(cron, in ``TIMEZONE``), and ``weekly-digest-catch-up`` at start-up and every 15 minutes after,
which sends a due digest that was missed (the bot was down, or the cron run came too late). The
period due runs from the schedule's run before its latest to its latest, unless it ended before
the database was first set up (a new installation sends no digest of days it never saw); each
(period, chat) is claimed in the database before anything is sent (:mod:`storage.digests`), so
two jobs, two processes or a restart never send one twice, and each part sent is recorded, so a
sender that died is followed by one that goes on from the next part.

A chat whose send fails is tried again with back-off (a 429's ``retry_after`` when Telegram gives
one); after :data:`MAX_ATTEMPTS` failures it is recorded as failed and the admins are told in
their private chats, while the other chats get theirs. ``python -m bot digest --send`` retries
failed chats too. /ringkasan builds the current week's digest for one chat and records nothing.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError

from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Texts
from bot.domain.digest.build import Digest, DigestBuilder, Part
from bot.domain.digest.text import Period
from bot.runtime.intake import retry_seconds
from storage import digests as store
from storage.digests import Claimed
from storage.engine import Database
from storage.models import DeliveryState

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

MAX_ATTEMPTS = 4
BACKOFF_START = 5.0
BACKOFF_MAX = 120.0
LEASE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Failure:
    chat_id: int
    attempts: int
    error: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one delivery run did: chats it sent to, chats that failed, chats it left alone."""

    period: Period
    sent: tuple[int, ...] = ()
    failed: tuple[Failure, ...] = ()
    lost: tuple[int, ...] = ()


class Digests:
    """Delivers the digests ``builder`` builds, once per period and chat."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        clock: Clock,
        texts: Texts,
        builder: DigestBuilder,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._texts = texts
        self._builder = builder
        self._sleep = sleep

    async def deliver_due(self, bot: Bot, *, retry_failed: bool = False) -> Outcome | None:
        """Deliver the due period's digest to every target chat that has not had it."""
        period = self._builder.due_period()
        if period is None:
            return None
        set_up = await self._db.write(store.set_up_at, now=self._clock())
        if period.end <= set_up:
            return Outcome(period)
        targets = set(self._settings.digest_targets)
        done = await self._db.read(
            store.sent_chats, period_start=period.start, period_end=period.end
        )
        if not retry_failed and targets <= done:
            return Outcome(period)
        return await self.deliver(bot, period, retry_failed=retry_failed)

    async def deliver(self, bot: Bot, period: Period, *, retry_failed: bool = False) -> Outcome:
        """Send ``period``'s digest to the target chats this run can claim; tell admins of
        failures."""
        now = self._clock()
        claimed = await self._db.write(
            store.claim,
            period_start=period.start,
            period_end=period.end,
            chat_ids=self._settings.digest_targets,
            token=uuid.uuid4().hex,
            now=now,
            lease_until=now + LEASE,
            retry_failed=retry_failed,
        )
        if not claimed:
            return Outcome(period)
        digest = await self._builder.build(period, self._settings.default_language)
        results = await asyncio.gather(*(self._deliver_one(bot, digest, c) for c in claimed))
        outcome = Outcome(
            period,
            sent=tuple(c.chat_id for c, r in zip(claimed, results, strict=True) if r is True),
            failed=tuple(r for r in results if isinstance(r, Failure)),
            lost=tuple(c.chat_id for c, r in zip(claimed, results, strict=True) if r is False),
        )
        logger.info(
            "Digest %s: sent to %d chat(s), failed for %d, claim lost for %d",
            f"{period.start:%Y-%m-%d}",
            len(outcome.sent),
            len(outcome.failed),
            len(outcome.lost),
        )
        if outcome.failed:
            await self._tell_admins(bot, digest, outcome.failed)
        return outcome

    async def _deliver_one(self, bot: Bot, digest: Digest, claimed: Claimed) -> bool | Failure:
        """Send one chat's parts; hand the claim back if the run stops half-way."""
        key = {
            "period_start": digest.period.start,
            "chat_id": claimed.chat_id,
            "token": claimed.claim,
        }
        try:
            return await self._send_parts(bot, digest, claimed, key)
        except BaseException:
            await self._db.write(
                store.finish, **key, state=DeliveryState.PENDING, now=self._clock()
            )
            raise

    async def _send_parts(
        self, bot: Bot, digest: Digest, claimed: Claimed, key: dict
    ) -> bool | Failure:
        """Send the parts not sent yet, retrying with back-off.

        ``True`` once all are sent, a :class:`Failure` after :data:`MAX_ATTEMPTS` failed tries in
        this run, ``False`` if another sender took the claim over (this one was too slow).
        """
        parts = digest.parts
        sent = list(claimed.message_ids)
        attempts, failures, delay = claimed.attempts, 0, BACKOFF_START
        while len(sent) < len(parts):
            try:
                message_id = await self._send(bot, claimed.chat_id, parts[len(sent)])
            except TelegramError as error:
                attempts, failures = attempts + 1, failures + 1
                logger.warning(
                    "Digest to chat %s failed (attempt %d): %s", claimed.chat_id, attempts, error
                )
                wait = retry_seconds(error) if isinstance(error, RetryAfter) else delay
                delay = min(delay * 2, BACKOFF_MAX)
                now = self._clock()
                if not await self._db.write(
                    store.record_attempt,
                    **key,
                    error=str(error),
                    now=now,
                    lease_until=now + timedelta(seconds=wait) + LEASE,
                ):
                    return False
                if failures >= MAX_ATTEMPTS:
                    if await self._db.write(
                        store.finish, **key, state=DeliveryState.FAILED, now=self._clock()
                    ):
                        return Failure(claimed.chat_id, attempts, str(error))
                    return False
                await self._sleep(wait)
                continue
            sent.append(message_id)
            now = self._clock()
            if not await self._db.write(
                store.record_part, **key, message_ids=sent, now=now, lease_until=now + LEASE
            ):
                return False
        return await self._db.write(
            store.finish, **key, state=DeliveryState.SENT, now=self._clock()
        )

    async def _send(self, bot: Bot, chat_id: int, part: Part) -> int:
        if part.photo is not None:
            message = await bot.send_photo(
                chat_id, part.photo, caption=part.text, parse_mode=ParseMode.HTML
            )
        elif part.document is not None:
            message = await bot.send_document(
                chat_id,
                part.document,
                filename=part.file_name,
                caption=part.text,
                parse_mode=ParseMode.HTML,
            )
        else:
            message = await bot.send_message(
                chat_id, part.text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
            )
        return message.message_id

    async def _tell_admins(self, bot: Bot, digest: Digest, failed: tuple[Failure, ...]) -> None:
        language = self._settings.default_language
        for failure in failed:
            text = self._texts.get(
                language,
                "digest.failed_admin",
                start=self._texts.date(language, digest.period.start),
                end=self._texts.date(language, digest.period.end - timedelta(seconds=1)),
                chat_id=failure.chat_id,
                attempts=failure.attempts,
                error=failure.error,
            )
            for admin_id in sorted(self._settings.admin_ids):
                try:
                    await bot.send_message(admin_id, text, parse_mode=ParseMode.HTML)
                except TelegramError as error:
                    logger.warning(
                        "Could not tell admin %s of a failed digest: %s", admin_id, error
                    )

    # On demand ----------------------------------------------------------------------------------

    async def send_current(self, bot: Bot, chat_id: int, language: str) -> None:
        """Send this week's digest so far to ``chat_id``, recording nothing."""
        digest = await self._builder.build(self._builder.current_period(), language)
        for part in digest.parts:
            await self._send(bot, chat_id, part)

    async def records(self, period: Period) -> list[store.DeliveryRecord]:
        return await self._db.read(store.deliveries, period_start=period.start)
