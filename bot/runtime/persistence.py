"""Conversation steps kept in the bot's own database (no pickle file, no second database).

Only ConversationHandler states are persisted; everything else the bot knows is in its tables.
The update processor flushes after every update (:meth:`Application.update_persistence`), so a
restart continues a conversation at the step it had reached. Steps are staged in the
:class:`~bot.runtime.groupcommit.GroupCommit` and committed with the done mark of the update that
changed them; :meth:`DatabasePersistence.flush` (python-telegram-bot's stop) commits what is left.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

from telegram.ext import Application, BasePersistence, Job, PersistenceInput

from bot.runtime.groupcommit import GroupCommit
from storage import inbox
from storage.engine import Database

ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


def _encode_key(key: ConversationKey) -> str:
    return json.dumps(list(key))


def _decode_key(raw: str) -> ConversationKey:
    return tuple(json.loads(raw))


class ConversationsOnlyApplication(Application):
    """python-telegram-bot's Application, for a persistence that stores conversations only.

    After every update python-telegram-bot notes its chat and user, to store their chat_data and
    user_data at the next flush, and it empties those notes only when it stores that data. This
    bot stores neither (what it knows is in its tables), so the notes grew by every resident ever
    seen, about 120 bytes each, for as long as the process ran.
    """

    def _mark_for_persistence_update(
        self, *, update: object | None = None, job: Job | None = None
    ) -> None:
        return None


class DatabasePersistence(BasePersistence[dict, dict, dict]):
    """Stores conversation states through :class:`storage.engine.Database`."""

    def __init__(self, db: Database, commits: GroupCommit, *, update_interval: float = 60) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=False, callback_data=False
            ),
            update_interval=update_interval,
        )
        self._db = db
        self._commits = commits

    async def get_conversations(self, name: str) -> ConversationDict:
        states = await self._db.read(inbox.conversation_states, name=name)
        return {_decode_key(key): state for key, state in states.items()}

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        self._commits.stage(name, _encode_key(key), None if new_state is None else str(new_state))

    async def flush(self) -> None:
        await self._commits.flush()

    # Nothing else is persisted: the methods below keep the interface and store nothing.

    async def get_user_data(self) -> dict[int, dict]:
        return {}

    async def get_chat_data(self) -> dict[int, dict]:
        return {}

    async def get_bot_data(self) -> dict:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_user_data(self, user_id: int, data: dict) -> None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict) -> None:
        return None

    async def update_bot_data(self, data: dict) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        return None

    async def refresh_user_data(self, user_id: int, user_data: dict) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict) -> None:
        return None
