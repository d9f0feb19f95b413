"""``python -m bot digest``, ``python -m bot report`` and ``python -m bot opendata``: the digest,
the evaluation evidence report and the open dataset from the command line.

``digest --dry-run`` prints the digest of the latest period that has ended (the one ``--send``
would send) and writes its chart and workbook to a folder, sending nothing and recording nothing.
``digest --send`` sends the due digest now through the same exactly-once record as the scheduled
job, and tries chats that had failed once more. ``report`` writes the evidence report for a
period: the PDF, the workbook or both (``--format``; without it the format follows the ``--out``
file's name, and without either both are written under their default names). The PDF embeds the
photos of implemented ideas that Telegram gives; one it cannot fetch is left out, with a warning.
``opendata`` writes the open dataset of the published ideas into a folder.
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
from bot.domain.reports import Format, Report, Reports, SpanError, report_span
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
    parts["db"].close()
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
    services(application).db.close()
    if outcome is None:
        print("DIGEST_SCHEDULE has no moment in the last four years: nothing is due")
        return 0
    start, end = (
        f"{moment.astimezone(settings.timezone):%Y-%m-%d %H:%M}"
        for moment in (outcome.period.start, outcome.period.end)
    )
    print(f"Digest of {start} to {end}: sent to {len(outcome.sent)} chat(s)")
    for failure in outcome.failed:
        print(f"  chat {failure.chat_id} failed: {failure.error}", file=sys.stderr)
    return 1 if outcome.failed else 0


def report_format(chosen: str | None, out: Path | None) -> Format:
    """``--format`` when given, else the ``--out`` file's suffix (``.pdf``, otherwise XLSX), else
    both."""
    if chosen:
        return Format(chosen)
    if out is None:
        return Format.BOTH
    return Format.PDF if out.suffix.lower() == ".pdf" else Format.XLSX


def report_targets(built: Report, made: Format, out: Path | None) -> list[tuple[Path, bytes]]:
    """Where each file made goes: ``--out`` (with its suffix set when both are made), or the
    default file names."""
    files = {
        Format.PDF: (built.pdf, built.pdf_name),
        Format.XLSX: (built.workbook, built.file_name),
    }
    targets = []
    for kind in made.files:
        data, name = files[kind]
        if data is None:
            continue
        if out is None:
            target = Path(name)
        elif made is Format.BOTH:
            target = out.with_suffix(f".{kind}")
        else:
            target = out
        targets.append((target, data))
    return targets


async def report(
    settings: Settings,
    first: str | None,
    last: str | None,
    out: Path | None,
    language: str,
    chosen: str | None = None,
) -> int:
    """Write the evidence report for ``first``–``last`` (both days included)."""
    from bot.app import build_application
    from bot.runtime.photos import photo_source

    try:
        start, end = report_span(first, last, utc_now(), settings.timezone)
    except SpanError as error:
        print(f"Report failed: {error}", file=sys.stderr)
        return 2
    made = report_format(chosen, out)
    parts = _ingredients(settings)
    bot = build_application(settings).bot
    try:
        built = await Reports(**parts).build(
            start, end, language, made=made, photos=photo_source(bot)
        )
    finally:
        await bot.shutdown()
        parts["db"].close()
    last_day = (end - timedelta(seconds=1)).astimezone(settings.timezone)
    first_day = start.astimezone(settings.timezone)
    span = f"{first_day:%Y-%m-%d} to {last_day:%Y-%m-%d}"
    for target, data in report_targets(built, made, out):
        target.write_bytes(data)
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
    parts["db"].close()
    return 0
