"""The durable inbox: long polling that loses nothing and handles nothing twice.

python-telegram-bot's own Updater confirms updates to Telegram as soon as it has fetched them, so a
process killed while working through a backlog loses them. Here each batch from ``getUpdates`` is
committed to the ``inboxupdate`` table before the next call confirms it (Telegram confirms every
update below the ``offset`` it is asked with). An update is marked done when its handling has
finished (see :mod:`bot.runtime.processing`). At start, stored updates not yet done are handled
first; an update id seen before is never handled again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from datetime import timedelta

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.core.clock import Clock
from bot.runtime.groupcommit import GroupCommit
from storage import inbox as store
from storage.engine import Database

logger = logging.getLogger(__name__)

BACKOFF_START = 1.0
BACKOFF_MAX = 30.0
# Telegram re-delivers an unconfirmed update for 24 hours at most; ids are kept twice as long.
KEEP_HANDLED = timedelta(days=2)

# getUpdates is called through do_api_request on purpose, for the JSON as sent (see poll).
warnings.filterwarnings("ignore", message=r"Please use 'Bot\.getUpdates'", category=PTBUserWarning)


class Inbox:
    """Where updates are stored before they are confirmed, and marked when handled."""

    def __init__(self, db: Database, clock: Clock, commits: GroupCommit) -> None:
        self._db = db
        self._clock = clock
        self._commits = commits

    async def store(self, payloads: list[dict], bot: Bot) -> list[Update]:
        """Store a batch as Telegram sent it; return the updates not seen before, in order."""
        fresh = set(
            await self._db.write(
                store.store_updates,
                updates=[(payload["update_id"], payload) for payload in payloads],
                now=self._clock(),
            )
        )
        first_time = []
        for payload in payloads:
            if payload["update_id"] in fresh:
                fresh.discard(payload["update_id"])
                first_time.append(payload)
        return await self._read(first_time, bot)

    async def pending(self, bot: Bot) -> list[Update]:
        rows = await self._db.read(store.pending_updates)
        return await self._read([payload for _, payload in rows], bot)

    async def _read(self, payloads: list[dict], bot: Bot) -> list[Update]:
        """The updates python-telegram-bot can read; one it cannot is logged and marked done,
        so that it stops neither this batch nor the next start."""
        updates = []
        for payload in payloads:
            try:
                updates.append(Update.de_json(payload, bot))
            except Exception:
                logger.exception("update %s cannot be read; skipped", payload["update_id"])
                self._commits.done(payload["update_id"])
        return updates

    async def next_offset(self) -> int | None:
        last = await self._db.read(store.last_update_id)
        return None if last is None else last + 1

    async def prune(self) -> int:
        """Forget updates handled long enough ago that Telegram cannot send them again."""
        return await self._db.write(store.prune_updates, before=self._clock() - KEEP_HANDLED)

    async def mark_done(self, update: object) -> None:
        """Mark ``update`` handled, with the conversation steps it changed, in one commit (the
        next write's, see :mod:`bot.runtime.groupcommit`)."""
        if isinstance(update, Update):
            self._commits.done(update.update_id)
        else:
            await self._commits.flush()


async def poll(
    application: Application,
    inbox: Inbox,
    stop: asyncio.Event,
    *,
    poll_timeout: int = 30,
) -> None:
    """Fetch, store and hand updates to ``application`` until ``stop`` is set.

    On stop, the last stored batch is confirmed to Telegram before returning.
    """
    bot = application.bot
    await bot.delete_webhook(drop_pending_updates=False)
    for update in await inbox.pending(bot):
        await application.update_queue.put(update)
    offset = await inbox.next_offset()
    backoff = BACKOFF_START
    while not stop.is_set():
        # The JSON as sent, not Update objects: the inbox stores it without serialising again.
        fetch = asyncio.ensure_future(
            bot.do_api_request(
                "getUpdates",
                api_kwargs={
                    "offset": offset,
                    "timeout": poll_timeout,
                    "allowed_updates": Update.ALL_TYPES,
                },
                read_timeout=poll_timeout + 10,
            )
        )
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            break
        try:
            payloads = fetch.result()
        except (InvalidToken, Conflict):
            raise
        except RetryAfter as error:
            await _sleep(stop, retry_seconds(error))
            continue
        except (NetworkError, TelegramError) as error:
            logger.warning("getUpdates failed (%s); retrying in %.0f s", error, backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, BACKOFF_MAX)
            continue
        backoff = BACKOFF_START
        if not payloads:
            continue
        for update in await inbox.store(payloads, bot):
            await application.update_queue.put(update)
        offset = payloads[-1]["update_id"] + 1
    if offset is not None:
        with contextlib.suppress(TelegramError):
            await bot.get_updates(offset=offset, timeout=0, limit=1)


def retry_seconds(error: RetryAfter) -> float:
    """How long Telegram asked us to wait, whichever form python-telegram-bot gives it in."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
