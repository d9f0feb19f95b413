"""Outgoing calls that stay within Telegram's limits and survive its passing errors.

Measured with python-telegram-bot 22.8, ``AIORateLimiter`` with its defaults has no per-private-chat
limit, never retries (a 429 loses the message) and, since its leaky buckets refill during a pause,
lets a burst of 70-odd sends out in the second after one. :class:`TelegramLimits` instead paces
sends so that no window of time holds more than the limit:

- all chats together: 22 new messages a second, let go five at a time every 5/22 s
  (:class:`Ticks`), so any second holds at most 27 (a group, and a second's worth after it),
  under Telegram's 30 by enough for jitter: a send reaches Telegram some time after it is let go
  (the event loop's lag on either side, the network), and on a loaded 2-core machine sends let go
  1/28 s apart were seen arriving 30 to the second. In groups rather than one at a time because
  the residents' answers then come back together too, and the bot handles them in batches
  instead of one by one (``bench.cpu_outside``: about a fifth less CPU an update than one every
  1/25 s); edits of messages already sent count only against their chat;
- one private chat: one send or edit a second;
- one group: 20 sends or edits a minute (one every 3 s).

It also retries, which PTB's interface leaves open: a 429 pauses every send for its
``retry_after`` and tries again; a 5xx answer or a timeout is tried again after an exponential
back-off. Anything else (400, 403 — the user blocked the bot —, 404) is raised at once to the
caller, who knows what it means. ``getUpdates`` and answers to button presses are not throttled
(they are not messages to a chat).

Updates are handled at least once (a crash replays what was not marked done), so two answers
mean "already done" and count as success rather than failing the handler: a button press too
old to answer (Telegram allows about 15 seconds), and an edit to what the message already shows.
"""

from __future__ import annotations

import asyncio
import collections
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

from bot.runtime.intake import retry_seconds

logger = logging.getLogger(__name__)

UNTHROTTLED = frozenset({"getUpdates", "answerCallbackQuery", "getMe", "getFile", "getChat"})
ALREADY_DONE = ("query is too old", "query id is invalid", "message is not modified")
IDLE_LIMITERS_KEPT = 1000
OVERALL_GROUP = 5  # new messages let go together

Sleep = Callable[[float], Awaitable[None]]


def _already_done(endpoint: str, error: BadRequest) -> bool:
    """Whether Telegram refused a repeat of something that already took effect."""
    if endpoint != "answerCallbackQuery" and not endpoint.startswith("edit"):
        return False
    return any(phrase in error.message.lower() for phrase in ALREADY_DONE)


def _even(rate: float, period: float) -> AsyncLimiter:
    """A limiter that allows ``rate`` per ``period`` spread evenly: no bursts."""
    return AsyncLimiter(1, period / rate)


class Ticks:
    """Lets waiting callers go in groups of at most ``size``, one group every ``interval``.

    A group's window starts when its first caller goes, and the next cannot start before that
    window ends, so a span of ``t`` seconds holds at most ``size * (1 + t / interval)`` callers:
    one group more than the average rate. Callers go in the order they came; one cancelled while
    it waits takes no place.
    """

    def __init__(self, size: int, interval: float) -> None:
        self._size = size
        self._interval = interval
        self._window_ends = float("-inf")
        self._left = 0
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()
        self._timer: asyncio.TimerHandle | None = None

    async def acquire(self) -> None:
        loop = asyncio.get_running_loop()
        if not self._waiting and self._take(loop.time()):
            return
        turn = loop.create_future()
        self._waiting.append(turn)
        self._arm(loop)
        await turn

    def _take(self, now: float) -> bool:
        if now >= self._window_ends:
            self._window_ends, self._left = now + self._interval, self._size
        if self._left:
            self._left -= 1
            return True
        return False

    def _arm(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._timer is None:
            self._timer = loop.call_at(self._window_ends, self._release)

    def _release(self) -> None:
        self._timer = None
        loop = asyncio.get_running_loop()
        while self._waiting:
            if self._waiting[0].done():  # cancelled while waiting
                self._waiting.popleft()
            elif self._take(loop.time()):
                self._waiting.popleft().set_result(None)
            else:
                self._arm(loop)
                return


class TelegramLimits(BaseRateLimiter[None]):
    """Throttles sends per chat and overall, and retries 429, 5xx and timeouts."""

    def __init__(
        self,
        *,
        overall_per_second: float = 22,
        private_per_second: float = 1,
        group_per_minute: float = 20,
        max_retries: int = 5,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._overall = Ticks(OVERALL_GROUP, OVERALL_GROUP / overall_per_second)
        self._private_rate = private_per_second
        self._group_rate = group_per_minute
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._max_retries = max_retries
        self._backoff = backoff
        self._max_backoff = max_backoff
        self._sleep = sleep
        self._paused_until = 0.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        self._chats.clear()

    def _chat_limiter(self, chat_id: object) -> AsyncLimiter | None:
        if chat_id is None:
            return None
        key = chat_id if isinstance(chat_id, int | str) else str(chat_id)
        limiter = self._chats.get(key)
        if limiter is None:
            if len(self._chats) >= IDLE_LIMITERS_KEPT:
                self._chats = {k: v for k, v in self._chats.items() if not v.has_capacity()}
            group = isinstance(key, str) or key < 0
            limiter = _even(self._group_rate, 60) if group else _even(self._private_rate, 1)
            self._chats[key] = limiter
        return limiter

    async def _pass(self, endpoint: str, chat_limiter: AsyncLimiter | None) -> None:
        loop = asyncio.get_running_loop()
        while (remaining := self._paused_until - loop.time()) > 0:
            await self._sleep(remaining)
        if chat_limiter is not None:
            await chat_limiter.acquire()
        if not endpoint.startswith(("edit", "delete")):
            await self._overall.acquire()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict | list[dict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict | list[dict]:
        throttled = endpoint not in UNTHROTTLED
        chat_limiter = self._chat_limiter(data.get("chat_id")) if throttled else None
        delay = self._backoff
        for attempt in range(self._max_retries + 1):
            if throttled:
                await self._pass(endpoint, chat_limiter)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == self._max_retries:
                    raise
                wait = retry_seconds(error)
                logger.warning("%s: Telegram asked to wait %.0f s (429)", endpoint, wait)
                await self._pause_all(wait)
            except BadRequest as error:
                if _already_done(endpoint, error):
                    logger.debug("%s: already done (%s)", endpoint, error)
                    return True
                raise
            except (TimedOut, NetworkError) as error:
                if attempt == self._max_retries:
                    raise
                logger.warning("%s failed (%s); retry in %.1f s", endpoint, error, delay)
                await self._sleep(delay)
                delay = min(delay * 2, self._max_backoff)
        raise AssertionError("unreachable: the loop returns or raises")

    async def _pause_all(self, seconds: float) -> None:
        """Hold every send until ``seconds`` from now (or later, if another 429 asked for more)."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until = max(self._paused_until, until)
        await self._sleep(seconds)
