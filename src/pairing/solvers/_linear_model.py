"""The rules of a :class:`~pairing.core.problem.Problem` as linear constraints over allowed cells.

Every exact mathematical-programming solver (``milp``, ``cpsat``, the fairness objectives and
the infeasibility explainer) uses the same model, built here once:

* one 0/1 variable per *cell*, i.e. per allowed pair (i, j) whose two ends both have a capacity
  max above 0 — forbidden pairs and pairs below ``min_score`` simply have no variable, which
  keeps the model as sparse as the rules allow;
* one row per left enterprise (capacity min..max), one per right enterprise, then one per
  :class:`~pairing.core.problem.GroupBound` (side and pair quotas, in ``problem.quotas`` order),
  each counting the cells it covers: ``lower <= A @ x <= upper``; then, per
  :class:`~pairing.core.problem.PartnerBound`, one row per (enterprise, partner group): the
  enterprise's cells whose partner is in the group;
* required pairs fixed to 1 through the variables' lower bounds.

The matrix is assembled from index arrays with :mod:`scipy.sparse`; there is no Python loop over
pairs (only over quotas). Objectives are the caller's business: :meth:`LinearRules.cell_values`
turns any (n_left, n_right) matrix (``problem.weights``, ``gain_left``…) into per-cell
coefficients, and :attr:`LinearRules.left_incidence` / :attr:`LinearRules.right_incidence`
sum per-cell quantities per enterprise (e.g. each enterprise's gain, for max-min models).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from pairing.core.problem import Problem
from pairing.errors import Infeasible

__all__ = ["LinearRules", "build_linear_rules", "required_positions"]


@dataclass(frozen=True)
class LinearRules:
    """Capacities and quotas as ``lower <= A @ x <= upper`` over binary cell variables.

    Attributes
    ----------
    shape
        ``(n_left, n_right)`` of the problem.
    cells_left, cells_right
        ``intp`` arrays of length ``n_cells``: cell ``k`` is the pair
        ``(cells_left[k], cells_right[k])``. Cells are sorted row-major (by left, then right).
    A
        ``(n_rows, n_cells)`` CSR matrix of 0/1 coefficients: rows ``left_rows`` (one per left
        enterprise), then ``right_rows``, then ``quota_rows`` (one per ``problem.quotas`` entry).
    lower, upper
        ``float64`` row bounds (``-inf`` / ``inf`` where a side is unbounded).
    var_lower, var_upper
        ``float64`` variable bounds: 1..1 for required cells, 0..1 otherwise.
    """

    shape: tuple[int, int]
    cells_left: np.ndarray
    cells_right: np.ndarray
    A: sp.csr_array
    lower: np.ndarray
    upper: np.ndarray
    var_lower: np.ndarray
    var_upper: np.ndarray

    @property
    def n_cells(self) -> int:
        """Number of variables (allowed cells)."""
        return len(self.cells_left)

    @property
    def n_rows(self) -> int:
        """Number of constraint rows (capacities of both sides, then quotas)."""
        return int(self.A.shape[0])

    @property
    def left_rows(self) -> slice:
        """Rows of the left enterprises' capacities (row ``i`` is left enterprise ``i``)."""
        return slice(0, self.shape[0])

    @property
    def right_rows(self) -> slice:
        """Rows of the right enterprises' capacities."""
        return slice(self.shape[0], self.shape[0] + self.shape[1])

    @property
    def quota_rows(self) -> slice:
        """Rows of the quotas, in ``problem.quotas`` order, then the partner-quota rows."""
        return slice(self.shape[0] + self.shape[1], self.n_rows)

    @property
    def left_incidence(self) -> sp.csr_array:
        """``(n_left, n_cells)`` 0/1 matrix: which cells belong to each left enterprise."""
        return sp.csr_array(self.A[self.left_rows])

    @property
    def right_incidence(self) -> sp.csr_array:
        """``(n_right, n_cells)`` 0/1 matrix: which cells belong to each right enterprise."""
        return sp.csr_array(self.A[self.right_rows])

    def cell_values(self, matrix: np.ndarray) -> np.ndarray:
        """Per-cell ``float64`` values of an ``(n_left, n_right)`` matrix (NaN → 0)."""
        values = np.asarray(matrix)[self.cells_left, self.cells_right]
        return np.nan_to_num(values.astype(np.float64), nan=0.0)

    def cell_positions(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Variable index of each pair ``(left[k], right[k])``; ``-1`` where it is not a cell."""
        keys = self._cell_keys
        wanted = np.asarray(left, dtype=np.int64) * self.shape[1]
        wanted = wanted + np.asarray(right, dtype=np.int64)
        if not len(keys):
            return np.full(len(wanted), -1, dtype=np.intp)
        pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        return np.where(keys[pos] == wanted, pos, -1).astype(np.intp)

    def selected(self, x: np.ndarray, threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
        """The pairs (left, right) whose variable in ``x`` exceeds ``threshold``."""
        on = np.asarray(x, dtype=np.float64) > threshold
        return self.cells_left[on], self.cells_right[on]

    def with_bounds(
        self,
        *,
        lower: np.ndarray | None = None,
        upper: np.ndarray | None = None,
        var_lower: np.ndarray | None = None,
        var_upper: np.ndarray | None = None,
    ) -> LinearRules:
        """A copy with some bounds replaced (the matrix and cells are shared, not copied)."""
        return dataclasses.replace(
            self,
            lower=self.lower if lower is None else lower,
            upper=self.upper if upper is None else upper,
            var_lower=self.var_lower if var_lower is None else var_lower,
            var_upper=self.var_upper if var_upper is None else var_upper,
        )

    @cached_property
    def _cell_keys(self) -> np.ndarray:
        """Each cell's ``left * n_right + right``, ascending (cells are row-major): computed
        once, as the local search of a stopped leximin run asks for cells member by member."""
        return self.cells_left.astype(np.int64) * self.shape[1] + self.cells_right


def _cells(problem: Problem, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    usable = allowed & (problem.cap_max_left > 0)[:, None] & (problem.cap_max_right > 0)[None, :]
    rows, cols = np.nonzero(usable)
    return rows.astype(np.intp), cols.astype(np.intp)


def required_positions(rules: LinearRules, problem: Problem) -> np.ndarray:
    """Variable indices of ``problem.required``.

    Raises
    ------
    Infeasible
        A required pair is not a cell (forbidden, below ``min_score`` or on an enterprise with
        capacity max 0), naming the pair.
    """
    if not len(problem.required):
        return np.empty(0, dtype=np.intp)
    req_l, req_r = problem.required[:, 0], problem.required[:, 1]
    pos = rules.cell_positions(req_l, req_r)
    missing = np.flatnonzero(pos < 0)
    if len(missing):
        names = ", ".join(
            f"{problem.left_ids[req_l[k]]}–{problem.right_ids[req_r[k]]}"
            if problem.left_ids else f"({req_l[k]}, {req_r[k]})"
            for k in missing[:5]
        )
        msg = (
            f"required pair(s) {names} cannot be used: forbidden, below min_score "
            f"{problem.min_score} or on an enterprise with capacity max 0; drop the requirement "
            "or relax the rule that excludes it"
        )
        raise Infeasible(msg)
    return pos


def build_linear_rules(
    problem: Problem,
    *,
    allowed: np.ndarray | None = None,
    fix_required: bool = True,
) -> LinearRules:
    """Compile capacities, quotas and required pairs of ``problem`` into a :class:`LinearRules`.

    Parameters
    ----------
    problem
        The numeric problem.
    allowed
        The cells to model, default ``problem.allowed``. The infeasibility explainer passes a
        wider mask (e.g. ignoring ``min_score``) and then closes cells through ``var_upper``.
    fix_required
        Fix the required pairs' variables to 1 (default). With ``False`` they are ordinary
        0/1 cells and :func:`required_positions` finds them.

    Raises
    ------
    Infeasible
        ``fix_required`` is set and a required pair is not an allowed cell.
    """
    n_left, n_right = problem.shape
    mask = problem.allowed if allowed is None else allowed
    cells_left, cells_right = _cells(problem, mask)
    n_cells = len(cells_left)
    arange = np.arange(n_cells, dtype=np.intp)

    row_parts = [cells_left, n_left + cells_right]
    col_parts = [arange, arange]
    lower_parts = [
        problem.cap_min_left.astype(np.float64),
        problem.cap_min_right.astype(np.float64),
    ]
    upper_parts = [
        problem.cap_max_left.astype(np.float64),
        problem.cap_max_right.astype(np.float64),
    ]
    first_quota_row = n_left + n_right
    quota_lower = np.zeros(len(problem.quotas), dtype=np.float64)
    quota_upper = np.full(len(problem.quotas), np.inf, dtype=np.float64)
    for k, quota in enumerate(problem.quotas):
        covered = np.flatnonzero(quota.left_mask[cells_left] & quota.right_mask[cells_right])
        row_parts.append(np.full(len(covered), first_quota_row + k, dtype=np.intp))
        col_parts.append(covered)
        if quota.min is not None:
            quota_lower[k] = quota.min
        if quota.max is not None:
            quota_upper[k] = quota.max
    lower_parts.append(quota_lower)
    upper_parts.append(quota_upper)
    next_row = first_quota_row + len(problem.quotas)
    for bound in problem.partner_quotas:
        owner, partner = (cells_left, cells_right) if bound.side == "left" else (
            cells_right, cells_left)
        n_owners = n_left if bound.side == "left" else n_right
        code = bound.codes[partner]
        counted = np.flatnonzero(code >= 0)
        row_parts.append(next_row + owner[counted] * bound.n_groups + code[counted])
        col_parts.append(counted)
        size = n_owners * bound.n_groups
        lower_parts.append(np.full(size, 0.0 if bound.min is None else float(bound.min)))
        upper_parts.append(np.full(size, np.inf if bound.max is None else float(bound.max)))
        next_row += size

    n_rows = next_row
    rows = np.concatenate(row_parts)
    cols = np.concatenate(col_parts)
    matrix = sp.csr_array(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n_rows, n_cells)
    )
    rules = LinearRules(
        shape=(n_left, n_right),
        cells_left=cells_left,
        cells_right=cells_right,
        A=matrix,
        lower=np.concatenate(lower_parts),
        upper=np.concatenate(upper_parts),
        var_lower=np.zeros(n_cells, dtype=np.float64),
        var_upper=np.ones(n_cells, dtype=np.float64),
    )
    if fix_required and len(problem.required):
        var_lower = rules.var_lower.copy()
        var_lower[required_positions(rules, problem)] = 1.0
        rules = rules.with_bounds(var_lower=var_lower)
    return rules
