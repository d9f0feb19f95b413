"""The tagger learns from officers: every pillar they confirm or correct is a labelled example.

:func:`retrain` trains a candidate on the shipped seed set plus all such examples and lets the
tagger swap it in only if it scores no worse on held-out examples. It runs at start-up and then
daily as a JobQueue job, in a worker thread so the event loop is never held.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

from telegram.ext import Application, ContextTypes

from bot.services import services
from bot.tagging import LabelledExample
from storage import queries

logger = logging.getLogger(__name__)

JOB_NAME = "retrain-tagger"
INTERVAL = timedelta(days=1)


async def retrain(application: Application) -> bool:
    """Retrain the tagger from officers' labels; whether the new model was swapped in."""
    found = services(application)
    rows = await found.db.read(queries.labelled_examples)
    examples = [LabelledExample(text=text, pillar=pillar) for text, pillar in rows]
    swapped = await asyncio.to_thread(found.tagger.retrain, examples)
    logger.info(
        "Retrained the tagger on %d officer label(s): %s",
        len(examples),
        "new model in use" if swapped else "kept the current model (the new one scored worse)",
    )
    return swapped


async def _retrain_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await retrain(context.application)


def schedule(application: Application) -> None:
    """Retrain now (as soon as the JobQueue runs) and then once a day."""
    application.job_queue.run_repeating(_retrain_job, interval=INTERVAL, first=0, name=JOB_NAME)
