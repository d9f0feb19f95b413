"""PNG charts drawn headless with matplotlib's Agg canvas (no pyplot, no display, no global state).

Callers run them through :class:`bot.core.offload.Offload` (a worker process): drawing takes a few
hundred milliseconds of Python. matplotlib (with numpy, some 35 MB) is imported at the first
chart, so the bot's own process never loads it.

Every pillar has one colour and one hatch (:func:`pillar_styles`), the same in the digest chart,
/statistik and the evidence report; colours differ in lightness and hatches tell them apart when
printed in grey. Axes that count have whole-number ticks only.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

PREVIOUS_COLOUR = "#c9ced6"
ONE_COLOUR = "#1f4e8c"
FEW = 6  # fewer columns than this keep a column's width; more get slanted labels
# Okabe–Ito colours, ordered so that neighbours differ in lightness as well as hue.
PILLAR_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
PILLAR_HATCHES = ("", "//", "..", "xx", "\\\\", "--", "++")


@dataclass(frozen=True, slots=True)
class Style:
    colour: str
    hatch: str


def pillar_styles(keys: Sequence[str]) -> dict[str, Style]:
    """The colour and hatch of each pillar, by its place in the catalogue."""
    return {
        key: Style(PILLAR_COLOURS[n % len(PILLAR_COLOURS)], PILLAR_HATCHES[n % len(PILLAR_HATCHES)])
        for n, key in enumerate(keys)
    }


def new_figure(*, figsize: tuple[float, float]) -> Figure:
    """A figure on the Agg canvas (matplotlib imported here, on first use)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def whole_numbers(axis) -> None:
    """Ticks at whole numbers only on a counting axis (no 0.2, 0.4 …)."""
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))


def png(figure: Figure, dpi: int = 100) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _plain(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)


def week_against_week(
    labels: Sequence[str],
    this_week: Sequence[int],
    week_before: Sequence[int],
    *,
    title: str,
    this_label: str,
    previous_label: str,
    styles: Sequence[Style],
) -> bytes:
    """Horizontal bars per pillar: this period's count in the pillar's style beside the
    previous period's in light grey."""
    height = 0.38
    figure = new_figure(figsize=(8, 4.5))
    axes = figure.subplots()
    rows = range(len(labels))
    axes.barh(
        [row + height / 2 for row in rows],
        week_before,
        height,
        label=previous_label,
        color=PREVIOUS_COLOUR,
    )
    bars = axes.barh(
        [row - height / 2 for row in rows],
        this_week,
        height,
        label=this_label,
        color=[style.colour for style in styles],
        hatch=[style.hatch for style in styles],
        edgecolor="black",
        linewidth=0.5,
    )
    axes.bar_label(bars, padding=3)
    axes.set_yticks(list(rows), labels)
    axes.invert_yaxis()
    whole_numbers(axes.xaxis)
    axes.set_title(title)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=2, frameon=False)
    _plain(axes)
    return png(figure)


def bars(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    title: str,
    style: Style | None = None,
    horizontal: bool = False,
    size: tuple[float, float] = (8, 3.6),
) -> bytes:
    """One count per label, labelled on the bar; in one pillar's style or plain dark blue."""
    figure = new_figure(figsize=size)
    axes = figure.subplots()
    colour, hatch = (style.colour, style.hatch) if style else (ONE_COLOUR, "")
    draw = axes.barh if horizontal else axes.bar
    drawn = draw(
        list(labels), list(values), color=colour, hatch=hatch, edgecolor="black", linewidth=0.5
    )
    axes.bar_label(drawn, padding=2, fontsize=8)
    if horizontal:
        axes.invert_yaxis()
        whole_numbers(axes.xaxis)
    else:
        whole_numbers(axes.yaxis)
        axes.set_xlim(-0.6, max(len(labels), FEW) - 0.4)  # a lone month is not a wall
        axes.tick_params(axis="x", labelrotation=45 if len(labels) > FEW else 0)
    axes.set_title(title)
    _plain(axes)
    return png(figure, dpi=150)


def stacked(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int], Style]],
    *,
    title: str,
    size: tuple[float, float] = (8, 3.8),
) -> bytes:
    """Columns per label, stacked by series (name, counts, style), with a legend."""
    figure = new_figure(figsize=size)
    axes = figure.subplots()
    bottom = [0] * len(labels)
    for name, counts, style in series:
        axes.bar(
            list(labels),
            list(counts),
            bottom=bottom,
            label=name,
            color=style.colour,
            hatch=style.hatch,
            edgecolor="black",
            linewidth=0.5,
        )
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    whole_numbers(axes.yaxis)
    axes.set_xlim(-0.6, max(len(labels), FEW) - 0.4)
    axes.tick_params(axis="x", labelrotation=45 if len(labels) > FEW else 0)
    axes.set_title(title)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    _plain(axes)
    return png(figure, dpi=150)
