"""Running ``python -m bot`` as a separate process against the stand-in Bot API server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from tests.conftest import TOKEN
from tests.standin import StandinBotApi

ROOT = Path(__file__).resolve().parent.parent


class BotProcess:
    """One run of the bot; its log goes to a file the test can read."""

    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    async def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def terminate(self, timeout: float = 20) -> int:
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout)


def standin(**kwargs) -> StandinBotApi:
    """A stand-in Bot API server that knows the bot by a realistic token."""
    return StandinBotApi(token=TOKEN, **kwargs)


def bot_environment(api: StandinBotApi, database_url: str, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DIGEST_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=api.token,
        TELEGRAM_API_BASE_URL=api.root_url,
        DATABASE_URL=database_url,
        ADMIN_IDS="900",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@contextlib.asynccontextmanager
async def running_bot(
    env: dict[str, str], workdir: Path, name: str = "bot"
) -> AsyncIterator[BotProcess]:
    """Start the bot in ``workdir`` (no .env there); kill it on the way out if still running."""
    log = workdir / f"{name}.log"
    index = 0
    while log.exists():
        index += 1
        log = workdir / f"{name}-{index}.log"
    with log.open("w") as handle:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=workdir,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdout=handle,
            stderr=asyncio.subprocess.STDOUT,
        )
    bot = BotProcess(process, log)
    try:
        yield bot
    finally:
        if process.returncode is None:
            await bot.kill()
