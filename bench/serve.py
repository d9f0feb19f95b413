"""The bot as the benchmarks run it: ``python -m bench.serve [options]``.

Settings come from the environment.

It is ``python -m bot`` (the same :func:`bot.app.build_application` and
:func:`bot.runtime.lifecycle.serve`) with what a benchmark needs to set or observe, none of which
production has:

- ``--max-concurrent-updates N``: the processor's bound (1 is python-telegram-bot's default,
  sequential processing: the baseline of ``bench/throughput.py``);
- ``--unthrottled``: no Telegram limits on outgoing calls (to show what the limits cost);
- ``--digest``: build the previous week's digest (SQL figures, rows, chart and workbook) over
  and over while the bot runs, as the weekly job or an officer's request would;
- ``--blocking-digest``: the same, but its queries run on the event loop instead of in worker
  threads (what the bot would do if it called storage directly: the counter-example);
- ``--stats-out FILE``: at the clean stop (SIGTERM), write JSON with event-loop lag samples
  ``[[unix time, lag seconds], ...]`` (a timer every 10 ms) and the digests' build times.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from pathlib import Path

from bot.app import MAX_CONCURRENT_UPDATES, build_application
from bot.core.clock import utc_now
from bot.core.config import load_settings
from bot.domain.digest.build import DigestBuilder
from bot.domain.digest.text import week_before
from bot.runtime import logs
from bot.runtime.lifecycle import serve
from bot.runtime.ratelimit import TelegramLimits
from bot.runtime.workers import run
from bot.services import services
from storage.engine import Database

logger = logging.getLogger("bench.serve")

LAG_INTERVAL = 0.01


def unthrottled() -> TelegramLimits:
    """The bot's limiter with limits too high to matter (it still retries 429 and 5xx)."""
    return TelegramLimits(overall_per_second=1e6, private_per_second=1e6, group_per_minute=1e8)


async def sample_lag(samples: list[tuple[float, float]]) -> None:
    """Record how late a 10 ms timer fires: the time the loop was busy with something else."""
    loop = asyncio.get_running_loop()
    while True:
        before = loop.time()
        await asyncio.sleep(LAG_INTERVAL)
        samples.append((time.time(), max(loop.time() - before - LAG_INTERVAL, 0.0)))


class InlineDatabase(Database):
    """Storage called directly on the event loop: the counter-example of ``--blocking-digest``."""

    async def read(self, fn, /, *args, **kwargs):
        return self.call(fn, *args, **kwargs)

    async def write(self, fn, /, *args, **kwargs):
        return self.call_write(fn, *args, **kwargs)


async def build_digests(application, builds: list[tuple[float, float]], *, blocking: bool) -> None:
    """Build the previous week's digest again and again; record (start, seconds) of each."""
    found = services(application)
    digests = found.digest_builder
    if blocking:
        digests = DigestBuilder(
            db=InlineDatabase(found.db.engine),
            settings=found.settings,
            clock=found.clock,
            texts=found.texts,
            catalogue=found.catalogue,
        )
    while True:
        started = time.time()
        period = week_before(utc_now(), found.settings.timezone)
        await digests.build(period, found.settings.default_language, files=True)
        builds.append((started, time.time() - started))
        await asyncio.sleep(0)


async def main(arguments: argparse.Namespace) -> None:
    settings = load_settings(None)
    logs.configure(settings.log_level, settings.token)
    kwargs = {"max_concurrent_updates": arguments.max_concurrent_updates}
    if arguments.unthrottled:
        kwargs["rate_limiter"] = unthrottled
    application = build_application(settings, **kwargs)
    lag: list[tuple[float, float]] = []
    builds: list[tuple[float, float]] = []
    # The sampler wakes the loop 100 times a second: only a run that asked for it pays for it.
    tasks = [asyncio.create_task(sample_lag(lag))] if arguments.stats_out else []
    if arguments.digest or arguments.blocking_digest:
        tasks.append(
            asyncio.create_task(
                build_digests(application, builds, blocking=arguments.blocking_digest)
            )
        )
    try:
        await serve(application)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if arguments.stats_out:
            arguments.stats_out.write_text(json.dumps({"lag": lag, "digests": builds}))


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.serve", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--max-concurrent-updates", type=int, default=MAX_CONCURRENT_UPDATES)
    parser.add_argument("--unthrottled", action="store_true")
    parser.add_argument("--digest", action="store_true")
    parser.add_argument("--blocking-digest", action="store_true")
    parser.add_argument("--stats-out", type=Path)
    return parser.parse_args(argv)


if __name__ == "__main__":
    run(main(parse()))
