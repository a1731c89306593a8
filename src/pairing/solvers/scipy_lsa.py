"""``scipy``: SciPy's ``linear_sum_assignment`` (shortest augmenting path, LAPJV-style).

Rectangular matrices are native; forbidden cells are ``-inf`` benefits, which SciPy honours and
reports as infeasible when no complete assignment avoids them.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from pairing.core.problem import Problem
from pairing.solvers._assignment import infeasible_assignment, solve_one_to_one
from pairing.solvers.base import Assignment, SolveOptions

__all__ = ["scipy_kernel", "solve"]


def scipy_kernel(benefit: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximise ``benefit`` over allowed cells, one column per row (rows ≤ cols)."""
    cost = np.where(allowed, benefit, -np.inf)
    try:
        rows, cols = linear_sum_assignment(cost, maximize=True)
    except ValueError as exc:
        if "infeasible" in str(exc):
            raise infeasible_assignment() from None
        raise
    return rows, cols


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    return solve_one_to_one(problem, options, scipy_kernel)
