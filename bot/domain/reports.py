"""Workbooks: the week's submissions attached to the digest, and the evaluation evidence report
(an XLSX workbook for analysts and a PDF to present, :mod:`bot.domain.evidence_pdf`, both from
the same rows).

Every cell that holds text from a resident is written as a string cell, so a text starting with
``=`` is never read as a formula. A resident's name appears only where the submission is not
anonymous and the resident agreed to be named; Telegram ids never appear.
"""

from __future__ import annotations

import asyncio
import enum
import io
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.catalogue import Catalogue
from bot.core.clock import Clock, day_bounds, parse_day
from bot.core.config import Settings
from bot.core.i18n import Texts
from bot.core.offload import Offload
from bot.domain.digest.text import without_contacts
from bot.domain.evidence import kecamatan_rows, month_rows, pillar_rows
from bot.domain.evidence_pdf import Contribution, render_pdf
from bot.domain.evidence_pdf import Period as PdfPeriod
from bot.domain.exports import new_workbook
from bot.domain.units import Implemented, UnitFigures, Units
from storage.digest_figures import WeekRow
from storage.engine import Database
from storage.evidence import EvidenceFigures, evidence_figures

logger = logging.getLogger(__name__)

TEXT_WIDTH = 80
REPORT_PHOTOS = 60

PhotoSource = Callable[[str], Awaitable[bytes | None]]
"""Fetches a photo's bytes by its Telegram file id; ``None`` when it cannot be had."""


def week_workbook(
    rows: Sequence[WeekRow],
    *,
    sheet: str,
    headers: Sequence[str],
    zone: ZoneInfo,
    pillars: dict[str, str],
    kecamatan: dict[str, str],
    statuses: dict[str, str],
) -> bytes:
    """One sheet, one row per submission: code, received, pillar, kecamatan, status, text, name.

    It goes to a group chat, so contact details a resident typed into an idea are blanked.
    """
    buffer = io.BytesIO()
    workbook = new_workbook(buffer)
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, title in enumerate(headers):
        worksheet.write_string(0, column, title, bold)
    for line, row in enumerate(rows, start=1):
        cells = (
            row.code,
            f"{row.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
            pillars.get(row.pillar, row.pillar),
            kecamatan.get(row.kecamatan, row.kecamatan) if row.kecamatan else "",
            statuses.get(row.status, row.status),
            without_contacts(row.text),
            row.name or "",
        )
        for column, cell in enumerate(cells):
            worksheet.write_string(line, column, cell, wrap if column == 5 else None)
    worksheet.set_column(0, 1, 16)
    worksheet.set_column(2, 4, 18)
    worksheet.set_column(5, 5, TEXT_WIDTH)
    worksheet.set_column(6, 6, 24)
    worksheet.freeze_panes(1, 0)
    worksheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)
    workbook.close()
    return buffer.getvalue()


# The evaluation evidence report -------------------------------------------------------------------


class SpanError(ValueError):
    """The dates of a report are malformed or in the wrong order."""


