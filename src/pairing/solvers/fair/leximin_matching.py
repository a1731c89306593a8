"""``leximin-matching``: exact leximin for one-to-one programmes, by levels, without a MILP.

With at most one partner per enterprise a counted enterprise's gain is the gain of its one pair
(0 when alone), so the leximin vector is read off the *ends* of the chosen pairs. Compare two
sorted vectors by their counting functions: ``N(ℓ)`` = number of counted gains below ``ℓ``.
Leximin is the lexicographic minimisation of ``N`` over increasing levels, and that is a
sequence of assignment problems on a shrinking graph:

* **Padded graph.** Rows are the left enterprises plus one "alone" row per right enterprise;
  columns the right enterprises plus one "alone" column per left one; the alone–alone block is
  complete. Perfect matchings of this square graph are exactly the matchings that respect
  capacity minimums and required pairs; an enterprise that is alone has value 0.
* **Next level** (bottleneck). Every matching still in the graph has the same number ``K`` of
  counted gains at or below the last level ``t``. The next entry of the leximin vector is the
  largest ``ℓ`` such that a perfect matching avoids every gain in ``(t, ℓ)``: galloping from the
  current matching's smallest gain above ``t``, each step one Hopcroft–Karp test.
* **How many at that level** (counting). Drop the pairs with a gain in ``(t, ℓ)``, then maximise
  the number of counted gains above ``ℓ`` (weights 0/1/2 per pair): one LAPJV run. By
  complementary slackness the matchings that reach that maximum are exactly the perfect
  matchings of the *tight* pairs (zero reduced cost under LAPJV's duals), so the graph shrinks to
  them and every later matching keeps the counts fixed so far.
* **Only pairs that can still be used.** A pair lies in some perfect matching of the graph iff it
  is in the current one or its ends share a strongly connected component of the alternating
  digraph (Dulmage–Mendelsohn); the others are dropped. When no choice is left the remaining
  levels are those of the one matching left.

Rounds = distinct values of the leximin vector (often far fewer: the graph collapses). A last
LAPJV run maximises the total score among the leximin-optimal matchings. Every step is exact;
the status is ``optimal``. Gains are compared exactly (float32 values), ties are exact ties.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from lapjv import lapjv
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

from pairing.core.objectives import counted
from pairing.core.problem import Problem
from pairing.errors import Infeasible
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.fair.milp import Clock

__all__ = ["solve"]

_BIG = 1e6  # cost of a pair outside the graph (every real cost is in [-2, 0] or [-1, 0])
_TIGHT = 1e-7


class _Padded:
    """The square padded graph, its gains and the current set of usable pairs (``mask``)."""

    def __init__(self, problem: Problem) -> None:
        n_left, n_right = problem.shape
        size = n_left + n_right
        self.n_left, self.n_right = n_left, n_right
        counted_left, counted_right = counted(problem)
        self.n_counted = int(counted_left.sum() + counted_right.sum())
        usable = problem.usable.copy()  # required pairs close rows and columns below
        optional_left = problem.cap_min_left < 1
        optional_right = problem.cap_min_right < 1
        for i, j in problem.required:  # a required pair is the only option of its two ends
            keep = bool(usable[i, j])
            usable[i, :] = False
            usable[:, j] = False
            usable[i, j] = keep
            optional_left[i] = optional_right[j] = False
        if n_left == n_right and not optional_left.any() and not optional_right.any():
            size = n_left  # everybody needs a partner: the matrix is square already
        self.size = size
        mask = np.zeros((size, size), dtype=bool)
        mask[:n_left, :n_right] = usable
        if size > n_left:
            left_alone = np.arange(n_left)
            right_alone = np.arange(n_right)
            mask[left_alone, n_right + left_alone] = optional_left
            mask[n_left + right_alone, right_alone] = optional_right
            mask[n_left:, n_right:] = True
        self._mask = mask
        self._edges: tuple[np.ndarray, ...] | None = None
        # the counted ends' values: the left end of row i, the right end of column j
        nan = np.float64(np.nan)
        value_left = np.full((size, size), nan)
        value_right = np.full((size, size), nan)
        rows = np.flatnonzero(counted_left)
        value_left[rows, :n_right] = problem.gain_left[rows].astype(np.float64)
        cols = np.flatnonzero(counted_right)
        value_right[:n_left, cols] = problem.gain_right[:, cols].astype(np.float64)
        if size > n_left:
            value_left[rows, n_right + rows] = 0.0
            value_right[n_left + cols, cols] = 0.0
        self.value_left, self.value_right = value_left, value_right
        self.score = np.zeros((size, size))
        self.score[:n_left, :n_right] = problem.weights

    @property
    def mask(self) -> np.ndarray:
        """``(size, size)`` bool: the pairs still usable."""
        return self._mask

    @mask.setter
    def mask(self, value: np.ndarray) -> None:
        self._mask = value
        self._edges = None

    def edges(self) -> tuple[np.ndarray, ...]:
        """The usable pairs as arrays ``(rows, cols, left values, right values)``, row-major
        (computed once per change of :attr:`mask`: the tests filter these, not the matrix)."""
        if self._edges is None:
            rows, cols = np.nonzero(self._mask)
            self._edges = (rows, cols, self.value_left[rows, cols], self.value_right[rows, cols])
        return self._edges

    def levels_above(self, low: float) -> np.ndarray:
        """The counted gains above ``low`` on the pairs still usable, ascending, unique."""
        _, _, left, right = self.edges()
        ends = np.concatenate([left, right])
        with np.errstate(invalid="ignore"):
            return np.unique(ends[ends > low])

    def perfect_avoiding(self, low: float, high: float) -> np.ndarray | None:
        """A perfect matching of the usable pairs with no counted gain in ``(low, high)``."""
        rows, cols, left, right = self.edges()
        with np.errstate(invalid="ignore"):
            keep = ~(((left > low) & (left < high)) | ((right > low) & (right < high)))
        kept_rows = rows[keep]
        indptr = np.zeros(self.size + 1, dtype=np.int64)
        np.cumsum(np.bincount(kept_rows, minlength=self.size), out=indptr[1:])
        graph = sp.csr_array(
            (np.ones(len(kept_rows), dtype=np.int8), cols[keep], indptr),
            shape=(self.size, self.size),
        )
        matched = maximum_bipartite_matching(graph, perm_type="column")
        return None if (matched < 0).any() else np.asarray(matched, dtype=np.intp)

    def between(self, low: float, high: float) -> np.ndarray:
        """Pairs with a counted gain in the open interval ``(low, high)``."""
        with np.errstate(invalid="ignore"):
            return (
                ((self.value_left > low) & (self.value_left < high))
                | ((self.value_right > low) & (self.value_right < high))
            )

    def above(self, level: float) -> np.ndarray:
        """Per pair, how many of its counted gains are above ``level`` (0, 1 or 2)."""
        with np.errstate(invalid="ignore"):
            return (self.value_left > level).astype(np.float64) + (self.value_right > level)

    def end_values(self, cols: np.ndarray) -> np.ndarray:
        """The counted gains of a perfect matching (alone enterprises included, as 0)."""
        rows = np.arange(self.size)
        ends = np.concatenate([self.value_left[rows, cols], self.value_right[rows, cols]])
        return np.sort(ends[~np.isnan(ends)])


def _best(padded: _Padded, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max-weight perfect matching of ``padded.mask`` and its tight pairs (LAPJV duals)."""
    cost = np.where(padded.mask, -weights, _BIG)
    cols, _, (_, _, v) = lapjv(cost, force_doubles=True)
    cols = np.asarray(cols, dtype=np.intp)
    if not padded.mask[np.arange(padded.size), cols].all():
        raise Infeasible(())  # no perfect matching: the rules admit no matching
    v = np.asarray(v, dtype=np.float64)
    reduced = cost - v[None, :]
    reduced -= reduced.min(axis=1)[:, None]  # u from v: every reduced cost ≥ 0 exactly
    return cols, padded.mask & (reduced <= _TIGHT)


