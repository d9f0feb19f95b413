"""The services a handler or job may use, kept once in ``application.bot_data``.

Handlers reach them through :func:`services`, the one typed accessor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext

from bot.abuse import FloodGuard, Throttle
from bot.catalogue import Catalogue
from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Texts
from bot.intake import Inbox
from bot.offload import Offload
from bot.outbox import Outbox
from bot.replies import Replies
from bot.report import Reports
from bot.residents import Residents
from bot.review import Review
from bot.roles import Roles
from bot.stats import Records
from bot.submissions import Submissions
from bot.tagging import Tagger
from storage.engine import Database

if TYPE_CHECKING:
    from bot.digest_delivery import Digests

BOT_DATA_KEY = "services"


@dataclass(frozen=True, slots=True)
class Services:
    settings: Settings
    db: Database
    clock: Clock
    texts: Texts
    catalogue: Catalogue
    tagger: Tagger
    inbox: Inbox
    outbox: Outbox
    offload: Offload
    residents: Residents
    submissions: Submissions
    flood: FloodGuard
    spam: FloodGuard
    error_alerts: Throttle
    digests: Digests
    reports: Reports
    roles: Roles
    review: Review
    replies: Replies
    records: Records


def services(context: CallbackContext | Application) -> Services:
    """The services of the application that runs this callback."""
    return context.bot_data[BOT_DATA_KEY]