def report_span(
    first: str | None, last: str | None, now: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """``[first 00:00, the day after last 00:00)`` in ``zone``, as aware UTC.

    Dates are ``YYYY-MM-DD``, both days included; without them, from 1 January of this year
    until today.
    """
    today = now.astimezone(zone).date()
    try:
        start = parse_day(first) if first else today.replace(month=1, day=1)
        end = parse_day(last) if last else today
    except ValueError:
        raise SpanError(f"dates must be written YYYY-MM-DD, got {first!r} and {last!r}") from None
    if end < start:
        raise SpanError(f"the period ends ({end}) before it starts ({start})")
    begins, ends = day_bounds(start, zone)[0], day_bounds(end, zone)[1]
    if begins is None or ends is None:
        raise SpanError(f"the period {start} to {end} reaches past the ends of the calendar")
    return begins, ends


class Format(enum.StrEnum):
    """Which files a report is made as."""

    PDF = "pdf"
    XLSX = "xlsx"
    BOTH = "both"

    @property
    def files(self) -> tuple[Format, ...]:
        return (Format.PDF, Format.XLSX) if self is Format.BOTH else (self,)


@dataclass(frozen=True, slots=True)
class Report:
    start: datetime
    end: datetime
    ideas: int
    workbook: bytes | None
    file_name: str
    pdf: bytes | None
    pdf_name: str


class EvidenceBuilder:
    """What the evaluation report and the weekly digest are built from: the database, the
    regency's settings, texts and catalogue, the clock, where heavy work runs (``offload``) and
    the SKPD's figures (``units``)."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        clock: Clock,
        texts: Texts,
        catalogue: Catalogue,
        offload: Offload | None = None,
        units: Units | None = None,
    ) -> None:
        self._db = db
        self._settings = settings
        self._clock = clock
        self._texts = texts
        self._catalogue = catalogue
        self._offload = offload or Offload()
        self._units = units or Units(
            db=db, settings=settings, clock=clock, catalogue=catalogue, texts=texts
        )


class Reports(EvidenceBuilder):
    """Builds the evaluation evidence report of a period: workbook, PDF, or both."""

    async def build(
        self,
        start: datetime,
        end: datetime,
        language: str,
        *,
        made: Format = Format.BOTH,
        photos: PhotoSource | None = None,
        contribution: Contribution | None = None,
    ) -> Report:
        """The report of the ideas received in ``[start, end)``; the PDF embeds the photos of
        implemented ideas that ``photos`` can fetch, and a contribution table when given rows."""
        zone = self._settings.timezone
        figures = await self._db.read(evidence_figures, start=start, end=end, zone=zone)
        by_unit = await self._units.figures(start, end)
        workbook = pdf = None
        if Format.XLSX in made.files:
            done_by_units = await self._units.implemented(start, end)
            workbook = await asyncio.to_thread(
                self._workbook, figures, start, end, language, by_unit, done_by_units
            )
        if Format.PDF in made.files:
            previous_start = start - (end - start)
            previous = await self._db.read(
                evidence_figures, start=previous_start, end=start, zone=zone, details=False
            )
            pdf = await self._offload.run(
                render_pdf,
                texts=self._texts,
                catalogue=self._catalogue,
                region=self._settings.region_name,
                language=language,
                period=PdfPeriod(start, end, previous_start, self._clock()),
                figures=figures,
                previous=previous,
                photos=await self._photos(figures, photos),
                contribution=contribution or self._contribution(by_unit, language),
            )
        first, last = (moment.astimezone(zone) for moment in (start, end - timedelta(seconds=1)))
        days = {"start": f"{first:%Y-%m-%d}", "end": f"{last:%Y-%m-%d}"}
        return Report(
            start=start,
            end=end,
            ideas=sum(tally.ideas for tally in figures.by_pillar),
            workbook=workbook,
            file_name=self._texts.get(language, "report.file_name", **days),
            pdf=pdf,
            pdf_name=self._texts.get(language, "report.pdf_file_name", **days),
        )

    def _contribution(self, by_unit: Sequence[UnitFigures], language: str) -> Contribution:
        """The PDF's table of the SKPD that had ideas in the period, from the figures of the
        workbook's SKPD sheet."""
        active = [u for u in by_unit if u.forwarded or u.implemented or u.waiting or u.in_progress]
        headers = [self._texts.get(language, f"report.col_{key}") for key in UNIT_COLUMNS]
        return Contribution(headers, unit_rows(active, short=True))

    async def _photos(
        self, figures: EvidenceFigures, source: PhotoSource | None
    ) -> dict[str, list[bytes]]:
        """The photos of implemented ideas, up to :data:`REPORT_PHOTOS` in all, oldest idea
        first; one that cannot be fetched is left out."""
        found: dict[str, list[bytes]] = {}
        if source is None:
            return found
        wanted = [
            (idea.code, file_id)
            for idea in figures.implemented
            for file_id in figures.photos.get(idea.code, [])
        ][:REPORT_PHOTOS]
        for code, file_id in wanted:
            data = await source(file_id)
            if data is None:
                logger.warning("A photo of %s could not be fetched for the report", code)
                continue
            found.setdefault(code, []).append(data)
        return found

    def _workbook(
        self,
        figures: EvidenceFigures,
        start: datetime,
        end: datetime,
        language: str,
        by_unit: Sequence[UnitFigures],
        done_by_units: Sequence[Implemented],
    ) -> bytes:
        def t(key: str, **params: object) -> str:
            return self._texts.get(language, f"report.{key}", **params)

        pillars = {
            key: self._catalogue.pillar_short_name(key, language)
            for key in self._catalogue.pillar_keys
        }
        buffer = io.BytesIO()
        book = new_workbook(buffer)
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 14})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})

        summary = book.add_worksheet(t("sheet_summary"))
        summary.write_string(0, 0, t("title", region=self._settings.region_name), title)
        summary.write_string(
            1,
            0,
            t(
                "period",
                start=self._texts.date(language, start),
                end=self._texts.date(language, end - timedelta(seconds=1)),
                zone=self._texts.zone_name(),
            ),
        )
        summary.write_string(2, 0, t("made", at=self._texts.datetime(language, self._clock())))
        summary.write_string(3, 0, t("note"))
        headers = [
            t(f"col_{key}")
            for key in (
                "pillar",
                "ideas",
                "accepted",
                "implemented",
                "rejected",
                "supports",
                "first_response",
                "decision",
            )
        ]
        rows = pillar_rows(figures, pillars, t("total"))
        _table(summary, 5, headers, rows, bold)
        summary.set_column(0, 0, 24)
        summary.set_column(1, 7, 14)
        chart = book.add_chart({"type": "column"})
        for column in (1, 2, 3):
            chart.add_series(
                {
                    "name": [summary.name, 5, column],
                    "categories": [summary.name, 6, 0, 5 + len(pillars), 0],
                    "values": [summary.name, 6, column, 5 + len(pillars), column],
                }
            )
        chart.set_title({"name": t("chart_pillars")})
        summary.insert_chart(7 + len(pillars), 0, chart, {"x_scale": 1.6, "y_scale": 1.2})

        done = book.add_worksheet(t("sheet_implemented"))
        places = {k.key: k.name for k in self._catalogue.kecamatan}
        zone = self._settings.timezone
        _table(
            done,
            0,
            [
                t(f"col_{key}")
                for key in ("code", "pillar", "kecamatan", "received", "done", "description")
            ],
            [
                [
                    idea.code,
                    pillars.get(idea.pillar, idea.pillar),
                    places.get(idea.kecamatan, idea.kecamatan or ""),
                    f"{idea.received.astimezone(zone):%Y-%m-%d}",
                    f"{idea.implemented.astimezone(zone):%Y-%m-%d}" if idea.implemented else "",
                    without_contacts(" ".join(idea.description.split())),
                ]
                for idea in figures.implemented
            ],
            bold,
        )
        done.set_column(0, 4, 16)
        done.set_column(5, 5, TEXT_WIDTH, wrap)

        place_sheet = book.add_worksheet(t("sheet_kecamatan"))
        place_rows = kecamatan_rows(figures, places, t("no_place"))

        _table(
            place_sheet,
            0,
            [
                t(f"col_{key}")
                for key in ("kecamatan", "ideas", "residents", "accepted", "implemented", "share")
            ],
            place_rows,
            bold,
        )
        place_sheet.set_column(0, 0, 24)
        place_sheet.set_column(1, 5, 12)
        bars = book.add_chart({"type": "bar"})
        bars.add_series(
            {
                "name": [place_sheet.name, 0, 1],
                "categories": [place_sheet.name, 1, 0, len(place_rows), 0],
                "values": [place_sheet.name, 1, 1, len(place_rows), 1],
            }
        )
        bars.set_title({"name": t("chart_kecamatan")})
        bars.set_legend({"none": True})
        place_sheet.insert_chart(0, 7, bars, {"y_scale": 2.0})

        month_sheet = book.add_worksheet(t("sheet_months"))
        months = month_rows(figures, pillars)
        _table(month_sheet, 0, [t("col_month"), *pillars.values(), t("total")], months, bold)
        month_sheet.set_column(0, len(pillars) + 1, 16)
        if months:
            lines = book.add_chart({"type": "line"})
            for column in range(1, len(pillars) + 1):
                lines.add_series(
                    {
                        "name": [month_sheet.name, 0, column],
                        "categories": [month_sheet.name, 1, 0, len(months), 0],
                        "values": [month_sheet.name, 1, column, len(months), column],
                    }
                )
            lines.set_title({"name": t("chart_months")})
            month_sheet.insert_chart(len(months) + 2, 0, lines, {"x_scale": 1.6})
        _unit_sheet(book.add_worksheet(t("sheet_units")), t, by_unit, done_by_units, zone, bold)
        book.close()
        return buffer.getvalue()


