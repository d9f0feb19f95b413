"""PNG charts drawn headless with matplotlib's Agg canvas (no pyplot, no display, no global state).

Callers run them through :class:`bot.core.offload.Offload` (a worker process): drawing takes a few
hundred milliseconds of Python. matplotlib (with numpy, some 35 MB) is imported at the first
chart, so the bot's own process never loads it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

THIS_COLOUR = "#1f6feb"
PREVIOUS_COLOUR = "#9aa4b2"


def new_figure(*, figsize: tuple[float, float]) -> Figure:
    """A figure on the Agg canvas (matplotlib imported here, on first use)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def week_against_week(
    labels: Sequence[str],
    this_week: Sequence[int],
    week_before: Sequence[int],
    *,
    title: str,
    this_label: str,
    previous_label: str,
) -> bytes:
    """Horizontal bars per label: this week's count beside the week before's."""
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
        [row - height / 2 for row in rows], this_week, height, label=this_label, color=THIS_COLOUR
    )
    axes.bar_label(bars, padding=3)
    axes.set_yticks(list(rows), labels)
    axes.invert_yaxis()
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_title(title)
    axes.legend(loc="lower right")
    return _png(figure)
