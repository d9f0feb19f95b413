"""``python -m bot digest``, ``python -m bot report`` and ``python -m bot opendata``: the weekly
digest, the evaluation evidence report and the open dataset from the command line.

``digest --dry-run`` prints the due digest (the week ``--send`` would send) and writes its chart
and workbook to a folder, sending nothing and recording nothing. ``digest --send`` sends the due
digest now through the same exactly-once record as the scheduled job, and tries chats that had
failed once more. ``report`` writes the evidence workbook for a period. ``opendata`` writes the
open dataset of the published ideas into a folder.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from bot.core.catalogue import load_catalogue
from bot.core.clock import utc_now
from bot.core.config import Settings
from bot.core.i18n import Texts
from bot.domain.digest.build import DigestBuilder
from bot.domain.opendata import OpenData
from bot.domain.reports import Reports, SpanError, report_span
from storage.engine import Database, make_engine
from storage.migrate import upgrade

SEPARATOR = "\n\n" + "─" * 40 + "\n\n"


def _ingredients(settings: Settings) -> dict:
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return {
        "db": Database(engine),
        "settings": settings,
        "clock": utc_now,
        "texts": Texts.load(
            settings.timezone, region=settings.region_name, code_prefix=settings.code_prefix
        ),
        "catalogue": load_catalogue(),
    }


async def dry_run(settings: Settings, out: Path) -> int:
    """Print the due digest's messages; write its chart and workbook into ``out``."""
    parts = _ingredients(settings)
    digests = DigestBuilder(**parts)
    period = digests.due_period() or digests.current_period()
    built = await digests.build(period, settings.default_language)
    print(SEPARATOR.join(built.messages))
    out.mkdir(parents=True, exist_ok=True)
    start = f"{period.start.astimezone(settings.timezone):%Y-%m-%d}"
    for data, name in ((built.chart, f"chart-{start}.png"), (built.workbook, built.file_name)):
        if data is not None:
            (out / name).write_bytes(data)
            print(f"Wrote {out / name}", file=sys.stderr)
    parts["db"].engine.dispose()
    return 0


async def send(settings: Settings) -> int:
    """Send the due digest to every target chat that has not had it; 1 if a chat failed."""
    from bot.app import build_application
    from bot.services import services

    application = build_application(settings)
    async with application:
        outcome = await services(application).digests.deliver_due(
            application.bot, retry_failed=True
        )
    services(application).db.engine.dispose()
    if outcome is None:
        print("DIGEST_SCHEDULE has no moment in the last four years: nothing is due")
        return 0
    week = f"{outcome.period.start.astimezone(settings.timezone):%Y-%m-%d}"
    print(f"Digest of the week from {week}: sent to {len(outcome.sent)} chat(s)")
    for failure in outcome.failed:
        print(f"  chat {failure.chat_id} failed: {failure.error}", file=sys.stderr)
    return 1 if outcome.failed else 0


async def report(
    settings: Settings, first: str | None, last: str | None, out: Path | None, language: str
) -> int:
    """Write the evidence workbook for ``first``–``last`` (both days included)."""
    try:
        start, end = report_span(first, last, utc_now(), settings.timezone)
    except SpanError as error:
        print(f"Report failed: {error}", file=sys.stderr)
        return 2
    parts = _ingredients(settings)
    built = await Reports(**parts).build(start, end, language)
    parts["db"].engine.dispose()
    target = out or Path(built.file_name)
    target.write_bytes(built.workbook)
    last_day = (end - timedelta(seconds=1)).astimezone(settings.timezone)
    first_day = start.astimezone(settings.timezone)
    span = f"{first_day:%Y-%m-%d} to {last_day:%Y-%m-%d}"
    print(f"Wrote {target}: {built.ideas} idea(s) received {span}")
    return 0


async def opendata(settings: Settings, out: Path) -> int:
    """Write the open dataset into ``out``."""
    parts = _ingredients(settings)
    written = await OpenData(
        db=parts["db"], settings=settings, clock=utc_now, catalogue=parts["catalogue"]
    ).write(out)
    for path in written.files:
        print(f"Wrote {path}", file=sys.stderr)
    print(f"{written.ideas} published idea(s) in the open dataset")
    parts["db"].engine.dispose()
    return 0
