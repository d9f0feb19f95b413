"""Start-up and running: what happens between ``python -m bot`` and a clean stop."""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import BotCommand, BotCommandScopeAllPrivateChats
from telegram.error import TelegramError
from telegram.ext import Application

from bot import digest_delivery, housekeeping, learning
from bot.app import POLL_TIMEOUT
from bot.intake import poll
from bot.services import services
from storage.engine import describe

logger = logging.getLogger(__name__)

# (command, text key) of the menu residents see; the English menu uses the English aliases.
RESIDENT_MENU = {
    "id": [
        ("ide", "command.idea"),
        ("ideaku", "command.myideas"),
        ("status", "command.status"),
        ("batal", "command.cancel"),
        ("bahasa", "command.language"),
        ("privasi", "command.privacy"),
        ("hapusdata", "command.deletemydata"),
        ("bantuan", "command.help"),
    ],
    "en": [
        ("idea", "command.idea"),
        ("myideas", "command.myideas"),
        ("status", "command.status"),
        ("cancel", "command.cancel"),
        ("language", "command.language"),
        ("privacy", "command.privacy"),
        ("deletemydata", "command.deletemydata"),
        ("help", "command.help"),
    ],
}


async def register_commands(application: Application) -> None:
    """Publish the command menu in Indonesian (the default) and English; failures are logged."""
    texts = services(application).texts
    scope = BotCommandScopeAllPrivateChats()
    for language, language_code in (("id", None), ("id", "id"), ("en", "en")):
        commands = [
            BotCommand(name, texts.get(language, key)) for name, key in RESIDENT_MENU[language]
        ]
        try:
            await application.bot.set_my_commands(
                commands, scope=scope, language_code=language_code
            )
        except TelegramError as error:
            logger.warning("Could not register the %s command menu: %s", language, error)


async def on_started(application: Application) -> None:
    """Work done once the bot knows who it is: the menu, and the one line saying what runs."""
    found = services(application)
    settings = found.settings
    await register_commands(application)
    learning.schedule(application)
    housekeeping.schedule(application)
    digest_delivery.schedule(application)
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
        await application.start()
        try:
            await poll(application, services(application).inbox, stop, poll_timeout=POLL_TIMEOUT)
        finally:
            await application.stop()
            services(application).db.engine.dispose()
    logger.info("Stopped cleanly")
