"""Shared reduction from a one-to-one :class:`Problem` to a plain linear assignment.

The linear-assignment solvers (``scipy``, ``lapjv``, ``ortools-lsa``) differ only in the
kernel that solves a rectangular cost matrix; this module does everything around it once:

1. fix the required pairs (their rows and columns leave the matrix);
2. pick the cheapest exact reduction for the remaining capacity bounds:

   * **saturating**: every enterprise of the smaller side needs exactly one partner and the
     larger side at most one (SciPy's rectangular convention) → the kernel on the matrix as is;
   * **optional**: nobody needs a partner → forbidden cells get score 0, the kernel runs on the
     matrix as is and pairs on forbidden cells are dropped afterwards (with scores ≥ 0 this keeps
     the optimum, and costs nothing over the saturating case);
   * **mixed**: some need a partner, some may stay alone → the standard (n_l + n_r)-square
     padding with one dummy per enterprise, allowed only for those whose minimum is 0.

Kernels receive a ``float64`` benefit matrix and a boolean mask of allowed cells, maximise, and
return (rows, cols) with one entry per row of the smaller dimension; they raise
:class:`~pairing.errors.Infeasible` if no assignment uses allowed cells only.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pairing.core.problem import Problem
from pairing.errors import Infeasible
from pairing.solvers.base import Assignment, SolveOptions

__all__ = ["Kernel", "reduction", "solve_one_to_one"]

Kernel = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _free_after_required(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    n_left, n_right = problem.shape
    rows = np.ones(n_left, dtype=bool)
    cols = np.ones(n_right, dtype=bool)
    if len(problem.required):
        rows[problem.required[:, 0]] = False
        cols[problem.required[:, 1]] = False
    rows &= problem.cap_max_left > 0
    cols &= problem.cap_max_right > 0
    return np.flatnonzero(rows), np.flatnonzero(cols)


def _saturating(need_rows: np.ndarray, need_cols: np.ndarray) -> bool | None:
    """True: rows all need one, cols none; False: the transpose; None: neither."""
    if need_rows.all() and not need_cols.any() and len(need_rows) <= len(need_cols):
        return True
    if need_cols.all() and not need_rows.any() and len(need_cols) <= len(need_rows):
        return False
    if need_rows.all() and need_cols.all() and len(need_rows) == len(need_cols):
        return True
    return None


def _run_kernel(
    kernel: Kernel, benefit: np.ndarray, allowed: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Run a kernel on a matrix of any orientation; returns (rows, cols) of allowed cells."""
    if benefit.shape[0] <= benefit.shape[1]:
        rows, cols = kernel(benefit, allowed)
    else:
        cols, rows = kernel(np.ascontiguousarray(benefit.T), np.ascontiguousarray(allowed.T))
    return np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)


def _padded(
    benefit: np.ndarray,
    allowed: np.ndarray,
    need_rows: np.ndarray,
    need_cols: np.ndarray,
    kernel: Kernel,
) -> tuple[np.ndarray, np.ndarray]:
    n_r, n_c = benefit.shape
    size = n_r + n_c
    big = np.zeros((size, size), dtype=np.float64)
    ok = np.zeros((size, size), dtype=bool)
    big[:n_r, :n_c] = benefit
    ok[:n_r, :n_c] = allowed
    ok[np.arange(n_r), n_c + np.arange(n_r)] = ~need_rows  # row i alone
    ok[n_r + np.arange(n_c), np.arange(n_c)] = ~need_cols  # col j alone
    ok[n_r:, n_c:] = True  # dummy with dummy
    rows, cols = kernel(big, ok)
    keep = (rows < n_r) & (cols < n_c)
    return rows[keep], cols[keep]


def reduction(problem: Problem) -> str:
    """The reduction :func:`solve_one_to_one` takes (see the module docstring): ``saturating``
    (the kernel sees the allowed cells only), ``optional`` (every cell, the forbidden ones at
    score 0), ``mixed`` (a dense square padding with a dummy per enterprise) or ``empty``."""
    rows, cols = _free_after_required(problem)
    need_rows = problem.cap_min_left[rows] > 0
    need_cols = problem.cap_min_right[cols] > 0
    return _mode(rows, cols, need_rows, need_cols)


def _mode(rows: np.ndarray, cols: np.ndarray, need_rows: np.ndarray, need_cols: np.ndarray
          ) -> str:
    """The reduction for the free rows and columns (see the module docstring)."""
    if len(rows) == 0 or len(cols) == 0:
        return "empty"
    if not need_rows.any() and not need_cols.any():
        return "optional"
    if _saturating(need_rows, need_cols) is not None:
        return "saturating"
    return "mixed"


def solve_one_to_one(problem: Problem, options: SolveOptions, kernel: Kernel) -> Assignment:
    """Solve a one-to-one problem (capacities ≤ 1) maximising the total score."""
    del options  # the kernels are deterministic and fast; no options apply
    rows, cols = _free_after_required(problem)
    n_left, n_right = problem.shape
    if len(rows) == n_left and len(cols) == n_right:  # nothing fixed: no copy of the matrices
        benefit, allowed = problem.weights, problem.allowed
    else:
        benefit = problem.weights[np.ix_(rows, cols)]
        allowed = problem.allowed[np.ix_(rows, cols)]
    need_rows = problem.cap_min_left[rows] > 0
    need_cols = problem.cap_min_right[cols] > 0

    mode = _mode(rows, cols, need_rows, need_cols)
    if mode == "empty":
        if need_rows.any() or need_cols.any():
            msg = "an enterprise needs a partner but the other side has none left"
            raise Infeasible(msg)
        sub_r = sub_c = np.empty(0, dtype=np.intp)
    elif mode == "optional":
        sub_r, sub_c = _run_kernel(kernel, benefit, np.ones_like(allowed))
        keep = allowed[sub_r, sub_c]
        sub_r, sub_c = sub_r[keep], sub_c[keep]
    elif mode == "saturating":
        sub_r, sub_c = _run_kernel(kernel, benefit, allowed)
    else:
        sub_r, sub_c = _padded(benefit, allowed, need_rows, need_cols, kernel)

    left = np.concatenate([problem.required[:, 0], rows[sub_r]])
    right = np.concatenate([problem.required[:, 1], cols[sub_c]])
    order = np.lexsort((right, left))
    return Assignment(left[order], right[order], "optimal")


def infeasible_assignment() -> Infeasible:
    """The error kernels raise when the allowed cells admit no complete assignment."""
    return Infeasible(
        "forbidden pairs (or min_score) leave no way to give every enterprise that needs a "
        "partner one; allow more pairs, lower min_score, or set capacity min 0"
    )
