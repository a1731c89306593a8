"""``sparse``: one-to-one assignment on a sparse candidate graph, priced out with duals.

Real programmes are sparse in what matters: each enterprise has a few dozen plausible partners.
This solver never hands the full matrix to an assignment kernel. It keeps a candidate graph —
each row's :data:`TOP_K` best allowed columns and each column's best rows (plus, only if those
admit no complete assignment, one maximum matching of the allowed cells) — and repeats:

1. solve the assignment on the candidate graph exactly (SciPy's sparse LAPJV,
   ``min_weight_full_bipartite_matching``);
2. recover dual prices from that matching (:func:`duals`: shortest paths on the columns'
   exchange graph, Bellman–Ford, so they are exact for the candidate graph);
3. price out every allowed pair blockwise (:func:`violators`): a pair whose reduced cost
   ``benefit - u[row] - v[col]`` is positive could improve the matching, so each row's
   :data:`ADD_PER_ROUND` most violating pairs join the graph.

When no pair violates, ``u`` and ``v`` are a feasible dual solution whose value equals the
matching's benefit: by LP duality no assignment of the full matrix does better, so the answer is
proven optimal for the dense problem. ``Assignment.note`` says how many pairs were priced and
in how many rounds.

Measured (``benchmarks/``): exact, but on the matrices tried so far slower than dense LAPJV
(hub enterprises make every row's top partners the same few columns, so several rounds are
needed), hence not chosen by ``auto``; it is the path to sizes where a dense matrix does not fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import (
    maximum_bipartite_matching,
    min_weight_full_bipartite_matching,
    shortest_path,
)

from pairing.problem import Problem
from pairing.solvers._assignment import infeasible_assignment, solve_one_to_one
from pairing.solvers.base import Assignment, SolveOptions, SolverSpec

__all__ = ["ADD_PER_ROUND", "SPEC", "TOP_K", "PricedAssignment", "duals", "priced_assignment",
           "solve", "violators"]

#: Best allowed partners kept per row and per column in the first candidate graph.
TOP_K = 10
#: Most violating pairs per row added in each pricing round.
ADD_PER_ROUND = 10
#: Cells per block when pricing (bounds temporary memory to a few tens of MB).
_CELLS_PER_BLOCK = 1 << 22
#: A reduced cost above this (relative to the largest benefit) is a violation.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class PricedAssignment:
    """A proven-optimal assignment with its certificate.

    ``rows[k]`` is assigned ``cols[k]``; ``u`` (per row) and ``v`` (per column, ≥ 0, 0 on
    unassigned columns) satisfy ``benefit[i, j] ≤ u[i] + v[j]`` on every allowed cell, with
    equality on the assigned ones.
    """

    rows: np.ndarray
    cols: np.ndarray
    u: np.ndarray
    v: np.ndarray
    rounds: int
    priced: int
    candidates: int


def _top_cells(benefit: np.ndarray, allowed: np.ndarray, k: int) -> np.ndarray:
    """Flat indices of each row's and each column's ``k`` best allowed cells (row blocks)."""
    n_rows, n_cols = benefit.shape
    found = []
    step = max(1, _CELLS_PER_BLOCK // max(1, n_cols))
    k_row, k_col = min(k, n_cols), min(k, n_rows)
    best_rows = np.full((k_col, n_cols), -np.inf)
    best_rows_at = np.zeros((k_col, n_cols), dtype=np.int64)
    for start in range(0, n_rows, step):
        block = np.where(allowed[start:start + step], benefit[start:start + step], -np.inf)
        top = np.argpartition(-block, k_row - 1, axis=1)[:, :k_row]
        rows = np.arange(start, start + len(block))[:, None]
        keep = np.take_along_axis(block, top, axis=1) > -np.inf
        found.append((rows * n_cols + top)[keep])
        # running top-k per column: merge this block's rows with the best so far
        merged = np.concatenate([best_rows, block])
        merged_at = np.concatenate([best_rows_at, np.broadcast_to(rows, block.shape)])
        pick = np.argpartition(-merged, k_col - 1, axis=0)[:k_col]
        best_rows = np.take_along_axis(merged, pick, axis=0)
        best_rows_at = np.take_along_axis(merged_at, pick, axis=0)
    keep = best_rows > -np.inf
    cols = np.broadcast_to(np.arange(n_cols), best_rows.shape)
    found.append((best_rows_at * n_cols + cols)[keep])
    return np.unique(np.concatenate(found))


def _any_full_matching(allowed: np.ndarray) -> np.ndarray:
    """Flat indices of a matching of allowed cells covering every row (Infeasible if none)."""
    n_rows, n_cols = allowed.shape
    match = maximum_bipartite_matching(sp.csr_array(allowed), perm_type="column")
    if (match < 0).any():
        raise infeasible_assignment()
    return np.arange(n_rows, dtype=np.int64) * n_cols + match


def _solve_candidates(
    benefit: np.ndarray, cells: np.ndarray
) -> tuple[np.ndarray, np.ndarray] | None:
    """Best assignment covering every row using ``cells`` only (None if there is none)."""
    n_rows, n_cols = benefit.shape
    rows, cols = cells // n_cols, cells % n_cols
    # a constant shift keeps every weight positive (SciPy drops explicit zeros) and changes
    # every complete assignment's total by the same n_rows × shift
    shift = 1.0 - min(0.0, float(benefit[rows, cols].min(initial=0.0)))
    graph = sp.csr_array((benefit[rows, cols] + shift, (rows, cols)), shape=(n_rows, n_cols))
    try:
        got_rows, got_cols = min_weight_full_bipartite_matching(graph, maximize=True)
    except ValueError:
        return None
    order = np.argsort(got_rows)
    return got_rows[order].astype(np.intp), got_cols[order].astype(np.intp)


def duals(
    benefit: np.ndarray, cells: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Dual prices ``(u, v)`` certifying that the assignment ``rows → cols`` is optimal on the
    candidate ``cells``.

    Column ``j`` assigned to row ``i`` can hand ``i`` over to column ``k`` (a candidate of
    ``i``) at cost ``benefit[i, j] - benefit[i, k]``; with the assignment optimal this exchange
    graph has no negative cycle, and its shortest distances ``d`` from a virtual source (a
    zero-cost arc to every column) give ``v = -d`` (≥ 0, and 0 on free columns, since a
    negative path to one would be an improving exchange) and ``u[i] = benefit[i, j] - v[j]``.
    """
    n_rows, n_cols = benefit.shape
    owner = np.full(n_cols, -1, dtype=np.intp)
    owner[cols] = rows
    assigned = np.full(n_rows, -1, dtype=np.intp)
    assigned[rows] = cols
    cand_rows, cand_cols = cells // n_cols, cells % n_cols
    from_col = assigned[cand_rows]
    arcs = from_col != cand_cols
    weight = benefit[cand_rows, from_col] - benefit[cand_rows, cand_cols]
    source = n_cols
    graph = sp.csr_array(
        (
            np.concatenate([weight[arcs], np.zeros(n_cols)]),
            (
                np.concatenate([from_col[arcs], np.full(n_cols, source)]),
                np.concatenate([cand_cols[arcs], np.arange(n_cols)]),
            ),
        ),
        shape=(n_cols + 1, n_cols + 1),
    )
    distance = shortest_path(graph, method="BF", directed=True, indices=source)[:n_cols]
    v = -np.minimum(distance, 0.0)
    u = np.zeros(n_rows)
    u[rows] = benefit[rows, cols] - v[cols]
    return u, v


