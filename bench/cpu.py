"""CPU per update: the bot's whole /ide handling against a floor, with the network taken away.

Run from the repository root::

    .venv/bin/python -m bench.cpu                  # 200 residents (1,200 updates), 5 runs each
    .venv/bin/python -m bench.cpu --full           # 1,000 residents (6,000 updates)
    .venv/bin/python -m bench.cpu --profile out.prof   # also profile one run of the bot (cProfile)
    .venv/bin/python -m bench.cpu --per-call       # where the bot's CPU goes, call by call

Both run in this process, on the real Application, against an in-process request object that
answers every Bot API call at once (``tests/recording.py``), each on a fresh SQLite file.

- **This bot**: ``build_application`` as in production (concurrency 32, Telegram's limits set too
  high to matter). Updates are fed the way the intake loop feeds them: stored in the inbox as one
  batch, then handled concurrently; one round per step of /ide, every resident's update of that
  step in the round (/ide, the idea, kecamatan, pillar, name, public, send). The database already
  holds ``--history`` submissions (default 1,000: the pool "similar ideas" are looked for in, full
  from the first months on), so the confirmation step compares each idea with 1,000 others.
- **Plain bot** (:mod:`bench.plainbot`): the same /ide flow as python-telegram-bot's examples
  write it (sequential, state in memory, keyword guess, one ``sqlite3`` insert), fed the same
  updates the same way: what a regency would otherwise run. The durable inbox, the persisted
  steps, the tagger and the team's announcements are worth having only if they cost no more.
- **Floor**: a bare python-telegram-bot Application with one MessageHandler that replies with the
  text and does one SQLite insert (through the same worker-thread :class:`storage.engine.Database`),
  processing the same number of text updates, 32 at a time.

``--per-call`` runs the bot twice (the first run warms up) and counts the CPU time
(``time.thread_time``) of every database call, tagging and similar-idea search in the second, by
function, beside the CPU time of the whole process and of the event loop's thread. Unlike
cProfile, it adds almost nothing to a call, so many small calls are not overstated.

Reported (median of ``--runs`` runs, alternating): updates per second, and CPU milliseconds per
update (process time, all threads), with the ratios of this bot's CPU per update to the plain bot's
and to the floor's. Budget: no more CPU per update than the plain bot (at most 1.0x).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.common import (
    ADMIN_ID,
    TEAM_GROUP_ID,
    TOKEN,
    Plan,
    median,
    plans,
    print_table,
    seed_submissions,
)
from bench.plainbot import build_plain_bot
from bench.serve import unthrottled
from bot.app import build_application
from bot.core.catalogue import load_catalogue
from bot.core.config import settings_from_mapping
from bot.runtime import workers
from bot.services import services
from bot.tagging import Tagger
from storage.engine import Database, make_engine
from tests import updates as u
from tests.recording import RecordingRequest

MAX_PLAIN_RATIO = 1.0
STEPS = 7


def settings(database: Path):
    return settings_from_mapping(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "ADMIN_IDS": str(ADMIN_ID),
            "DIGEST_CHAT_IDS": str(TEAM_GROUP_ID),
            "DATABASE_URL": f"sqlite:///{database}",
        }
    )


def step_updates(plans_: list[Plan], step: int, sends: dict[int, str]) -> list[dict]:
    """Every resident's update for one step of /ide."""
    payloads = []
    for plan in plans_:
        who = u.user(plan.user_id, first_name=plan.first_name)
        if step == 0:
            payloads.append(u.text(who, "/ide"))
        elif step == 1:
            payloads.append(u.text(who, plan.text))
        elif step == 2:
            payloads.append(u.callback(who, f"ide:kec:{plan.kecamatan}"))
        elif step == 3:
            payloads.append(u.callback(who, f"ide:pil:{plan.pillar}"))
        elif step == 4:
            payloads.append(u.callback(who, f"ide:name:{'anon' if plan.anonymous else 'public'}"))
        elif step == 5:
            payloads.append(u.callback(who, "ide:pub:no"))
        else:
            payloads.append(u.callback(who, sends[plan.user_id]))
    return payloads


def send_buttons(request: RecordingRequest) -> dict[int, str]:
    """The "send" button's data the bot offered each resident."""
    found = {}
    for call in request.calls:
        for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []):
            for button in row:
                if button["callback_data"].startswith("ide:send:"):
                    found[int(call.params["chat_id"])] = button["callback_data"]
    return found


async def feed(application: Application, payloads: list[dict]) -> None:
    """As the intake loop: store the batch in the inbox, then queue it and wait until handled
    and until what it queued in the outbox (the team's announcements) is sent."""
    for update in await services(application).inbox.store(payloads, application.bot):
        await application.update_queue.put(update)
    await application.update_queue.join()
    await services(application).outbox.settle()


