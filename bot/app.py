"""The one factory for the bot's :class:`Application`, used by ``python -m bot`` and the tests."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Callable
from datetime import timedelta

from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, Defaults
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

import handlers
from bot.core.catalogue import load_catalogue
from bot.core.clock import Clock, utc_now
from bot.core.config import Settings
from bot.core.i18n import Texts
from bot.core.offload import Offload
from bot.domain.digest.build import DigestBuilder
from bot.domain.ideapool import IdeaPool
from bot.domain.opendata import OpenData
from bot.domain.prompts import Prompts
from bot.domain.public import Public
from bot.domain.records import Records
from bot.domain.reports import Reports
from bot.domain.residents import Residents
from bot.domain.review import Review
from bot.domain.roles import Roles
from bot.domain.submissions import SIMILAR_POOL, Submissions
from bot.domain.units import Units
from bot.runtime.abuse import SPAM_MEMORY, FloodGuard, Throttle
from bot.runtime.digest_delivery import Digests, Sleep
from bot.runtime.groupcommit import GroupCommit
from bot.runtime.http import AiohttpRequest
from bot.runtime.intake import Inbox
from bot.runtime.outbox import Outbox
from bot.runtime.persistence import ConversationsOnlyApplication, DatabasePersistence
from bot.runtime.processing import OrderedUpdateProcessor
from bot.runtime.ratelimit import TelegramLimits
from bot.services import BOT_DATA_KEY, Services, services
from bot.tagging import Tagger
from handlers import keyboards
from handlers.cards import TeamCards
from handlers.posts import PublicPosts
from storage.engine import Database, make_engine
from storage.migrate import upgrade

logger = logging.getLogger(__name__)

MAX_CONCURRENT_UPDATES = 32
POLL_TIMEOUT = 30
ADMIN_ALERT_INTERVAL = timedelta(minutes=10)

# The /ide conversation mixes message and button steps on purpose; PTB warns about that pairing.
warnings.filterwarnings("ignore", message=r".*per_message=False", category=PTBUserWarning)


async def _stop_outbox(application: Application) -> None:
    await services(application).outbox.close()


def build_application(
    settings: Settings,
    *,
    request: BaseRequest | None = None,
    clock: Clock = utc_now,
    tagger: Tagger | None = None,
    max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
    rate_limiter: Callable[[], BaseRateLimiter] = TelegramLimits,
    sleep: Sleep = asyncio.sleep,
) -> Application:
    """Build the bot: schema upgraded, services in ``bot_data``, handlers registered.

    ``request`` replaces the network (tests pass a recording one); every Bot API call and file
    download otherwise goes to ``settings.api_base_url``. ``rate_limiter`` makes the limiter of
    outgoing calls (Telegram's limits by default). ``sleep`` is how the digest's retries wait
    (tests pass one that returns at once).
    """
    engine = make_engine(settings.database_url)
    upgrade(engine)
    db = Database(engine)
    catalogue = load_catalogue()
    tagger = tagger or Tagger.from_catalogue(catalogue)
    processor = OrderedUpdateProcessor(max_concurrent_updates)
    commits = GroupCommit(db, clock)

    builder = (
        ApplicationBuilder()
        .application_class(ConversationsOnlyApplication)
        .token(settings.token)
        .base_url(f"{settings.api_base_url}/bot")
        .base_file_url(f"{settings.api_base_url}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.timezone))
        .updater(None)
        .concurrent_updates(processor)
        .persistence(DatabasePersistence(db, commits))
        .rate_limiter(rate_limiter())
        .post_stop(_stop_outbox)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.request(AiohttpRequest(pool_size=max_concurrent_updates + 8))
        builder = builder.get_updates_request(AiohttpRequest(read_timeout=POLL_TIMEOUT + 10))
    application = builder.build()

    inbox = Inbox(db, clock, commits)
    ideas = IdeaPool(db, size=SIMILAR_POOL)

    async def after_update(update: object) -> None:
        await application.update_persistence()
        await inbox.mark_done(update)

    processor.after = after_update
    texts = Texts.load(
        settings.timezone, region=settings.region_name, code_prefix=settings.code_prefix
    )
    offload = Offload()  # a worker process once serve() starts it; a thread in tests
    units = Units(db=db, settings=settings, clock=clock, catalogue=catalogue, texts=texts)
    digest_builder = DigestBuilder(
        db=db,
        settings=settings,
        clock=clock,
        texts=texts,
        catalogue=catalogue,
        offload=offload,
        units=units,
    )
    application.bot_data[BOT_DATA_KEY] = Services(
        settings=settings,
        db=db,
        clock=clock,
        texts=texts,
        catalogue=catalogue,
        tagger=tagger,
        inbox=inbox,
        offload=offload,
        outbox=Outbox(
            db=db, clock=clock, cards=TeamCards(application), posts=PublicPosts(application)
        ),
        residents=Residents(
            db=db,
            clock=clock,
            ideas=ideas,
            default_language=settings.default_language,
            public_channel_id=settings.public_channel_id,
        ),
        submissions=Submissions(
            db=db, ideas=ideas, tagger=tagger, texts=texts, settings=settings, clock=clock
        ),
        flood=FloodGuard(clock=clock),
        spam=FloodGuard(clock=clock, limit=1, window=SPAM_MEMORY),
        error_alerts=Throttle(clock=clock, interval=ADMIN_ALERT_INTERVAL),
        digest_builder=digest_builder,
        digests=Digests(
            db=db, settings=settings, clock=clock, texts=texts, builder=digest_builder, sleep=sleep
        ),
        reports=Reports(
            db=db,
            settings=settings,
            clock=clock,
            texts=texts,
            catalogue=catalogue,
            offload=offload,
            units=units,
        ),
        roles=Roles(db=db, settings=settings, clock=clock, texts=texts, catalogue=catalogue),
        review=Review(
            db=db,
            settings=settings,
            clock=clock,
            catalogue=catalogue,
            tagger=tagger,
            texts=texts,
            ideas=ideas,
            answer_button=keyboards.answer_data,
        ),
        prompts=Prompts(db=db, settings=settings, clock=clock),
        records=Records(
            db=db,
            settings=settings,
            clock=clock,
            catalogue=catalogue,
            texts=texts,
            offload=offload,
        ),
        public=Public(db=db, settings=settings, clock=clock),
        opendata=OpenData(db=db, settings=settings, clock=clock, catalogue=catalogue),
        units=units,
    )
    handlers.register(application)
    return application