def violators(
    benefit: np.ndarray, allowed: np.ndarray, u: np.ndarray, v: np.ndarray, per_row: int
) -> np.ndarray:
    """Flat indices of up to ``per_row`` allowed cells per row with a positive reduced cost
    ``benefit - u - v`` (the most violating first), priced in row blocks."""
    n_rows, n_cols = benefit.shape
    tolerance = _TOLERANCE * max(1.0, float(np.abs(u).max(initial=0.0)))
    found = []
    step = max(1, _CELLS_PER_BLOCK // max(1, n_cols))
    take = min(per_row, n_cols)
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)
        reduced = benefit[start:stop] - u[start:stop, None] - v[None, :]
        reduced[~allowed[start:stop]] = -np.inf
        top = np.argpartition(-reduced, take - 1, axis=1)[:, :take]
        hit = np.take_along_axis(reduced, top, axis=1) > tolerance
        rows = np.arange(start, stop)[:, None]
        found.append((rows * n_cols + top)[hit])
    return np.concatenate(found) if found else np.empty(0, dtype=np.int64)


def priced_assignment(benefit: np.ndarray, allowed: np.ndarray) -> PricedAssignment:
    """Maximise ``benefit`` over allowed cells, one column per row (rows ≤ cols), on a sparse
    candidate graph grown by pricing until the duals prove it optimal for the full matrix."""
    n_rows, n_cols = benefit.shape
    cells = _top_cells(benefit, allowed, TOP_K)
    solved = _solve_candidates(benefit, cells)
    if solved is None:
        cells = np.union1d(cells, _any_full_matching(allowed))
        solved = _solve_candidates(benefit, cells)
        if solved is None:  # pragma: no cover - a full matching is in the graph
            raise infeasible_assignment()
    rounds, priced = 0, 0
    while True:
        rows, cols = solved
        u, v = duals(benefit, cells, rows, cols)
        rounds += 1
        priced += n_rows * n_cols
        new = np.setdiff1d(violators(benefit, allowed, u, v, ADD_PER_ROUND), cells)
        if not len(new):
            return PricedAssignment(rows, cols, u, v, rounds, priced, len(cells))
        cells = np.union1d(cells, new)
        solved = _solve_candidates(benefit, cells)
        assert solved is not None  # the graph only grew


def _note(found: PricedAssignment, shape: tuple[int, int]) -> str:
    return (
        f"sparse assignment priced out with duals: {found.rounds} round(s), "
        f"{found.priced:,} pair(s) priced, {found.candidates:,} candidate pair(s) of "
        f"{shape[0] * shape[1]:,}; optimal for the full matrix (no pair has a positive "
        "reduced cost)"
    )


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    notes: list[str] = []

    def kernel(benefit: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = priced_assignment(benefit, allowed)
        notes.append(_note(found, benefit.shape))
        return found.rows, found.cols

    found = solve_one_to_one(problem, options, kernel)
    return Assignment(found.left, found.right, found.status, note="; ".join(notes))


SPEC = SolverSpec(
    name="sparse",
    solve=solve,
    objectives=frozenset({"total"}),
    rules=frozenset({"required"}),
    exact=True,
    summary="One-to-one on a sparse candidate graph (top partners), priced out with duals",
    library="scipy",
)
