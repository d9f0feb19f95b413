"""The services a handler or job may use, kept once in ``application.bot_data``.

Handlers reach them through :func:`services`, the one typed accessor.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram.ext import Application, CallbackContext

from bot.core.catalogue import Catalogue
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Texts
from bot.core.offload import Offload
from bot.domain.digest.build import DigestBuilder
from bot.domain.opendata import OpenData
from bot.domain.prompts import Prompts
from bot.domain.public import Public
from bot.domain.records import Records
from bot.domain.reports import Reports
from bot.domain.residents import Residents
from bot.domain.review import Review
from bot.domain.roles import Roles
from bot.domain.submissions import Submissions
from bot.domain.units import Units
from bot.runtime.abuse import FloodGuard, Throttle
from bot.runtime.digest_delivery import Digests
from bot.runtime.intake import Inbox
from bot.runtime.outbox import Outbox
from bot.tagging import Tagger
from storage.engine import Database

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
    digest_builder: DigestBuilder
    digests: Digests
    reports: Reports
    roles: Roles
    review: Review
    prompts: Prompts
    records: Records
    public: Public
    opendata: OpenData
    units: Units


def services(context: CallbackContext | Application) -> Services:
    """The services of the application that runs this callback."""
    return context.bot_data[BOT_DATA_KEY]
