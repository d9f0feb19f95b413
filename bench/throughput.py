"""Throughput at real latency: residents who all send an idea at once, against a 200 ms Bot API.

Run from the repository root::

    .venv/bin/python -m bench.throughput                 # 200 residents; baseline 20; 3 runs each
    .venv/bin/python -m bench.throughput --full          # baseline with 200 residents too (~10 min)
    .venv/bin/python -m bench.throughput --unthrottled   # also without Telegram's limits

The stand-in Bot API server (``tests/standin``) answers every call, ``getUpdates`` included, after
``--latency`` seconds (0.2: a call from Indonesia to Telegram). Each resident goes through the
whole /ide flow (/ide, the idea, kecamatan, pillar, name, send: six updates) and answers each
question the moment it arrives. The bot runs as a process (``python -m bench.serve``, the same
factory and start-up as ``python -m bot``) on a fresh SQLite file, with the production rate limiter
(22 new messages/s overall, five at a time, 1/s per private chat, 20/min per group) unless
``--unthrottled``, and
in the default configuration: ``ANNOUNCE_NEW`` on and the team's group in ``DIGEST_CHAT_IDS``, so
every new idea is announced there as in production.

Reported per configuration (median of ``--runs`` runs): updates handled per second (all residents'
updates over the time from the first /ide to the last tracking code) and p50/p95 of the time from
a resident's update to the bot's reply. The baseline is the same bot with python-telegram-bot's
default sequential processing (``max_concurrent_updates=1``); its rate does not depend on how many
residents wait (each update costs the same 2-3 round trips), so by default it runs with fewer of
them to keep the run short — its latencies are then those of a shorter queue. After every run,
each resident's submission must be stored exactly once with the text, kecamatan, pillar and name
choice that resident gave, and the team's group must hear of every code (a card each, or a
burst's list); the benchmark fails otherwise. "group lag" is how long after the last resident got
their code the group had heard of every code.

Budget: at least 30 updates/s, and at least 6x the sequential baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    TEAM_GROUP_ID,
    Inboxes,
    bot_process,
    check_stored,
    median,
    percentile,
    plans,
    print_table,
    standin,
    submit_idea,
)

MIN_RATE = 30.0
MIN_RATIO = 6.0
CODE = re.compile(r"IDE-\d{4,}")


@dataclass(frozen=True)
class Run:
    rate: float  # updates handled per second
    p50: float
    p95: float
    seconds: float
    updates: int
    group_lag: float  # seconds from the last resident's code to the group knowing every code


async def one_run(
    residents: int, *, concurrency: int, latency: float, unthrottled: bool, folder: Path
) -> Run:
    """One bot process, ``residents`` residents at once, each submission checked in the DB."""
    database = folder / f"bench-{concurrency}-{time.monotonic_ns()}.db"
    options = ["--max-concurrent-updates", str(concurrency)]
    if unthrottled:
        options.append("--unthrottled")
    async with (
        standin(latency) as api,
        Inboxes(api) as inboxes,
        bot_process(api, database, *options),
    ):
        started = time.monotonic()
        journeys = await asyncio.gather(
            *(submit_idea(api, inboxes, plan) for plan in plans(residents))
        )
        finished = time.monotonic()
        group_lag = await team_group_lag(api, {journey.code for journey in journeys}, finished)
    problems = check_stored(database, journeys)
    if problems:
        raise SystemExit("Submissions not stored as given:\n" + "\n".join(problems[:20]))
    waits = [wait for journey in journeys for wait in journey.waits]
    updates = sum(journey.updates for journey in journeys)
    seconds = finished - started
    return Run(
        updates / seconds,
        percentile(waits, 0.5),
        percentile(waits, 0.95),
        seconds,
        updates,
        group_lag,
    )


async def team_group_lag(api, codes: set[str], finished: float, timeout: float = 600) -> float:
    """Seconds after ``finished`` until the team's group had been sent every one of ``codes``."""
    deadline = time.monotonic() + timeout
    while True:
        heard, last = set(), finished
        for call in api.calls:
            if call.method == "sendMessage" and call.params.get("chat_id") == TEAM_GROUP_ID:
                named = codes.intersection(CODE.findall(call.params.get("text", "")))
                if named - heard:
                    heard |= named
                    last = max(last, call.at)
        if heard == codes:
            return last - finished
        if time.monotonic() > deadline:
            raise SystemExit(f"the team's group never heard of {len(codes - heard)} code(s)")
        await asyncio.sleep(0.5)


async def measure(arguments: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    configurations = [("this bot", arguments.concurrency, arguments.residents, False)]
    if arguments.unthrottled:
        configurations.append(
            ("this bot, unthrottled", arguments.concurrency, arguments.residents, True)
        )
    configurations.append(("baseline (sequential)", 1, arguments.baseline_residents, False))
    results: dict[str, list[Run]] = {name: [] for name, *_ in configurations}
    for index in range(arguments.runs):
        for name, concurrency, residents, unthrottled in configurations:
            run = await one_run(
                residents,
                concurrency=concurrency,
                latency=arguments.latency,
                unthrottled=unthrottled,
                folder=folder,
            )
            results[name].append(run)
            print(
                f"run {index + 1}/{arguments.runs} {name}: {run.updates} updates in "
                f"{run.seconds:.1f} s = {run.rate:.1f}/s, p50 {run.p50:.2f} s, "
                f"p95 {run.p95:.2f} s, group lag {run.group_lag:.1f} s",
                flush=True,
            )
    rows = []
    for name, concurrency, residents, _ in configurations:
        runs = results[name]
        rows.append(
            [
                name,
                concurrency,
                residents,
                median([r.rate for r in runs]),
                median([r.p50 for r in runs]),
                median([r.p95 for r in runs]),
                median([r.group_lag for r in runs]),
            ]
        )
    print_table(
        f"Throughput at {arguments.latency * 1000:.0f} ms per Bot API call "
        f"(median of {arguments.runs} runs)",
        ["configuration", "concurrency", "residents", "updates/s", "p50 s", "p95 s", "group lag s"],
        rows,
    )
    rate = rows[0][3]
    baseline = rows[-1][3]
    ratio = rate / baseline
    print(f"\nthis bot / baseline: {ratio:.1f}x  (budget: >= {MIN_RATIO:.0f}x)")
    print(f"this bot: {rate:.1f} updates/s  (budget: >= {MIN_RATE:.0f}/s)")
    met = rate >= MIN_RATE and ratio >= MIN_RATIO
    print("budget met" if met else "BUDGET MISSED")
    return 0 if met else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--baseline-residents", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=32, help="the bot's bound (default 32)")
    parser.add_argument("--unthrottled", action="store_true", help="also run without the limits")
    parser.add_argument("--full", action="store_true", help="baseline with --residents too")
    arguments = parser.parse_args(argv)
    if arguments.full:
        arguments.baseline_residents = arguments.residents
    return arguments


if __name__ == "__main__":
    sys.exit(asyncio.run(measure(parse())))
