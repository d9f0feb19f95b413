"""The tagger learns from officers: every pillar they confirm or correct is a labelled example.

:func:`retrain` trains a candidate on the shipped seed set plus all such examples and lets the
tagger swap it in only if it scores no worse on held-out examples. It runs at start-up and then
daily (:mod:`bot.runtime.jobs`), in a worker thread so the event loop is never held.
"""

from __future__ import annotations

import asyncio
import logging

from bot.tagging import LabelledExample, Tagger
from storage import queries
from storage.engine import Database

logger = logging.getLogger(__name__)


async def retrain(db: Database, tagger: Tagger) -> bool:
    """Retrain the tagger from officers' labels; whether the new model was swapped in."""
    rows = await db.read(queries.labelled_examples)
    examples = [LabelledExample(text=text, pillar=pillar) for text, pillar in rows]
    swapped = await asyncio.to_thread(tagger.retrain, examples)
    logger.info(
        "Retrained the tagger on %d officer label(s): %s",
        len(examples),
        "new model in use" if swapped else "kept the current model (the new one scored worse)",
    )
    return swapped
