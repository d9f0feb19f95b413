"""The evaluation evidence report as a PDF people present: A4, in one language, drawn with fpdf2.

Sections: a cover (region, programme, period, date made); a one-page summary against the
previous period of the same length; one section per pillar with its chart and its implemented
innovations (contact details blanked, evidence photos where there are some); participation by
kecamatan; ideas per month; and each SKPD's contribution when the caller has rows for it. A
period without ideas gets the cover and one page that says so.

Every figure comes from :func:`bot.domain.evidence.pillar_rows`, :func:`kecamatan_rows` and
:func:`month_rows`, the same rows the workbook holds. Text is set in DejaVu Sans (matplotlib's
copy), which has every letter Indonesian and English need. :func:`render_pdf` is a module-level
function of picklable arguments: it runs in the :class:`bot.core.offload.Offload` worker.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from bot.core.catalogue import Catalogue
from bot.core.i18n import Texts
from bot.domain import charts
from bot.domain.digest.text import without_contacts
from bot.domain.evidence import (
    in_days,
    kecamatan_rows,
    median_hours,
    merged,
    month_rows,
    pillar_rows,
)
from storage.evidence import EvidenceFigures

FONT = "DejaVu"
PAGE_WIDTH = 180  # mm inside the margins of an A4 page
PHOTO_HEIGHT = 45  # mm
LISTED_PER_PILLAR = 60
DESCRIPTION_CHARS = 240
TOP_KECAMATAN = 20


@dataclass(frozen=True, slots=True)
class Contribution:
    """Rows of a "contribution by SKPD" table, with their column headers."""

    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime
    previous_start: datetime
    made: datetime


def number(value: object, language: str) -> str:
    """A figure as text: ``1.234`` and ``2,5`` in Indonesian, ``1,234`` and ``2.5`` in English;
    ``–`` for no value."""
    if value == "" or value is None:
        return "–"
    if isinstance(value, float):
        text = f"{value:,.1f}"
    elif isinstance(value, int):
        text = f"{value:,d}"
    else:
        return str(value)
    if language == "id":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def change(now: object, before: object, language: str) -> str:
    if not isinstance(now, int | float) or not isinstance(before, int | float):
        return "–"
    difference = now - before
    sign = "+" if difference > 0 else ("±" if difference == 0 else "−")
    return sign + number(abs(difference), language)


def headline(figures: EvidenceFigures) -> list[object]:
    """Ideas, residents taking part, accepted, implemented, median days to a first response and
    to a decision."""
    return [
        sum(tally.ideas for tally in figures.by_pillar),
        figures.residents,
        sum(tally.accepted for tally in figures.by_pillar),
        sum(tally.implemented for tally in figures.by_pillar),
        in_days(median_hours(merged(figures.first_response.values()))),
        in_days(median_hours(merged(figures.decision.values()))),
    ]


def _fonts() -> tuple[Path, Path]:
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"


def render_pdf(
    *,
    texts: Texts,
    catalogue: Catalogue,
    region: str,
    language: str,
    period: Period,
    figures: EvidenceFigures,
    previous: EvidenceFigures,
    photos: dict[str, list[bytes]],
    contribution: Contribution | None,
) -> bytes:
    """The report as PDF bytes."""
    return _Report(texts, catalogue, region, language, period).render(
        figures, previous, photos, contribution
    )


class _Report:
    def __init__(
        self, texts: Texts, catalogue: Catalogue, region: str, language: str, period: Period
    ) -> None:
        from fpdf import FPDF

        self.texts, self.catalogue, self.region, self.language = texts, catalogue, region, language
        self.period = period
        self.pillars = {
            key: catalogue.pillar_short_name(key, language) for key in catalogue.pillar_keys
        }
        self.styles = charts.pillar_styles(catalogue.pillar_keys)
        self.span = self.t(
            "pdf_span",
            start=texts.date(language, period.start),
            end=texts.date(language, period.end - timedelta(seconds=1)),
        )
        footer = self.t("pdf_footer", region=region, span=self.span)

        class Document(FPDF):
            def footer(self) -> None:
                self.set_y(-12)
                self.set_font(FONT, size=8)
                self.set_text_color(90)
                self.cell(0, 6, footer, align="L")
                self.cell(0, 6, str(self.page_no()), align="R")
                self.set_text_color(0)

        pdf = Document(format="A4", unit="mm")
        regular, bold = _fonts()
        pdf.add_font(FONT, "", str(regular))
        pdf.add_font(FONT, "B", str(bold))
        pdf.set_auto_page_break(True, margin=18)
        pdf.set_margins(15, 15, 15)
        pdf.set_title(self.t("title", region=region))
        pdf.set_author(region)
        pdf.set_creator("Inovasi Warga")
        pdf.set_lang(language)
        pdf.set_creation_date(period.made)
        self.pdf = pdf

    def t(self, key: str, **params: object) -> str:
        return self.texts.get(self.language, f"report.{key}", **params)

    def n(self, value: object) -> str:
        return number(value, self.language)

    # Building blocks ----------------------------------------------------------------------------

    def heading(self, text: str, *, size: int = 16) -> None:
        self.pdf.set_font(FONT, "B", size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(2)
        self.pdf.set_font(FONT, size=10)

    def paragraph(self, text: str, *, size: int = 10) -> None:
        self.pdf.set_font(FONT, size=size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(1)

    def section(self, title: str) -> None:
        self.pdf.add_page()
        self.pdf.start_section(title)
        self.heading(title)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[object]],
        widths: Sequence[float],
        *,
        size: int = 9,
        bold_last: bool = False,
    ) -> None:
        from fpdf.fonts import FontFace

        self.pdf.set_font(FONT, size=size)
        align = ["LEFT", *(["RIGHT"] * (len(headers) - 1))]
        with self.pdf.table(
            col_widths=tuple(widths),
            width=sum(widths),
            align="LEFT",
            text_align=tuple(align),
            headings_style=FontFace(emphasis="BOLD", fill_color=(225, 228, 233)),
            line_height=size * 0.5,
        ) as table:
            header = table.row()
            for title in headers:
                header.cell(title)
            for n, row in enumerate(rows):
                style = FontFace(emphasis="BOLD") if bold_last and n == len(rows) - 1 else None
                line = table.row(style=style)
                for cell in row:
                    line.cell(self.n(cell))
        self.pdf.ln(3)

    def chart(self, png: bytes, *, width: float = PAGE_WIDTH) -> None:
        self.pdf.image(io.BytesIO(png), w=width)
        self.pdf.ln(3)

    # Pages --------------------------------------------------------------------------------------

    def render(
        self,
        figures: EvidenceFigures,
        previous: EvidenceFigures,
        photos: dict[str, list[bytes]],
        contribution: Contribution | None,
    ) -> bytes:
        self.cover()
        if not any(tally.ideas for tally in figures.by_pillar):
            self.section(self.t("pdf_summary"))
            self.paragraph(self.t("pdf_empty", span=self.span), size=12)
        else:
            rows = pillar_rows(figures, self.pillars, self.t("total"))
            self.summary(figures, previous, rows)
            for (key, name), row in zip(self.pillars.items(), rows, strict=False):
                self.pillar(key, name, row, figures, photos)
            self.kecamatan(figures)
            self.months(figures)
        if contribution is not None and contribution.rows:
            self.contribution(contribution)
        return bytes(self.pdf.output())

    def cover(self) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_y(70)
        pdf.set_font(FONT, size=13)
        pdf.multi_cell(0, 7, self.t("pdf_programme"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font(FONT, "B", 24)
        pdf.multi_cell(0, 11, self.t("pdf_cover_title"), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font(FONT, "B", 18)
        pdf.multi_cell(0, 9, self.region, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(12)
        pdf.set_font(FONT, size=12)
        for line in (
            self.t("pdf_period", span=self.span, zone=self.texts.zone_name()),
            self.t("made", at=self.texts.datetime(self.language, self.period.made)),
        ):
            pdf.multi_cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(20)
        pdf.set_font(FONT, size=9)
        pdf.multi_cell(0, 5, self.t("note"), align="C", new_x="LMARGIN", new_y="NEXT")

    def summary(
        self, figures: EvidenceFigures, previous: EvidenceFigures, rows: list[list[object]]
    ) -> None:
        self.section(self.t("pdf_summary"))
        before = self.t(
            "pdf_span",
            start=self.texts.date(self.language, self.period.previous_start),
            end=self.texts.date(self.language, self.period.start - timedelta(seconds=1)),
        )
        now, then = headline(figures), headline(previous)
        self.table(
            [self.t("pdf_figure"), self.span, before, self.t("pdf_change")],
            [
                [self.t(f"pdf_{key}"), a, b, change(a, b, self.language)]
                for key, a, b in zip(
                    ("ideas", "residents", "accepted", "implemented_count", "first", "decision"),
                    now,
                    then,
                    strict=True,
                )
            ],
            (66, 38, 38, 38),
            size=10,
        )
        self.table(
            [
                self.t(f"col_{key}")
                for key in (
                    "pillar",
                    "ideas",
                    "accepted",
                    "implemented",
                    "rejected",
                    "first_response",
                    "decision",
                )
            ],
            rows,
            (44, 20, 22, 24, 20, 25, 25),
            size=8,
            bold_last=True,
        )
        previous_by = {tally.key: tally.ideas for tally in previous.by_pillar}
        keys = list(self.pillars)
        self.chart(
            charts.week_against_week(
                list(self.pillars.values()),
                [int(row[1]) for row in rows[: len(keys)]],
                [previous_by.get(key, 0) for key in keys],
                title=self.t("pdf_chart_pillars", region=self.region, span=self.span),
                this_label=self.t("pdf_this"),
                previous_label=self.t("pdf_before"),
                styles=[self.styles[key] for key in keys],
            ),
            width=150,
        )

    def pillar(
        self,
        key: str,
        name: str,
        row: list[object],
        figures: EvidenceFigures,
        photos: dict[str, list[bytes]],
    ) -> None:
        self.section(self.catalogue.pillar_name(key, self.language))
        _, ideas, accepted, implemented, rejected, first, decision = row
        self.paragraph(
            self.t(
                "pdf_pillar_figures",
                ideas=self.n(ideas),
                accepted=self.n(accepted),
                implemented=self.n(implemented),
                rejected=self.n(rejected),
                first=self.n(first),
                decision=self.n(decision),
            )
        )
        months = month_rows(figures, self.pillars)
        column = 1 + list(self.pillars).index(key)
        if months:
            self.chart(
                charts.bars(
                    [str(month[0]) for month in months],
                    [int(month[column]) for month in months],
                    title=self.t(
                        "pdf_chart_pillar", pillar=name, region=self.region, span=self.span
                    ),
                    style=self.styles[key],
                    size=(8, 3.0),
                ),
                width=160,
            )
        done = [idea for idea in figures.implemented if idea.pillar == key]
        self.heading(self.t("pdf_implemented", count=len(done)), size=12)
        if not done:
            self.paragraph(self.t("pdf_none_implemented"))
            return
        places = {k.key: k.name for k in self.catalogue.kecamatan}
        zone = self.texts.timezone
        for idea in done[:LISTED_PER_PILLAR]:
            self.pdf.set_font(FONT, "B", 10)
            when = f"{idea.implemented.astimezone(zone):%Y-%m-%d}" if idea.implemented else "–"
            place = places.get(idea.kecamatan or "", self.t("no_place"))
            line = f"{idea.code} · {place} · {self.t('col_done')}: {when}"
            self.pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
            text = without_contacts(" ".join(idea.description.split()))
            if len(text) > DESCRIPTION_CHARS:
                text = text[:DESCRIPTION_CHARS].rsplit(" ", 1)[0] + " …"
            self.paragraph(text, size=9)
            self.photos(photos.get(idea.code, []))
        if len(done) > LISTED_PER_PILLAR:
            self.paragraph(self.t("pdf_more", count=len(done) - LISTED_PER_PILLAR))

    def photos(self, images: list[bytes]) -> None:
        if not images:
            return
        pdf = self.pdf
        if pdf.get_y() + PHOTO_HEIGHT > pdf.h - pdf.b_margin:
            pdf.add_page()
        top, x = pdf.get_y(), pdf.l_margin
        for image in images:
            placed = pdf.image(io.BytesIO(image), x=x, y=top, h=PHOTO_HEIGHT)
            x += placed.rendered_width + 4
        pdf.set_y(top + PHOTO_HEIGHT + 3)

    def kecamatan(self, figures: EvidenceFigures) -> None:
        self.section(self.t("pdf_kecamatan"))
        places = {k.key: k.name for k in self.catalogue.kecamatan}
        rows = kecamatan_rows(figures, places, self.t("no_place"))
        shown = sorted(rows, key=lambda row: -int(row[1]))[:TOP_KECAMATAN]
        self.chart(
            charts.bars(
                [str(row[0]) for row in shown],
                [int(row[1]) for row in shown],
                title=self.t("pdf_chart_kecamatan", region=self.region, span=self.span),
                horizontal=True,
                size=(8, 0.9 + 0.28 * len(shown)),
            ),
            width=150,
        )
        self.table(
            [
                self.t(f"col_{key}")
                for key in ("kecamatan", "ideas", "residents", "accepted", "implemented", "share")
            ],
            rows,
            (55, 25, 25, 25, 25, 25),
        )

    def months(self, figures: EvidenceFigures) -> None:
        self.section(self.t("pdf_months"))
        rows = month_rows(figures, self.pillars)
        self.chart(
            charts.stacked(
                [str(row[0]) for row in rows],
                [
                    (name, [int(row[n]) for row in rows], self.styles[key])
                    for n, (key, name) in enumerate(self.pillars.items(), start=1)
                ],
                title=self.t("pdf_chart_months", region=self.region, span=self.span),
            )
        )
        width = (PAGE_WIDTH - 22) / (len(self.pillars) + 1)
        self.table(
            [self.t("col_month"), *self.pillars.values(), self.t("total")],
            rows,
            (22, *([width] * (len(self.pillars) + 1))),
            size=7,
        )

    def contribution(self, contribution: Contribution) -> None:
        self.section(self.t("pdf_units"))
        columns = len(contribution.headers)
        first = 60 if columns > 1 else PAGE_WIDTH
        rest = (PAGE_WIDTH - first) / max(columns - 1, 1)
        self.table(contribution.headers, contribution.rows, (first, *([rest] * (columns - 1))))