UNIT_COLUMNS = (
    "unit",
    "forwarded",
    "acknowledged",
    "unit_implemented",
    "returned",
    "days_to_acknowledge",
    "days_to_implement",
)


def unit_rows(by_unit: Sequence[UnitFigures], *, short: bool = False) -> list[list[object]]:
    """A row of :data:`UNIT_COLUMNS` per SKPD, named in full or by its short name."""
    return [
        [
            unit.short if short else unit.name,
            unit.forwarded,
            unit.acknowledged,
            unit.implemented,
            unit.returned,
            "" if unit.median_days_to_acknowledge is None else unit.median_days_to_acknowledge,
            "" if unit.median_days_to_implement is None else unit.median_days_to_implement,
        ]
        for unit in by_unit
    ]


def _unit_sheet(
    sheet,
    t,
    by_unit: Sequence[UnitFigures],
    done: Sequence[Implemented],
    zone: ZoneInfo,
    bold,
) -> None:
    """Each SKPD's contribution, then the innovations they implemented with their evidence
    photos' captions (the photos' file ids stay out)."""
    rows = unit_rows(by_unit)
    _table(sheet, 0, [t(f"col_{key}") for key in UNIT_COLUMNS], rows, bold)
    names = {unit.key: unit.name for unit in by_unit}
    top = len(rows) + 2
    _table(
        sheet,
        top,
        [t(f"col_{key}") for key in ("code", "unit", "done", "evidence", "captions")],
        [
            [
                idea.code,
                names.get(idea.unit, idea.unit),
                f"{idea.at.astimezone(zone):%Y-%m-%d}",
                without_contacts(" ".join((idea.words or "").split())),
                "; ".join(caption for caption in idea.photo_captions if caption)
                or t("photos", count=len(idea.photo_file_ids)),
            ]
            for idea in done
        ],
        bold,
    )
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 6, 16)
    sheet.set_column(3, 4, 40)


def _table(sheet, top: int, headers: Sequence[str], rows: Sequence[Sequence[object]], bold) -> None:
    """A header row, then rows: numbers as numbers, everything else as string cells."""
    for column, header in enumerate(headers):
        sheet.write_string(top, column, header, bold)
    for line, row in enumerate(rows, start=top + 1):
        for column, cell in enumerate(row):
            if isinstance(cell, int | float) and not isinstance(cell, bool):
                sheet.write_number(line, column, cell)
            else:
                sheet.write_string(line, column, str(cell))
