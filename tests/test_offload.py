"""Heavy work runs in a worker process once started (the GIL of the bot's loop stays free), and in
a thread before; the digest's chart and workbook are built that way."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading

import openpyxl
import pytest

from bot.core.offload import Offload
from bot.domain.digest.text import week_before
from tests.digest_data import NOW, WITA, seed_week


def where() -> tuple[int, int]:
    return os.getpid(), threading.get_ident()


def fail() -> None:
    raise ValueError("from the worker")


@pytest.fixture
def offload():
    offload = Offload()
    yield offload
    offload.shutdown()


async def test_before_start_work_runs_in_a_thread_of_this_process(offload):
    pid, thread = await offload.run(where)
    assert pid == os.getpid() and thread != threading.get_ident()


async def test_once_started_work_runs_in_another_process_and_errors_come_back(offload):
    offload.start()
    first, _ = await offload.run(where)
    second, _ = await offload.run(where)
    assert first == second != os.getpid()  # one worker, kept
    with pytest.raises(ValueError, match="from the worker"):
        await offload.run(fail)
    offload.shutdown()
    assert (await offload.run(where))[0] == os.getpid()


async def test_the_digest_files_are_built_in_the_worker(bot):
    seed_week(bot.services.db.engine)
    bot.services.offload.start()
    try:
        offloaded = await bot.services.digest_builder.build(week_before(NOW, WITA), "id")
    finally:
        bot.services.offload.shutdown()
    here = await bot.services.digest_builder.build(week_before(NOW, WITA), "id")
    assert offloaded.chart.startswith(b"\x89PNG")
    assert rows(offloaded.workbook) == rows(here.workbook)
    assert len(rows(here.workbook)) > 1


def rows(workbook: bytes) -> list[tuple]:
    return list(openpyxl.load_workbook(io.BytesIO(workbook)).active.values)


def test_the_bot_process_does_not_load_matplotlib_until_a_chart_is_drawn():
    script = (
        "import sys\n"
        "import bot.app, bot.runtime.lifecycle\n"
        "assert 'matplotlib' not in sys.modules and 'numpy' not in sys.modules\n"
        "from bot.domain.charts import new_figure\n"
        "new_figure(figsize=(1, 1))\n"
        "assert 'matplotlib' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
