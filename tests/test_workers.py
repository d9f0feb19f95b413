"""The bot's worker threads: bounded, and the ones ``python -m bot`` runs on."""

from __future__ import annotations

import asyncio
import threading
import time

from bot import cli
from bot.runtime import lifecycle, logs, workers
from tests.conftest import ADMIN_ID, TOKEN


def _busy_thread_name() -> str:
    time.sleep(0.05)  # long enough that every call in the batch needs its own free thread
    return threading.current_thread().name


async def _names_of_threads_used(calls: int) -> set[str]:
    return set(await asyncio.gather(*(asyncio.to_thread(_busy_thread_name) for _ in range(calls))))


def test_work_handed_to_threads_shares_the_bots_worker_threads():
    names = workers.run(_names_of_threads_used(4 * workers.WORKER_THREADS))
    assert len(names) == workers.WORKER_THREADS
    assert all(name.startswith("worker") for name in names)


def test_the_bot_runs_on_its_worker_threads(tmp_path, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ADMIN_IDS", str(ADMIN_ID))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'bot.db'}")
    used: list[set[str]] = []

    async def serve(application) -> None:
        used.append(await _names_of_threads_used(4 * workers.WORKER_THREADS))

    monkeypatch.setattr(lifecycle, "serve", serve)
    monkeypatch.setattr(logs, "configure", lambda *args: None)  # keep pytest's log capture
    assert cli.main(["--env-file", str(tmp_path / "none.env")]) == 0
    [names] = used
    assert len(names) == workers.WORKER_THREADS
    assert all(name.startswith("worker") for name in names)
