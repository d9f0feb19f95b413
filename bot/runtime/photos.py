"""Fetching residents' photos from Telegram for the evidence report."""

from __future__ import annotations

import logging

from telegram import Bot
from telegram.error import TelegramError

from bot.domain.reports import PhotoSource

logger = logging.getLogger(__name__)


def photo_source(bot: Bot) -> PhotoSource:
    """Fetch a photo by its Telegram file id; ``None`` when Telegram cannot give it. The bot is
    initialised at the first photo if it was not (a command-line report)."""

    async def fetch(file_id: str) -> bytes | None:
        try:
            await bot.initialize()
            return bytes(await (await bot.get_file(file_id)).download_as_bytearray())
        except TelegramError as error:
            logger.warning("Could not fetch a photo for the report: %s", error)
            return None

    return fetch
