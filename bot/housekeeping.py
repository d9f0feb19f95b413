"""Regular tidying that keeps the database from growing without bound."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot.services import services

logger = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=6)
PRUNE_JOB = "prune-inbox"
DELIVER_EVERY = timedelta(seconds=5)
DELIVER_JOB = "deliver-outbox"


async def prune(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget handled updates Telegram can no longer resend, long-settled outbox messages, and
    the flood guard's idle senders."""
    found = services(context)
    found.flood.forget_idle()
    updates, messages = await found.inbox.prune(), await found.outbox.prune()
    logger.info("Pruned %d handled update(s) and %d outbox message(s)", updates, messages)


async def deliver_outbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send outbox messages that are due (those left by a crash, and retries)."""
    await services(context).outbox.deliver(context.bot)


def schedule(application: Application) -> None:
    jobs = application.job_queue
    jobs.run_repeating(prune, interval=PRUNE_EVERY, first=PRUNE_EVERY, name=PRUNE_JOB)
    jobs.run_repeating(deliver_outbox, interval=DELIVER_EVERY, first=1, name=DELIVER_JOB)
