"""Every scheduled job, registered in one place (:func:`register_jobs`, called at start-up).

| job | when | does |
|---|---|---|
| ``weekly-digest`` | ``DIGEST_SCHEDULE`` | deliver the digest of the period that just ended, and |
| | | remind each SKPD liaison of their open items, once that week |
| ``weekly-digest-catch-up`` | at start, then every 15 min | deliver a due digest not yet sent |
| ``deliver-outbox`` | every 5 s | start sending due outbox messages (retries, left by a stop) |
| ``put-aside-idle`` | every minute, first after 30 min | put aside what waited too long |
| ``prune-inbox`` | every 6 h | forget old handled updates and settled outbox messages |
| ``retrain-tagger`` | at start, then daily | retrain the tagger from officers' labels |
| ``write-opendata`` | at start, then weekly (with ``OPENDATA_DIR``) | write the open dataset |

Each group has its own ``schedule_…`` function too, so a test can start just the jobs it needs.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from telegram.ext import Application, ContextTypes

from bot.core.clock import IDLE_LIMIT
from bot.domain import learning
from bot.services import services

logger = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=6)
PRUNE_JOB = "prune-inbox"
DELIVER_EVERY = timedelta(seconds=5)
DELIVER_JOB = "deliver-outbox"
PUT_ASIDE_EVERY = timedelta(minutes=1)
PUT_ASIDE_JOB = "put-aside-idle"
# The first look waits as long as a step may be awaited: after a stop, a person's next step may
# still be in the backlog of updates, and what awaits it must not be put aside before it is handled.
PUT_ASIDE_FIRST = IDLE_LIMIT
RETRAIN_JOB = "retrain-tagger"
RETRAIN_EVERY = timedelta(days=1)
DIGEST_JOB = "weekly-digest"
DIGEST_CATCH_UP_JOB = "weekly-digest-catch-up"
DIGEST_CATCH_UP_EVERY = timedelta(minutes=15)
# A cron run held up longer than this (a suspended host, a blocked loop) is skipped by APScheduler
# and left to the catch-up job, which runs more often than that.
DIGEST_MISFIRE_GRACE = timedelta(hours=1)
OPENDATA_JOB = "write-opendata"
OPENDATA_EVERY = timedelta(days=7)


async def prune(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget handled updates Telegram can no longer resend, long-settled outbox messages, and
    the flood guard's idle senders."""
    found = services(context)
    found.flood.forget_idle()
    updates, messages = await found.inbox.prune(), await found.outbox.prune()
    logger.info("Pruned %d handled update(s) and %d outbox message(s)", updates, messages)


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Start sending outbox messages that are due (those left by a crash, and retries)."""
    services(context).outbox.kick(context.bot)


async def put_aside_idle(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Put aside what waited too long for its next step: drafts (the outbox tells their
    residents), officers' actions awaiting words, residents' answers awaiting text."""
    found = services(context)
    drafts = await found.submissions.put_aside_idle()
    prompts, answers = await found.prompts.put_aside_idle()
    if drafts or prompts or answers:
        logger.info(
            "Put aside %d idle draft(s), %d action(s) awaiting words, %d answer(s) awaited",
            drafts,
            prompts,
            answers,
        )


async def retrain(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Retrain the tagger from officers' labels."""
    found = services(context)
    await learning.retrain(found.db, found.tagger)


async def deliver_digest(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deliver the due digest wherever it has not gone yet; queue each SKPD liaison's reminder
    of their open items, once a week."""
    found = services(context)
    if await found.units.remind():
        found.outbox.kick(context.bot)
    await found.digests.deliver_due(context.bot)


async def write_opendata(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Write the open dataset of the published ideas into ``OPENDATA_DIR``."""
    found = services(context)
    folder = found.settings.opendata_dir
    try:
        written = await found.opendata.write(folder)
    except OSError as error:  # the folder is not writable: say so, try again next week
        logger.error("Could not write the open dataset to %s: %s", folder, error)
        return
    logger.info("Wrote the open dataset (%d idea(s)) to %s", written.ideas, folder)


def start_now() -> dict:
    """``job_kwargs`` for a repeating job whose first run is now.

    python-telegram-bot's ``first=0`` only sets the interval trigger's start, and APScheduler,
    asked a moment later for the next run, gives start + interval: the "now" run came one interval
    late (a day for the retrain, 15 minutes for the digest's catch-up). The first run is given
    here instead, without APScheduler's default limit of 1 s on lateness, since jobs are
    registered before the JobQueue starts (:func:`bot.runtime.lifecycle.on_started`).
    """
    return {"next_run_time": datetime.now(UTC), "misfire_grace_time": None}


def schedule_opendata(application: Application) -> None:
    """With ``OPENDATA_DIR`` set: the open dataset now (once the JobQueue runs), then weekly."""
    if services(application).settings.opendata_dir is None:
        return
    application.job_queue.run_repeating(
        write_opendata, interval=OPENDATA_EVERY, first=0, name=OPENDATA_JOB, job_kwargs=start_now()
    )


def schedule_housekeeping(application: Application) -> None:
    jobs = application.job_queue
    jobs.run_repeating(prune, interval=PRUNE_EVERY, first=PRUNE_EVERY, name=PRUNE_JOB)
    jobs.run_repeating(deliver_outbox, interval=DELIVER_EVERY, first=1, name=DELIVER_JOB)
    jobs.run_repeating(
        put_aside_idle, interval=PUT_ASIDE_EVERY, first=PUT_ASIDE_FIRST, name=PUT_ASIDE_JOB
    )


def schedule_learning(application: Application) -> None:
    """Retrain now (as soon as the JobQueue runs) and then once a day."""
    application.job_queue.run_repeating(
        retrain, interval=RETRAIN_EVERY, first=0, name=RETRAIN_JOB, job_kwargs=start_now()
    )


def schedule_digest(application: Application) -> None:
    """The digest on ``DIGEST_SCHEDULE``, and the catch-up job (now, then every 15 min)."""
    settings = services(application).settings
    application.job_queue.run_custom(
        deliver_digest,
        job_kwargs={
            "trigger": settings.cron_trigger(),
            "misfire_grace_time": int(DIGEST_MISFIRE_GRACE.total_seconds()),
            "coalesce": True,
        },
        name=DIGEST_JOB,
    )
    application.job_queue.run_repeating(
        deliver_digest,
        interval=DIGEST_CATCH_UP_EVERY,
        first=0,
        name=DIGEST_CATCH_UP_JOB,
        job_kwargs=start_now(),
    )


def register_jobs(application: Application) -> None:
    """Every scheduled job of the bot."""
    schedule_learning(application)
    schedule_housekeeping(application)
    schedule_digest(application)
    schedule_opendata(application)
