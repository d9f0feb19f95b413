"""Updates run concurrently across residents and strictly in order for each one.

python-telegram-bot's ConversationHandler assumes one update at a time per conversation, so plain
``concurrent_updates=True`` is unsafe. :class:`OrderedUpdateProcessor` lets updates of different
(chat, user) pairs run at once, up to a bound, while those of one pair wait for each other in
arrival order. After each update it runs ``after`` (flush the conversation steps, mark the update
done in the inbox), so an update counts as handled only once its effects are stored.

The bound counts updates whose turn has come, not those waiting for the same resident's previous
update, nor those waiting on slow work of their own (building a report, uploading a file) inside
:func:`slot_set_aside`. python-telegram-bot's own semaphore is taken before
:meth:`do_process_update`, so with it one resident's queued messages took a slot each: a resident
who sent 40 messages at once (each answered at Telegram's pace of one a second to a private chat)
held every slot, and everyone else waited until that backlog was through.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

logger = logging.getLogger(__name__)

After = Callable[[object], Awaitable[None]]

# The processor whose slot the running update holds (None outside an update's handling).
_holder: ContextVar[OrderedUpdateProcessor | None] = ContextVar("slot_holder", default=None)


@contextlib.asynccontextmanager
async def slot_set_aside() -> AsyncIterator[None]:
    """Let other updates have this update's slot while it waits on slow work of its own; take a
    slot again after. The same resident's next update still waits for this one to finish.
    Outside an update's handling (a scheduled job) it changes nothing."""
    processor = _holder.get()
    if processor is None:
        yield
        return
    processor._slots.release()
    processor._working -= 1
    try:
        yield
    finally:
        await processor._slots.acquire()
        processor._working += 1


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
        if max_concurrent_updates < 1:
            raise ValueError("max_concurrent_updates must be at least 1")
        # The base class's semaphore is held from before do_process_update, so it would count
        # the waiting updates too. It is sized by the property below, which reads ``_bound``:
        # unbounded while the base class builds it; ``_slots`` bounds the working updates.
        self._bound = sys.maxsize
        super().__init__(max_concurrent_updates)
        self._bound = max_concurrent_updates
        self._slots = asyncio.Semaphore(max_concurrent_updates)
        self._working = 0
        self._locks: dict[tuple[int, int], asyncio.Lock] = {}
        self._waiting: dict[tuple[int, int], int] = {}
        self.after: After | None = None

    @property
    def max_concurrent_updates(self) -> int:
        return self._bound

    @property
    def current_concurrent_updates(self) -> int:
        """How many updates hold a slot (not those waiting for their resident's previous one)."""
        return self._working

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
        async with self._slots:
            self._working += 1
            holding = _holder.set(self)
            try:
                await self._handle(update, coroutine)
            finally:
                _holder.reset(holding)
                self._working -= 1

    async def _handle(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        finally:
            if self.after is not None:
                await self.after(update)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
