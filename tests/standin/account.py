"""Bot API methods about the bot itself, its updates, commands, chats and files."""

from __future__ import annotations

import asyncio
import copy
import json
import re
from typing import Any

from .protocol import ApiError
from .registry import MethodTable
from .world import World

METHODS = MethodTable()

COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


@METHODS.register("getMe")
def get_me(world: World, params: dict[str, Any]) -> dict[str, Any]:
    return {
        **world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@METHODS.register("logOut")
@METHODS.register("close")
def log_out(world: World, params: dict[str, Any]) -> bool:
    return True


@METHODS.register("deleteWebhook")
def delete_webhook(world: World, params: dict[str, Any]) -> bool:
    if params.get("drop_pending_updates"):
        world.drop_pending()
    return True


@METHODS.register("getWebhookInfo")
def get_webhook_info(world: World, params: dict[str, Any]) -> dict[str, Any]:
    return {"url": "", "has_custom_certificate": False, "pending_update_count": len(world.pending)}


@METHODS.register("getUpdates")
async def get_updates(world: World, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Confirm updates below ``offset``, then long-poll up to ``timeout`` seconds for updates."""
    limit = min(max(params.get("limit") or 100, 1), 100)
    timeout = max(params.get("timeout") or 0, 0)
    if "allowed_updates" in params:
        kinds = params["allowed_updates"]
        if not isinstance(kinds, list):
            raise ApiError.bad_request("can't parse allowed_updates JSON object")
        world.set_allowed_updates(kinds)
    world.confirm(params.get("offset") or 0)
    generation = world.start_poll()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if world.poll_generation != generation:
            raise ApiError(409, CONFLICT)
        if world.pending or world.closed.is_set() or loop.time() >= deadline:
            break
        await world.changed.wait(deadline - loop.time())
    return copy.deepcopy(world.pending[:limit])


def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise ApiError.bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


@METHODS.register("setMyCommands")
def set_my_commands(world: World, params: dict[str, Any]) -> bool:
    commands = params.get("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise ApiError.bad_request("can't parse commands JSON object")
    for command in commands:
        if not isinstance(command, dict) or not COMMAND_NAME.fullmatch(
            str(command.get("command", ""))
        ):
            raise ApiError.bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise ApiError.bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    key = _scope_key(params)
    if commands:
        world.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
    else:
        world.commands.pop(key, None)
    return True


@METHODS.register("getMyCommands")
def get_my_commands(world: World, params: dict[str, Any]) -> list[dict[str, Any]]:
    return copy.deepcopy(world.commands.get(_scope_key(params), []))


@METHODS.register("deleteMyCommands")
def delete_my_commands(world: World, params: dict[str, Any]) -> bool:
    world.commands.pop(_scope_key(params), None)
    return True


@METHODS.register("setChatMenuButton")
def set_chat_menu_button(world: World, params: dict[str, Any]) -> bool:
    button = params.get("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or "type" not in button:
        raise ApiError.bad_request("can't parse menu button JSON object")
    chat_id = world.chat(params["chat_id"])["id"] if params.get("chat_id") else None
    world.menu_buttons[chat_id] = button
    return True


@METHODS.register("getChatMenuButton")
def get_chat_menu_button(world: World, params: dict[str, Any]) -> dict[str, Any]:
    chat_id = world.chat(params["chat_id"])["id"] if params.get("chat_id") else None
    button = world.menu_buttons.get(chat_id) or world.menu_buttons.get(None)
    return copy.deepcopy(button or {"type": "default"})


@METHODS.register("getChat")
def get_chat(world: World, params: dict[str, Any]) -> dict[str, Any]:
    """ChatFullInfo; accent_color_id, max_reaction_count and accepted_gift_types are required."""
    return {
        **world.chat(params.get("chat_id")),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": True,
            "limited_gifts": True,
            "unique_gifts": True,
            "premium_subscription": True,
            "gifts_from_channels": True,
        },
    }


@METHODS.register("getFile")
def get_file(world: World, params: dict[str, Any]) -> dict[str, Any]:
    stored = world.files.get(str(params.get("file_id") or ""))
    if stored is None:
        raise ApiError.bad_request("invalid file_id")
    if len(stored.content) > MAX_DOWNLOAD_SIZE:
        raise ApiError.bad_request("file is too big")
    return stored.as_file()
