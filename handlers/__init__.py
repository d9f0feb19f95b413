"""All handler registration, in one place and in this order.

Group -10, before anything else: the pre-filters of :mod:`handlers.guards` (other bots, channel
posts, edited messages, floods), which stop an update from going further.

Group 0, first match wins:

1. the /ide conversation — while a resident is in it, it answers their messages and buttons;
2. the resident's commands and buttons outside the conversation;
3. whatever else a resident sends in a private chat: an answer to small talk, an offer to file
   it as an idea, or the help (also for unknown commands, so officer commands stay unseen).

Messages in group chats reach none of the resident's handlers: they are ignored on purpose.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import errors, guards, resident, submit


def register(application: Application) -> None:
    application.add_handlers(guards.handlers(), group=guards.GROUP)
    application.add_handler(submit.conversation())
    application.add_handlers(resident.command_handlers())
    application.add_handlers(resident.outside_flow_handlers())
    application.add_error_handler(errors.on_error)
