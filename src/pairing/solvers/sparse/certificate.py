"""An independent optimality check of a one-to-one matching from dual values (LP duality).

For *maximise* ``Σ benefit[i, j] x_ij`` over allowed pairs with each row and column matched at
most once (or exactly once where required), any ``a`` (rows), ``b`` (columns) with

* ``a_i + b_j >= benefit[i, j]`` on every allowed pair,
* ``a_i >= 0`` for a row that may stay alone, ``b_j >= 0`` for a column that may,

bound every matching's total by ``Σ a + Σ b`` (weak duality). This module takes the duals as
given, repairs nothing it needs to trust — negative duals where a sign is required are raised
to 0, and the largest violation ``δ`` of the first condition is added to every row's dual (which
makes them feasible) — and returns the proven gap ``Σ a + Σ b + δ · n_rows − total``. It reads
the matrix in row blocks (:class:`~pairing.solvers.sparse.core.RowBlocks`) and uses nothing
from the solver but its answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pairing.solvers.sparse.core import RowBlocks

__all__ = ["Certificate", "certify"]


@dataclass(frozen=True)
class Certificate:
    """``total``: the matching's benefit; ``bound``: the proven upper bound on any matching;
    ``gap = bound - total`` (≥ 0 up to rounding); ``violation``: largest ``benefit − a − b``
    over allowed pairs (0 when the duals are feasible as given); ``problems``: why the
    matching itself is not valid (empty when it is)."""

    total: float
    bound: float
    gap: float
    violation: float
    problems: tuple[str, ...]


def certify(
    source: RowBlocks,
    rows: np.ndarray,
    cols: np.ndarray,
    row_dual: np.ndarray,
    col_dual: np.ndarray,
    rows_must: np.ndarray | bool = False,
    cols_must: np.ndarray | bool = False,
) -> Certificate:
    """Check the matching ``(rows, cols)`` and bound its distance from the optimum.

    ``rows_must`` / ``cols_must`` (bool per row/column, or one bool for all): enterprises that
    must be matched (their duals may be negative); the others' duals count as at least 0.
    """
    n_rows, n_cols = source.n_rows, source.n_cols
    rows = np.asarray(rows, dtype=np.intp)
    cols = np.asarray(cols, dtype=np.intp)
    must_r = np.broadcast_to(np.asarray(rows_must, dtype=bool), (n_rows,))
    must_c = np.broadcast_to(np.asarray(cols_must, dtype=bool), (n_cols,))
    problems: list[str] = []
    if len(np.unique(rows)) != len(rows) or len(np.unique(cols)) != len(cols):
        problems.append("an enterprise is matched twice")
    matched_r = np.zeros(n_rows, dtype=bool)
    matched_r[rows] = True
    matched_c = np.zeros(n_cols, dtype=bool)
    matched_c[cols] = True
    if (must_r & ~matched_r).any() or (must_c & ~matched_c).any():
        problems.append("an enterprise that needs a partner has none")
    a = np.where(must_r, row_dual, np.maximum(row_dual, 0.0)).astype(np.float64)
    b = np.where(must_c, col_dual, np.maximum(col_dual, 0.0)).astype(np.float64)

    total = 0.0
    violation = 0.0
    order = np.argsort(rows, kind="stable")
    rows, cols = rows[order], cols[order]
    for start, block, mask in source.blocks():
        stop = start + block.shape[0]
        sel = slice(np.searchsorted(rows, start), np.searchsorted(rows, stop))
        r, c = rows[sel] - start, cols[sel]
        if mask is not None and not mask[r, c].all():
            problems.append("a matched pair is not allowed")
        total += float(block[r, c].sum(dtype=np.float64))
        slack = block - a[start:stop, None] - b[None, :]
        if mask is not None:
            slack = np.where(mask, slack, -np.inf)
        if slack.size:
            violation = max(violation, float(slack.max()))
    bound = float(a.sum() + b.sum()) + violation * n_rows
    return Certificate(total, bound, bound - total, violation, tuple(dict.fromkeys(problems)))