async def run_bot(
    residents: int,
    folder: Path,
    tagger: Tagger,
    history: int,
    watch: contextlib.AbstractContextManager | None = None,
) -> tuple[float, float, int]:
    """(seconds, CPU seconds, updates) for every resident's whole submission.

    ``watch`` (a profiler, a call counter) is entered for exactly the span that is measured.
    """
    database = folder / f"bot-{time.monotonic_ns()}.db"
    if history:
        seed_submissions(database, history)
    request = RecordingRequest(limits=False)  # the tests' checks of Telegram's limits cost CPU
    application = build_application(
        settings(database), request=request, tagger=tagger, rate_limiter=unthrottled
    )
    plans_ = plans(residents)
    async with application:
        await application.start()
        with watch or contextlib.nullcontext():
            started, cpu = time.perf_counter(), time.process_time()
            sends: dict[int, str] = {}
            for step in range(STEPS):
                if step == STEPS - 1:
                    sends = send_buttons(request)
                await feed(application, step_updates(plans_, step, sends))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        await application.stop()
    stored, announced = services(application).db.call(_count_submissions)
    services(application).db.engine.dispose()
    if stored != history + residents:
        raise SystemExit(f"expected {residents} new submissions, found {stored - history}")
    if announced != residents:
        raise SystemExit(f"expected {residents} announcements sent, found {announced}")
    return seconds, cpu, residents * STEPS


def _count_submissions(session) -> tuple[int, int]:
    """Submissions stored, and the team's announcements of them sent."""
    run = session.connection().exec_driver_sql
    return (
        run("SELECT count(*) FROM submission").scalar_one(),
        run("SELECT count(*) FROM outboxmessage WHERE state = 'sent'").scalar_one(),
    )


async def run_plain(residents: int, folder: Path) -> tuple[float, float, int]:
    """(seconds, CPU seconds, updates) for the plain bot on the same residents' updates."""
    database = folder / f"plain-{time.monotonic_ns()}.db"
    request = RecordingRequest(limits=False)
    application = build_plain_bot(TOKEN, database, load_catalogue(), request)
    plans_ = plans(residents)
    async with application:
        await application.start()
        started, cpu = time.perf_counter(), time.process_time()
        sends: dict[int, str] = {}
        for step in range(STEPS):
            if step == STEPS - 1:
                sends = send_buttons(request)
            for payload in step_updates(plans_, step, sends):
                await application.update_queue.put(Update.de_json(payload, application.bot))
            await application.update_queue.join()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        await application.stop()
    connection = application.bot_data["connection"]
    stored = connection.execute("SELECT count(*) FROM idea").fetchone()[0]
    connection.close()
    if stored != residents:
        raise SystemExit(f"the plain bot stored {stored} ideas, not {residents}")
    return seconds, cpu, residents * STEPS


async def run_floor(updates: int, folder: Path) -> tuple[float, float, int]:
    """(seconds, CPU seconds, updates) for the echo bot with one insert per update."""
    engine = make_engine(f"sqlite:///{folder / f'floor-{time.monotonic_ns()}.db'}")
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
    texts = [plan.text for plan in plans(updates)]
    payloads = [u.text(u.user(10_000 + i % 1000), texts[i]) for i in range(updates)]
    async with application:
        await application.start()
        started, cpu = time.perf_counter(), time.process_time()
        for update in (Update.de_json(p, application.bot) for p in payloads):
            await application.update_queue.put(update)
        await application.update_queue.join()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        await application.stop()
    with engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT count(*) FROM echo").scalar_one()
    engine.dispose()
    if stored != updates or len(request.of("sendMessage")) != updates:
        raise SystemExit("the floor did not handle every update")
    return seconds, cpu, updates


async def measure(arguments: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    tagger = Tagger.from_catalogue(load_catalogue())
    bot_runs, plain_runs, floor_runs = [], [], []
    profiler = cProfile.Profile() if arguments.profile else None
    for index in range(arguments.runs):
        watch = profiler if index == 0 else None
        bot = await run_bot(arguments.residents, folder, tagger, arguments.history, watch)
        plain = await run_plain(arguments.residents, folder)
        floor = await run_floor(arguments.residents * STEPS, folder)
        bot_runs.append(bot)
        plain_runs.append(plain)
        floor_runs.append(floor)
        print(
            f"run {index + 1}/{arguments.runs}: "
            + ", ".join(
                f"{name} {n / s:.0f} updates/s ({c / n * 1000:.2f} ms CPU each)"
                for name, (s, c, n) in (("bot", bot), ("plain", plain), ("floor", floor))
            ),
            flush=True,
        )
    if profiler:
        profiler.dump_stats(arguments.profile)
        print(f"profile of the bot's first run written to {arguments.profile}")

    def row(name: str, runs: list[tuple[float, float, int]]) -> list[object]:
        return [
            name,
            runs[0][2],
            median([n / s for s, _, n in runs]),
            median([c / n * 1000 for _, c, n in runs]),
        ]

    rows = [
        row("this bot (full /ide handling)", bot_runs),
        row("plain PTB bot (same /ide flow)", plain_runs),
        row("floor (echo + 1 insert)", floor_runs),
    ]
    print_table(
        f"CPU per update, network replaced in-process (median of {arguments.runs} runs; "
        f"{arguments.history} earlier submissions)",
        ["configuration", "updates", "updates/s", "CPU ms/update"],
        rows,
    )
    plain = median(
        [(b[1] / b[2]) / (p[1] / p[2]) for b, p in zip(bot_runs, plain_runs, strict=True)]
    )
    floor = median(
        [(b[1] / b[2]) / (f[1] / f[2]) for b, f in zip(bot_runs, floor_runs, strict=True)]
    )
    print(f"\nthis bot / plain bot: {plain:.2f}x CPU per update  (budget: <= {MAX_PLAIN_RATIO}x)")
    print(f"this bot / floor: {floor:.2f}x CPU per update")
    met = plain <= MAX_PLAIN_RATIO
    print("budget met" if met else "BUDGET MISSED")
    return 0 if met else 1


@dataclass
class Counted:
    """CPU seconds of the event loop's thread, and {label: [calls, CPU seconds]} of calls."""

    loop_seconds: float = 0.0
    calls: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0]))


