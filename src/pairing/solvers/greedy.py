"""``greedy``: the baseline — take the best remaining allowed pair while capacities allow.

Vectorised by rounds: in each round every enterprise with spare capacity points at its best
available partner, and every pair whose two ends point at each other is taken. With ties
broken towards the lower index this takes exactly the pairs that the classic sequential greedy
(sort all pairs by score, take each if both ends have room) would take, yet never loops over
pairs in Python. It ignores minimum capacities, quotas and objectives other than ``total``; it is
a heuristic and the yardstick the exact solvers are compared with in ``benchmarks/``.
"""

from __future__ import annotations

import numpy as np

from pairing.core.problem import Problem
from pairing.errors import HeuristicFailed
from pairing.solvers.base import Assignment, SolveOptions

__all__ = ["solve"]


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    del options
    n_left, n_right = problem.shape
    room_left = problem.cap_max_left.copy()
    room_right = problem.cap_max_right.copy()
    available = problem.allowed.copy()
    weights = problem.weights
    chosen_left: list[np.ndarray] = []
    chosen_right: list[np.ndarray] = []
    if len(problem.required):
        req_l, req_r = problem.required[:, 0], problem.required[:, 1]
        chosen_left.append(req_l)
        chosen_right.append(req_r)
        np.subtract.at(room_left, req_l, 1)
        np.subtract.at(room_right, req_r, 1)
        available[req_l, req_r] = False
    available[room_left <= 0] = False
    available[:, room_right <= 0] = False
    masked = np.where(available, weights, -np.inf)
    while True:
        live_rows = np.flatnonzero(available.any(axis=1))
        if len(live_rows) == 0:
            break
        best_col = np.argmax(masked[live_rows], axis=1)
        best_row_of_col = np.argmax(masked, axis=0)
        mutual = best_row_of_col[best_col] == live_rows
        rows, cols = live_rows[mutual], best_col[mutual]
        # A column may be the mutual best of only one row, so (rows, cols) are distinct pairs.
        chosen_left.append(rows)
        chosen_right.append(cols)
        available[rows, cols] = False
        room_left[rows] -= 1
        room_right[cols] -= 1
        full_rows = rows[room_left[rows] <= 0]
        full_cols = cols[room_right[cols] <= 0]
        available[full_rows] = False
        available[:, full_cols] = False
        masked[rows, cols] = -np.inf
        masked[full_rows] = -np.inf
        masked[:, full_cols] = -np.inf
    left = np.concatenate(chosen_left) if chosen_left else np.empty(0, dtype=np.intp)
    right = np.concatenate(chosen_right) if chosen_right else np.empty(0, dtype=np.intp)
    counts_l = np.bincount(left, minlength=n_left)
    counts_r = np.bincount(right, minlength=n_right)
    short = int((counts_l < problem.cap_min_left).sum() + (counts_r < problem.cap_min_right).sum())
    if short:
        msg = (
            f"greedy left {short} enterprise(s) below their minimum number of partners; "
            "greedy is a heuristic baseline, so this does not mean the rules conflict: "
            "use an exact solver (e.g. --solver auto)"
        )
        raise HeuristicFailed(msg)
    order = np.lexsort((right, left))
    return Assignment(left[order], right[order], "feasible")
