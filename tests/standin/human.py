"""The human side of the stand-in: users who write, send photos and press buttons.

Each action creates the Update Telegram would create and puts it in the pending-updates queue;
the bot receives it through getUpdates.
"""

from __future__ import annotations

import copy
import re
import secrets
from typing import Any

from .media import image_info, make_png
from .protocol import utf16_len
from .world import World, private_chat

DEFAULT_PHOTO = make_png()
COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?")


def command_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` entities for every ``/command`` or ``/command@bot`` word, as Telegram."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in COMMAND.finditer(text)
    ]


class HumanSide:
    """Mixin for :class:`~tests.standin.server.StandinBotApi`: build and queue user updates."""

    _world: World

    def _note_push(self) -> None:
        """Hook run before an update is queued (the server remembers where the calls were)."""

    def user(
        self,
        user_id: int,
        *,
        first_name: str = "Warga",
        username: str | None = None,
        language_code: str | None = "id",
    ) -> dict[str, Any]:
        """A Telegram user (``is_bot`` false), remembered for private chats and getChat."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self._world.users[user_id] = user
        self._world.add_chat(private_chat(user))
        return dict(user)

    def group_chat(
        self, chat_id: int = -100123, title: str = "Tim E-Gov", *, chat_type: str = "supergroup"
    ) -> dict[str, Any]:
        """A group chat (a supergroup unless ``chat_type="group"``) users can write in."""
        return dict(self._world.add_chat({"id": chat_id, "type": chat_type, "title": title}))

    def send_message(
        self, user: dict[str, Any], message_fields: dict[str, Any], *, chat: dict | None = None
    ) -> dict[str, Any]:
        """Queue a message from ``user`` with any Message fields (sticker, voice, contact...).

        The message goes to the private chat with the user unless ``chat`` is given; message_id,
        date, from and chat are filled in.
        """
        target = self._world.add_chat(chat) if chat else self._world.add_chat(private_chat(user))
        message = self._world.add_message(target, user, copy.deepcopy(message_fields))
        return self.push_update({"message": copy.deepcopy(message)})

    def send_text(
        self, user: dict[str, Any], text: str, *, chat: dict | None = None
    ) -> dict[str, Any]:
        """Queue a text message; ``/commands`` get their ``bot_command`` entities."""
        fields: dict[str, Any] = {"text": text}
        if entities := command_entities(text):
            fields["entities"] = entities
        return self.send_message(user, fields, chat=chat)

    def send_photo(
        self,
        user: dict[str, Any],
        *,
        caption: str | None = None,
        chat: dict | None = None,
        file_bytes: bytes = DEFAULT_PHOTO,
    ) -> dict[str, Any]:
        """Queue a photo (PNG, JPEG or GIF bytes); the bot can download it through getFile."""
        info = image_info(file_bytes)
        if info is None:
            raise ValueError("file_bytes must be a PNG, JPEG or GIF image")
        stored = self._world.store_file(file_bytes, "photo", mime_type=info[0])
        fields: dict[str, Any] = {"photo": stored.describe()}
        if caption:
            fields["caption"] = caption
            if entities := command_entities(caption):
                fields["caption_entities"] = entities
        return self.send_message(user, fields, chat=chat)

    def send_location(
        self, user: dict[str, Any], latitude: float, longitude: float, *, chat: dict | None = None
    ) -> dict[str, Any]:
        """Queue a location message."""
        location = {"latitude": latitude, "longitude": longitude}
        return self.send_message(user, {"location": location}, chat=chat)

    def press_button(self, user: dict[str, Any], message: dict[str, Any], data: str) -> dict:
        """Queue a callback query for an inline button with ``data`` on a bot message.

        The query carries the message as it is now (after any edits), like Telegram does. The
        button is not looked up: tests may press buttons of stale or edited messages.
        """
        chat_id = message["chat"]["id"]
        current = self._world.messages.get((chat_id, message["message_id"]), message)
        query_id = str(secrets.randbits(63))
        self._world.callback_queries[query_id] = False
        query = {
            "id": query_id,
            "from": dict(user),
            "message": copy.deepcopy(current),
            "chat_instance": f"{abs(chat_id) * 7919 + 17}",  # opaque, stable per chat
            "data": data,
        }
        return self.push_update({"callback_query": query})

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any update dict; ``update_id`` is assigned when missing. Returns the update."""
        self._note_push()
        return self._world.queue_update(update)
