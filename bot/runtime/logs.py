"""Logging set-up: one format, the HTTP client quiet, and the token redacted from every line."""

from __future__ import annotations

import logging


class RedactToken(logging.Filter):
    """Replace the bot token wherever it would appear in a log record."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self._token in message:
            record.msg = message.replace(self._token, "<token>")
            record.args = None
        if (
            record.exc_info
            and record.exc_info[1] is not None
            and self._token in str(record.exc_info[1])
        ):
            record.exc_text = (
                logging.Formatter().formatException(record.exc_info).replace(self._token, "<token>")
            )
            record.exc_info = None
        return True


def configure(level: str, token: str | None = None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    if token:
        handler.addFilter(RedactToken(token))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
