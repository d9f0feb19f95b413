"""Start-up and running: what happens between ``python -m bot`` and a clean stop."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal

from telegram.ext import Application

from bot.app import POLL_TIMEOUT
from bot.runtime import menus
from bot.runtime.intake import poll
from bot.runtime.jobs import register_jobs
from bot.services import services
from storage.engine import describe

logger = logging.getLogger(__name__)


def settle_start_up_objects() -> None:
    """Take what start-up loaded out of the cyclic garbage collector's way.

    The tagger, catalogue, texts and libraries are some 200,000 objects that live as long as the
    process; every full collection walked them all (about 90 ms here, with the GIL held, so the
    event loop stood still whichever thread allocated). Frozen, they are never walked again;
    they are still freed by reference counting if dropped.
    """
    gc.collect()
    gc.freeze()


async def on_started(application: Application) -> None:
    """Work done once the bot knows who it is: the menu, and the one line saying what runs."""
    found = services(application)
    settings = found.settings
    language = settings.default_language
    await menus.publish_resident_menu(application.bot, found.texts, language)
    for admin_id in sorted(settings.admin_ids):
        await menus.publish_staff_menu(application.bot, found.texts, language, admin_id, admin=True)
    register_jobs(application)
    settle_start_up_objects()
    logger.info(
        "Inovasi Warga running as @%s with database %s; digest schedule '%s' (%s) to %d chat(s)",
        application.bot.username,
        describe(found.db.engine),
        settings.digest_schedule,
        settings.timezone.key,
        len(settings.digest_targets),
    )


async def serve(application: Application) -> None:
    """Run until SIGINT or SIGTERM, then finish the updates in hand and stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with application:
        await on_started(application)
        found = services(application)
        found.offload.start()
        await application.start()
        try:
            await poll(application, found.inbox, stop, poll_timeout=POLL_TIMEOUT)
        finally:
            await application.stop()
            found.offload.shutdown()
    found.db.close()  # after the shutdown, which flushes what is staged
    logger.info("Stopped cleanly")
