"""Why this partner and not the next one: each pair's runner-up, for both enterprises.

For a chosen pair (i, j), i's *runner-up* is the allowed partner j' that i is not already paired
with and that gives i the largest gain; the pair reports who that is and how much less i would
gain with it (``less = gain_left[i, j] − gain_left[i, j']``), and the same for j. That is the
question a matchmaking meeting asks ("why PK-017 and not PK-040?"). A negative ``less`` means
the runner-up would give more: it was kept away by the rules or by better pairs elsewhere.
Ties go to the enterprise listed first. Capacities and quotas are not re-checked: a runner-up is
a partner the rules allow for this pair, not necessarily one a feasible matching could give
(``--alternates`` looks at room too).

One pass over the matrices in row blocks (no Python loop over pairs, memory bounded by the
block) finds both ends at once: a pair is a candidate for i and for j exactly when it is allowed
and not chosen, so one masked block serves the rows' search (along each row of ``gain_left``)
and the columns' (along each column of ``gain_right``, kept across blocks; an earlier row wins a
tie). The search runs in the gains' own dtype: converting to ``float64`` first would change
neither an order nor a value.
"""

from __future__ import annotations

import numpy as np

from pairing.core.problem import Problem
from pairing.model.result import RunnerUp

__all__ = ["runner_ups"]

#: Cells per row block (a few MB of the gains' dtype).
_CELLS_PER_BLOCK = 1 << 21


def _masked(values: np.ndarray, usable: np.ndarray | None, chosen: tuple[np.ndarray, ...]
            ) -> np.ndarray:
    """A copy of ``values`` with unusable and chosen cells at −inf."""
    low = values.dtype.type(-np.inf)
    block = values.copy() if usable is None else np.where(usable, values, low)
    block[chosen] = low
    return block


def _best_others(problem: Problem, left: np.ndarray, right: np.ndarray
                 ) -> tuple[np.ndarray, ...]:
    """Each row's best candidate column (by ``gain_left``) and each column's best candidate row
    (by ``gain_right``), with their gains as ``float64``; index −1 (gain −inf) for none."""
    n_left, n_right = problem.shape
    gain_left, gain_right = problem.gain_left, problem.gain_right
    usable = problem.usable
    every_cell = bool(usable.all())
    row_best = np.full(n_left, -1, dtype=np.intp)
    row_value = np.full(n_left, -np.inf)
    col_best = np.full(n_right, -1, dtype=np.intp)
    col_value = np.full(n_right, -np.inf)
    order = np.argsort(left, kind="stable")  # the chosen pairs by row, to cut them per block
    by_row, their_col = left[order], right[order]
    step = max(1, _CELLS_PER_BLOCK // max(1, n_right))
    columns = np.arange(n_right)
    for start in range(0, n_left, step):
        stop = min(start + step, n_left)
        here = slice(start, stop)
        lo, hi = np.searchsorted(by_row, [start, stop])
        chosen = (by_row[lo:hi] - start, their_col[lo:hi])
        mask = None if every_cell else usable[here]
        rows = _masked(gain_left[here], mask, chosen)
        pick = np.argmax(rows, axis=1)
        value = rows[np.arange(stop - start), pick]
        found = np.isfinite(value)
        row_best[here] = np.where(found, pick, -1)
        row_value[here] = value
        cols = rows if gain_right is gain_left else _masked(gain_right[here], mask, chosen)
        pick = np.argmax(cols, axis=0)
        value = cols[pick, columns].astype(np.float64)
        better = value > col_value  # strictly: an earlier row keeps a tie
        col_best[better] = pick[better] + start
        col_value[better] = value[better]
    return row_best, row_value, col_best, col_value


def runner_ups(problem: Problem, left: np.ndarray, right: np.ndarray) -> list[RunnerUp]:
    """The runner-up of both ends of each pair ``(left[k], right[k])``."""
    if not len(left):
        return []
    left, right = np.asarray(left, dtype=np.intp), np.asarray(right, dtype=np.intp)
    row_best, row_value, col_best, col_value = _best_others(problem, left, right)
    left_pick, right_pick = row_best[left].tolist(), col_best[right].tolist()
    left_less = (problem.gain_left[left, right].astype(np.float64) - row_value[left]).tolist()
    right_less = (problem.gain_right[left, right].astype(np.float64) - col_value[right]).tolist()
    right_ids, left_ids = problem.right_ids, problem.left_ids
    return [
        RunnerUp(
            left=None if lp < 0 else right_ids[lp],
            left_less=None if lp < 0 else round(ll, 6),
            right=None if rp < 0 else left_ids[rp],
            right_less=None if rp < 0 else round(rl, 6),
        )
        for lp, ll, rp, rl in zip(left_pick, left_less, right_pick, right_less, strict=True)
    ]
