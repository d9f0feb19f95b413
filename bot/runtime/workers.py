"""The event loop the bot runs on, with its worker threads for database calls, tagging and files.

Python code in a worker thread holds the GIL, and SQLite lets one writer in at a time, so asyncio's
default of six threads on two cores only added thread switches and per-thread malloc arenas. Three
use 3 % less CPU an update than six and 2 MB less memory over 20,000 updates (``bench/cpu.py``,
``bench/memory.py``), and leave two free while one builds a report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

WORKER_THREADS = 3


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on a loop whose default executor has ``WORKER_THREADS`` threads."""
    with asyncio.Runner() as runner:
        workers = ThreadPoolExecutor(max_workers=WORKER_THREADS, thread_name_prefix="worker")
        runner.get_loop().set_default_executor(workers)
        return runner.run(main)
