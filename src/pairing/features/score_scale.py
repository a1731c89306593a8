r"""The organisers' score matrix on any scale, in either sense, mapped onto [0, 1] in one place.

``rules.sense`` says what the cells of ``Programme.scores`` mean — ``score`` (higher is better,
the default) or ``cost`` (lower is better) — and ``rules.score_scale`` which values they may
take: ``unit`` (the default: cells in [0, 1]) or ``auto`` (any finite value).
:func:`normalise` maps the matrix affinely onto [0, 1], higher better:

=========  ===========================  =================================
scale      sense ``score``              sense ``cost``
=========  ===========================  =================================
``unit``   :math:`v` (the matrix as is)  :math:`1 - v`
``auto``   :math:`(v - lo)/(hi - lo)`    :math:`(hi - v)/(hi - lo)`
=========  ===========================  =================================

with :math:`lo`, :math:`hi` the smallest and largest non-empty cell (``unit``: 0 and 1); a
constant matrix maps to 1; an empty (NaN) cell stays empty and forbids the pair.

**Why.** Every solver maximises, and the fair objectives compare the two sides' gains (each
side's gain is the pair's score), so both need the same non-negative scale on which more is
better: a gain of −3 or a cost to be minimised has no place in ``maxmin``. The normalised
matrix is what every solver, ``min_score`` and every gain use.

**What it means for the optimum.** The map is affine and increasing in the score sense
(decreasing for costs), so when the capacities fix the number of pairs (the linear-assignment
convention of ``pairing solve --scores``, k reviewers per paper), maximising the normalised
total is exactly maximising the raw total — or minimising the raw cost. When the number of
pairs may vary, every pair is worth ≥ 0 after normalisation, so a cost run still pairs everyone
it can (the worst pair is worth 0, not less): minimising raw cost over a variable number of
pairs would pair nobody, which is not what anyone asks for.

**What is reported.** Each pair's ``score``, ``objective_value`` of ``total`` and ``stable``,
and ``metrics.total_score``/``mean_score`` are on the user's scale — the raw cells, read from
the user's matrix (exact, never an inverted float). Gains, the fair objectives' values,
``min_score``, ``solver.bound`` and ``solver.gap`` stay on the normalised scale.
``metrics.scale`` (:meth:`ScoreScale.info`) says so whenever the sense or scale is not the
default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from pairing.model.programme import SCORE_SCALES, SENSES

if TYPE_CHECKING:
    from pairing.model.result import Metrics

__all__ = [
    "SCORE_SCALES", "SENSES", "ScoreScale", "comparable_total", "normalise", "user_values"
]

Sense = Literal["score", "cost"]
ScaleName = Literal["unit", "auto"]


@dataclass(frozen=True)
class ScoreScale:
    """How the organisers' raw matrix ``raw`` maps onto the normalised one (see the module)."""

    sense: Sense
    scale: ScaleName
    lo: float
    hi: float
    raw: np.ndarray

    @property
    def identity(self) -> bool:
        """The normalised matrix *is* the raw one (the default: scores in [0, 1])."""
        return self.sense == "score" and self.scale == "unit"

    def info(self) -> dict[str, object]:
        """``{sense, lo, hi}``: the result's ``metrics.scale``."""
        return {"sense": self.sense, "lo": self.lo, "hi": self.hi}

    def values(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """The raw cells of pairs (left[k], right[k]) as ``float64`` (an empty cell: 0)."""
        return np.nan_to_num(self.raw[left, right], nan=0.0).astype(np.float64, copy=False)


def _bounds(raw: np.ndarray) -> tuple[float, float]:
    """Smallest and largest non-empty cell (0, 0 when every cell is empty)."""
    if raw.size == 0 or np.isnan(raw).all():
        return 0.0, 0.0
    return float(np.nanmin(raw)), float(np.nanmax(raw))


def normalise(raw: np.ndarray, sense: str = "score", scale: str = "unit"
              ) -> tuple[np.ndarray, ScoreScale]:
    """The organisers' matrix mapped onto [0, 1] (higher better), and the map.

    The default (``score``, ``unit``) returns ``raw`` itself, not a copy. ``raw`` must already
    be validated (finite or NaN; in [0, 1] for ``unit``).
    """
    if sense not in SENSES or scale not in SCORE_SCALES:
        msg = f"sense must be one of {SENSES} and score_scale one of {SCORE_SCALES}"
        raise ValueError(msg)
    if scale == "unit":
        lo, hi = 0.0, 1.0
    else:
        lo, hi = _bounds(raw)
    info = ScoreScale(sense, scale, lo, hi, raw)  # type: ignore[arg-type]  # checked above
    if info.identity:
        return raw, info
    if scale == "unit":
        return 1.0 - raw, info  # cost sense; NaN stays NaN
    if hi == lo:
        return np.where(np.isnan(raw), np.nan, 1.0), info
    span = hi - lo
    if np.isfinite(span):
        unit = (raw - lo) if sense == "score" else (hi - raw)
        unit /= span
    else:  # hi − lo overflows float64: work in halves (exact in binary floating point)
        half = (raw * 0.5 - lo * 0.5) if sense == "score" else (hi * 0.5 - raw * 0.5)
        unit = half / (hi * 0.5 - lo * 0.5)
    np.clip(unit, 0.0, 1.0, out=unit)  # NaN stays NaN
    return unit, info


def user_values(scale: ScoreScale | None, score: np.ndarray, left: np.ndarray,
                right: np.ndarray) -> np.ndarray:
    """Pair scores on the user's scale: the raw cells when the matrix was normalised, else the
    ``score`` matrix's cells (an empty cell: 0), ``float64``."""
    if scale is not None and not scale.identity:
        return scale.values(left, right)
    return np.nan_to_num(score[left, right], nan=0.0).astype(np.float64, copy=False)


def comparable_total(metrics: Metrics) -> float:
    """``metrics.total_score`` where more is better and every pair adds ≥ 0: the normalised
    total (``Σ (v − lo)/(hi − lo)``, for costs ``Σ (hi − v)/(hi − lo)``) when the organisers'
    matrix was read as costs or on its own scale, else the total score itself. Shares of it
    (the price of fairness) mean the same whatever the user's units and offset."""
    scale = metrics.scale
    if scale is None:
        return metrics.total_score
    span = scale.hi - scale.lo
    if span <= 0:  # a constant matrix: every pair is worth 1
        return float(metrics.pairs)
    if scale.sense == "cost":
        return (metrics.pairs * scale.hi - metrics.total_score) / span
    return (metrics.total_score - metrics.pairs * scale.lo) / span
