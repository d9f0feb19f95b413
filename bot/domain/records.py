"""Finding and counting for officers: search results, counts with a PNG chart, and exports.

Knows nothing of Telegram. Counting is SQL ``GROUP BY`` (:mod:`storage.records`); drawing the chart
and writing the files run in a worker thread, off the event loop. Labels come in the asking
officer's language (:meth:`Records.labels`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.core.catalogue import Catalogue
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.i18n import Texts
from bot.core.offload import Offload
from bot.domain.charts import new_figure, pillar_styles, png, whole_numbers
from bot.domain.digest.text import without_contacts
from bot.domain.exports import to_csv, to_xlsx
from storage import records
from storage.engine import Database
from storage.models import Status, SubmissionPublic
from storage.records import Criteria, ExportRow

SEARCH_LIMIT = 10
CHART_WEEKS = 12
CHART_KECAMATAN = 10
NO_PLACE = ""
MOST_SUPPORTED_SHOWN = 5
EXPORT_COLUMNS = (
    "code",
    "created",
    "updated",
    "status",
    "pillar",
    "kecamatan",
    "text",
    "name",
    "unit",
)


@dataclass(frozen=True, slots=True)
class Counts:
    total: int
    by_pillar: dict[str, int]
    by_status: dict[str, int]
    by_week: list[tuple[str, int]]  # ("2026-W48", n), oldest first
    by_kecamatan: dict[str, int]  # NO_PLACE for submissions without a kecamatan
    by_unit: dict[str, int]  # the SKPD ideas are with or were implemented by; none left out
    supports: int = 0  # residents' supports of these submissions
    most_supported: tuple[tuple[str, int], ...] = ()  # (code, supports), most first


@dataclass(frozen=True, slots=True)
class Labels:
    """Names in one language for the chart and the export."""

    pillars: dict[str, str]
    statuses: dict[str, str]
    kecamatan: dict[str, str]
    titles: dict[str, str]  # pillar, status, week, kecamatan
    headers: tuple[str, ...]
    sheet: str  # the export workbook's sheet


def iso_weeks(days: dict[date, int]) -> list[tuple[str, int]]:
    """Fold per-day counts (one entry per day, already summed in SQL) into ISO weeks."""
    weeks: dict[tuple[int, int], int] = {}
    for day, count in days.items():
        year, week, _ = day.isocalendar()
        weeks[(year, week)] = weeks.get((year, week), 0) + count
    return [(f"{year}-W{week:02d}", weeks[(year, week)]) for year, week in sorted(weeks)]


def chart_png(counts: Counts, labels: Labels, heading: str) -> bytes:
    """Four bar charts (pillar, status, week, kecamatan) in one PNG under ``heading``, drawn with
    Agg; pillars in their report colours, counts on whole-number axes."""
    figure = new_figure(figsize=(11, 8))
    figure.suptitle(heading)
    pillar, status, week, place = figure.subplots(2, 2).flat
    styles = pillar_styles(list(labels.pillars))
    pillar.barh(
        [labels.pillars[k] for k in labels.pillars],
        list(_ordered(counts.by_pillar, labels.pillars)),
        color=[styles[k].colour for k in labels.pillars],
        hatch=[styles[k].hatch for k in labels.pillars],
        edgecolor="black",
        linewidth=0.5,
    )
    status.barh(
        [labels.statuses[k] for k in labels.statuses],
        list(_ordered(counts.by_status, labels.statuses)),
    )
    recent = counts.by_week[-CHART_WEEKS:]
    week.bar([name.split("-")[1] for name, _ in recent], [n for _, n in recent])
    top = sorted(counts.by_kecamatan.items(), key=lambda item: -item[1])[:CHART_KECAMATAN]
    place.barh(
        [labels.kecamatan.get(k, k) for k, _ in reversed(top)], [n for _, n in reversed(top)]
    )
    for axes, key in ((pillar, "pillar"), (status, "status"), (week, "week"), (place, "kecamatan")):
        axes.set_title(labels.titles[key])
    for axis in (pillar.xaxis, status.xaxis, week.yaxis, place.xaxis):
        whole_numbers(axis)
    pillar.invert_yaxis()  # the catalogue's order, top down, as in the digest and the report
    return png(figure)


def _ordered(counts: dict[str, int], keys: dict[str, str]):
    return (counts.get(key, 0) for key in keys)


class Records:
    """Search, counts, chart and export over the submissions."""

    def __init__(
        self,
        *,
        db: Database,
        settings: Settings,
        clock: Clock,
        catalogue: Catalogue,
        texts: Texts,
        offload: Offload | None = None,
    ) -> None:
        self._db = db
        self._offload = offload or Offload()
        self._settings = settings
        self._clock = clock
        self._catalogue = catalogue
        self._texts = texts

    def labels(self, language: str) -> Labels:
        text = self._texts.get
        kecamatan = {k.key: k.name for k in self._catalogue.kecamatan}
        kecamatan[NO_PLACE] = text(language, "stats.no_place")
        return Labels(
            pillars={p.key: p.name(language).split(" — ")[0] for p in self._catalogue.pillars},
            statuses={str(s): text(language, f"status.{s}") for s in Status},
            kecamatan=kecamatan,
            titles={
                key: text(language, f"stats.by_{key}")
                for key in ("pillar", "status", "week", "kecamatan")
            },
            headers=tuple(
                text(language, f"export.{column}", zone=self._texts.zone_name())
                for column in EXPORT_COLUMNS
            ),
            sheet=text(language, "export.sheet"),
        )

    async def search(self, criteria: Criteria) -> tuple[list[SubmissionPublic], int]:
        return await self._db.read(records.search, criteria=criteria, limit=SEARCH_LIMIT)

    async def counts(self, criteria: Criteria) -> Counts:
        zone, now = self._settings.timezone, self._clock()

        def count(session: Session) -> Counts:
            by_pillar = records.count_by(session, field="pillar", criteria=criteria)
            by_status = records.count_by(session, field="status", criteria=criteria)
            by_place = records.count_by(session, field="kecamatan", criteria=criteria)
            by_unit = records.count_by(session, field="unit", criteria=criteria)
            days = records.count_by_day(session, criteria=criteria, zone=zone, moment=now)
            supports, top = records.most_supported(
                session, criteria=criteria, limit=MOST_SUPPORTED_SHOWN
            )
            return Counts(
                total=sum(by_status.values()),
                by_pillar={str(k): n for k, n in by_pillar.items()},
                by_status={str(k): n for k, n in by_status.items()},
                by_week=iso_weeks(days),
                by_kecamatan={k or NO_PLACE: n for k, n in by_place.items()},
                by_unit={k: n for k, n in by_unit.items() if k},
                supports=supports,
                most_supported=tuple(top),
            )

        return await self._db.read(count)

    async def chart(self, counts: Counts, language: str) -> bytes:
        heading = self._texts.get(
            language,
            "stats.chart_heading",
            region=self._settings.region_name,
            date=self._texts.date(language, self._clock()),
        )
        return await self._offload.run(chart_png, counts, self.labels(language), heading)

    async def export(self, criteria: Criteria, language: str) -> tuple[int, bytes, bytes]:
        """How many rows, and the CSV and XLSX files of the matching submissions."""
        rows = await self._db.read(records.export_rows, criteria=criteria)
        labels = self.labels(language)

        def build() -> tuple[bytes, bytes]:
            table = [self._row(row, labels) for row in rows]
            return to_csv(labels.headers, table), to_xlsx(labels.sheet, labels.headers, table)

        csv_file, xlsx_file = await asyncio.to_thread(build)
        return len(rows), csv_file, xlsx_file

    def _row(self, row: ExportRow, labels: Labels) -> list[str]:
        zone = self._settings.timezone
        return [
            row.code,
            f"{row.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
            f"{row.updated_at.astimezone(zone):%Y-%m-%d %H:%M}",
            labels.statuses.get(str(row.status), str(row.status)),
            labels.pillars.get(row.pillar, row.pillar),
            labels.kecamatan.get(row.kecamatan, row.kecamatan) if row.kecamatan else "",
            without_contacts(row.text),
            row.resident_name or "",
            self._catalogue.unit_name(row.unit) if row.unit else "",
        ]
