"""Wire-level pieces of the Bot API: errors, parameter decoding, UTF-16 lengths.

The Bot API receives every parameter as a string (query string, form fields or multipart
fields) or as a JSON value (JSON bodies). :func:`decode_params` turns either into Python values
the way the Bot API interprets them: integer and boolean fields are converted, and fields that
carry JSON-serialized objects (``reply_markup``, ``entities``, ``media`` ...) are parsed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

INT_FIELDS = frozenset(
    [
        "message_id",
        "offset",
        "limit",
        "timeout",
        "reply_to_message_id",
        "message_thread_id",
        "cache_time",
        "user_id",
        "live_period",
        "heading",
        "proximity_alert_radius",
        "width",
        "height",
        "duration",
    ]
)
FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy"})
BOOL_FIELDS = frozenset(
    [
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "has_spoiler",
        "show_caption_above_media",
        "for_channels",
        "disable_content_type_detection",
        "allow_paid_broadcast",
    ]
)
JSON_FIELDS = frozenset(
    [
        "reply_markup",
        "entities",
        "caption_entities",
        "commands",
        "allowed_updates",
        "media",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
    ]
)

DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
}


@dataclass(frozen=True)
class UploadedFile:
    """A file uploaded in a multipart body: the original file name, its bytes and MIME type."""

    filename: str
    content: bytes
    content_type: str


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional ``retry_after``."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    @classmethod
    def bad_request(cls, detail: str) -> ApiError:
        """A 400 answer whose description is ``Bad Request: <detail>``."""
        return cls(400, f"Bad Request: {detail}")

    @classmethod
    def for_status(
        cls, status: int, description: str | None = None, retry_after: int | None = None
    ) -> ApiError:
        """An error with Telegram's usual description for ``status`` unless one is given."""
        if status == 429:
            retry_after = 1 if retry_after is None else retry_after
            description = description or f"Too Many Requests: retry after {retry_after}"
        if description is None:
            description = DEFAULT_DESCRIPTIONS.get(status) or HTTPStatus(status).phrase
        return cls(status, description, retry_after=retry_after)

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the unit of entity offsets and lengths."""
    return len(text.encode("utf-16-le")) // 2


def to_int(name: str, value: Any) -> int:
    """An integer parameter; 400 if it is not one."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ApiError.bad_request(f"invalid {name} specified") from None


def _to_float(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ApiError.bad_request(f"invalid {name} specified") from None


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"true", "1"}


def _to_json(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        what = "reply keyboard markup" if name == "reply_markup" else name
        raise ApiError.bad_request(f"can't parse {what} JSON object") from None


def _to_chat_id(value: Any) -> int | str:
    """Chat ids are integers, or ``@username`` strings for public chats."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        return text


def decode_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Convert raw request values to the types the Bot API gives them.

    Uploaded files (:class:`UploadedFile`) and unknown fields are passed through unchanged.
    """
    params: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, UploadedFile):
            params[name] = value
        elif name in {"chat_id", "from_chat_id"}:
            params[name] = _to_chat_id(value)
        elif name in INT_FIELDS:
            params[name] = to_int(name, value)
        elif name in FLOAT_FIELDS:
            params[name] = _to_float(name, value)
        elif name in BOOL_FIELDS:
            params[name] = _to_bool(value)
        elif name in JSON_FIELDS:
            params[name] = _to_json(name, value)
        else:
            params[name] = value
    return params
