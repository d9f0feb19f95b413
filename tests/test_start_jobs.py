"""Jobs whose first run is "now" (the retrain, the digest's catch-up) run as soon as the JobQueue
starts, however long after their registration: not one interval later."""

from __future__ import annotations

import asyncio

from bot.runtime import jobs
from bot.runtime.jobs import DIGEST_CATCH_UP_JOB, RETRAIN_JOB


async def test_a_start_now_job_runs_after_a_slow_start_up(bot, monkeypatch):
    ran: list[str] = []

    async def note(context) -> None:
        ran.append(context.job.name)

    monkeypatch.setattr(jobs, "retrain", note)
    monkeypatch.setattr(jobs, "deliver_digest", note)
    scheduler = bot.app.job_queue.scheduler
    scheduler.pause()
    jobs.schedule_learning(bot.app)
    jobs.schedule_digest(bot.app)
    await asyncio.sleep(1.5)  # start-up's own work, longer than APScheduler's default grace of 1 s
    scheduler.resume()
    async with asyncio.timeout(5):
        while {RETRAIN_JOB, DIGEST_CATCH_UP_JOB} - set(ran):
            await asyncio.sleep(0.05)
