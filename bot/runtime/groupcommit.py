"""Group commit: what handled updates leave to store, written for many updates at once.

After each update the bot stores the conversation steps that changed and marks the update done in
the inbox (:mod:`bot.runtime.processing`). With 32 updates handled at once, a transaction for each
of those made the database the bottleneck, and SQLite takes one writer at a time anyway. Here a
caller adds what it needs stored and waits; one writer at a time takes everything added so far and
commits it in one transaction. When the bot is idle the first caller's commit starts at once; under
load one commit serves every update that finished while the previous one was written.

A step is staged, not committed on its own: it goes with the done mark of the update that changed
it, in one transaction (:meth:`GroupCommit.flush` commits steps staged by anything else). Two
commits per update had cost a quarter of the database's time when residents' messages came one
by one (``bench.cpu_outside``).

Order holds: what a caller added is committed no later than anything added after its call
returned, so a done mark never reaches the database before the steps its update changed. A
failed commit fails its callers, and its steps are written again with the next commit (unless a
newer step replaced them): python-telegram-bot reports a failed step to the error handler and
goes on to mark the update done, and that mark must not be committed without the step.
"""

from __future__ import annotations

import asyncio

from bot.core.clock import Clock
from storage import inbox as store
from storage.engine import Database


class GroupCommit:
    """Conversation steps and done marks, committed in shared transactions."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._states: dict[tuple[str, str], str | None] = {}
        self._done: list[int] = []
        self._waiting: list[asyncio.Future[None]] = []
        self._writer: asyncio.Task[None] | None = None

    def stage(self, name: str, key: str, state: str | None) -> None:
        """Store a conversation's step (``None`` ends it) with the next commit."""
        self._states[(name, key)] = state

    async def flush(self) -> None:
        """Commit the staged steps; returns once committed."""
        await self._commit()

    async def done(self, update_id: int) -> None:
        """Mark an update handled in the inbox; returns once committed."""
        self._done.append(update_id)
        await self._commit()

    async def _commit(self) -> None:
        committed = asyncio.get_running_loop().create_future()
        self._waiting.append(committed)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        await committed

    async def _write(self) -> None:
        waiting: list[asyncio.Future[None]] = []
        try:
            while self._waiting:
                states, done, waiting = self._states, self._done, self._waiting
                self._states, self._done, self._waiting = {}, [], []
                try:
                    await self._db.write(
                        store.finish_updates, states=states, done=done, now=self._clock()
                    )
                except Exception as error:  # each caller gets the error of its commit
                    self._states = {**states, **self._states}
                    _settle(waiting, error)
                else:
                    _settle(waiting, None)
        except asyncio.CancelledError:
            for future in waiting + self._waiting:
                future.cancel()
            raise
        finally:
            self._writer = None


def _settle(waiting: list[asyncio.Future[None]], error: Exception | None) -> None:
    for future in waiting:
        if future.done():  # its caller was cancelled
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
