"""Updates run concurrently across residents and strictly in order for each one.

python-telegram-bot's ConversationHandler assumes one update at a time per conversation, so plain
``concurrent_updates=True`` is unsafe. :class:`OrderedUpdateProcessor` lets updates of different
(chat, user) pairs run at once, up to a bound, while those of one pair wait for each other in
arrival order. After each update it runs ``after`` (flush the conversation steps, mark the update
done in the inbox), so an update counts as handled only once its effects are stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

After = Callable[[object], Awaitable[None]]


def ordering_key(update: object) -> tuple[int, int] | None:
    """The (chat, user) pair whose updates must not overtake each other."""
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat
    user = update.effective_user
    if chat is None and user is None:
        return None
    return (chat.id if chat else 0, user.id if user else 0)


class OrderedUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across (chat, user) pairs, sequential within one pair."""

    def __init__(self, max_concurrent_updates: int = 32) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._waiting: dict[tuple[int, int], int] = {}
        self.after: After | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await self._run(update, coroutine)
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await self._run(update, coroutine)
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                del self._locks[key]

    async def _run(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            if self.after is not None:
                await self.after(update)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
