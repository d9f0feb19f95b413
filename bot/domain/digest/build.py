"""Putting one digest together: a period's figures, its messages, its chart and workbook.

Knows nothing of Telegram: :mod:`bot.runtime.digest_delivery` sends what this builds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.core.catalogue import Catalogue
from bot.core.config import Settings
from bot.core.cron import last_fire_times
from bot.core.i18n import Texts
from bot.domain import charts
from bot.domain.digest.text import (
    TOP_KECAMATAN,
    Context,
    Period,
    between_runs,
    is_quiet,
    render_digest,
    since_last_run,
    week_so_far,
)
from bot.domain.reports import EvidenceBuilder, week_workbook
from bot.domain.sla import overdue_cutoff
from storage import digest_figures as store
from storage.digest_figures import DigestFigures
from storage.models import Status

LISTED_IDEAS = 40


@dataclass(frozen=True, slots=True)
class Part:
    """One message of a digest: HTML text, or a file (a PNG sent as a photo, else a document)."""

    text: str = ""
    photo: bytes | None = None
    document: bytes | None = None
    file_name: str = ""


@dataclass(frozen=True, slots=True)
class Digest:
    period: Period
    language: str
    figures: DigestFigures
    messages: list[str]
    chart: bytes | None
    workbook: bytes | None
    chart_caption: str
    file_caption: str
    file_name: str

    @property
    def parts(self) -> list[Part]:
        """Texts first, then the chart and the workbook (a quiet week has neither)."""
        parts = [Part(text=message) for message in self.messages]
        if self.chart is not None:
            parts.append(Part(text=self.chart_caption, photo=self.chart))
        if self.workbook is not None:
            parts.append(
                Part(text=self.file_caption, document=self.workbook, file_name=self.file_name)
            )
        return parts


def render_files(
    settings: Settings,
    texts: Texts,
    catalogue: Catalogue,
    figures: DigestFigures,
    rows: list[store.WeekRow],
    language: str,
    span: dict[str, str],
) -> tuple[bytes, bytes]:
    """The digest's chart (PNG) and workbook (XLSX) of the same period (``span``: its first and
    last day as text); CPU-heavy, so run through :class:`Offload`."""

    def t(key: str, **params: object) -> str:
        return texts.get(language, key, **params)

    keys = catalogue.pillar_keys
    names = {key: catalogue.pillar_short_name(key, language) for key in keys}
    styles = charts.pillar_styles(keys)
    chart = charts.week_against_week(
        [names[key] for key in keys],
        [figures.new_by_pillar.get(key, 0) for key in keys],
        [figures.previous_by_pillar.get(key, 0) for key in keys],
        title=t("digest.chart_title", region=settings.region_name, **span),
        this_label=t("digest.chart_this"),
        previous_label=t("digest.chart_previous"),
        styles=[styles[key] for key in keys],
    )
    columns = ("code", "received", "pillar", "kecamatan", "status", "text", "name")
    workbook = week_workbook(
        rows,
        sheet=t("digest.sheet"),
        headers=[t(f"digest.col_{c}", zone=texts.zone_name()) for c in columns],
        zone=settings.timezone,
        pillars=names,
        kecamatan={k.key: k.name for k in catalogue.kecamatan},
        statuses={str(s): t(f"status.{s}") for s in Status},
    )
    return chart, workbook


class DigestBuilder(EvidenceBuilder):
    """Builds the digest of a period, in a language."""

    def due_period(self) -> Period | None:
        """The latest period that has ended: from the schedule's run before its latest to its
        latest (``None`` when the schedule had fewer than two runs in four years)."""
        return between_runs(last_fire_times(self._settings.cron_trigger(), self._clock(), 3))

    def current_period(self) -> Period:
        """The period under way: from the schedule's latest run until now (the calendar week so
        far when the schedule had fewer than two runs in four years)."""
        now = self._clock()
        fires = last_fire_times(self._settings.cron_trigger(), now, 2)
        return since_last_run(fires, now) or week_so_far(now, self._settings.timezone)

    async def figures(self, period: Period) -> DigestFigures:
        now = self._clock()
        settings = self._settings
        return await self._db.read(
            store.digest_figures,
            start=period.start,
            end=period.end,
            previous_start=period.previous_start,
            previous_end=period.previous_end,
            overdue_before=overdue_cutoff(now, settings.timezone, settings.review_sla_days),
            top=TOP_KECAMATAN,
            listed=LISTED_IDEAS,
        )

    async def build(self, period: Period, language: str, *, files: bool = True) -> Digest:
        """The digest of ``period`` in ``language``, with its chart and workbook unless quiet."""
        figures = await self.figures(period)
        now = self._clock()
        context = Context(
            texts=self._texts,
            catalogue=self._catalogue,
            language=language,
            region=self._settings.region_name,
            sla_days=self._settings.review_sla_days,
            now=now,
        )
        by_unit = await self._units.figures(period.start, period.end)
        messages = render_digest(figures, period, context, by_unit)
        t = self._text(language)
        span = {
            "start": self._texts.date(language, period.start),
            "end": self._texts.date(language, period.end - timedelta(seconds=1)),
        }
        chart = workbook = None
        if files and not is_quiet(figures):
            rows = await self._db.read(store.week_rows, start=period.start, end=period.end)
            chart, workbook = await self._offload.run(
                render_files,
                self._settings,
                self._texts,
                self._catalogue,
                figures,
                rows,
                language,
                span,
            )
        return Digest(
            period=period,
            language=language,
            figures=figures,
            messages=messages,
            chart=chart,
            workbook=workbook,
            chart_caption=t("digest.chart_caption", **span),
            file_caption=t("digest.file_caption", count=figures.new_total, **span),
            file_name=t(
                "digest.file_name",
                start=f"{period.start.astimezone(self._settings.timezone):%Y-%m-%d}",
            ),
        )

    def _text(self, language: str) -> Callable[..., str]:
        return lambda key, **params: self._texts.get(language, key, **params)
