"""CPU per update measured from outside: this bot and the plain bot as processes, on the wire.

Run from the repository root::

    .venv/bin/python -m bench.cpu_outside              # 50 residents (300 updates), 5 runs each
    .venv/bin/python -m bench.cpu_outside --residents 20 --runs 3
    .venv/bin/python -m bench.cpu_outside --unthrottled  # this bot without Telegram's limits

``bench.cpu`` takes the network away, so it prices this bot's own work; a running bot also pays
for its HTTP client and its polling. Here each bot runs as a process against the stand-in Bot API
server (``tests/standin``, in this process, answering at once): this bot as ``python -m bot`` runs
(``bench.serve``: aiohttp, the durable inbox, the team's group announced), the plain bot
(:mod:`bench.plainbot`) as python-telegram-bot's examples run (``run_polling``, its default httpx
request). The residents go through the whole /ide flow at once, answering each question as it
arrives. The figure is the bot process's CPU time (user + system, from ``/proc``) from the first
/ide to the last tracking code, divided by the updates handled; start-up is left out (each bot
idles :data:`SETTLE` seconds first). Runs
alternate, fresh processes and databases each time; medians of ``--runs``.

Budget: this bot uses no more CPU per update than the plain bot (at most 1.0x).

The plain bot sends as fast as it can; this bot keeps to Telegram's limits (22 new messages a
second in all, five at a time), so its residents' answers, and with them the updates, come in
small groups. ``--unthrottled`` runs this bot with limits too high to matter, as the plain bot
runs: not the budget's figure, but it shows what keeping to Telegram's pace costs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.common import (
    Inboxes,
    bot_process,
    median,
    plans,
    print_table,
    standin,
    submit_idea,
)

MAX_RATIO = 1.0
SETTLE = 5.0  # seconds a fresh bot is left idle before it is measured
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def one_run(residents: int, module: str, folder: Path, *options: str) -> float:
    """CPU milliseconds per update of one fresh bot process serving ``residents`` at once."""
    database = folder / f"{module.replace('.', '-')}-{time.monotonic_ns()}.db"
    async with (
        standin() as api,
        Inboxes(api) as inboxes,
        bot_process(api, database, *options, module=module) as process,
    ):
        await asyncio.sleep(SETTLE)  # start-up's own work (retraining the tagger) is left out
        before = cpu_seconds(process.pid)
        journeys = await asyncio.gather(
            *(submit_idea(api, inboxes, plan) for plan in plans(residents))
        )
        spent = cpu_seconds(process.pid) - before
    if len({journey.code for journey in journeys}) != residents:
        raise SystemExit(f"{module}: not every resident got a tracking code of their own")
    return spent / sum(journey.updates for journey in journeys) * 1000


async def measure(arguments: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-cpu-outside-"))
    label = "this bot, unthrottled" if arguments.unthrottled else "this bot (python -m bot)"
    bots = {
        label: ("bench.serve", ("--unthrottled",) if arguments.unthrottled else ()),
        "plain PTB bot": ("bench.plainbot", ()),
    }
    results: dict[str, list[float]] = {name: [] for name in bots}
    for index in range(arguments.runs):
        for name, (module, options) in bots.items():
            results[name].append(await one_run(arguments.residents, module, folder, *options))
        print(
            f"run {index + 1}/{arguments.runs}: "
            + ", ".join(f"{name} {runs[-1]:.2f} ms" for name, runs in results.items()),
            flush=True,
        )
    ours, plain = results.values()
    rows = [[name, median(runs), min(runs), max(runs)] for name, runs in results.items()]
    print_table(
        f"CPU per update from outside, {arguments.residents} residents at once "
        f"(median of {arguments.runs} runs)",
        ["bot", "CPU ms/update", "min", "max"],
        rows,
    )
    ratio = median([a / b for a, b in zip(ours, plain, strict=True)])
    print(f"\nthis bot / plain bot: {ratio:.2f}x CPU per update  (budget: <= {MAX_RATIO}x)")
    met = ratio <= MAX_RATIO
    print("budget met" if met else "BUDGET MISSED")
    return 0 if met else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu_outside")
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--unthrottled", action="store_true")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(asyncio.run(measure(parse())))
