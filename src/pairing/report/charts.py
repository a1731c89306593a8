"""The report's charts, drawn with matplotlib's SVG backend (no pyplot, no display).

Each function returns one ``<svg>`` element (no XML prologue), ready to inline in the HTML, so
the report needs no network and no image files. Text stays text (``svg.fonttype = none``): the
charts are searchable and small. Settings are applied in an ``rc_context``, never globally, and
the SVG hash salt is fixed so the same result gives the same bytes. ``rc_context`` still swaps
matplotlib's one process-wide ``rcParams`` in and out, so charts are drawn one at a time (a
lock): concurrent ``render_report`` calls in threads give the same bytes as one alone. Axes
that count (pairs, enterprises) show whole-number ticks only.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

__all__ = ["gain_histograms", "quota_chart", "score_histogram", "sector_heatmap"]

_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "pairing-report",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    # Labels are enterprise data: plain text, never mathtext or LaTeX ("$…$" in a sector name
    # once crashed the report).
    "text.usetex": False,
    "text.parse_math": False,
}
_LEFT_COLOUR = "#c0392b"
_RIGHT_COLOUR = "#1e8449"
_SCORE_COLOUR = "#2e5c8a"
#: rcParams are process-wide: one chart at a time, from figure to SVG text.
_DRAWING = threading.RLock()


@contextmanager
def _figure(width: float, height: float) -> Iterator[Figure]:
    with _DRAWING, mpl.rc_context(_RC):  # type: ignore[arg-type]
        yield Figure(figsize=(width, height), layout="constrained")


def _whole_numbers(axis: Any) -> None:
    axis.set_major_locator(MaxNLocator(integer=True))


def _svg(figure: Figure, title: str) -> str:
    buffer = io.StringIO()
    with mpl.rc_context(_RC):  # type: ignore[arg-type]
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Title": title})
    text = buffer.getvalue()
    start = text.index("<svg")
    svg = text[start:]
    return svg.replace("<svg ", f'<svg role="img" aria-label="{title}" class="chart" ', 1)


def sector_heatmap(
    counts: np.ndarray,
    left_sectors: Sequence[str],
    right_sectors: Sequence[str],
    labels: tuple[str, str],
) -> str:
    """Pairs per (left sector, right sector): a heatmap with the count in each cell."""
    n_rows, n_cols = counts.shape
    with _figure(max(4.0, 1.0 + 0.55 * n_cols), max(2.5, 1.2 + 0.35 * n_rows)) as figure:
        axes = figure.add_subplot()
        image = axes.imshow(counts, cmap="Blues", aspect="auto", vmin=0)
        axes.set_xticks(range(n_cols), list(right_sectors), rotation=45, ha="right")
        axes.set_yticks(range(n_rows), list(left_sectors))
        axes.set_xlabel(f"{labels[1]} sector")
        axes.set_ylabel(f"{labels[0]} sector")
        top = counts.max(initial=0)
        for (i, j), value in np.ndenumerate(counts):
            if value:
                colour = "white" if value > 0.6 * top else "black"
                axes.text(j, i, str(int(value)), ha="center", va="center", color=colour)
        bar = figure.colorbar(image, ax=axes, label="pairs", shrink=0.8)
        _whole_numbers(bar.ax.yaxis)
        return _svg(figure, "pairs by sector")


def score_histogram(scores: np.ndarray) -> str:
    """The distribution of the chosen pairs' scores."""
    with _figure(5.0, 2.8) as figure:
        axes = figure.add_subplot()
        axes.hist(
            scores, bins=np.linspace(0, 1, 21).tolist(), color=_SCORE_COLOUR, edgecolor="white"
        )
        if scores.size:
            axes.axvline(float(scores.mean()), color="black", linestyle="--", linewidth=1)
        axes.set_xlabel("pair score")
        axes.set_ylabel("pairs")
        _whole_numbers(axes.yaxis)
        axes.set_xlim(0, 1)
        return _svg(figure, "pair score distribution")


def gain_histograms(
    gains_left: np.ndarray, gains_right: np.ndarray, labels: tuple[str, str]
) -> str:
    """Each side's per-enterprise gains (sum over its partners), side by side."""
    top = max(1.0, float(gains_left.max(initial=0)), float(gains_right.max(initial=0)))
    bins = np.linspace(0, top, 21).tolist()
    with _figure(5.0, 2.8) as figure:
        axes = figure.add_subplot()
        axes.hist(
            [gains_left, gains_right],
            bins=bins,
            color=[_LEFT_COLOUR, _RIGHT_COLOUR],
            label=[f"{labels[0]} gains", f"{labels[1]} gains"],
        )
        axes.set_xlabel("enterprise gain")
        axes.set_ylabel("enterprises")
        _whole_numbers(axes.yaxis)
        axes.legend(frameon=False)
        return _svg(figure, "gain distribution per side")


def quota_chart(
    names: Sequence[str],
    counts: Sequence[int],
    lows: Sequence[int | None],
    highs: Sequence[int | None],
) -> str:
    """Each quota's count as a bar, its bounds as a shaded band (red bar when outside)."""
    n = len(names)
    with _figure(6.0, max(1.8, 0.6 + 0.4 * n)) as figure:
        axes = figure.add_subplot()
        positions = np.arange(n)
        limit = max([1, *counts, *(h for h in highs if h is not None)])
        for y, low, high in zip(positions, lows, highs, strict=True):
            start, end = low or 0, high if high is not None else limit * 1.1
            axes.barh(y, end - start, left=start, height=0.8, color="#d5e8d4", zorder=0)
        ok = [
            (lo is None or c >= lo) and (hi is None or c <= hi)
            for c, lo, hi in zip(counts, lows, highs, strict=True)
        ]
        axes.barh(
            positions,
            counts,
            height=0.4,
            color=[_SCORE_COLOUR if good else "#c0392b" for good in ok],
            zorder=1,
        )
        axes.set_yticks(positions, list(names))
        axes.invert_yaxis()
        axes.set_xlabel("pairs (band: allowed range)")
        _whole_numbers(axes.xaxis)
        return _svg(figure, "quotas against their bounds")
