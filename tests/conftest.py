"""Fixtures: settings on a fresh database per test, the real Application behind a recording
request, and the PostgreSQL variant of the storage tests."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bot.app import build_application
from bot.core.catalogue import load_catalogue
from bot.core.config import Settings, settings_from_mapping
from bot.runtime import jobs
from bot.runtime.ratelimit import TelegramLimits
from bot.services import Services, services
from bot.tagging import Tagger
from storage.engine import Database, make_engine
from storage.migrate import upgrade
from tests.recording import RecordingRequest

TOKEN = "123456:TESTTOKENabcdefghijklmnopqrstuv"
ADMIN_ID = 900
TEAM_GROUP_ID = -100777  # the group officers work in: DIGEST_CHAT_IDS of the team_bot fixture


def make_settings(database_url: str, **overrides: str) -> Settings:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "ADMIN_IDS": str(ADMIN_ID), "DATABASE_URL": database_url}
    env.update(overrides)
    return settings_from_mapping(env)


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    return Tagger.from_catalogue(load_catalogue())


@contextlib.contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL for a fresh schema in the TEST_DATABASE_URL database, dropped afterwards.

    In CI (``CI=true``) PostgreSQL is required, so a missing URL fails instead of skipping.
    """
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("TEST_DATABASE_URL must name a PostgreSQL database in CI")
        pytest.skip("TEST_DATABASE_URL is not set")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """The database of a handler test: a fresh SQLite file, or with
    ``TEST_DATABASE_BACKEND=postgresql`` a fresh PostgreSQL schema (CI runs the suite both ways)."""
    if os.environ.get("TEST_DATABASE_BACKEND") == "postgresql":
        with postgres_schema() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path / 'inovasi.db'}"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """For the tests of SQLite itself (pragmas, file backups)."""
    return f"sqlite:///{tmp_path / 'inovasi.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_url(request, tmp_path) -> Iterator[str]:
    """Both databases in one run, for the storage tests."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'inovasi.db'}"
        return
    with postgres_schema() as url:
        yield url


@pytest.fixture
def db(any_database_url) -> Iterator[Database]:
    """A migrated database for the storage-level tests, on SQLite and on PostgreSQL."""
    engine = make_engine(any_database_url)
    upgrade(engine)
    yield Database(engine)
    engine.dispose()


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))


def unthrottled() -> TelegramLimits:
    """Telegram's limits are tested on their own; handler tests send as fast as they like."""
    return TelegramLimits(overall_per_second=1e6, private_per_second=1e6, group_per_minute=1e8)


class Harness:
    """The real Application, fed updates the way the intake loop feeds them."""

    def __init__(self, application, request: RecordingRequest) -> None:
        self.app = application
        self.request = request

    @property
    def services(self) -> Services:
        return services(self.app)

    def text(self, key: str, language: str = "id", **params: object) -> str:
        """The bot's text ``key`` as it sends it: for expectations that match a reply exactly."""
        return self.services.texts.get(language, key, **params)

    async def deliver(self, payload: dict) -> None:
        """Store the update in the inbox, process it through the ordered processor, commit what
        it staged (as the timed flush would, at once), then wait for what its handling started
        sending from the outbox."""
        for fresh in await self.services.inbox.store([payload], self.app.bot):
            await self.app.update_processor.process_update(fresh, self.app.process_update(fresh))
        await self.app.persistence.flush()
        await self.services.outbox.settle()

    async def deliver_all(self, payloads: list[dict], *, settle: bool = True) -> None:
        """Store a burst of updates, then let the running Application handle them concurrently
        and commit what they staged; with ``settle``, wait for what their handling started
        sending from the outbox."""
        for update in await self.services.inbox.store(payloads, self.app.bot):
            await self.app.update_queue.put(update)
        await self.app.update_queue.join()
        await self.app.persistence.flush()
        if settle:
            await self.services.outbox.settle()

    async def put_aside_idle(self) -> None:
        """Run the minute job that puts aside what waited too long, then deliver the outbox."""
        queue = self.app.job_queue
        if not queue.get_jobs_by_name(jobs.PUT_ASIDE_JOB):
            jobs.schedule_housekeeping(self.app)
        [job] = queue.get_jobs_by_name(jobs.PUT_ASIDE_JOB)
        await job.run(self.app)
        await self.services.outbox.deliver(self.app.bot)


@pytest.fixture
def bot_factory(tagger, clock):
    """``async with bot_factory(settings) as bot`` runs a fresh Application on ``settings``."""

    @contextlib.asynccontextmanager
    async def factory(settings: Settings, **kwargs) -> AsyncIterator[Harness]:
        request = RecordingRequest()
        kwargs.setdefault("rate_limiter", unthrottled)
        application = build_application(
            settings, request=request, clock=clock, tagger=tagger, **kwargs
        )
        async with application:
            await application.start()
            try:
                yield Harness(application, request)
            finally:
                await application.stop()
        services(application).db.engine.dispose()
        assert not request.refused, f"Telegram would refuse: {request.refused}"

    return factory


@pytest.fixture
async def bot(bot_factory, database_url) -> AsyncIterator[Harness]:
    """The bot as configured for the tests, with the team's group officers work in."""
    settings = make_settings(database_url, DIGEST_CHAT_IDS=str(TEAM_GROUP_ID))
    async with bot_factory(settings) as harness:
        yield harness
