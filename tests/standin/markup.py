"""Validation of ``reply_markup`` and the inline keyboard kept on messages."""

from __future__ import annotations

from typing import Any

from .protocol import ApiError

# Exactly one of these makes an inline keyboard button do something.
BUTTON_ACTIONS = frozenset(
    [
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    ]
)


def _rows(markup: dict[str, Any], key: str) -> list[list[Any]]:
    rows = markup[key]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    return rows


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise ApiError.bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = BUTTON_ACTIONS & button.keys()
    if not actions:
        raise ApiError.bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
            raise ApiError.bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not button["url"]:
        raise ApiError.bad_request("BUTTON_URL_INVALID")


def inline_markup(markup: Any) -> dict[str, Any] | None:
    """Validate a decoded ``reply_markup``; return the inline keyboard a message keeps, if any.

    Telegram shows only inline keyboards on the Message object: reply keyboards, keyboard
    removal and force-reply are accepted but leave no ``reply_markup`` on the message.
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = _rows(markup, "inline_keyboard")
        for row in rows:
            for button in row:
                _check_inline_button(button)
        rows = [list(row) for row in rows if row]
        return {"inline_keyboard": rows} if rows else None
    if "keyboard" in markup:
        _rows(markup, "keyboard")
        return None
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return None
    raise ApiError.bad_request("can't parse reply keyboard markup JSON object")
