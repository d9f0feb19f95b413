"""The evidence report's figures as rows, computed once for the workbook and the PDF alike, so
that the two always agree."""

from __future__ import annotations

from collections.abc import Iterable

from storage.evidence import EvidenceFigures, Tally


def median_hours(histogram: dict[int, int]) -> float | None:
    """The median of whole hours given as {hours: how many}; ``None`` when empty."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = ((total - 1) // 2, total // 2)
    values: list[int] = []
    seen = 0
    for hours in sorted(histogram):
        seen += histogram[hours]
        while len(values) < 2 and seen > middle[len(values)]:
            values.append(hours)
    return sum(values) / 2


def merged(histograms: Iterable[dict[int, int]]) -> dict[int, int]:
    total: dict[int, int] = {}
    for histogram in histograms:
        for hours, count in histogram.items():
            total[hours] = total.get(hours, 0) + count
    return total


def in_days(hours: float | None) -> float | str:
    return "" if hours is None else round(hours / 24, 1)


def pillar_rows(
    figures: EvidenceFigures, pillars: dict[str, str], total: str
) -> list[list[object]]:
    """Per pillar, then the total: name, ideas, accepted, implemented, rejected, median days to
    a first response and to a decision (``""`` when none)."""
    by_pillar = {tally.key: tally for tally in figures.by_pillar}
    rows: list[list[object]] = []
    for key, name in pillars.items():
        tally = by_pillar.get(key) or Tally(key, 0, 0, 0, 0, 0)
        rows.append(
            [
                name,
                tally.ideas,
                tally.accepted,
                tally.implemented,
                tally.rejected,
                in_days(median_hours(figures.first_response.get(key, {}))),
                in_days(median_hours(figures.decision.get(key, {}))),
            ]
        )
    rows.append(
        [
            total,
            *(sum(int(row[column]) for row in rows) for column in range(1, 5)),
            in_days(median_hours(merged(figures.first_response.values()))),
            in_days(median_hours(merged(figures.decision.values()))),
        ]
    )
    return rows


def kecamatan_rows(
    figures: EvidenceFigures, places: dict[str, str], no_place: str
) -> list[list[object]]:
    """Per kecamatan, then ideas without one: name, ideas, residents, accepted, implemented,
    share of the ideas (%)."""
    by_place = {tally.key: tally for tally in figures.by_kecamatan}
    total = sum(tally.ideas for tally in figures.by_kecamatan) or 1
    rows: list[list[object]] = []
    for key in [*places, None]:
        tally = by_place.get(key) or Tally(key, 0, 0, 0, 0, 0)
        rows.append(
            [
                places[key] if key else no_place,
                tally.ideas,
                tally.residents,
                tally.accepted,
                tally.implemented,
                round(100 * tally.ideas / total, 1),
            ]
        )
    return rows


def month_rows(figures: EvidenceFigures, pillars: dict[str, str]) -> list[list[object]]:
    """Per month (``2026-11``), the ideas of each pillar, then their total."""
    months = sorted({month for month, _ in figures.by_month})
    return [
        [
            month,
            *(figures.by_month.get((month, key), 0) for key in pillars),
            sum(figures.by_month.get((month, key), 0) for key in pillars),
        ]
        for month in months
    ]
