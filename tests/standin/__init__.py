"""A stand-in Telegram Bot API server for end-to-end, fault-injection and benchmark tests.

Usage::

    async with StandinBotApi() as api:
        # run the bot with TELEGRAM_API_BASE_URL=api.root_url
        warga = api.user(1001)
        api.send_text(warga, "/start")
        reply = await api.wait_for_message(1001)
"""

from .protocol import UploadedFile
from .server import Call, StandinBotApi

__all__ = ["Call", "StandinBotApi", "UploadedFile"]
