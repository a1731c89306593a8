"""Level search for the max-min objective: is there a matching where every counted gain ≥ t?

Two tools, shared by ``maxmin`` and ``leximin``:

* :func:`positive_level` — the level-0 question: can every counted enterprise get a positive
  gain at all? Counting arguments first (:func:`pairing.core.objectives.unservable`), then one
  feasibility MILP (each counted enterprise has at least one partner with a positive gain).
  When the answer is no, the worst gain is 0 in *every* matching — proven, and said in words —
  and max-min falls back to its tie-break, the total score.
* For enterprises with at most one partner, a gain is a pair's gain, so "every counted gain
  ≥ t" is a property of the pairs used: pair (i, j) is usable at level t when ``gain_left[i, j]
  ≥ t`` if i is counted and ``gain_right[i, j] ≥ t`` if j is (:func:`bottleneck_values`). The
  best level is one of those values, and level t is reachable exactly when a matching of usable
  pairs covers every counted enterprise and every enterprise with capacity min 1. By the
  Mendelsohn–Dulmage theorem one exists as soon as one matching covers the left ones and one the
  right ones: two Hopcroft–Karp runs (:class:`LevelTest`), and a binary search over the sorted
  values (:func:`max_min_level`). With quotas a feasibility MILP confirms each level
  (:func:`single_level`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from pairing.core.objectives import counted, unservable
from pairing.core.problem import Problem
from pairing.errors import Infeasible
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.milp import Clock, build_model, run_milp

__all__ = [
    "ZERO_LEVEL", "LevelTest", "bottleneck_values", "max_min_level", "must_cover", "positive_level",
    "single_level",
]


#: How a proven level-0 reason starts.
ZERO_LEVEL = "the worst counted gain is 0 in every matching: "


def must_cover(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Who needs a partner for a positive level: the counted enterprises and every enterprise
    with capacity min ≥ 1."""
    counted_left, counted_right = counted(problem)
    return counted_left | (problem.cap_min_left >= 1), counted_right | (problem.cap_min_right >= 1)


def bottleneck_values(problem: Problem) -> np.ndarray:
    """``(n_left, n_right)`` float32: the level up to which each pair may be used.

    The smaller of the pair's counted gains (``+inf`` when neither end is counted, ``-inf``
    when the pair is not allowed or an end has capacity max 0).
    """
    counted_left, counted_right = counted(problem)
    inf = np.float32(np.inf)
    values = np.minimum(
        np.where(counted_left[:, None], problem.gain_left, inf),
        np.where(counted_right[None, :], problem.gain_right, inf),
    ).astype(np.float32, copy=True)
    values[~problem.usable] = -inf
    return values


class _Cells:
    """The usable cells of one block (rows that must be covered × all columns) at or above a
    floor, row-major, so that the graph of any level ≥ the floor is one mask away.

    A test then costs a pass over the kept cells (compare, compress, count per row) and one
    Hopcroft–Karp run, instead of a dense comparison and a sparse conversion of n² cells; a
    search that starts near the top keeps few cells (:meth:`lower_to` extends them).
    """

    def __init__(self, block: np.ndarray) -> None:
        self.block = block
        self.floor = np.float32(np.inf)
        self.rows = self.cols = np.empty(0, dtype=np.int32)
        self.values = np.empty(0, dtype=block.dtype)
        self.usable = int(np.count_nonzero(block > -np.inf))

    @property
    def complete(self) -> bool:
        """Every usable cell is kept."""
        return len(self.values) == self.usable

    def lower_to(self, floor: np.float32) -> None:
        """Keep every usable cell of value ≥ ``floor``."""
        if floor >= self.floor:
            return
        keep = self.block >= floor
        if floor == -np.inf:
            keep &= self.block > -np.inf
        rows, cols = np.nonzero(keep)
        self.rows, self.cols = rows.astype(np.int32), cols.astype(np.int32)
        self.values = self.block[rows, cols]
        self.floor = floor

    def count_at_least(self, level: np.float32) -> int:
        return int(np.count_nonzero(self.values >= level))

    def covers(self, level: np.float32) -> bool:
        """Does a matching of cells ≥ ``level`` (≥ the floor) cover every row?"""
        n_rows, n_cols = self.block.shape
        if n_rows == 0:
            return True
        mask = self.values >= level
        per_row = np.bincount(self.rows[mask], minlength=n_rows)
        if not per_row.all():
            return False
        indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(per_row, out=indptr[1:])
        cols = self.cols[mask]
        graph = sp.csr_array((np.ones(len(cols), dtype=np.int8), cols, indptr),
                             shape=(n_rows, n_cols))
        matched = maximum_bipartite_matching(graph, perm_type="column")
        return not bool((matched < 0).any())


