"""A request object that answers the Bot API in-process and records every call.

It stands in for the network at handler level: the real Application, real Updates, and assertions
on what the bot asked Telegram to do.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram.request import BaseRequest, RequestData

from tests.standin.messaging import check_outgoing
from tests.standin.protocol import ApiError

BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "Inovasi Warga",
    "username": "inovasi_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict
    files: dict = field(default_factory=dict)  # uploads: name -> (file name, bytes, mime type)


@dataclass
class RecordingRequest(BaseRequest):
    """Answers like Telegram would and keeps ``calls``; ``fail`` makes a method answer an error.

    ``fail_chat(method, chat_id)`` may return an error body (``error_code``, ``description`` and
    optionally ``parameters``) for a call to one chat, e.g. a group the bot was removed from.
    With ``limits`` (the default), a message whose HTML, length or buttons Telegram would refuse
    is refused with Telegram's error, and kept in ``refused`` instead of ``calls``.
    """

    calls: list[Call] = field(default_factory=list)
    refused: list[Call] = field(default_factory=list)
    limits: bool = True
    fail: dict[str, tuple[int, str]] = field(default_factory=dict)
    answers: dict[str, Callable[[dict], object]] = field(default_factory=dict)
    latency: float = 0.0
    fail_chat: Callable[[str, int], dict | None] | None = None

    def __post_init__(self) -> None:
        self._message_ids = itertools.count(100)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files = dict(request_data.multipart_data) if request_data else {}
        if self.latency:
            await asyncio.sleep(random.uniform(0, self.latency))
        if self.limits:
            try:
                check_outgoing(api_method, params)
            except ApiError as error:
                self.refused.append(Call(api_method, params, files))
                body = {"ok": False, "error_code": error.status, "description": error.description}
                return error.status, json.dumps(body).encode()
        self.calls.append(Call(api_method, params, files))
        if api_method in self.fail:
            status, description = self.fail[api_method]
            body = {"ok": False, "error_code": status, "description": description}
            return status, json.dumps(body).encode()
        if self.fail_chat is not None and "chat_id" in params:
            error = self.fail_chat(api_method, int(params["chat_id"]))
            if error is not None:
                return error["error_code"], json.dumps({"ok": False, **error}).encode()
        result = (
            self.answers[api_method](params)
            if api_method in self.answers
            else self._answer(api_method, params)
        )
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _message(self, params: dict, message_id: int | None = None) -> dict:
        chat_id = int(params["chat_id"])
        message = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def _answer(self, api_method: str, params: dict) -> object:
        if api_method == "getMe":
            return BOT_USER
        if api_method == "getUpdates":
            return []
        if api_method in ("sendMessage", "sendPhoto", "sendDocument", "sendLocation"):
            return self._message(params)
        if api_method == "sendMediaGroup":
            return [self._message(params) for _ in params["media"]]
        if api_method in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            if "chat_id" in params:
                return self._message(params, int(params["message_id"]))
            return True
        return True

    # Reading what the bot did ---------------------------------------------------------------

    def of(self, method: str) -> list[dict]:
        return [call.params for call in self.calls if call.method == method]

    def texts(self, chat_id: int | None = None) -> list[str]:
        """Texts the bot sent or edited to, in order (optionally to one chat)."""
        return [
            call.params["text"]
            for call in self.calls
            if call.method in ("sendMessage", "editMessageText")
            and (chat_id is None or int(call.params.get("chat_id", 0)) == chat_id)
        ]

    def last_text(self, chat_id: int | None = None) -> str:
        texts = self.texts(chat_id)
        assert texts, "the bot sent no text"
        return texts[-1]

    def buttons(self) -> list[str]:
        """Callback data of the inline keyboard of the last message sent or edited with one."""
        for call in reversed(self.calls):
            markup = call.params.get("reply_markup")
            if (
                call.method in ("sendMessage", "editMessageText", "editMessageReplyMarkup")
                and markup
            ):
                return [b["callback_data"] for row in markup["inline_keyboard"] for b in row]
        return []

    def uploads(self, method: str) -> list[tuple[str, bytes]]:
        """(file name, content) of every file uploaded with ``method``, in order."""
        return [
            (name, content)
            for call in self.calls
            if call.method == method
            for name, content, *_ in call.files.values()
        ]

    def clear(self) -> None:
        self.calls.clear()
