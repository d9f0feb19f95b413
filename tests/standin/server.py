"""``StandinBotApi``: a Telegram Bot API server for tests, on 127.0.0.1 inside the test's loop.

Point a bot at :attr:`StandinBotApi.root_url` (``TELEGRAM_API_BASE_URL``, or PTB's
``base_url=f"{root}/bot"`` and ``base_file_url=f"{root}/file/bot"``), play the human side with
``send_text``/``press_button``/..., and observe the bot through :attr:`calls`, ``wait_for`` and
``wait_for_message``. ``latency`` and ``fail_next`` inject delays and faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from . import account, messaging
from .human import HumanSide
from .protocol import ApiError, UploadedFile, decode_params
from .registry import MethodTable
from .world import Signal, World

logger = logging.getLogger(__name__)

MAX_REQUEST_SIZE = 64 * 1024 * 1024  # above Telegram's 50 MB upload limit for bots


@dataclass
class Call:
    """One Bot API request, recorded when it was answered.

    ``params`` are decoded (JSON fields as Python objects, uploads as :class:`UploadedFile`);
    ``at`` is when the request arrived and ``answered_at`` when it was answered (both
    ``time.monotonic()``); ``response`` is the JSON body sent back with HTTP ``status``.
    """

    method: str
    params: dict[str, Any]
    at: float
    status: int
    response: dict[str, Any] = field(default_factory=dict)
    answered_at: float = 0.0

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (None for errors)."""
        return self.response.get("result")

    def __str__(self) -> str:
        shown = {k: v for k, v in self.params.items() if not isinstance(v, UploadedFile)}
        summary = repr(shown)
        summary = summary if len(summary) <= 160 else summary[:157] + "..."
        error = "" if self.status == 200 else f" {self.response.get('description')!r}"
        return f"{self.method} -> {self.status}{error} {summary}"