class LevelTest:
    """Can every enterprise of :func:`must_cover` get a partner among pairs of value ≥ ``t``?

    Exact for one-to-one programmes without quotas; a necessary condition otherwise. Each side's
    rows that must be covered form a block; the graph of a level is a prefix of the block's cells
    sorted once by value (:class:`_Cells`), so a test costs the prefix, not n².
    """

    def __init__(self, problem: Problem, values: np.ndarray) -> None:
        cover_left, cover_right = must_cover(problem)
        free_rows = np.ones(problem.shape[0], dtype=bool)
        free_cols = np.ones(problem.shape[1], dtype=bool)
        required = problem.required
        self.required_floor = np.float32(np.inf)
        if len(required):
            free_rows[required[:, 0]] = False
            free_cols[required[:, 1]] = False
            self.required_floor = values[required[:, 0], required[:, 1]].min()
        self.rows = np.flatnonzero(free_rows)
        self.cols = np.flatnonzero(free_cols)
        sub = values[np.ix_(self.rows, self.cols)]
        self.must_rows = np.flatnonzero(cover_left[self.rows])
        self.must_cols = np.flatnonzero(cover_right[self.cols])
        self.by_rows = sub[self.must_rows]
        self.by_cols = np.ascontiguousarray(sub[:, self.must_cols].T)
        self.blocks = (_Cells(self.by_rows), _Cells(self.by_cols))
        self.calls = 0
        self.levels_searched = 0

    def upper_bound(self) -> np.float32:
        """No level above this can work: some enterprise's best usable pair is below it."""
        best = [self.required_floor]
        if len(self.must_rows):
            best.append(self.by_rows.max(axis=1, initial=-np.inf).min())
        if len(self.must_cols):
            best.append(self.by_cols.max(axis=1, initial=-np.inf).min())
        return np.float32(min(best))

    def __call__(self, level: np.float32) -> bool:
        self.calls += 1
        if self.required_floor < level:
            return False
        for block in self.blocks:
            block.lower_to(level)
            if not block.covers(level):
                return False
        return True

    def best_block_level(self) -> np.float32:
        """The largest level at which both blocks are covered (+inf: no block has rows; -inf:
        not even with every usable cell), ignoring required pairs.

        Searches from the top: the upper bound first (often the answer), then floors that keep
        twice as many cells each time until one is covered, then a binary search over the
        distinct values between that floor and the last uncovered level. Each test is one
        Hopcroft–Karp run per block on the cells kept.
        """
        blocks = [b for b in self.blocks if b.block.shape[0]]
        if not blocks:
            return np.float32(np.inf)
        top = np.float32(min(b.block.max(axis=1, initial=-np.inf).min() for b in blocks))
        if top == -np.inf:
            return top
        for block in blocks:
            block.lower_to(top)
        self.calls += 1
        self.levels_searched = 1
        if all(block.covers(top) for block in blocks):
            return top
        above = top  # an uncovered level
        kept = max(b.count_at_least(top) for b in blocks)
        while True:
            kept *= 2
            floor = min(_kth_largest(b.block, kept) for b in blocks)
            for block in blocks:
                block.lower_to(floor)
            self.calls += 1
            self.levels_searched += 1
            if all(block.covers(floor) for block in blocks):
                break
            if floor == -np.inf or all(block.complete for block in blocks):
                return np.float32(-np.inf)
            above = floor
        window = np.unique(np.concatenate([b.values[b.values < above] for b in blocks]))
        self.levels_searched += len(window) - 1
        lo, hi = 0, len(window) - 1  # window[0] == floor is covered, `above` is not
        while lo < hi:
            mid = (lo + hi + 1) // 2
            self.calls += 1
            if all(block.covers(window[mid]) for block in blocks):
                lo = mid
            else:
                hi = mid - 1
        return np.float32(window[lo])


def _kth_largest(block: np.ndarray, k: int) -> np.float32:
    """The k-th largest usable value of ``block`` (its smallest usable one if fewer)."""
    flat = block.ravel()
    if k < flat.size:
        value = np.float32(np.partition(flat, flat.size - k)[flat.size - k])
        if value > -np.inf:
            return value
    usable = flat[flat > -np.inf]
    return np.float32(usable.min()) if usable.size else np.float32(-np.inf)


