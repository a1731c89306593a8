"""Fairness metrics for any matching: score totals, per-side gain statistics, Gini, blocking
pairs, pairs per sector and quota usage.

All vectorised over index arrays of the chosen pairs; the blocking-pair count is one pass of
boolean (n_left, n_right) arrays (see :mod:`pairing.diagnostics.stability`).
"""

from __future__ import annotations

import numpy as np

from pairing.core.objectives import counted, enterprise_gains
from pairing.core.problem import Problem
from pairing.diagnostics.stability import count_blocking_pairs
from pairing.model.programme import Programme
from pairing.model.result import Metrics, QuotaUsage, ScaleInfo, SideMetrics

__all__ = ["compute_metrics", "gini", "per_sector", "side_metrics"]

_DECIMALS = 6


def _r(value: float) -> float:
    return round(float(value), _DECIMALS)


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = all equal; 0 for an all-zero vector)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    total = x.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * total))


def tenth_percentile(values: np.ndarray) -> float:
    """``np.percentile(values, 10)`` (linear interpolation between the two nearest ranks),
    without the masked-array module NumPy's percentile loads on first use (start-up)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    if x.size == 0:
        return 0.0
    position = 0.1 * (x.size - 1)
    below = int(np.floor(position))
    above = min(below + 1, x.size - 1)
    t = position - below
    a, b = x[below], x[above]
    # NumPy's lerp: from the nearer end, so the result stays within [a, b]
    return float(a + (b - a) * t if t < 0.5 else b - (b - a) * (1 - t))


def side_metrics(label: str, gains: np.ndarray, counts: np.ndarray) -> SideMetrics:
    """One side's gain statistics (``counts``: each enterprise's number of partners)."""
    return SideMetrics(
        label=label,
        enterprises=int(gains.size),
        matched=int((counts > 0).sum()),
        min_gain=_r(gains.min() if gains.size else 0.0),
        p10_gain=_r(tenth_percentile(gains)),
        mean_gain=_r(gains.mean() if gains.size else 0.0),
        gini=_r(gini(gains)),
    )


def per_sector(sectors: list[str | None], counts: np.ndarray) -> dict[str, int]:
    """Pairs per sector (an enterprise without one counts as ``(none)``)."""
    totals: dict[str, int] = {}
    for sector, count in zip(sectors, counts.tolist(), strict=True):
        key = sector or "(none)"
        totals[key] = totals.get(key, 0) + int(count)
    return dict(sorted(totals.items()))


def quota_counts(problem: Problem, left: np.ndarray, right: np.ndarray) -> list[int]:
    """The number of chosen pairs each quota counts, in ``problem.quotas`` order."""
    return [int((q.left_mask[left] & q.right_mask[right]).sum()) for q in problem.quotas]


def compute_metrics(
    programme: Programme, problem: Problem, left: np.ndarray, right: np.ndarray, *,
    blocking: int | None = None,
) -> Metrics:
    """Every fairness metric of the matching (left[k], right[k]).

    ``blocking``: its number of blocking pairs, when the caller has it already.
    """
    n_left, n_right = problem.shape
    scores = problem.user_scores(left, right)  # on the user's scale
    gains_left, gains_right = enterprise_gains(problem.gain_left, problem.gain_right, left, right)
    counts_left = np.bincount(left, minlength=n_left)
    counts_right = np.bincount(right, minlength=n_right)
    counted_left, counted_right = counted(problem)
    counted_gains = np.concatenate([gains_left[counted_left], gains_right[counted_right]])
    counted_ids = [
        *(problem.left_ids[k] for k in np.flatnonzero(counted_left)),
        *(problem.right_ids[k] for k in np.flatnonzero(counted_right)),
    ] if problem.left_ids else []
    order = np.argsort(counted_gains, kind="stable")
    sorted_gains = counted_gains[order]
    quotas = [
        QuotaUsage(
            rule=q.rule,
            description=q.label,
            count=count,
            min=q.min,
            max=q.max,
            ok=(q.min is None or count >= q.min) and (q.max is None or count <= q.max),
        )
        for q, count in zip(problem.quotas, quota_counts(problem, left, right), strict=True)
    ]
    return Metrics(
        pairs=len(left),
        total_score=_r(scores.sum()),
        mean_score=_r(scores.mean() if len(scores) else 0.0),
        left=side_metrics(problem.labels[0], gains_left, counts_left),
        right=side_metrics(problem.labels[1], gains_right, counts_right),
        gini=_r(gini(np.concatenate([gains_left, gains_right]))),
        blocking_pairs=(count_blocking_pairs(problem, left, right) if blocking is None
                        else blocking),
        fair_to=problem.fair_to,
        sorted_gains=[_r(g) for g in sorted_gains.tolist()],
        worst_off=[counted_ids[k] for k in order[:5].tolist()] if counted_ids else [],
        pairs_by_sector={
            "left": per_sector([e.sector for e in programme.left.enterprises], counts_left),
            "right": per_sector([e.sector for e in programme.right.enterprises], counts_right),
        },
        quotas=quotas,
        scale=scale_info(problem),
    )


def scale_info(problem: Problem) -> ScaleInfo | None:
    """``metrics.scale``: how the organisers' matrix was read, when not as scores in [0, 1]."""
    scale = problem.scale
    if scale is None or scale.identity:
        return None
    return ScaleInfo(sense=scale.sense, lo=scale.lo, hi=scale.hi)
