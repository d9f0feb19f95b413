"""CPU-heavy work in a worker process, where it cannot hold the event loop's GIL.

Worker threads keep the loop free while they wait (SQLite, files), but Python work in a thread
holds the GIL: building the digest's chart and workbook back to back in a thread lifted the loop's
lag p99 to over 200 ms while 200 residents were being answered (``bench/loop_lag.py``).
:class:`Offload` runs such work, a module-level function of picklable arguments, in one worker
process once :meth:`Offload.start` was called (``python -m bot`` does, at start-up), and in a worker
thread otherwise (tests, one-off commands). The process is started with ``forkserver``: never a
fork of the bot's threads and open connections.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import ParamSpec, TypeVar

logger = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class Offload:
    """Runs functions in one worker process once started; in a worker thread before."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    @property
    def started(self) -> bool:
        return self._pool is not None

    def start(self) -> None:
        """Start using a worker process (it is created at the first call)."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("forkserver")
            )

    def shutdown(self) -> None:
        """Stop the worker process; later calls run in a thread again."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    async def run(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` in the worker process (or a thread when not started)."""
        if self._pool is None:
            return await asyncio.to_thread(fn, *args, **kwargs)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, _call, fn, args, kwargs)
        except BrokenProcessPool:
            # The worker died (killed, out of memory): start a new one and try once more.
            logger.warning("The worker process died; starting a new one")
            self.shutdown()
            self.start()
            assert self._pool is not None
            return await loop.run_in_executor(self._pool, _call, fn, args, kwargs)


def _call(fn: Callable[..., T], args: tuple, kwargs: dict) -> T:
    return fn(*args, **kwargs)
