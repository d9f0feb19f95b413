"""All handler registration, in one place and in this order.

Group -10, before anything else: the pre-filters of :mod:`handlers.guards` (other bots, channel
posts, edited messages, floods), which stop an update from going further.

Group 0, first match wins:

1. the "review" conversation — while an officer is writing the words an action needs (a reason,
   a question, a note, a code), it takes their text; it starts only from a card's button;
2. the "answer" conversation — while a resident answers an officer's question, it takes their
   text; it starts only from the question's button;
3. the "unit" conversation — while an SKPD's liaison writes the words and sends the photos of a
   step (progress, implemented, returned), it takes their text and photos; it starts only from
   a liaison's card button;
4. the /ide conversation — while a resident is in it, it answers their messages and buttons;
5. the officers' and liaisons' commands and buttons (:mod:`handlers.officer`,
   :mod:`handlers.records`, :mod:`handlers.digest`, :mod:`handlers.review`,
   :mod:`handlers.units`), which check the role on every use, and the invite deep link
   ``/start inv-…`` ahead of /start;
6. what the public sees (:mod:`handlers.public`): the support link ``/start dukung-…`` ahead of
   /start, /jelajah and its buttons, and the officers' "hide from the public" button;
7. the resident's commands and buttons outside the conversation;
8. whatever else a resident sends in a private chat: an answer to small talk, an offer to file
   it as an idea, or the help (also for unknown commands, so officer commands stay unseen).

Messages in group chats reach none of the resident's handlers: they are ignored on purpose. In
groups only officers' commands and buttons are answered, and only for officers.
"""

from __future__ import annotations

from telegram.ext import Application

from handlers import (
    answer,
    digest,
    errors,
    guards,
    officer,
    public,
    records,
    resident,
    review,
    submit,
    units,
)


def register(application: Application) -> None:
    application.add_handlers(guards.handlers(), group=guards.GROUP)
    application.add_handler(review.conversation())
    application.add_handler(answer.conversation())
    application.add_handler(units.conversation())
    application.add_handler(submit.conversation())
    application.add_handlers(officer.handlers())
    application.add_handlers(records.handlers())
    application.add_handlers(digest.handlers())
    application.add_handlers(review.handlers())
    application.add_handlers(units.handlers())
    application.add_handlers(public.handlers())
    application.add_handlers(resident.command_handlers())
    application.add_handlers(resident.outside_flow_handlers())
    application.add_error_handler(errors.on_error)
