"""The newest ideas, kept in memory for "similar ideas".

The resident's confirmation step and the officers' card each compare an idea with the newest
submissions that were not rejected. Reading their texts again for every one (1,000 rows) was a
fifth of the bot's CPU per update under load. The pool reads them once, then follows the status
history, where every new submission and every status change leaves a row: each use reads the
newest rows of the history, takes the changes it has not followed yet, adds the submissions
sent, and loads the pool again when an idea was rejected or taken back from rejection (an older
idea takes its place). The history is in the database, so what another process changed is seen
too. Erasing a resident's data changes no status: the bot, which alone erases, tells the pool.
"""

from __future__ import annotations

import asyncio

from storage import queries
from storage.engine import Database
from storage.queries import Idea

# On PostgreSQL a status change's id is taken when it is written, and concurrent transactions
# commit in any order: a change may become visible after newer ones were followed. The pool
# looks this many changes back (more than the bot ever has in flight) and follows each once.
LOOKBACK = 200


class IdeaPool:
    """The ``size`` newest submissions not rejected: (id, code, text, resident), newest first."""

    def __init__(self, db: Database, *, size: int) -> None:
        self._db = db
        self._size = size
        self._ideas: list[Idea] = []
        # The status changes the pool has followed, the newest LOOKBACK of them (None: not loaded).
        self._followed: frozenset[int] | None = None
        self._lock = asyncio.Lock()
        self._started = 0  # catch-ups started so far
        self._last_done = -1  # the number of the last catch-up that succeeded

    async def newest(self, limit: int, *, exclude_resident: int | None = None) -> list[Idea]:
        """Up to ``limit`` of the pool's ideas, newest first, without one resident's own.

        What was committed before the call is in the answer. Callers who arrive while the pool
        catches up wait for one more catch-up, shared by all of them.
        """
        arrived = self._started
        async with self._lock:
            if self._last_done < arrived:  # none started since this call arrived has succeeded
                number, self._started = self._started, self._started + 1
                await self._catch_up()
                self._last_done = number
        ideas = self._ideas
        if exclude_resident is not None:
            ideas = [idea for idea in ideas if idea.resident_id != exclude_resident]
        return ideas[:limit]

    async def unlink(self, resident: int) -> None:
        """Forget that ``resident`` wrote their ideas, as erasing their data does in the database.

        The ideas stay in the pool, anonymous. A catch-up in progress finishes first.
        """
        async with self._lock:
            self._ideas = [
                idea._replace(resident_id=None) if idea.resident_id == resident else idea
                for idea in self._ideas
            ]

    async def _catch_up(self) -> None:
        if self._followed is not None:
            after = max(self._followed, default=0) - LOOKBACK
            changes, sent, reload = await self._db.read(
                queries.ideas_changed_since, change_id=after, followed=self._followed
            )
            if not reload:
                known = {idea.id for idea in self._ideas}
                fresh = [idea for idea in sent if idea.id not in known]
                newest_first = sorted(fresh + self._ideas, key=lambda idea: -idea.id)
                self._ideas = newest_first[: self._size]
                self._followed = _window(set(changes) | self._followed)
                return
        changes, self._ideas = await self._db.read(
            queries.newest_ideas, limit=self._size, lookback=LOOKBACK
        )
        self._followed = _window(set(changes))


def _window(changes: set[int]) -> frozenset[int]:
    """The ids among ``changes`` within ``LOOKBACK`` of the newest."""
    newest = max(changes, default=0)
    return frozenset(change for change in changes if change > newest - LOOKBACK)