def _candidates(values: np.ndarray, bound: np.float32) -> np.ndarray:
    finite = values[np.isfinite(values)]
    return np.unique(finite[(finite > 0) & (finite <= bound)])


def max_min_level(problem: Problem, values: np.ndarray) -> tuple[float, int, int]:
    """The largest level ``t`` reachable one-to-one without quotas; 0 when none above 0.

    The answer is the largest positive value ``t`` of ``values`` such that every required pair
    has value ≥ ``t`` and both blocks of :class:`LevelTest` are covered by cells ≥ ``t``
    (feasibility only falls as ``t`` rises). Returns ``(t, number of candidate levels the search
    considered, number of matching tests)``.
    """
    test = LevelTest(problem, values)
    level = min(test.best_block_level(), test.required_floor)
    searched = test.levels_searched
    if level == np.inf:  # nothing to cover: the largest finite positive value
        finite = values[np.isfinite(values) & (values > 0)]
        return (float(finite.max()) if finite.size else 0.0), searched, test.calls
    return (float(level) if level > 0 else 0.0), searched, test.calls


def single_level(
    problem: Problem, clock: Clock, options: SolveOptions
) -> tuple[float, int, bool]:
    """Max-min level when every counted enterprise has at most one partner (any rules).

    Binary search over the pairs' values, each level tested first by Hopcroft–Karp ignoring
    quotas (with one-to-one capacities: a necessary condition, microseconds) and then, with
    quotas or larger capacities, by a feasibility MILP on the cells that keep every counted gain
    at that level. Returns (level, MILPs run, proven).
    """
    values = bottleneck_values(problem)
    test = LevelTest(problem, values)
    candidates = _candidates(values, test.upper_bound())
    runs, proven = 0, True
    # The matching test gives every enterprise at most one partner: a valid (and, without
    # quotas, exact) test only when nobody may take two. When the other side has capacities
    # above 1 — e.g. counted CN firms with one partner each, PK firms with up to two — two
    # counted enterprises may share a partner, and every level goes to the MILP.
    unit = bool((problem.cap_max_left <= 1).all() and (problem.cap_max_right <= 1).all())

    def feasible(level: float) -> bool:
        nonlocal runs, proven
        if unit:
            if not test(np.float32(level)):
                return False
            if not (problem.quotas or problem.partner_quotas):
                return True  # without quotas the matching test is exact (Mendelsohn-Dulmage)
        runs += 1
        try:
            model = build_model(problem, floor=level)
            out = run_milp(model, np.zeros(model.n), 0, [], (np.empty(0), np.empty(0)), clock,
                           options, confirm=False)
        except Infeasible:
            return False
        if out.x is None:
            proven = False
        return out.x is not None

    lo, hi = -1, len(candidates) - 1
    while lo < hi and not clock.expired():
        mid = (lo + hi + 1) // 2
        if feasible(float(candidates[mid])):
            lo = mid
        else:
            hi = mid - 1
    proven = proven and lo == hi
    return (float(candidates[lo]) if lo >= 0 else 0.0), runs, proven


def positive_level(
    problem: Problem, clock: Clock, options: SolveOptions
) -> tuple[bool, str, np.ndarray | None]:
    """Can every counted enterprise have a positive gain in one matching?

    Returns ``(possible, why not, a witness)``: when possible, the cells (of
    ``build_model(problem)``) of a matching where every counted gain is positive (None if the
    time limit stopped the MILP first, in which case ``possible`` is True but unproven and the
    reason says so); when not, the reason in words.
    """
    from scipy.optimize import LinearConstraint  # only when the MILP runs
    reasons = unservable(problem)
    if reasons:
        return False, ZERO_LEVEL + "; ".join(reasons), None
    options.report("can every counted enterprise gain something? (feasibility MILP)")
    model = build_model(problem)
    positive = sp.csr_array((model.gain_rows > 0).astype(np.float64))
    if positive.shape[0] == 0:
        return True, "", None
    served = LinearConstraint(positive, 1.0, np.inf)
    try:
        out = run_milp(model, np.zeros(model.n), 0, [served], (np.empty(0), np.empty(0)),
                       clock, options)
    except Infeasible:
        # are the rules satisfiable at all? (if not, this raises Infeasible for the explainer)
        run_milp(model, np.zeros(model.n), 0, [], (np.empty(0), np.empty(0)), clock, options)
        why = ZERO_LEVEL + (
            "the rules (capacities, quotas, required pairs, min_score) leave some counted "
            "enterprise without a partner that gains it anything (proved by the MILP)"
        )
        return False, why, None
    return True, "", out.x
