"""The state behind the stand-in: users, chats, messages, files and the pending-updates queue."""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import itertools
import mimetypes
import secrets
import time
from pathlib import PurePosixPath
from typing import Any

from .media import StoredFile
from .protocol import ApiError

# Update types not delivered when allowed_updates is empty or was never set.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
FIRST_UPDATE_ID = 1000
# Folder of the file_path Telegram gives each kind of file.
FOLDERS = {"photo": "photos", "audio": "music", "voice": "voice", "video_note": "video_notes"}


class Signal:
    """Wakes every coroutine waiting on it; ``fire`` may be called from plain functions."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def fire(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:
        """Return at the next ``fire`` or after ``timeout`` seconds, whichever is first."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(timeout, 0))


class World:
    """Everything the Bot API server knows, shared by the bot side and the human side."""

    def __init__(self, bot_user: dict[str, Any]):
        self.bot_user = bot_user
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.sent: list[dict[str, Any]] = []
        self.files: dict[str, StoredFile] = {}
        self.callback_queries: dict[str, bool] = {}  # id -> answered
        self.pending: list[dict[str, Any]] = []
        self.allowed_updates: frozenset[str] | None = None
        self.confirmed_offset = 0
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope, lang) -> list
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}  # chat id (None: default)
        self.changed = Signal()
        self.closed = asyncio.Event()
        self.poll_generation = 0
        self._message_ids: dict[int, itertools.count] = {}
        self._next_update_id = FIRST_UPDATE_ID
        self._file_numbers = itertools.count(1)

    # chats and messages

    def chat(self, chat_id: int | str | None) -> dict[str, Any]:
        """The chat record for ``chat_id``, created on demand for unseen numeric ids."""
        if chat_id is None or chat_id == "":
            raise ApiError.bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            for chat in self.chats.values():
                if chat.get("username") and f"@{chat['username']}" == chat_id:
                    return chat
            raise ApiError.bad_request("chat not found")
        if chat_id not in self.chats:
            if chat_id > 0:
                user = self.users.get(chat_id, {"first_name": "Warga"})
                self.add_chat(private_chat({"id": chat_id, **user}))
            else:
                self.add_chat({"id": chat_id, "type": "supergroup", "title": f"Chat {chat_id}"})
        return self.chats[chat_id]

    def add_chat(self, chat: dict[str, Any]) -> dict[str, Any]:
        """Register (or update) a chat record."""
        self.chats[chat["id"]] = dict(chat)
        return self.chats[chat["id"]]

    def add_message(
        self, chat: dict[str, Any], sender: dict[str, Any], fields: dict[str, Any]
    ) -> dict[str, Any]:
        """Store a new message in ``chat`` with the chat's next message id; return it."""
        counter = self._message_ids.setdefault(chat["id"], itertools.count(1))
        message = {
            "message_id": next(counter),
            "from": dict(sender),
            "chat": dict(chat),
            "date": int(time.time()),
            **fields,
        }
        self.messages[chat["id"], message["message_id"]] = message
        if sender["id"] == self.bot_user["id"]:
            self.sent.append(copy.deepcopy(message))
        return message

    def message(self, chat_id: Any, message_id: Any, *, missing: str) -> dict[str, Any]:
        """A stored message, or ApiError 400 ``missing`` (e.g. "message to edit not found")."""
        if message_id is None:
            raise ApiError.bad_request("message identifier is not specified")
        chat = self.chat(chat_id)
        found = self.messages.get((chat["id"], message_id))
        if found is None:
            raise ApiError.bad_request(missing)
        return found

    # files

    def store_file(
        self,
        content: bytes,
        kind: str,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        """Keep ``content`` under a fresh file_id and a path like ``photos/file_3.jpg``."""
        number = next(self._file_numbers)
        extension = (
            (PurePosixPath(file_name).suffix if file_name else "")
            or mimetypes.guess_extension(mime_type or "")
            or ""
        )
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}{secrets.token_urlsafe(24)}",
            file_unique_id=secrets.token_urlsafe(9),
            file_path=f"{FOLDERS.get(kind, kind + 's')}/file_{number}{extension}",
            kind=kind,
            content=content,
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def file_at(self, path: str) -> StoredFile | None:
        """The file served at ``/file/bot<token>/<path>``."""
        return next((f for f in self.files.values() if f.file_path == path), None)

    # updates

    def queue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Add an update to the pending queue, assigning ``update_id`` if it has none.

        Like Telegram, updates of a type the bot's ``allowed_updates`` excludes at the time of
        their creation are dropped (never queued).
        """
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, update["update_id"] + 1)
        kinds = set(update) - {"update_id"}
        allowed = self.allowed_updates
        wanted = not (kinds & OPT_IN_UPDATES) if allowed is None else bool(kinds & allowed)
        if wanted:
            bisect.insort(self.pending, copy.deepcopy(update), key=lambda u: u["update_id"])
            self.changed.fire()
        return update

    def set_allowed_updates(self, kinds: list[str]) -> None:
        """Apply getUpdates' ``allowed_updates``; an empty list restores the default."""
        self.allowed_updates = frozenset(kinds) if kinds else None

    def confirm(self, offset: int) -> None:
        """Apply getUpdates' ``offset``: forget confirmed updates (negative: keep the last -n)."""
        if offset < 0:
            del self.pending[:offset]
        elif offset > 0:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]
            self.confirmed_offset = max(self.confirmed_offset, offset)

    def drop_pending(self) -> None:
        """deleteWebhook(drop_pending_updates=True): forget every pending update."""
        self.pending.clear()

    def start_poll(self) -> int:
        """Register a new getUpdates request; an older one still waiting ends with 409."""
        self.poll_generation += 1
        self.changed.fire()
        return self.poll_generation

    def close(self) -> None:
        """Shutting down: waiting requests give up at once."""
        self.closed.set()
        self.changed.fire()


def private_chat(user: dict[str, Any]) -> dict[str, Any]:
    """The private Chat object of a conversation with ``user``."""
    chat = {"id": user["id"], "type": "private", "first_name": user.get("first_name", "")}
    for key in ("last_name", "username"):
        if user.get(key):
            chat[key] = user[key]
    return chat
