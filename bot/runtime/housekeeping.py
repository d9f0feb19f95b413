"""Regular tidying that keeps the database from growing without bound."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot.core.clock import IDLE_LIMIT
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


def schedule(application: Application) -> None:
    jobs = application.job_queue
    jobs.run_repeating(prune, interval=PRUNE_EVERY, first=PRUNE_EVERY, name=PRUNE_JOB)
    jobs.run_repeating(deliver_outbox, interval=DELIVER_EVERY, first=1, name=DELIVER_JOB)
    jobs.run_repeating(
        put_aside_idle, interval=PUT_ASIDE_EVERY, first=PUT_ASIDE_FIRST, name=PUT_ASIDE_JOB
    )
