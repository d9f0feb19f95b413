"""Regular tidying that keeps the database from growing without bound."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot.services import services

logger = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=6)
PRUNE_JOB = "prune-inbox"


async def prune_inbox(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Forget handled updates that Telegram can no longer send again."""
    removed = await services(context).inbox.prune()
    logger.info("Pruned %d handled update(s) from the inbox", removed)


def schedule(application: Application) -> None:
    application.job_queue.run_repeating(
        prune_inbox, interval=PRUNE_EVERY, first=PRUNE_EVERY, name=PRUNE_JOB
    )
