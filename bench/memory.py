"""Memory: the bot's resident set size idle, and after many handled updates from many residents.

Run from the repository root::

    .venv/bin/python -m bench.memory               # 20,000 updates (3,334 residents), 2 runs each
    .venv/bin/python -m bench.memory --full        # 100,000 updates (16,667 residents)
    .venv/bin/python -m bench.memory --breakdown   # one run of the bot: what each wave adds

Each measurement runs in a fresh process (``--role bot`` or ``--role floor``; RSS never shrinks,
so two in one process would measure each other). The bot is ``build_application`` with start-up
as in production (``on_started``), against an in-process request object (``tests/recording.py``)
on a fresh SQLite file, fed as the intake loop feeds it (batches of at most 100 stored in the
inbox, then handled 32 at a time). Residents arrive in waves of 500, each going through the whole
/ide flow once (six updates: /ide, the idea, kecamatan, pillar, name, send), every resident a new
Telegram user, so anything kept per resident shows up. RSS is read from /proc after a garbage
collection: idle (started, nothing handled), then after every wave. The request object's record
of calls is the benchmark's, not the bot's, and shares the process: it is emptied after every
batch (it used to be kept for a whole wave, some 5,000 calls, and its peak stayed in the RSS).

The baseline is the floor of ``bench/cpu.py``: a bare echo Application with one SQLite insert per
update, fed the same number of text updates from as many users.

``--breakdown`` runs the bot once and shows, after each wave, what the RSS added since idle is
made of: Python's small-object arenas and the live objects in them (``sys._debugmallocstats``),
SQLite's own heap (``sqlite3_memory_used``), and the rest (the C heap: worker threads' arenas,
large objects, pages the allocator keeps).

Budget (issue 15, restating issue 7's): idle <= 110 MB, and growth after the first 20 % of the
run <= 5 %: with ``--full`` that is from 20,000 to 100,000 handled updates, when the bounded caches
(similar-idea vectors, SQLite's page cache per connection, SQLAlchemy's statements) and the
allocators have settled, so what keeps growing there is a leak. The growth over the whole run is
shown too (it holds the warm-up).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import gc
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import TOKEN, median, plans, print_table, rss_mb
from bot.runtime.workers import run

MAX_IDLE_MB = 110.0
MAX_GROWTH_WARM = 0.05
WAVE = 500
BATCH = 100  # updates per getUpdates answer at most
WARM = 0.2  # the share of the run after which caches and allocators have settled
STEPS = 6


def settled_rss() -> float:
    gc.collect()
    return rss_mb()


def python_heap() -> tuple[float, float]:
    """(MB in Python's small-object arenas, MB of live objects in them)."""
    with tempfile.TemporaryFile("w+") as sink:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(sink.fileno(), 2)  # _debugmallocstats writes to the C stderr only
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        sink.seek(0)
        stats = sink.read()
    arenas = re.search(r"^Total\s*=\s*([\d,]+)", stats, re.MULTILINE)
    live = re.search(r"# bytes in allocated blocks\s*=\s*([\d,]+)", stats)
    if arenas is None or live is None:
        raise RuntimeError("sys._debugmallocstats printed no arena totals")
    return tuple(int(found.group(1).replace(",", "")) / 2**20 for found in (arenas, live))


def sqlite_heap() -> float:
    """MB SQLite has allocated in this process (all connections)."""
    library = ctypes.CDLL(ctypes.util.find_library("sqlite3"))
    library.sqlite3_memory_used.restype = ctypes.c_int64
    return library.sqlite3_memory_used() / 2**20


def measured(handled: int, breakdown: bool) -> list[float]:
    """[updates handled, RSS MB] and, for --breakdown, [arenas MB, live MB, SQLite MB]."""
    point = [handled, settled_rss()]
    return [*point, *python_heap(), sqlite_heap()] if breakdown else point


async def bot_role(updates: int, folder: Path, breakdown: bool = False) -> dict:
    from bench.cpu import feed, send_buttons, settings, step_updates
    from bench.serve import unthrottled
    from bot.app import build_application
    from bot.runtime.lifecycle import on_started
    from tests.recording import RecordingRequest

    request = RecordingRequest(limits=False)  # the tests' checks of Telegram's limits cost CPU
    application = build_application(
        settings(folder / "memory.db"), request=request, rate_limiter=unthrottled
    )

    async def run_wave(wave: int, residents: int) -> None:
        # The wave's residents and updates are the bench's: they are gone when RSS is read.
        group = plans(residents, first_id=1_000_000 + wave * WAVE, seed=wave)
        sends: dict[int, str] = {}
        for step in range(STEPS):
            payloads = step_updates(group, step, sends)
            for start in range(0, len(payloads), BATCH):
                await feed(application, payloads[start : start + BATCH])
                sends.update(send_buttons(request))
                request.clear()  # the recording is the bench's, not the bot's

    curve = []
    async with application:
        await application.start()
        await on_started(application)
        start = measured(0, breakdown)
        handled, wave = 0, 0
        started = time.perf_counter()
        while handled < updates:
            residents = min(WAVE, -(-(updates - handled) // STEPS))
            await run_wave(wave, residents)
            handled += residents * STEPS
            wave += 1
            curve.append(measured(handled, breakdown))
        seconds = time.perf_counter() - started
        await application.stop()
    return {"idle": start[1], "start": start, "curve": curve, "seconds": seconds}


async def floor_role(updates: int, folder: Path) -> dict:
    from storage.engine import Database, make_engine
    from tests import updates as u
    from tests.recording import RecordingRequest

    engine = make_engine(f"sqlite:///{folder / 'floor.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE echo (update_id INTEGER PRIMARY KEY, text TEXT)")
    db = Database(engine)

    def insert(session, *, update_id: int, text: str) -> None:
        session.connection().exec_driver_sql("INSERT INTO echo VALUES (?, ?)", (update_id, text))

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await db.write(insert, update_id=update.update_id, text=update.message.text)
        await update.message.reply_text(update.message.text)

    request = RecordingRequest(limits=False)  # the tests' checks of Telegram's limits cost CPU
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(request)
        .get_updates_request(request)
        .updater(None)
        .concurrent_updates(32)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    texts = [plan.text for plan in plans(200)]
    curve = []
    async with application:
        await application.start()
        idle = settled_rss()
        handled = 0
        started = time.perf_counter()
        while handled < updates:
            count = min(WAVE * STEPS, updates - handled)
            for start in range(handled, handled + count, BATCH):
                for index in range(start, min(start + BATCH, handled + count)):
                    who = u.user(1_000_000 + index // STEPS)
                    payload = u.text(who, texts[index % len(texts)])
                    await application.update_queue.put(Update.de_json(payload, application.bot))
                await application.update_queue.join()
                request.clear()
            handled += count
            curve.append((handled, settled_rss()))
        seconds = time.perf_counter() - started
        await application.stop()
    engine.dispose()
    return {"idle": idle, "curve": curve, "seconds": seconds}


def warmed(curve: list[list[float]]) -> float:
    """RSS at the first point past the warm-up share of the run."""
    last = curve[-1][0]
    return next(mb for handled, mb in curve if handled >= WARM * last)


def run_role(role: str, updates: int, *extra: str) -> dict:
    """One measurement in a fresh process."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.memory", "--role", role, "--updates", str(updates), *extra],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure(arguments: argparse.Namespace) -> int:
    results: dict[str, list[dict]] = {"bot": [], "floor": []}
    for index in range(arguments.runs):
        for role in ("bot", "floor"):
            found = run_role(role, arguments.updates)
            results[role].append(found)
            after = found["curve"][-1][1]
            print(
                f"run {index + 1}/{arguments.runs} {role}: idle {found['idle']:.1f} MB, after "
                f"{found['curve'][-1][0]} updates {after:.1f} MB "
                f"(+{(after / found['idle'] - 1) * 100:.1f} %) in {found['seconds']:.0f} s",
                flush=True,
            )
    bot_curve = results["bot"][0]["curve"]
    step = max(len(bot_curve) // 8, 1)
    print(
        "\nthis bot, RSS after each wave (first run): "
        + ", ".join(f"{n // 1000}k {mb:.0f} MB" for n, mb in bot_curve[::step] + bot_curve[-1:])
    )
    rows = []
    for role, name in (("bot", "this bot (whole /ide flows)"), ("floor", "floor (echo + insert)")):
        runs = results[role]
        idle = median([r["idle"] for r in runs])
        warm = median([warmed(r["curve"]) for r in runs])
        after = median([r["curve"][-1][1] for r in runs])
        rows.append(
            [
                name,
                runs[0]["curve"][-1][0],
                idle,
                warm,
                after,
                (after / idle - 1) * 100,
                (after / warm - 1) * 100,
            ]
        )
    print_table(
        f"Resident set size (median of {arguments.runs} runs; 'warm' after {WARM:.0%} of the run)",
        ["configuration", "updates", "idle MB", "warm MB", "after MB", "growth %", "after warm %"],
        rows,
    )
    bot, floor = rows
    print(f"\nthis bot / floor: idle {bot[2] / floor[2]:.2f}x, after {bot[4] / floor[4]:.2f}x")
    met = bot[2] <= MAX_IDLE_MB and bot[6] <= MAX_GROWTH_WARM * 100
    print(
        f"budget: idle <= {MAX_IDLE_MB:.0f} MB, growth after warm-up "
        f"<= {MAX_GROWTH_WARM * 100:.0f} % (the leak check; --full: 20,000 -> 100,000 updates)"
    )
    print("budget met" if met else "BUDGET MISSED")
    return 0 if met else 1


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.memory")
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--full", action="store_true", help="100,000 updates")
    parser.add_argument(
        "--breakdown", action="store_true", help="one run of the bot: what the growth is made of"
    )
    parser.add_argument("--role", choices=("bot", "floor"), help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.full:
        arguments.updates = 100_000
    return arguments


def show_breakdown(arguments: argparse.Namespace) -> int:
    found = run_role("bot", arguments.updates, "--breakdown")
    _, rss, arenas, live, sqlite = found["start"]
    print(
        f"idle: RSS {rss:.1f} MB, Python's arenas {arenas:.1f} MB ({live:.1f} MB live), "
        f"SQLite {sqlite:.1f} MB"
    )
    rows = [
        [handled]
        + [
            f"{mb:.1f}"
            for mb in (
                now_rss,
                now_rss - rss,
                now_arenas - arenas,
                now_live - live,
                now_sqlite - sqlite,
                (now_rss - rss) - (now_arenas - arenas) - (now_sqlite - sqlite),
            )
        ]
        for handled, now_rss, now_arenas, now_live, now_sqlite in found["curve"]
    ]
    print_table(
        "What the bot's RSS added since idle is made of, after each wave (MB)",
        ["updates", "RSS", "added", "arenas", "of it live", "SQLite", "C heap, rest"],
        rows,
    )
    return 0


def main() -> int:
    arguments = parse()
    if arguments.role is None:
        return show_breakdown(arguments) if arguments.breakdown else measure(arguments)
    folder = Path(tempfile.mkdtemp(prefix=f"bench-memory-{arguments.role}-"))
    if arguments.role == "bot":
        found = run(bot_role(arguments.updates, folder, arguments.breakdown))
    else:
        found = run(floor_role(arguments.updates, folder))
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
