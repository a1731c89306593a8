"""``ortools-lsa``: OR-Tools' ``SimpleLinearSumAssignment`` (cost-scaling push-relabel).

Sparse by nature: only allowed cells become arcs, so heavily forbidden problems stay small.
Costs are integers (see :mod:`pairing.solvers.scaling`); a rectangular matrix gets dummy rows
joined to every column at cost 0 so that the solver sees a square problem.
"""

from __future__ import annotations

import numpy as np

from pairing.core.problem import Problem
from pairing.errors import SolverError
from pairing.solvers._assignment import infeasible_assignment, solve_one_to_one
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.scaling import to_int_scores

__all__ = ["ortools_kernel", "solve"]


def ortools_kernel(benefit: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximise ``benefit`` over allowed cells, one column per row (rows ≤ cols)."""
    n_rows, n_cols = benefit.shape
    tails, heads = np.nonzero(allowed)
    costs = -to_int_scores(benefit[tails, heads])
    dummy_tails = np.repeat(np.arange(n_rows, n_cols), n_cols)
    dummy_heads = np.tile(np.arange(n_cols), n_cols - n_rows)
    from ortools.graph.python import linear_sum_assignment  # when used, not with the registry

    solver = linear_sum_assignment.SimpleLinearSumAssignment()
    solver.add_arcs_with_cost(
        np.concatenate([tails, dummy_tails]).astype(np.int32),
        np.concatenate([heads, dummy_heads]).astype(np.int32),
        np.concatenate([costs, np.zeros(len(dummy_tails), dtype=np.int64)]),
    )
    status = solver.solve()
    if status == solver.INFEASIBLE:
        raise infeasible_assignment()
    if status != solver.OPTIMAL:
        msg = f"OR-Tools linear assignment failed with status {status}"
        raise SolverError(msg)
    rows = np.arange(n_rows, dtype=np.intp)
    cols = np.fromiter((solver.right_mate(int(r)) for r in rows), dtype=np.intp, count=n_rows)
    return rows, cols


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    return solve_one_to_one(problem, options, ortools_kernel)
