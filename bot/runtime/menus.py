"""The command menus Telegram shows, in Indonesian and English.

Residents see their commands in every private chat. An officer's private chat gets the officer
menu, an admin's the officer menu and the admin commands, an SKPD liaison's /tugas; revoking an
officer or a liaison withdraws it. A
chat's own menu replaces the one of all private chats, so the staff menus end with the residents'
commands. People whose Telegram is in neither language get the menu in ``DEFAULT_LANGUAGE``, the
language the bot answers them in. Failing to publish a menu is logged, never fatal: the commands
work without it.
"""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.core.i18n import LANGUAGES, Texts

logger = logging.getLogger(__name__)

# ((Indonesian command, English alias), text key)
RESIDENT_MENU = (
    (("ide", "idea"), "command.idea"),
    (("ideaku", "myideas"), "command.myideas"),
    (("status", "status"), "command.status"),
    (("jelajah", "browse"), "command.browse"),
    (("batal", "cancel"), "command.cancel"),
    (("bahasa", "language"), "command.language"),
    (("privasi", "privacy"), "command.privacy"),
    (("hapusdata", "deletemydata"), "command.deletemydata"),
    (("bantuan", "help"), "command.help"),
)
OFFICER_COMMANDS = (
    (("antrian", "queue"), "officer.menu_queue"),
    (("lihat", "view"), "officer.menu_view"),
    (("cari", "search"), "officer.menu_search"),
    (("statistik", "stats"), "officer.menu_stats"),
    (("ekspor", "export"), "officer.menu_export"),
    (("ringkasan", "digest"), "officer.menu_digest"),
    (("laporan", "report"), "officer.menu_report"),
    (("skpd", "units"), "units.menu_units"),
)
LIAISON_COMMANDS = ((("tugas", "tasks"), "units.menu_tasks"),)
ADMIN_COMMANDS = (
    (("petugas", "officers"), "officer.menu_officers"),
    (("undang", "invite"), "officer.menu_invite"),
    (("cabut", "revoke"), "officer.menu_revoke"),
)
OFFICER_MENU = (*OFFICER_COMMANDS, *RESIDENT_MENU)
ADMIN_MENU = (*OFFICER_COMMANDS, *ADMIN_COMMANDS, *RESIDENT_MENU)
LIAISON_MENU = (*LIAISON_COMMANDS, *RESIDENT_MENU)

# The language_code of each menu: None is the menu for everyone else.
LANGUAGE_CODES = (None, *LANGUAGES)


def _variants(default_language: str) -> list[tuple[str, str | None]]:
    """(language of the texts, language_code of the menu) for every menu."""
    return [(code or default_language, code) for code in LANGUAGE_CODES]


def _commands(texts: Texts, language: str, menu: tuple) -> list[BotCommand]:
    index = 0 if language == "id" else 1
    return [BotCommand(names[index], texts.get(language, key)) for names, key in menu]


async def _publish(
    bot: Bot, texts: Texts, default_language: str, menu: tuple, scope, where: str
) -> None:
    for language, code in _variants(default_language):
        try:
            await bot.set_my_commands(
                _commands(texts, language, menu), scope=scope, language_code=code
            )
        except TelegramError as error:
            logger.warning(
                "Could not register the %s command menu for %s: %s", language, where, error
            )


async def publish_resident_menu(bot: Bot, texts: Texts, default_language: str) -> None:
    scope = BotCommandScopeAllPrivateChats()
    await _publish(bot, texts, default_language, RESIDENT_MENU, scope, "residents")


async def publish_staff_menu(
    bot: Bot,
    texts: Texts,
    default_language: str,
    chat_id: int,
    *,
    admin: bool,
    liaison: bool = False,
) -> None:
    menu = LIAISON_MENU if liaison else ADMIN_MENU if admin else OFFICER_MENU
    scope = BotCommandScopeChat(chat_id)
    await _publish(bot, texts, default_language, menu, scope, f"chat {chat_id}")


async def withdraw_staff_menu(bot: Bot, chat_id: int) -> None:
    for code in LANGUAGE_CODES:
        try:
            await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id), language_code=code)
        except TelegramError as error:
            logger.warning("Could not remove the staff menu in chat %s: %s", chat_id, error)