def _in_some_matching(mask: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """The pairs of ``mask`` that lie in some perfect matching (``cols`` is one)."""
    size = len(cols)
    rows = np.arange(size)
    r, c = np.nonzero(mask)
    # row r -> column c for pairs not in the matching, column -> row for the matching's pairs
    off = cols[r] != c
    src = np.concatenate([r[off], size + cols])
    dst = np.concatenate([size + c[off], rows])
    graph = sp.csr_array((np.ones(len(src), dtype=np.int8), (src, dst)), shape=(2 * size,) * 2)
    _, label = connected_components(graph, directed=True, connection="strong")
    keep = np.zeros_like(mask)
    keep[r, c] = label[r] == label[size + c]
    keep[rows, cols] = True
    return keep


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Leximin over the counted enterprises, then the total score, one-to-one."""
    clock = Clock(options.time_limit, options.started)
    padded = _Padded(problem)
    cols = padded.perfect_avoiding(np.inf, -np.inf)  # avoids nothing
    if cols is None:
        raise Infeasible(())  # capacities and required pairs admit no matching
    levels: list[float] = []
    fixed = 0  # counted gains at or below the last level, the same in every remaining matching
    last = -np.inf
    tests = solves = 0
    stopped = False
    while fixed < padded.n_counted:
        if clock.expired():
            stopped = True
            break
        ends = padded.end_values(cols)
        candidates = padded.levels_above(last)
        good = int(np.searchsorted(candidates, ends[ends > last][0]))  # reachable: cols does
        bad = len(candidates)  # the first level known unreachable (none yet)
        step = 1
        while good + 1 < bad:  # exponential search for a bracket, then bisection
            probe = min(good + step, bad - 1) if bad == len(candidates) else (good + bad) // 2
            tests += 1
            trial = padded.perfect_avoiding(last, float(candidates[probe]))
            if trial is not None:
                good, cols = probe, trial
                step *= 2
            else:
                bad = probe
        level = float(candidates[good])
        padded.mask &= ~padded.between(last, level)
        weights = padded.above(level)
        cols, padded.mask = _best(padded, weights)
        solves += 1
        padded.mask = _in_some_matching(padded.mask, cols)
        above = int(weights[np.arange(padded.size), cols].sum())
        fixed = padded.n_counted - above
        levels.append(level)
        last = level
        options.report(f"leximin: {fixed} of {padded.n_counted} gains fixed, level {level:.4g}")
        if padded.mask.sum() == padded.size:  # one matching left: its gains are the rest
            rest = padded.end_values(cols)
            levels += sorted(set(rest[rest > level]))
            fixed = padded.n_counted
    if not stopped:
        cols, _ = _best(padded, padded.score)
        solves += 1
    rows = np.arange(padded.n_left)
    real = cols[: padded.n_left] < padded.n_right
    left, right = rows[real], cols[: padded.n_left][real]
    note = (
        f"leximin by levels (one-to-one, combinatorial): {len(levels)} distinct level(s) of "
        f"{padded.n_counted} counted gain(s), {tests} matching test(s) (Hopcroft-Karp), "
        f"{solves} assignment(s) (LAPJV) with the tight pairs kept, then the best total"
    )
    if stopped:
        note += (
            f"; time limit reached after fixing {fixed} of {padded.n_counted} positions "
            "(the matching keeps them; the total was not optimised)"
        )
        bound = levels[0] if levels else None
        return Assignment(left, right, "feasible", bound, note=note)
    return Assignment(left, right, "optimal", note=note)
