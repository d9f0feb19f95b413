"""Builders of Telegram updates as the Bot API sends them (JSON dicts)."""

from __future__ import annotations

import itertools
import time

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_query_ids = itertools.count(1)


def user(
    user_id: int,
    *,
    first_name: str = "Siti",
    language_code: str | None = "id",
    username: str | None = None,
) -> dict:
    data = {"id": user_id, "is_bot": False, "first_name": first_name}
    if language_code:
        data["language_code"] = language_code
    if username:
        data["username"] = username
    return data


def private_chat(sender: dict) -> dict:
    return {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}


def group_chat(chat_id: int = -100500, title: str = "Tim E-Gov") -> dict:
    return {"id": chat_id, "type": "supergroup", "title": title}


def message(
    sender: dict, *, chat: dict | None = None, update_id: int | None = None, **fields
) -> dict:
    return {
        "update_id": update_id or next(_update_ids),
        "message": {
            "message_id": next(_message_ids),
            "date": int(time.time()),
            "chat": chat or private_chat(sender),
            "from": sender,
            **fields,
        },
    }


def text(sender: dict, body: str, **kwargs) -> dict:
    fields = {"text": body}
    if body.startswith("/"):
        command = body.split()[0]
        fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return message(sender, **fields, **kwargs)


def photo(
    sender: dict,
    *,
    caption: str | None = None,
    unique: str = "p1",
    media_group_id: str | None = None,
) -> dict:
    fields: dict = {
        "photo": [
            {
                "file_id": f"small-{unique}",
                "file_unique_id": f"s{unique}",
                "width": 90,
                "height": 90,
            },
            {"file_id": f"large-{unique}", "file_unique_id": unique, "width": 1280, "height": 960},
        ]
    }
    if caption is not None:
        fields["caption"] = caption
    if media_group_id:
        fields["media_group_id"] = media_group_id
    return message(sender, **fields)


def location(sender: dict, latitude: float, longitude: float) -> dict:
    return message(sender, location={"latitude": latitude, "longitude": longitude})


def callback(sender: dict, data: str, *, message_id: int = 100, chat: dict | None = None) -> dict:
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": str(next(_query_ids)),
            "from": sender,
            "chat_instance": "ci-1",
            "data": data,
            "message": {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": chat or private_chat(sender),
                "from": {"id": 123456, "is_bot": True, "first_name": "Inovasi Warga"},
                "text": "…",
            },
        },
    }
