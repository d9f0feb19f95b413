"""Fetching residents' photos from Telegram for the evidence report."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.domain.reports import PhotoSource

logger = logging.getLogger(__name__)


def photo_source(bot: Bot) -> PhotoSource:
    """Fetch a photo by its Telegram file id; ``None`` when Telegram cannot give it.

    The bot is initialised at the first photo if it was not (a command-line report); when that
    fails, Telegram is out of reach and no further photo is asked for.
    """
    reachable = True

    async def fetch(file_id: str) -> bytes | None:
        nonlocal reachable
        if not reachable:
            return None
        try:
            await bot.initialize()
        except TelegramError as error:
            reachable = False
            logger.warning("Telegram is out of reach: the report goes without photos (%s)", error)
            return None
        try:
            return bytes(await (await bot.get_file(file_id)).download_as_bytearray())
        except TelegramError as error:
            logger.warning("Could not fetch a photo for the report: %s", error)
            return None

    return fetch