def _name(fn: Callable) -> str:
    return getattr(fn, "__qualname__", None) or repr(fn)


@contextlib.contextmanager
def counting_calls(counted: Counted) -> Iterator[None]:
    """Count database calls, tagging and searches, and the entering thread's CPU, while inside."""
    totals = counted.calls

    def counting(method: Callable, label: Callable[[tuple], str]) -> Callable:
        @functools.wraps(method)
        def timed(self, *args, **kwargs):
            started = time.thread_time()
            try:
                return method(self, *args, **kwargs)
            finally:
                entry = totals[label(args)]
                entry[0] += 1
                entry[1] += time.thread_time() - started

        return timed

    with contextlib.ExitStack() as patches:
        for owner, name, label in (
            (Database, "call", lambda args: f"read {_name(args[0])}"),
            (Database, "call_write", lambda args: f"write {_name(args[0])}"),
            (Tagger, "tag", lambda _: "tagging"),
            (Tagger, "find_similar", lambda _: "similar-idea search"),
        ):
            wrapped = counting(getattr(owner, name), label)
            patches.enter_context(mock.patch.object(owner, name, wrapped))
        started = time.thread_time()
        yield
        counted.loop_seconds += time.thread_time() - started


async def per_call(arguments: argparse.Namespace) -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    tagger = Tagger.from_catalogue(load_catalogue())
    await run_bot(arguments.residents, folder, tagger, arguments.history)
    counted = Counted()
    _, cpu, updates = await run_bot(
        arguments.residents, folder, tagger, arguments.history, counting_calls(counted)
    )
    in_calls = sum(seconds for _, seconds in counted.calls.values())
    print(
        f"CPU per update: {cpu / updates * 1000:.2f} ms in all, "
        f"{counted.loop_seconds / updates * 1000:.2f} ms on the event loop's thread, "
        f"{in_calls / updates * 1000:.2f} ms in the calls below (worker threads)"
    )
    rows = [
        [label, calls, f"{seconds / calls * 1000:.2f}", f"{seconds / updates * 1000:.3f}"]
        for label, (calls, seconds) in sorted(counted.calls.items(), key=lambda item: -item[1][1])
    ]
    print_table(
        f"Where the bot's CPU goes, call by call ({updates} updates, second of two runs)",
        ["call", "calls", "ms each", "ms per update"],
        rows,
    )
    await price_of_a_call(folder)
    return 0


async def price_of_a_call(folder: Path, repeats: int = 2000) -> None:
    """What one database call costs before its query: the session and the thread hand-off."""
    engine = make_engine(f"sqlite:///{folder / 'one-row.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE one (id INTEGER PRIMARY KEY, text TEXT)")
        connection.exec_driver_sql("INSERT INTO one VALUES (1, 'satu')")
    db = Database(engine)

    def one_row(session) -> str:
        return session.connection().exec_driver_sql("SELECT text FROM one WHERE id = 1").scalar()

    raw = engine.raw_connection()
    figures = []
    for run in (
        lambda: raw.driver_connection.execute("SELECT text FROM one WHERE id = 1").fetchone(),
        lambda: db.call(one_row),
    ):
        started = time.process_time()
        for _ in range(repeats):
            run()
        figures.append((time.process_time() - started) / repeats * 1000)
    started = time.process_time()
    for _ in range(repeats):
        await db.read(one_row)
    figures.append((time.process_time() - started) / repeats * 1000)
    raw.close()
    engine.dispose()
    query, in_session, in_thread = figures
    print(
        f"\none one-row read: {query:.3f} ms CPU on the driver alone, {in_session:.3f} ms "
        f"through a session, {in_thread:.3f} ms through Database.read (a worker thread)"
    )


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu")
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--history", type=int, default=1000, help="submissions stored before")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the bot's first run")
    parser.add_argument("--full", action="store_true", help="1,000 residents")
    parser.add_argument(
        "--per-call", action="store_true", help="count the CPU of the bot's calls, by function"
    )
    arguments = parser.parse_args(argv)
    if arguments.full:
        arguments.residents = 1000
    return arguments


if __name__ == "__main__":
    arguments = parse()
    sys.exit(workers.run(per_call(arguments) if arguments.per_call else measure(arguments)))
