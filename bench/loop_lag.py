"""Event-loop lag while residents send ideas and the weekly digest is built at the same time.

Run from the repository root::

    .venv/bin/python -m bench.loop_lag                # 20,000 earlier ideas, 200 residents, 3 runs
    .venv/bin/python -m bench.loop_lag --full         # 100,000 earlier ideas
    .venv/bin/python -m bench.loop_lag --blocking     # also the counter-example (see below)

The load is ``bench/throughput.py``'s: ``--residents`` residents go through /ide at once against
the stand-in Bot API server with 200 ms per call, the bot a process with Telegram's limits, its
database holding ``--history`` earlier submissions spread over three weeks. Inside the bot process
(``python -m bench.serve``) a 10 ms timer records how late it fires: the time the event loop could
not run anything else. Only samples taken while residents are active count.

- **With digest**: the bot also builds the previous week's digest (SQL aggregates, that week's
  rows, the chart PNG and the XLSX workbook: what the Monday job and an officer's ``/digest`` do)
  over and over, back to back, for the whole run.
- **Baseline**: the same load, no digest.
- **Counter-example** (``--blocking``): the digest with its queries run on the event loop
  instead of in worker threads, to show what the benchmark catches.

Reported (median of ``--runs`` runs): lag p99 and max, digests built during the load and their
median build time, and the residents' updates/s. Budget (issue 7), with digest: p99 <= 50 ms,
max <= 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.common import (
    Inboxes,
    bot_process,
    check_stored,
    median,
    percentile,
    plans,
    print_table,
    seed_submissions,
    standin,
    submit_idea,
)

MAX_P99 = 0.050
MAX_LAG = 0.200


@dataclass(frozen=True)
class Run:
    p99: float
    worst: float
    digests: int
    digest_seconds: float
    rate: float


async def one_run(arguments: argparse.Namespace, seeded: Path, folder: Path, mode: str) -> Run:
    database = folder / f"lag-{mode}-{time.monotonic_ns()}.db"
    shutil.copy(seeded, database)
    stats = database.with_suffix(".json")
    options = ["--stats-out", str(stats)]
    if mode == "digest":
        options.append("--digest")
    elif mode == "blocking":
        options.append("--blocking-digest")
    async with (
        standin(arguments.latency) as api,
        Inboxes(api) as inboxes,
        bot_process(api, database, *options),
    ):
        started, wall = time.monotonic(), time.time()
        journeys = await asyncio.gather(
            *(submit_idea(api, inboxes, plan) for plan in plans(arguments.residents))
        )
        seconds, until = time.monotonic() - started, time.time()
    problems = check_stored(database, journeys)
    if problems:
        raise SystemExit("Submissions not stored as given:\n" + "\n".join(problems[:20]))
    recorded = json.loads(stats.read_text())
    lags = [lag for at, lag in recorded["lag"] if wall <= at <= until]
    builds = [took for at, took in recorded["digests"] if wall <= at and at + took <= until]
    updates = sum(journey.updates for journey in journeys)
    return Run(
        p99=percentile(lags, 0.99),
        worst=max(lags),
        digests=len(builds),
        digest_seconds=median(builds),
        rate=updates / seconds,
    )


async def measure(arguments: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-lag-"))
    seeded = folder / "seeded.db"
    print(f"seeding {arguments.history} earlier submissions ...", flush=True)
    seed_submissions(seeded, arguments.history)
    modes = ["digest", "load only"] + (["blocking"] if arguments.blocking else [])
    names = {
        "digest": "with digest",
        "load only": "baseline: load only",
        "blocking": "counter-example: digest queries on the loop",
    }
    results: dict[str, list[Run]] = {mode: [] for mode in modes}
    for index in range(arguments.runs):
        for mode in modes:
            run = await one_run(arguments, seeded, folder, mode)
            results[mode].append(run)
            print(
                f"run {index + 1}/{arguments.runs} {names[mode]}: lag p99 {run.p99 * 1000:.1f} ms,"
                f" max {run.worst * 1000:.0f} ms; {run.digests} digests built"
                f" ({run.digest_seconds:.2f} s each); {run.rate:.1f} updates/s",
                flush=True,
            )
    rows = []
    for mode in modes:
        runs = results[mode]
        rows.append(
            [
                names[mode],
                median([r.p99 * 1000 for r in runs]),
                median([r.worst * 1000 for r in runs]),
                median([r.digests for r in runs]),
                median([r.digest_seconds for r in runs]),
                median([r.rate for r in runs]),
            ]
        )
    print_table(
        f"Event-loop lag, {arguments.residents} residents at {arguments.latency * 1000:.0f} ms per "
        f"call, {arguments.history} earlier ideas (median of {arguments.runs} runs)",
        ["configuration", "p99 ms", "max ms", "digests", "s/digest", "updates/s"],
        rows,
    )
    with_digest, baseline = rows[0], rows[1]
    print(
        f"\nwith digest / load only: p99 {with_digest[1] / baseline[1]:.1f}x, "
        f"max {with_digest[2] / baseline[2]:.1f}x"
    )
    met = with_digest[1] <= MAX_P99 * 1000 and with_digest[2] <= MAX_LAG * 1000
    print(f"budget (with digest): p99 <= {MAX_P99 * 1000:.0f} ms, max <= {MAX_LAG * 1000:.0f} ms")
    print("budget met" if met else "BUDGET MISSED")
    return 0 if met else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.loop_lag")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--history", type=int, default=20_000, help="submissions stored before")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--blocking", action="store_true", help="also the counter-example")
    parser.add_argument("--full", action="store_true", help="100,000 earlier submissions")
    arguments = parser.parse_args(argv)
    if arguments.full:
        arguments.history = 100_000
    return arguments


if __name__ == "__main__":
    sys.exit(asyncio.run(measure(parse())))
