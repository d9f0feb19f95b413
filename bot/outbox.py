"""Delivering the outbox: messages that matter reach people even across a crash.

A status change and the message telling the resident about it are committed together
(:func:`storage.outbox.queue_message`); :meth:`Outbox.deliver` sends what is due. Sending goes
through the bot's rate limiter, which already retries 429, 5xx and timeouts; what still fails is
tried again later with a growing delay, at most :data:`LONGEST_DELAY`. A message that failed because
Telegram could not be reached (timeouts, 5xx, 429) is never given up: an outage of hours delays
it, and it goes once Telegram answers. One Telegram refuses is given up after
:data:`MAX_ATTEMPTS`, at once for a 400. A 403 means the person blocked the bot: the message is
given up at once and the resident marked unreachable.

A crash between sending and marking sent can send a message twice (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.clock import Clock
from storage import outbox as store
from storage.engine import Database
from storage.models import OutboxMessage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(seconds=30)
LONGEST_DELAY = timedelta(minutes=30)
BATCH = 50
KEEP_SETTLED = timedelta(days=7)


def _out_of_reach(error: TelegramError) -> bool:
    """Whether Telegram could not be reached or was busy: nothing says the message is wrong."""
    busy = isinstance(error, RetryAfter)
    return busy or (isinstance(error, NetworkError) and not isinstance(error, BadRequest))


def _markup(message: OutboxMessage) -> InlineKeyboardMarkup | None:
    rows = json.loads(message.buttons)
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


class Outbox:
    """Sends due outbox messages, one delivery run at a time."""

    def __init__(self, *, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._lock = asyncio.Lock()

    async def deliver(self, bot: Bot) -> int:
        """Send every due message; return how many were sent."""
        sent = 0
        async with self._lock:
            while batch := await self._db.read(store.due_messages, now=self._clock(), limit=BATCH):
                for message in batch:
                    sent += await self._send(bot, message)
                if len(batch) < BATCH:
                    break
        return sent

    async def _send(self, bot: Bot, message: OutboxMessage) -> int:
        try:
            await bot.send_message(message.chat_id, message.text, reply_markup=_markup(message))
        except Forbidden as error:
            logger.info("Chat %s blocked the bot; message %s given up", message.chat_id, message.id)
            await self._db.write(
                store.mark_unreachable, message_id=message.id, error=str(error), now=self._clock()
            )
            return 0
        except TelegramError as error:
            attempts = message.attempts + 1
            refused = not _out_of_reach(error)
            final = isinstance(error, BadRequest) or (refused and attempts >= MAX_ATTEMPTS)
            delay = min(FIRST_DELAY * 2 ** min(attempts - 1, 10), LONGEST_DELAY)
            due = None if final else self._clock() + delay
            logger.warning(
                "Outbox message %s to chat %s failed (%s)%s",
                message.id,
                message.chat_id,
                error,
                "; given up" if final else "; will retry",
            )
            await self._db.write(
                store.mark_retry, message_id=message.id, error=str(error), due_at=due
            )
            return 0
        await self._db.write(store.mark_sent, message_id=message.id, now=self._clock())
        return 1

    async def prune(self) -> int:
        return await self._db.write(store.prune_delivered, before=self._clock() - KEEP_SETTLED)
