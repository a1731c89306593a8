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
  right ones (:class:`LevelTest`): two matchings kept from one tested level to the next and
  repaired by augmenting paths on the cells at or above the level, read in place (compiled,
  :mod:`._cover_compiled`), and a search over the sorted values (:func:`max_min_level`). With
  quotas a feasibility MILP confirms each level (:func:`single_level`).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

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
    # an end counted everywhere needs no mask (one pass fewer over the matrix)
    left = problem.gain_left if counted_left.all() else np.where(
        counted_left[:, None], problem.gain_left, inf)
    right = problem.gain_right if counted_right.all() else np.where(
        counted_right[None, :], problem.gain_right, inf)
    values = np.minimum(left, right, dtype=np.float32)  # a new array: ours to write
    usable = problem.usable
    if not usable.all():
        np.copyto(values, -inf, where=~usable)
    return values


class _Block:
    """The rows that must be covered × the columns they may take (row-major), with a matching
    kept between level tests and repaired for each
    (:func:`~pairing.solvers.fair._cover_compiled.cover_rows`)."""

    def __init__(self, block: np.ndarray) -> None:
        self.block = block
        self.row_match = np.full(block.shape[0], -1, dtype=np.int64)
        self.col_match = np.full(block.shape[1], -1, dtype=np.int64)

    def best(self) -> np.float32:
        """The lowest of the rows' best values: no level above it covers every row."""
        return np.float32(self.block.max(axis=1, initial=-np.inf).min(initial=np.inf))

    def covers(self, level: float | np.float32) -> bool:
        """Does a matching of cells ≥ ``level`` cover every row?"""
        if self.block.shape[0] == 0:
            return True
        from pairing.solvers.fair._cover_compiled import cover_rows  # compiled: load when used

        # compared in float32, as the cells are
        return bool(cover_rows(self.block, np.float32(level), self.row_match, self.col_match))


class LevelTest:
    """Can every enterprise of :func:`must_cover` get a partner among pairs of value ≥ ``t``?

    Exact for one-to-one programmes without quotas; a necessary condition otherwise. Each side's
    rows that must be covered form a block (the rows' block a view of ``values`` when nothing is
    fixed); each block keeps its matching from one test to the next (:class:`_Block`), so a
    search over several levels repairs one matching instead of matching from scratch.
    """

    def __init__(self, problem: Problem, values: np.ndarray) -> None:
        cover_left, cover_right = must_cover(problem)
        required = problem.required
        self.required_floor = np.float32(np.inf)
        sub = values
        if len(required):
            free_rows = np.ones(problem.shape[0], dtype=bool)
            free_cols = np.ones(problem.shape[1], dtype=bool)
            free_rows[required[:, 0]] = False
            free_cols[required[:, 1]] = False
            self.required_floor = values[required[:, 0], required[:, 1]].min()
            rows, cols = np.flatnonzero(free_rows), np.flatnonzero(free_cols)
            sub = values[np.ix_(rows, cols)]
            cover_left, cover_right = cover_left[rows], cover_right[cols]
        #: the free rows × free columns: every cell a level's matching may use
        self.sub = sub
        by_rows = sub if cover_left.all() else sub[cover_left]
        by_cols = np.ascontiguousarray((sub if cover_right.all() else sub[:, cover_right]).T)
        self.blocks = (_Block(by_rows), _Block(by_cols))
        self.calls = 0
        self.levels_searched = 0

    def upper_bound(self) -> np.float32:
        """No level above this can work: some enterprise's best usable pair is below it."""
        return np.float32(min([self.required_floor, *(b.best() for b in self.blocks)]))

    def __call__(self, level: np.float32) -> bool:
        self.calls += 1
        if self.required_floor < level:
            return False
        return all(block.covers(level) for block in self.blocks)

    def _covered(self, blocks: list[_Block], level: np.float32) -> bool:
        self.calls += 1
        return all(block.covers(level) for block in blocks)

    def best_block_level(self) -> np.float32:
        """The largest level at which both blocks are covered (+inf: no block has rows; -inf:
        not even with every usable cell), ignoring required pairs.

        Searches from the top: the upper bound first (often the answer), then floors that admit
        twice as many cells each time until one is covered, then a binary search over the
        distinct values between that floor and the last uncovered level. Every test repairs the
        blocks' matchings from the previous one.
        """
        blocks = [b for b in self.blocks if b.block.shape[0]]
        if not blocks:
            return np.float32(np.inf)
        top = np.float32(min(b.best() for b in blocks))
        if top == -np.inf:
            return top
        self.levels_searched = 1
        if self._covered(blocks, top):
            return top
        above = top  # an uncovered level
        flat = self.sub.ravel()
        usable = int(np.count_nonzero(flat > -np.inf))
        kept = int(np.count_nonzero(flat >= top))
        while True:
            kept = min(2 * kept, usable)
            floor = _kth_largest(flat, kept)
            self.levels_searched += 1
            if self._covered(blocks, floor):
                break
            if kept == usable:  # every usable cell is in: no level works
                return np.float32(-np.inf)
            above = floor
        window = np.unique(flat[(flat >= floor) & (flat < above)])
        self.levels_searched += len(window) - 1
        lo, hi = 0, len(window) - 1  # window[0] == floor is covered, `above` is not
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._covered(blocks, window[mid]):
                lo = mid
            else:
                hi = mid - 1
        return np.float32(window[lo])


def _kth_largest(flat: np.ndarray, k: int) -> np.float32:
    """The k-th largest value of ``flat`` (1 ≤ k ≤ its number of usable values)."""
    return np.float32(np.partition(flat, flat.size - k)[flat.size - k])


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

    Binary search over the pairs' values, each level tested first by the matching test of
    :class:`LevelTest` ignoring quotas (with one-to-one capacities: a necessary condition,
    microseconds) and then, with quotas or larger capacities, by a feasibility MILP on the
    cells that keep every counted gain at that level. Returns (level, MILPs run, proven).
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
