"""Sending the weekly digest: on schedule, exactly once per period and chat, and on demand.

Two JobQueue jobs call :meth:`Digests.deliver_due`: ``weekly-digest`` on ``DIGEST_SCHEDULE``
(cron, in ``TIMEZONE``), and ``weekly-digest-catch-up`` at start-up and every 15 minutes after,
which sends a due digest that was missed (the bot was down, or the cron run came too late). The
period due is the week before the schedule's latest moment; each (period, chat) is claimed in
the database before anything is sent (:mod:`storage.digests`), so two jobs, two processes or a
restart never send one twice, and each part sent is recorded, so a sender that died is followed
by one that goes on from the next part.

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
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import RetryAfter, TelegramError

from bot.core.catalogue import Catalogue
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Texts
from bot.core.offload import Offload
from bot.domain import charts
from bot.domain.digest import (
    TOP_KECAMATAN,
    Context,
    Period,
    is_quiet,
    pillar_name,
    render_digest,
    week_before,
    week_so_far,
)
from bot.domain.reports import week_workbook
from bot.domain.sla import overdue_cutoff
from bot.runtime.intake import retry_seconds
from storage import digests as store
from storage.digests import Claimed, DeliveryState, DigestFigures
from storage.engine import Database
from storage.models import Status

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

MAX_ATTEMPTS = 4
BACKOFF_START = 5.0
BACKOFF_MAX = 120.0
LEASE = timedelta(minutes=10)
LOOK_BACKS = tuple(timedelta(days=days) for days in (1, 8, 32, 367, 4 * 366))
LISTED_IDEAS = 40


def last_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The schedule's latest moment at or before ``now`` (looking back up to four years)."""
    for look_back in LOOK_BACKS:
        fire = trigger.get_next_fire_time(None, now - look_back)
        if fire is None or fire > now:
            continue
        while (following := trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))) and (
            following <= now
        ):
            fire = following
        return fire
    return None


@dataclass(frozen=True, slots=True)
class Part:
    """One message of a digest: HTML text, or a file (a PNG sent as a photo, else a document)."""

    text: str = ""
    photo: bytes | None = None
    document: bytes | None = None
    file_name: str = ""


@dataclass(frozen=True, slots=True)
class Digest:
    period: Period
    language: str
    figures: DigestFigures
    messages: list[str]
    chart: bytes | None
    workbook: bytes | None
    chart_caption: str
    file_caption: str
    file_name: str

    @property
    def parts(self) -> list[Part]:
        """Texts first, then the chart and the workbook (a quiet week has neither)."""
        parts = [Part(text=message) for message in self.messages]
        if self.chart is not None:
            parts.append(Part(text=self.chart_caption, photo=self.chart))
        if self.workbook is not None:
            parts.append(
                Part(text=self.file_caption, document=self.workbook, file_name=self.file_name)
            )
        return parts


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


def render_files(
    settings: Settings,
    texts: Texts,
    catalogue: Catalogue,
    figures: DigestFigures,
    rows: list[store.WeekRow],
    language: str,
) -> tuple[bytes, bytes]:
    """The digest's chart (PNG) and workbook (XLSX); CPU-heavy, so run through :class:`Offload`."""

    def t(key: str, **params: object) -> str:
        return texts.get(language, key, **params)

    keys = catalogue.pillar_keys
    names = {key: pillar_name(catalogue, key, language) for key in keys}
    chart = charts.week_against_week(
        [names[key] for key in keys],
        [figures.new_by_pillar.get(key, 0) for key in keys],
        [figures.previous_by_pillar.get(key, 0) for key in keys],
        title=t("digest.chart_title"),
        this_label=t("digest.chart_this"),
        previous_label=t("digest.chart_previous"),
    )
    columns = ("code", "received", "pillar", "kecamatan", "status", "text", "name")
    workbook = week_workbook(
        rows,
        sheet=t("digest.sheet"),
        headers=[t(f"digest.col_{c}", zone=texts.zone_name()) for c in columns],
        zone=settings.timezone,
        pillars=names,
        kecamatan={k.key: k.name for k in catalogue.kecamatan},
        statuses={str(s): t(f"status.{s}") for s in Status},
    )
    return chart, workbook


class Digests:
    """Builds digests and delivers them once per period and chat."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        clock: Clock,
        texts: Texts,
        catalogue: Catalogue,
        sleep: Sleep = asyncio.sleep,
        offload: Offload | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._texts = texts
        self._catalogue = catalogue
        self._sleep = sleep
        self._offload = offload or Offload()

    # Building -----------------------------------------------------------------------------------

    def due_period(self) -> Period | None:
        """The week whose digest is due now: the one before the schedule's latest moment."""
        fire = last_fire_time(self._settings.cron_trigger(), self._clock())
        return None if fire is None else week_before(fire, self._settings.timezone)

    def current_period(self) -> Period:
        return week_so_far(self._clock(), self._settings.timezone)

    async def figures(self, period: Period) -> DigestFigures:
        now = self._clock()
        settings = self._settings
        return await self._db.read(
            store.digest_figures,
            start=period.start,
            end=period.end,
            previous_start=period.previous_start,
            previous_end=period.previous_end,
            overdue_before=overdue_cutoff(now, settings.timezone, settings.review_sla_days),
            top=TOP_KECAMATAN,
            listed=LISTED_IDEAS,
        )

    async def build(self, period: Period, language: str, *, files: bool = True) -> Digest:
        """The digest of ``period`` in ``language``, with its chart and workbook unless quiet."""
        figures = await self.figures(period)
        now = self._clock()
        context = Context(
            texts=self._texts,
            catalogue=self._catalogue,
            language=language,
            region=self._settings.region_name,
            sla_days=self._settings.review_sla_days,
            now=now,
        )
        messages = render_digest(figures, period, context)
        t = self._text(language)
        span = {
            "start": self._texts.date(language, period.start),
            "end": self._texts.date(language, period.end - timedelta(seconds=1)),
        }
        chart = workbook = None
        if files and not is_quiet(figures):
            rows = await self._db.read(store.week_rows, start=period.start, end=period.end)
            chart, workbook = await self._offload.run(
                render_files,
                self._settings,
                self._texts,
                self._catalogue,
                figures,
                rows,
                language,
            )
        return Digest(
            period=period,
            language=language,
            figures=figures,
            messages=messages,
            chart=chart,
            workbook=workbook,
            chart_caption=t("digest.chart_caption", **span),
            file_caption=t("digest.file_caption", count=figures.new_total, **span),
            file_name=t(
                "digest.file_name",
                start=f"{period.start.astimezone(self._settings.timezone):%Y-%m-%d}",
            ),
        )

    def _text(self, language: str) -> Callable[..., str]:
        return lambda key, **params: self._texts.get(language, key, **params)

    # Delivering ---------------------------------------------------------------------------------

    async def deliver_due(self, bot: Bot, *, retry_failed: bool = False) -> Outcome | None:
        """Deliver the due period's digest to every target chat that has not had it."""
        period = self.due_period()
        if period is None:
            return None
        targets = set(self._settings.digest_targets)
        done = await self._db.read(store.sent_chats, period_start=period.start)
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
        digest = await self.build(period, self._settings.default_language)
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
        digest = await self.build(self.current_period(), language)
        for part in digest.parts:
            await self._send(bot, chat_id, part)

    async def records(self, period: Period) -> list[store.DeliveryRecord]:
        return await self._db.read(store.deliveries, period_start=period.start)
