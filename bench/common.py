"""What the benchmarks share: residents who go through /ide against the stand-in Bot API server,
the bot as a subprocess (:mod:`bench.serve`), figures (medians, percentiles, RSS) and seed data.

Run every benchmark from the repository root as a module, e.g. ``.venv/bin/python -m
bench.throughput``; each file's docstring gives its command and flags.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import re
import signal
import sqlite3
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.standin import Call, StandinBotApi

ROOT = Path(__file__).resolve().parent.parent
DEV_SET = ROOT / "tests" / "data" / "pillars_dev.jsonl"
TOKEN = "123456:BENCHTOKENabcdefghijklmnopqrstu"
ADMIN_ID = 900
# The team's group: production announces every new idea there (ANNOUNCE_NEW's default), and so
# do the benchmarks.
TEAM_GROUP_ID = -100777
REPLY_TIMEOUT = 300.0

KECAMATAN = (
    "aluh-aluh",
    "aranio",
    "astambul",
    "gambut",
    "karang-intan",
    "martapura",
    "pengaron",
    "sungai-tabuk",
)
PILLARS = ("governance", "branding", "economy", "living", "society", "environment")


# Figures ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.95 for p95) of ``values``."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def rss_mb(pid: int | str = "self") -> float:
    """Resident set size of a process in MB (from /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc status")


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(c) for c in header], *[[_cell(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print(
            "  "
            + "  ".join(
                c.rjust(w) if i else c.ljust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  " + "  ".join("-" * w for w in widths))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


# What residents write --------------------------------------------------------------------------


def idea_texts() -> list[str]:
    """Realistic ideas (the tagger's development set, ideas only)."""
    with DEV_SET.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [row["text"] for row in rows if row.get("is_idea") and len(row["text"]) >= 40]


@dataclass(frozen=True)
class Plan:
    """What resident number ``index`` will answer at each step of /ide."""

    user_id: int
    first_name: str
    text: str
    kecamatan: str
    pillar: str
    anonymous: bool


def plans(count: int, *, first_id: int = 10_000, seed: int = 7) -> list[Plan]:
    texts = idea_texts()
    rng = random.Random(seed)
    return [
        Plan(
            user_id=first_id + index,
            first_name=f"Warga{index}",
            text=f"{rng.choice(texts)} (warga {index})",
            kecamatan=KECAMATAN[index % len(KECAMATAN)],
            pillar=PILLARS[index % len(PILLARS)],
            anonymous=index % 2 == 0,
        )
        for index in range(count)
    ]


# The human side --------------------------------------------------------------------------------


SENT = "sudah kami terima"  # in the message that gives the tracking code (idea.sent)


def tracking_code(text: str) -> str:
    """The code in the bot's "received" message."""
    found = re.search(r"kode (IDE-\d+)", text)
    if found is None:
        raise ValueError(f"no tracking code in {text!r}")
    return found.group(1)


def messages_in(call: Call) -> list[dict]:
    """The messages a successful send*/edit* call created or changed."""
    if call.status != 200:
        return []
    result = call.result
    items = result if isinstance(result, list) else [result]
    return [item for item in items if isinstance(item, dict) and "message_id" in item]


class Inboxes:
    """Routes every message the bot sends or edits to its chat's queue, in the order answered.

    One reader of the stand-in's call list for all residents (``wait_for_message`` with hundreds
    of concurrent waiters is quadratic, and its default start mark is shared by all chats).
    """

    def __init__(self, api: StandinBotApi) -> None:
        self.api = api
        self._queues: dict[int, asyncio.Queue[tuple[Call, dict]]] = defaultdict(asyncio.Queue)
        self._task: asyncio.Task | None = None

    async def __aenter__(self) -> Inboxes:
        self._task = asyncio.create_task(self._route())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _route(self) -> None:
        index = len(self.api.calls)
        while True:
            call = await self.api.wait_for(lambda c: True, after=index, timeout=365 * 86400)
            index += 1
            for message in messages_in(call):
                self._queues[message["chat"]["id"]].put_nowait((call, message))

    async def next(
        self, chat_id: int, contains: str, timeout: float = REPLY_TIMEOUT
    ) -> tuple[Call, dict]:
        """The chat's next message whose text holds ``contains``; messages before it are skipped."""
        queue = self._queues[chat_id]
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"chat {chat_id}: no message containing {contains!r}")
            call, message = await asyncio.wait_for(queue.get(), remaining)
            if contains in (message.get("text") or message.get("caption") or ""):
                return call, message


@dataclass
class Journey:
    """One resident's /ide submission: the code received and each step's reply time."""

    plan: Plan
    code: str = ""
    waits: list[float] = field(default_factory=list)  # seconds from update to the bot's reply
    updates: int = 0


async def submit_idea(api: StandinBotApi, inboxes: Inboxes, plan: Plan) -> Journey:
    """Go through /ide as a resident who answers each question as soon as it arrives."""
    journey = Journey(plan)
    who = api.user(plan.user_id, first_name=plan.first_name)
    chat = plan.user_id

    async def step(push, contains: str) -> dict:
        started = time.monotonic()
        push()
        journey.updates += 1
        call, message = await inboxes.next(chat, contains)
        journey.waits.append(call.answered_at - started)
        return message

    await step(lambda: api.send_text(who, "/ide"), "Tuliskan ide")
    question = await step(lambda: api.send_text(who, plan.text), "kecamatan")
    question = await step(
        lambda: api.press_button(who, question, f"ide:kec:{plan.kecamatan}"), "pilar"
    )
    question = await step(lambda: api.press_button(who, question, f"ide:pil:{plan.pillar}"), "nama")
    name = "anon" if plan.anonymous else "public"
    question = await step(
        lambda: api.press_button(who, question, f"ide:name:{name}"), "kepada publik"
    )
    summary = await step(lambda: api.press_button(who, question, "ide:pub:no"), "Periksa kembali")
    send = next(
        button["callback_data"]
        for row in summary["reply_markup"]["inline_keyboard"]
        for button in row
        if button["callback_data"].startswith("ide:send:")
    )
    sent = await step(lambda: api.press_button(who, summary, send), SENT)
    journey.code = tracking_code(sent["text"])
    return journey


def check_stored(database: Path, journeys: Sequence[Journey]) -> list[str]:
    """Every resident's submission stored once, with the data they gave: the problems found."""
    connection = sqlite3.connect(database)
    try:
        rows = connection.execute(
            "SELECT resident_id, code, text, kecamatan, pillar, anonymous FROM submission"
        ).fetchall()
    finally:
        connection.close()
    by_resident: dict[int, list[tuple]] = defaultdict(list)
    for row in rows:
        by_resident[row[0]].append(row)
    problems = []
    for journey in journeys:
        plan = journey.plan
        stored = by_resident.get(plan.user_id, [])
        expected = (
            plan.user_id,
            journey.code,
            plan.text,
            plan.kecamatan,
            plan.pillar,
            int(plan.anonymous),
        )
        if [tuple(row) for row in stored] != [expected]:
            problems.append(f"resident {plan.user_id}: stored {stored}, expected [{expected}]")
    return problems


# The bot as a process --------------------------------------------------------------------------


def bot_environment(api: StandinBotApi, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DIGEST_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.root_url,
        DATABASE_URL=database_url,
        ADMIN_IDS=str(ADMIN_ID),
        DIGEST_CHAT_IDS=str(TEAM_GROUP_ID),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
    )
    return env


@contextlib.asynccontextmanager
async def bot_process(
    api: StandinBotApi, database: Path, *options: str, module: str = "bench.serve"
) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bench.serve *options`` (or another ``module``) on ``database``, ready
    (polling) when entered.

    Leaving stops it with SIGTERM (the clean stop) and waits; its log is ``database``.log.
    """
    log = database.with_suffix(".log")
    mark = len(api.calls)
    with log.open("a") as handle:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            *options,
            cwd=database.parent,
            env=bot_environment(api, f"sqlite:///{database}"),
            stdout=handle,
            stderr=asyncio.subprocess.STDOUT,
        )
    try:
        await api.wait_for(lambda c: c.method == "deleteWebhook", after=mark, timeout=60)
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 60)
            except TimeoutError:
                process.kill()
                await process.wait()
    if process.returncode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"the bot exited with {process.returncode}; see {log}")


def standin(latency: float = 0.0) -> StandinBotApi:
    return StandinBotApi(token=TOKEN, latency=latency)


# Seed data -------------------------------------------------------------------------------------


def seed_submissions(database: Path, count: int, *, days: int = 21, seed: int = 11) -> None:
    """``count`` residents' submissions over the last ``days`` days, straight into the tables.

    The schema is created by the bot's own migrations first.
    """
    from sqlalchemy import insert
    from sqlmodel import Session

    from storage.engine import make_engine
    from storage.migrate import upgrade
    from storage.models import Resident, StatusChange, Submission

    engine = make_engine(f"sqlite:///{database}")
    upgrade(engine)
    rng = random.Random(seed)
    texts = idea_texts()
    now = datetime.now(UTC)
    statuses = ["new"] * 5 + ["in_review"] * 2 + ["accepted", "rejected", "implemented"]
    residents, submissions, changes = [], [], []
    for index in range(1, count + 1):
        created = now - timedelta(seconds=rng.uniform(60, days * 86400))
        resident_id = 1_000_000 + index
        residents.append({"id": resident_id, "first_name": f"Warga{index}", "created_at": created})
        pillar = rng.choice(PILLARS)
        submissions.append(
            {
                "id": index,
                "code": f"IDE-{index:04d}",
                "text": rng.choice(texts),
                "pillar": pillar,
                "suggested_pillar": pillar,
                "confidence": rng.random(),
                "reasons": "[]",
                "kecamatan": rng.choice(KECAMATAN),
                "anonymous": rng.random() < 0.5,
                "status": rng.choice(statuses),
                "language": "id",
                "looks_like_complaint": False,
                "resident_id": resident_id,
                "draft_key": uuid.uuid4().hex,
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        changes.append(
            {
                "submission_id": index,
                "to_status": "new",
                "actor_role": "resident",
                "actor_id": resident_id,
                "version": 1,
                "at": created,
            }
        )
    with Session(engine) as session:
        for table, rows in (
            (Resident, residents),
            (Submission, submissions),
            (StatusChange, changes),
        ):
            for start in range(0, len(rows), 5000):
                session.execute(insert(table), rows[start : start + 5000])
        session.commit()
    engine.dispose()
