"""Group commit: what handled updates leave to store rides on the next write.

After each update the bot stores the conversation steps that changed and marks the update done in
the inbox (:mod:`bot.runtime.processing`). Neither needs a transaction of its own: both are staged
(:meth:`storage.engine.Database.stage`) and committed at the start of the next write transaction,
whichever it is. Under load that is the inbox storing the next batch from Telegram; when nothing
writes, a flush :data:`FLUSH_AFTER` seconds later commits them. When residents' messages came one
by one, a commit per update cost more than handling the update's own answer.

Order holds because every write carries what was staged before it: an update's draft, steps and
done mark are committed together, before or with anything written after them. A step or a done
mark not yet committed when the bot dies is safe too: the update is not done in the inbox, so it
is handled again at the next start (its answer may then come twice, as after any crash).
:meth:`GroupCommit.flush` commits at once; the bot's stop calls it.
"""

from __future__ import annotations

import asyncio
import logging

from bot.core.clock import Clock
from storage import inbox as store
from storage.engine import Database

logger = logging.getLogger(__name__)

FLUSH_AFTER = 0.2  # seconds a staged step or done mark waits for another write to carry it
_KEY = "finished-updates"  # what the steps and done marks are staged as
_GONE = object()


class GroupCommit:
    """Conversation steps and done marks, staged for the next write transaction."""

    def __init__(self, db: Database, clock: Clock, *, flush_after: float = FLUSH_AFTER) -> None:
        self._db = db
        self._clock = clock
        self._flush_after = flush_after
        self._states: dict[tuple[str, str], str | None] = {}
        self._done: list[int] = []
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()

    def stage(self, name: str, key: str, state: str | None) -> None:
        """Store a conversation's step (``None`` ends it) with the next write."""
        self._start_afresh_if_committed()
        self._states[(name, key)] = state
        self._restage()

    def done(self, update_id: int) -> None:
        """Mark an update handled in the inbox with the next write."""
        self._start_afresh_if_committed()
        self._done.append(update_id)
        self._restage()

    async def flush(self) -> None:
        """Commit everything staged now (drafts too); returns once committed."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._db.has_staged():
            await self._db.write(_carry_only)

    def _start_afresh_if_committed(self) -> None:
        if self._db.staged(_KEY, _GONE) is _GONE:
            self._states, self._done = {}, []

    def _restage(self) -> None:
        # A copy each time: a write in flight may be running the previous one in its thread.
        self._db.stage(
            _KEY,
            None,
            store.finish_updates,
            states=dict(self._states),
            done=tuple(self._done),
            now=self._clock(),
        )
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self._flush_after, self._timed)

    def _timed(self) -> None:
        self._timer = None
        task = asyncio.get_running_loop().create_task(self.flush())
        self._flushing.add(task)
        task.add_done_callback(self._flushed)

    def _flushed(self, task: asyncio.Task[None]) -> None:
        self._flushing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # What failed stays staged (see Database.stage) and goes with the next write.
            logger.error("A timed flush failed", exc_info=task.exception())


def _carry_only(_session: object) -> None:
    """A write of nothing of its own: it commits what is staged."""
