"""An independent optimality check of a one-to-one matching from dual values (LP duality).

For *maximise* ``Σ benefit[i, j] x_ij`` over allowed pairs with each row and column matched at
most once (or exactly once where required), any ``a`` (rows), ``b`` (columns) with

* ``a_i + b_j >= benefit[i, j]`` on every allowed pair,
* ``a_i >= 0`` for a row that may stay alone, ``b_j >= 0`` for a column that may,

bound every matching's total by ``Σ a + Σ b`` (weak duality). This module takes the duals as
given, repairs what it needs to trust — negative duals where a sign is required are raised
to 0, and each row's largest violation ``δ_i`` of the first condition is added to that row's
dual (which makes them feasible) — and returns the proven gap ``Σ a + Σ b + Σ δ_i − total``.
It reads the matrix in row blocks (:class:`~pairing.solvers.sparse.core.RowBlocks`) and uses
nothing from the solver but its answer. :class:`DualCheck` takes the blocks one at a time, so
a caller that reads every block anyway for another purpose checks the proof in the same pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pairing.solvers.sparse.core import RowBlocks

__all__ = ["Certificate", "DualCheck", "certify"]


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


class DualCheck:
    """:func:`certify`, fed one row block at a time (blocks may come in any order, each row
    once): construct with the matching and the duals, :meth:`add` every block, then read
    :meth:`result`."""

    def __init__(
        self,
        n_rows: int,
        n_cols: int,
        rows: np.ndarray,
        cols: np.ndarray,
        row_dual: np.ndarray,
        col_dual: np.ndarray,
        rows_must: np.ndarray | bool = False,
        cols_must: np.ndarray | bool = False,
    ) -> None:
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
        self.problems = problems
        self.a = np.where(must_r, row_dual, np.maximum(row_dual, 0.0)).astype(np.float64)
        self.b = np.where(must_c, col_dual, np.maximum(col_dual, 0.0)).astype(np.float64)
        order = np.argsort(rows, kind="stable")
        self.rows, self.cols = rows[order], cols[order]
        self.total = 0.0
        self.row_violation = np.zeros(n_rows)  # each row's largest benefit − a − b, at least 0

    def add(self, start: int, block: np.ndarray, mask: np.ndarray | None) -> None:
        """Check the rows ``start : start + len(block)`` (benefit ``block``, allowed ``mask``
        or ``None`` when every pair is)."""
        stop = start + block.shape[0]
        sel = slice(np.searchsorted(self.rows, start), np.searchsorted(self.rows, stop))
        r, c = self.rows[sel] - start, self.cols[sel]
        if mask is not None and not mask[r, c].all():
            self.problems.append("a matched pair is not allowed")
        self.total += float(block[r, c].sum(dtype=np.float64))
        if block.size:
            slack = block - self.b[None, :]
            if mask is not None:
                slack[~mask] = -np.inf
            worst = slack.max(axis=1) - self.a[start:stop]
            self.row_violation[start:stop] = np.maximum(worst, 0.0)

    def result(self) -> Certificate:
        violation = float(self.row_violation.max(initial=0.0))
        bound = float(self.a.sum() + self.b.sum() + self.row_violation.sum())
        return Certificate(self.total, bound, bound - self.total, violation,
                           tuple(dict.fromkeys(self.problems)))


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
    check = DualCheck(source.n_rows, source.n_cols, rows, cols, row_dual, col_dual, rows_must,
                      cols_must)
    for start, block, mask in source.blocks():
        check.add(start, block, mask)
    return check.result()