@dataclass
class _Fault:
    """A planned answer for the next ``remaining`` calls of one method."""

    status: int
    remaining: int
    retry_after: int | None
    description: str | None
    hang: float | None
    chat_id: int | None = None


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus a JSON, form-urlencoded or multipart body, decoded."""
    raw: dict[str, Any] = dict(request.query)
    if request.body_exists:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise ApiError.bad_request("can't parse request JSON object") from None
            if not isinstance(body, dict):
                raise ApiError.bad_request("can't parse request JSON object")
            raw.update(body)
        else:
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    value = UploadedFile(value.filename, value.file.read(), value.content_type)
                raw[name] = value
    return decode_params(raw)


def _messages_in(call: Call) -> list[dict[str, Any]]:
    """The Message objects a successful call returned (send*, edit*, sendMediaGroup)."""
    if call.status != 200:
        return []
    result = call.result
    items = result if isinstance(result, list) else [result]
    return [item for item in items if isinstance(item, dict) and "message_id" in item]


class StandinBotApi(HumanSide):
    """A stand-in Telegram Bot API server; use ``async with StandinBotApi() as api:``."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "inovasi_test_bot",
        latency: float = 0.0,
    ):
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.latency = latency
        self.root_url = ""
        self.calls: list[Call] = []
        bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Inovasi Warga",
            "username": bot_username,
        }
        self._world = World(bot_user)
        self._methods = MethodTable({**account.METHODS, **messaging.METHODS})
        self._faults: dict[str, deque[_Fault]] = {}
        self._calls_changed = Signal()
        self._runner: web.AppRunner | None = None
        self._push_mark = 0  # len(calls) when the last update was pushed
        self._read_marks: dict[int, int] = {}  # chat id -> calls index after the last read

    # lifecycle

    async def __aenter__(self) -> StandinBotApi:
        app = web.Application(client_max_size=MAX_REQUEST_SIZE)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_call)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_download)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        host, port = self._runner.addresses[0][:2]
        self.root_url = f"http://{host}:{port}"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._world.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # HTTP

    async def _pause(self, seconds: float | None) -> None:
        """Sleep, but stop early when the server shuts down."""
        if seconds and seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._world.closed.wait(), seconds)

    async def _handle_call(self, request: web.Request) -> web.Response:
        received = time.monotonic()
        found = self._methods.find(request.match_info["method"])
        name = found.name if found else request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            params = await _read_params(request)
            await self._pause(self.latency)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if found is None:
                raise ApiError(404, "Not Found: method not found")
            fault = self._take_fault(name, params)
            if fault and fault.status >= 400:
                await self._pause(fault.hang)
                raise ApiError.for_status(fault.status, fault.description, fault.retry_after)
            result = found.handler(self._world, params)
            if inspect.isawaitable(result):
                result = await result
            if fault:
                await self._pause(fault.hang)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.body()
        except Exception as error:  # input the stand-in does not understand, or a stand-in bug
            logger.exception("stand-in failed to answer %s", name)
            failure = ApiError(500, f"Internal Server Error: stand-in failed: {error!r}")
            status, body = failure.status, failure.body()
        self.calls.append(Call(name, params, received, status, body, time.monotonic()))
        self._calls_changed.fire()
        return web.json_response(body, status=status)

    async def _handle_download(self, request: web.Request) -> web.Response:
        stored = None
        if request.match_info["token"] == self.token:
            stored = self._world.file_at(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").body(), status=404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, content_type=content_type)

    # fault injection

    def fail_next(
        self,
        method: str,
        *,
        status: int,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        hang: float | None = None,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with HTTP ``status``.

        An error status (400-599) gets Telegram's error body (429 carries
        ``parameters.retry_after``, 1 unless given) and the call has no effect. Status 200 means
        the call is carried out normally. ``hang`` delays the answer by that many seconds, as a
        hung connection would: for 200 the effect happens at once and only the answer is late,
        which is how a client times out on a request that succeeded. Plans for one method queue
        up in order. With ``chat_id``, only calls to that chat take the plan; other calls pass
        it by.
        """
        if status != 200 and not 400 <= status <= 599:
            raise ValueError("status must be 200 or an error status (400-599)")
        if times < 1:
            raise ValueError("times must be at least 1")
        found = self._methods.find(method)
        key = (found.name if found else method).lower()
        fault = _Fault(status, times, retry_after, description, hang, chat_id)
        self._faults.setdefault(key, deque()).append(fault)

    def _take_fault(self, method: str, params: dict[str, Any]) -> _Fault | None:
        planned = self._faults.get(method.lower(), deque())
        chat = str(params.get("chat_id"))
        fault = next((f for f in planned if f.chat_id is None or str(f.chat_id) == chat), None)
        if fault is None:
            return None
        fault.remaining -= 1
        if fault.remaining == 0:
            planned.remove(fault)
        return fault

    # observing the bot

    def _note_push(self) -> None:
        self._push_mark = len(self.calls)

    @property
    def confirmed_offset(self) -> int:
        """The highest ``offset`` the bot has confirmed updates with through getUpdates."""
        return self._world.confirmed_offset

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot."""
        return copy.deepcopy(self._world.pending)

    def sent_messages(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot created with send* methods, as created, in order."""
        return [
            copy.deepcopy(message)
            for message in self._world.sent
            if chat_id is None or message["chat"]["id"] == chat_id
        ]

    def current(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """A message as it is now (after edits); KeyError if unknown or deleted."""
        message = self._world.messages.get((chat_id, message_id))
        if message is None:
            raise KeyError(f"no message {message_id} in chat {chat_id} (never sent, or deleted)")
        return copy.deepcopy(message)

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, after: int = 0, timeout: float = 10.0
    ) -> Call:
        """The first call at index ``after`` or later satisfying ``predicate``.

        Calls already recorded count; ``after=len(api.calls)`` waits for new ones only.
        Raises AssertionError listing the recent calls after ``timeout`` seconds.
        """
        index = await self._wait_index(predicate, after, timeout, "a matching call")
        return self.calls[index]

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        after: int | None = None,
        contains: str | None = None,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """The next message the bot sent or edited in ``chat_id`` (optionally containing text).

        Looks at successful send*/edit* calls from index ``after``. By default it starts after
        both the last update pushed by the human side and the last message this method returned
        for that chat, so successive calls read the bot's replies one by one.
        """
        start = after
        if start is None:
            start = max(self._push_mark, self._read_marks.get(chat_id, 0))

        def matching(call: Call) -> dict[str, Any] | None:
            for message in _messages_in(call):
                text = message.get("text") or message.get("caption") or ""
                if message["chat"]["id"] == chat_id and (contains is None or contains in text):
                    return message
            return None

        wanted = f"a message to chat {chat_id}" + (f" containing {contains!r}" if contains else "")
        index = await self._wait_index(lambda c: matching(c) is not None, start, timeout, wanted)
        self._read_marks[chat_id] = index + 1
        return copy.deepcopy(matching(self.calls[index]))

    async def _wait_index(
        self, predicate: Callable[[Call], bool], after: int, timeout: float, wanted: str
    ) -> int:
        deadline = time.monotonic() + timeout
        index = after
        while True:
            while index < len(self.calls):
                if predicate(self.calls[index]):
                    return index
                index += 1
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(self._timeout_report(wanted, after, timeout))
            await self._calls_changed.wait(remaining)

    def _timeout_report(self, wanted: str, after: int, timeout: float) -> str:
        recent = list(enumerate(self.calls))[-20:]
        lines = [f"  #{i}{'' if i >= after else ' (before start)'} {c}" for i, c in recent]
        return "\n".join(
            [
                f"no {wanted} within {timeout} s (looking from call #{after}); recent calls:",
                *(lines or ["  (none)"]),
                f"pending updates: {len(self._world.pending)}, "
                f"confirmed offset: {self._world.confirmed_offset}",
            ]
        )
