"""The Bot API over aiohttp instead of python-telegram-bot's default httpx.

Measured here: with the pool of 40 connections the bot needs, httpx spent about 6 ms of CPU on
every Bot API call (httpcore checks every pooled connection for expiry, with system calls, each
time it hands one out) against about 0.5 ms for aiohttp, both against the same local server. At
three calls per update that was most of the event loop's time under load (py-spy on the bot
during ``python -m bench.throughput``), and the ceiling of the bot's throughput.

:class:`AiohttpRequest` implements python-telegram-bot's :class:`~telegram.request.BaseRequest`:
parameters go as a form (multipart when there are files), exactly as PTB's own request sends them;
python-telegram-bot turns the status and body into results and errors. A timeout becomes
:class:`~telegram.error.TimedOut` and any other failure to talk to the server
:class:`~telegram.error.NetworkError`, which is what :mod:`bot.runtime.ratelimit` retries. aiohttp
has no write timeout; an upload (a digest's chart or workbook) is bounded by a total time instead.

A proxy named in the environment (``HTTPS_PROXY``, ``HTTP_PROXY``, ``NO_PROXY``) applies, as it
did to PTB's own request. It is looked up once per server, not on every call: aiohttp's
``trust_env`` reads the environment and ``~/.netrc`` (in a worker thread) on every request, which
cost about a fifth of the bot's CPU per update (``bench.cpu_outside``). The Bot API needs no netrc.

An error answered with something other than the Bot API's JSON (a proxy's HTML "502 Bad Gateway"
page, when Telegram's front end cannot reach its back end) is turned into the Bot API's own error
body, so python-telegram-bot raises its usual error for the status (a 5xx is a
:class:`~telegram.error.NetworkError`, retried) instead of logging a traceback of the page.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from urllib.parse import urlencode

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

DEFAULT_READ_TIMEOUT = 5.0
DEFAULT_CONNECT_TIMEOUT = 5.0
DEFAULT_POOL_TIMEOUT = 1.0
UPLOAD_TIMEOUT = 60.0
# python-telegram-bot's marker for a timeout argument left out by the caller.
_LEFT_OUT = type(BaseRequest.DEFAULT_NONE)
_TITLE = re.compile(rb"<title>\s*(.*?)\s*</title>", re.IGNORECASE | re.DOTALL)
TITLE_SHOWN = 80
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """Bot API calls through one aiohttp session with a pool of ``pool_size`` connections."""

    def __init__(
        self,
        *,
        pool_size: int = 1,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        pool_timeout: float = DEFAULT_POOL_TIMEOUT,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                headers={"User-Agent": self.USER_AGENT},
            )
            self._proxies.clear()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: object = BaseRequest.DEFAULT_NONE,
        write_timeout: object = BaseRequest.DEFAULT_NONE,
        connect_timeout: object = BaseRequest.DEFAULT_NONE,
        pool_timeout: object = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = bool(request_data and request_data.contains_files)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        timeout = aiohttp.ClientTimeout(
            total=UPLOAD_TIMEOUT if uploads else None,
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect,
            sock_read=_given(read_timeout, self._read_timeout),
        )
        proxy, proxy_auth = self._proxy_for(url)
        body, headers = _body(request_data)
        try:
            async with self._session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as response:
                body = await response.read()
                if response.status >= 400 and response.content_type != "application/json":
                    body = _error_body(response.status, body)
                return response.status, body
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{error.__class__.__name__}: {error}") from error

    def _proxy_for(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The environment's proxy for ``url``'s server (none if NO_PROXY names it), looked up
        on the first call to that server."""
        origin = URL(url).origin()
        key = str(origin)
        if key not in self._proxies:
            try:
                self._proxies[key] = get_env_proxy_for_url(origin)
            except LookupError:
                self._proxies[key] = (None, None)
        return self._proxies[key]


def _error_body(status: int, page: bytes) -> bytes:
    """The Bot API's error JSON for an error answered with a page (HTML, text) instead."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = f"HTTP {status}"
    title = _TITLE.search(page)
    shown = title.group(1).decode("utf-8", "replace")[:TITLE_SHOWN] if title else "no JSON"
    description = f"{reason}: the server answered with a page ({shown}), not the Bot API"
    return json.dumps({"ok": False, "error_code": status, "description": description}).encode()


def _given(value: object, default: float) -> float | None:
    """The timeout a call asked for (``None``: no limit), or the default if it left it out."""
    if isinstance(value, _LEFT_OUT):
        return default
    return None if value is None else float(value)


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """The parameters as PTB's own request sends them, and their headers: a form, multipart if
    there are files."""
    if request_data is None:
        return None, None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        # Encoded here: for a form given as a dict, aiohttp builds a multipart writer too.
        return urlencode(fields).encode(), _FORM
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in files.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form, None
