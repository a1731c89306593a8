"""Exact fairness objectives as sequences of MILPs (HiGHS through ``highspy``, :mod:`._highs`).

Built on the shared rule model (:mod:`pairing.solvers._linear_model`): one binary per allowed
cell, capacities and quotas as rows, required pairs fixed. Each enterprise's gain is a linear
function of the cells, ``gains_left = G_L @ x`` with ``G_L`` the left incidence matrix scaled by
the cells' ``gain_left`` (and likewise on the right). On top of that:

* **maxmin** — phase 1 maximises ``t`` subject to ``gain_e ≥ t`` for every member ``e`` of the
  fairness population; phase 2 keeps every member at the level phase 1 reached and maximises
  the total score;
* **balanced** — the same with one row per side: ``mean gain of the side's members ≥ t``;
* **leximin** — the ordered-outcomes method (Ogryczak): round ``k`` maximises the sum of the
  ``k`` smallest gains, ``θ_k = max_r k·r − Σ_e (r − gain_e)⁺``, which is linear with one
  variable per member; the value found fixes the ``k``-th entry ``v_k`` of the leximin vector.
  Positions already fixed are kept by one *shortfall* row per distinct level ``a``:
  ``Σ_e (a − gain_e)⁺ ≤ (p − 1)·a − (v_1 + … + v_{p−1})``, ``p`` the first position at level ``a``
  (for an enterprise with at most one partner ``(a − gain_e)⁺`` is linear in the cells; others
  get one auxiliary variable per level). A final round maximises the total score among leximin
  optimal matchings. Ties cost no new rows: a level already fixed has its row.

Every MILP gets the time left before the deadline ``start + time_limit`` and, when one is
known, a starting solution (the previous phase's or round's matching). For the balanced
objective of a bi-objective assignment a Lagrangian search with LAPJV first proves, per pair, an
upper bound on any matching through it, and the MILPs only see the pairs that can reach the
level found (see :func:`solve_balanced`).

HiGHS runs single-threaded with a zero relative gap, so results are reproducible and exact up
to its feasibility tolerance (1e-7 on levels; gains closer than 1e-6 are one leximin level).
Levels are read from the matchings themselves (exact float64 sums of the float32 gains), not
from solver objective values.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from lapjv import lapjv
from scipy.optimize import LinearConstraint

from pairing.errors import Infeasible, SolverTimeout
from pairing.objectives import enterprise_gains, fairness_population
from pairing.problem import Problem
from pairing.solvers._highs import HighsModel
from pairing.solvers._linear_model import LinearRules, build_linear_rules
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.fair_maxmin import LevelTest, bottleneck_values

__all__ = ["solve_balanced", "solve_leximin", "solve_maxmin"]

#: Slack on "keep the level reached" rows: HiGHS's primal feasibility tolerance (with less,
#: its presolve can declare a level that a known matching reaches infeasible).
_LEVEL_SLACK = 1e-7
#: Differences of gains below this are treated as ties (HiGHS's feasibility tolerance).
_TIE = 1e-6
#: Share of a leximin time limit spent on rounds; the rest goes to the final total round.
_ROUNDS_SHARE = 0.7
_LEXIMIN, _MAXMIN, _BALANCED = "leximin", "maxmin", "balanced"


class _Clock:
    """The deadline of an optional overall limit (``start + time_limit``)."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.start = time.perf_counter()
        self.deadline = None if limit is None else self.start + limit

    def left(self) -> float | None:
        """Seconds left (at least a millisecond, so HiGHS still returns its incumbent)."""
        if self.deadline is None:
            return None
        return max(1e-3, self.deadline - time.perf_counter())

    def expired(self, share: float = 1.0) -> bool:
        """Whether ``share`` of the limit has been used."""
        return self.limit is not None and time.perf_counter() - self.start >= share * self.limit


@dataclass
class _Outcome:
    x: np.ndarray | None  # cell values (binary part only)
    optimal: bool
    bound: float | None


@dataclass(frozen=True)
class _Model:
    """The rule model and the population's gain rows."""

    problem: Problem
    rules: LinearRules
    gain_rows: sp.csr_array  # (m, n_cells): gain of each population member
    single: np.ndarray  # (m,) member has at most one partner
    side_rows: tuple[sp.csr_array, sp.csr_array]  # population rows of each side
    weights: np.ndarray  # per-cell score (the total)

    @property
    def m(self) -> int:
        return int(self.gain_rows.shape[0])

    @property
    def n(self) -> int:
        return self.rules.n_cells

    def gains(self, x: np.ndarray) -> np.ndarray:
        """Exact population gains of a 0/1 cell vector (float64 over the float32 gains)."""
        left, right = self.rules.selected(x)
        p = self.problem
        g_left, g_right = enterprise_gains(p.gain_left, p.gain_right, left, right)
        pop_left, pop_right = fairness_population(self.problem)
        return np.concatenate([g_left[pop_left], g_right[pop_right]])


def _floor_mask(problem: Problem, level: float) -> np.ndarray:
    """Allowed cells that can be in a matching where every counted gain is ≥ ``level``.

    Only members with at most one partner prune cells: their gain is the cell's gain.
    """
    pop_left, pop_right = fairness_population(problem)
    single_left = pop_left & (problem.cap_max_left <= 1)
    single_right = pop_right & (problem.cap_max_right <= 1)
    low = np.float32(level)
    too_low = (single_left[:, None] & (problem.gain_left < low)) | (
        single_right[None, :] & (problem.gain_right < low)
    )
    return problem.allowed & ~too_low


def _build(problem: Problem, floor: float = 0.0) -> _Model:
    """The rule model; with ``floor > 0`` only cells compatible with gains ≥ ``floor``, and
    every counted enterprise must then have a partner."""
    pop_left, pop_right = fairness_population(problem)
    if floor > 0:
        rules = build_linear_rules(problem, allowed=_floor_mask(problem, floor))
        lower = rules.lower.copy()
        for rows, members in ((rules.left_rows, pop_left), (rules.right_rows, pop_right)):
            lower[rows] = np.where(members, np.maximum(lower[rows], 1), lower[rows])
        rules = rules.with_bounds(lower=lower)
    else:
        rules = build_linear_rules(problem)
    left_rows = sp.csr_array(rules.left_incidence[np.flatnonzero(pop_left)])
    right_rows = sp.csr_array(rules.right_incidence[np.flatnonzero(pop_right)])
    left_gain = sp.csr_array(left_rows.multiply(rules.cell_values(problem.gain_left)[None, :]))
    right_gain = sp.csr_array(right_rows.multiply(rules.cell_values(problem.gain_right)[None, :]))
    single = np.concatenate(
        [problem.cap_max_left[pop_left] <= 1, problem.cap_max_right[pop_right] <= 1]
    )
    return _Model(
        problem=problem,
        rules=rules,
        gain_rows=sp.csr_array(sp.vstack([left_gain, right_gain])),
        single=single,
        side_rows=(left_gain, right_gain),
        weights=rules.cell_values(problem.weights),
    )


def _run(model: _Model, objective: np.ndarray, extra_cols: int, rows: list[LinearConstraint],
         extra_bounds: tuple[np.ndarray, np.ndarray], clock: _Clock,
         options: SolveOptions, *, confirm: bool = True,
         start: np.ndarray | None = None) -> _Outcome:
    """Maximise ``objective`` over (cells, extra continuous columns) under the rules + ``rows``.

    HiGHS (``highspy``) gets the time left before the deadline; ``start`` (cells then extra
    columns) is offered as a starting solution. ``confirm``: re-solve without presolve before
    believing "infeasible" (see below).
    """
    rules = model.rules
    n = rules.n_cells
    if n + extra_cols == 0:  # nothing to choose: feasible iff every row allows 0
        bounds_ok = all(np.all(c.lb <= 0) and np.all(c.ub >= 0) for c in rows)
        if not (bounds_ok and np.all(rules.lower <= 0)):
            msg = "no pair is allowed, yet the rules need some; allow more pairs"
            raise Infeasible(msg)
        return _Outcome(np.empty(0), True, 0.0)
    pad = sp.csr_array((rules.n_rows, extra_cols))
    matrix = sp.vstack([sp.hstack([rules.A, pad]), *(c.A for c in rows)], format="csc")
    lower = np.concatenate([rules.lower, *(np.broadcast_to(c.lb, c.A.shape[0]) for c in rows)])
    upper = np.concatenate([rules.upper, *(np.broadcast_to(c.ub, c.A.shape[0]) for c in rows)])
    highs = HighsModel(
        matrix, lower, upper, objective,
        np.concatenate([rules.var_lower, extra_bounds[0]]),
        np.concatenate([rules.var_upper, extra_bounds[1]]),
        threads=options.threads, seed=options.seed,
    )
    if n:
        highs.set_integer(np.arange(n))
    if start is not None:
        highs.set_solution(start)
    result = highs.run(clock.left())
    if result.status == "infeasible" and confirm:
        # HiGHS's presolve can call a model infeasible when a row's bound sits within its
        # tolerance of the best activity (our "keep the level" rows do); confirm without it.
        highs.set_option("presolve", "off")
        result = highs.run(clock.left())
    if result.status == "infeasible":
        msg = (
            "the capacities, quotas and required pairs admit no matching (proved by the MILP); "
            "relax a quota or capacity minimum, or allow more pairs"
        )
        raise Infeasible(msg)
    if result.status == "error":
        msg = "HiGHS failed on a fairness model"
        raise Infeasible(msg)
    if result.x is None:
        return _Outcome(None, False, result.bound)
    return _Outcome(
        np.round(result.x[:n]).astype(np.float64), result.status == "optimal", result.bound,
    )


def _assignment(model: _Model, x: np.ndarray, optimal: bool, note: str,
                bound: float | None = None) -> Assignment:
    left, right = model.rules.selected(x)
    order = np.lexsort((right, left))
    return Assignment(left[order], right[order], "optimal" if optimal else "feasible",
                      None if optimal else bound, note=note)


def _timeout(what: str) -> SolverTimeout:
    return SolverTimeout(
        f"the time limit passed before HiGHS found any matching for {what}; raise --time-limit"
    )


def _phase_one(model: _Model, level_rows: sp.csr_array, clock: _Clock, options: SolveOptions,
               start: np.ndarray | None, top: float | None) -> _Outcome:
    """Maximise ``t`` with ``level_rows @ x ≥ t`` (``top``: a proven upper bound on ``t``)."""
    n = model.n
    k = level_rows.shape[0]
    cap = float(np.asarray(abs(level_rows).sum(axis=1)).max(initial=0.0)) + 1.0
    if top is not None:
        cap = min(cap, top)
    phase1 = LinearConstraint(
        sp.hstack([level_rows, sp.csr_array(-np.ones((k, 1)))], format="csr"), 0.0, np.inf
    )
    objective = np.zeros(n + 1)
    objective[n] = 1.0
    first_start = None
    if start is not None:
        first_start = np.append(start, min(cap, float((level_rows @ start).min())))
    return _run(model, objective, 1, [phase1], (np.zeros(1), np.full(1, cap)), clock, options,
                start=first_start)


def _two_phase(model: _Model, level_rows: sp.csr_array, clock: _Clock, options: SolveOptions,
               what: str, *, start: np.ndarray | None = None, top: float | None = None,
               level: float | None = None, cut: _Outcome | None = None) -> Assignment:
    """Maximise ``t`` with ``level_rows @ x ≥ t``, then the total keeping that level.

    ``start``: a 0/1 cell vector offered to HiGHS as the first incumbent; ``top``: a proven
    upper bound on ``t``. Each phase gets the time left; when the limit cuts phase 1 short the
    incumbent is returned as ``feasible`` with HiGHS's dual bound on ``t``, when it cuts phase 2
    short the level is proven (the bound is the level) but the total is not. ``level``: the
    optimal ``t`` is already proven and ``start`` reaches it, phase 1 is skipped; ``cut``: a
    phase 1 already cut short by the time limit.
    """
    k = level_rows.shape[0]
    if k == 0:
        out = _run(model, model.weights, 0, [], (np.empty(0), np.empty(0)), clock, options,
                   start=start)
        if out.x is None:
            raise _timeout(what)
        return _assignment(model, out.x, out.optimal, f"{what}: nobody is counted; best total")
    if cut is not None:
        first = cut
    elif level is not None and start is not None:
        first = _Outcome(start, True, level)
    else:
        first = _phase_one(model, level_rows, clock, options, start, top)
    if first.x is None:
        raise _timeout(what)
    reached = float((level_rows @ first.x).min())
    if not first.optimal or clock.expired():
        note = f"{what}: level {reached:.6g} (time limit reached in phase 1; total not optimised)"
        if first.optimal:
            note = f"{what}: level {reached:.6g} (time limit reached before the total)"
        bound = reached if first.optimal else first.bound
        return _assignment(model, first.x, False, note, bound=bound)
    keep = LinearConstraint(level_rows, reached - _LEVEL_SLACK * max(1.0, abs(reached)), np.inf)
    second = _run(model, model.weights, 0, [keep], (np.empty(0), np.empty(0)), clock, options,
                  start=first.x)
    x = first.x
    if second.x is not None and (level_rows @ second.x).min() >= reached - _LEVEL_SLACK:
        x = second.x
    optimal = second.optimal and x is second.x
    note = (
        f"{what} by two MILPs (HiGHS): level {reached:.6g}, then the best total at that level"
        + ("" if optimal else " (time limit reached in phase 2)")
    )
    return _assignment(model, x, optimal, note, bound=None if optimal else reached)


def _all_single(problem: Problem) -> bool:
    pop_left, pop_right = fairness_population(problem)
    return bool(
        (problem.cap_max_left[pop_left] <= 1).all()
        and (problem.cap_max_right[pop_right] <= 1).all()
    )


def _single_level(
    problem: Problem, clock: _Clock, options: SolveOptions
) -> tuple[float, int, bool]:
    """Max-min level when every counted enterprise has at most one partner.

    The level is then one of the cells' gains: binary search over them, each level tested
    first by Hopcroft–Karp ignoring quotas (a necessary condition, microseconds) and then by
    a feasibility MILP on the cells that keep every counted gain at that level (fast: no
    objective, a small model). Returns (level, MILPs run, proven).
    """
    values = bottleneck_values(problem)
    test = LevelTest(problem, values)
    bound = test.upper_bound()
    finite = values[np.isfinite(values)]
    candidates = np.unique(finite[(finite > 0) & (finite <= bound)])
    runs, proven = 0, True

    def feasible(level: float) -> bool:
        nonlocal runs, proven
        if not test(np.float32(level)):
            return False
        if not problem.quotas:
            return True  # without quotas the matching test is exact (Mendelsohn-Dulmage)
        runs += 1
        try:
            model = _build(problem, floor=level)
            out = _run(model, np.zeros(model.n), 0, [], (np.empty(0), np.empty(0)), clock,
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


def solve_maxmin(problem: Problem, options: SolveOptions) -> Assignment:
    """Max-min gain over the fairness population, then the total.

    When every counted enterprise has at most one partner the level comes from a binary
    search over cell gains (see :func:`_single_level`) and the total from one MILP on the cells
    at that level; otherwise two MILPs (level ``t``, then the total keeping ``t``).
    """
    clock = _Clock(options.time_limit)
    pop_left, pop_right = fairness_population(problem)
    if (pop_left.any() or pop_right.any()) and _all_single(problem):
        level, runs, proven = _single_level(problem, clock, options)
        model = _build(problem, floor=level)
        out = _run(model, model.weights, 0, [], (np.empty(0), np.empty(0)), clock, options)
        if out.x is None:
            raise _timeout(_MAXMIN)
        note = (
            f"maxmin: level {level:.6g} by binary search ({runs} feasibility MILP(s), "
            "Hopcroft-Karp pre-tests), then the best total at that level (MILP, HiGHS)"
        )
        if not (proven and out.optimal):
            note += "; time limit reached"
        return _assignment(model, out.x, proven and out.optimal, note)
    model = _build(problem)
    return _two_phase(model, model.gain_rows, clock, options, "maxmin")


@dataclass
class _Parametric:
    """What the Lagrangian search of :func:`_balanced_parametric` found."""

    left: np.ndarray  # the best matching found, as pairs (left[k], right[k])
    right: np.ndarray
    value: float  # its balanced value min(A, B)
    bound: float  # a proven upper bound on the balanced optimum
    cell_bound: np.ndarray  # (n_left, n_right): upper bound on min(A, B) through each pair
    solves: int  # LAPJV runs
    done: bool  # the search converged: ``bound`` is the LP bound


def _perfect_sides(problem: Problem) -> tuple[np.ndarray, np.ndarray] | None:
    """The per-pair weights ``(a, b)`` of the two side means when the balanced objective is a
    bi-objective assignment, else None.

    That is the case without quotas when every enterprise has exactly one partner at most,
    the smaller side (either side when equal) must be matched in full and the other side is
    either matched in full too (equal sizes) or entirely optional: the feasible matchings are
    the perfect matchings of the allowed pairs once the matrix is squared with dummies.
    ``a[i, j]`` is pair (i, j)'s share of the left side's mean gain, ``b`` of the right's.
    """
    if problem.quotas:
        return None
    if (problem.cap_max_left != 1).any() or (problem.cap_max_right != 1).any():
        return None
    n_left, n_right = problem.shape
    full_left, full_right = (problem.cap_min_left == 1).all(), (problem.cap_min_right == 1).all()
    free_left, free_right = (problem.cap_min_left == 0).all(), (problem.cap_min_right == 0).all()
    if not (
        (full_left and full_right and n_left == n_right)
        or (full_left and free_right and n_left <= n_right)
        or (full_right and free_left and n_right <= n_left)
    ):
        return None
    pop_left, pop_right = fairness_population(problem)
    a = np.zeros(problem.shape)
    b = np.zeros(problem.shape)
    if pop_left.any():
        a[pop_left] = problem.gain_left[pop_left] / int(pop_left.sum())
    if pop_right.any():
        b[:, pop_right] = problem.gain_right[:, pop_right] / int(pop_right.sum())
    return np.nan_to_num(a), np.nan_to_num(b)


def _swap_search(cols: np.ndarray, a: np.ndarray, b: np.ndarray, allowed: np.ndarray,
                 clock: _Clock, rounds: int = 200) -> tuple[float, np.ndarray]:
    """Improve ``min(A, B)`` of a perfect matching by exchanging partners of two rows.

    Best exchange first, until none improves (or ``rounds``, or half of the time left).
    ``cols`` covers every row of the square matrix (dummy rows have zero weights).
    """
    n_rows = a.shape[0]
    cols = cols.copy()
    rows = np.arange(n_rows)
    size = len(cols)
    pa = np.zeros((size, size))
    pb = np.zeros((size, size))
    pa[:n_rows], pb[:n_rows] = a, b
    ok = np.ones((size, size), dtype=bool)
    ok[:n_rows] = allowed
    value_a, value_b = float(a[rows, cols[:n_rows]].sum()), float(b[rows, cols[:n_rows]].sum())
    deadline = None if clock.deadline is None else time.perf_counter() + 0.5 * (
        clock.deadline - time.perf_counter())
    for _ in range(rounds):
        if deadline is not None and time.perf_counter() > deadline:
            break
        # row i takes cols[k] and row k takes cols[i]
        cur_a = pa[np.arange(size), cols]
        cur_b = pb[np.arange(size), cols]
        cross_a = pa[:, cols]  # [i, k] = a[i, cols[k]]
        cross_b = pb[:, cols]
        delta_a = cross_a + cross_a.T - cur_a[:, None] - cur_a[None, :]
        delta_b = cross_b + cross_b.T - cur_b[:, None] - cur_b[None, :]
        fits = ok[:, cols]
        gain = np.minimum(value_a + delta_a, value_b + delta_b)
        gain[~(fits & fits.T)] = -np.inf
        flat = int(np.argmax(gain))
        i, k = divmod(flat, size)
        if not gain[i, k] > min(value_a, value_b) + 1e-15:
            break
        cols[i], cols[k] = cols[k], cols[i]
        value_a += float(delta_a[i, k])
        value_b += float(delta_b[i, k])
    value_a, value_b = float(a[rows, cols[:n_rows]].sum()), float(b[rows, cols[:n_rows]].sum())
    return min(value_a, value_b), cols


def _mix_cycles(hi: tuple[float, float, np.ndarray], lo: tuple[float, float, np.ndarray],
                a: np.ndarray, b: np.ndarray) -> tuple[float, float, np.ndarray]:
    """The best mix of two perfect matchings for ``min(A, B)``.

    Their symmetric difference is a set of alternating cycles; switching any subset of them
    from ``hi`` to ``lo`` gives a perfect matching. With few cycles every subset is tried,
    otherwise cycles are switched greedily, best trade of ``A`` for ``B`` first.
    """
    cols_hi, cols_lo = hi[2], lo[2]
    size = len(cols_hi)
    n_rows = a.shape[0]
    row_of_col = np.empty(size, dtype=np.intp)
    row_of_col[cols_hi] = np.arange(size)
    seen = cols_hi == cols_lo
    cycles: list[np.ndarray] = []
    for start in np.flatnonzero(~seen):
        if seen[start]:
            continue
        members = []
        r = int(start)
        while not seen[r]:
            seen[r] = True
            members.append(r)
            r = int(row_of_col[cols_lo[r]])
        cycles.append(np.asarray(members, dtype=np.intp))
    if not cycles:
        return hi
    real = [c[c < n_rows] for c in cycles]
    d_a = np.array([a[c, cols_lo[c]].sum() - a[c, cols_hi[c]].sum() for c in real])
    d_b = np.array([b[c, cols_lo[c]].sum() - b[c, cols_hi[c]].sum() for c in real])
    k = len(cycles)
    if k <= 16:
        choice = ((np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)
        values = np.minimum(hi[0] + choice @ d_a, hi[1] + choice @ d_b)
        chosen = choice[int(np.argmax(values))]
    else:
        chosen = np.zeros(k, dtype=bool)
        order = np.argsort(-(d_b / np.maximum(-d_a, 1e-300)))
        current = min(hi[0], hi[1])
        for c in order:
            trial = chosen.copy()
            trial[c] = True
            value = min(hi[0] + d_a[trial].sum(), hi[1] + d_b[trial].sum())
            if value > current:
                chosen, current = trial, value
    cols = cols_hi.copy()
    for c in np.flatnonzero(chosen):
        cols[cycles[c]] = cols_lo[cycles[c]]
    rows = np.arange(n_rows)
    return float(a[rows, cols[:n_rows]].sum()), float(b[rows, cols[:n_rows]].sum()), cols


def _balanced_parametric(problem: Problem, a: np.ndarray, b: np.ndarray,
                         clock: _Clock) -> _Parametric | None:
    """Maximise ``min(A(x), B(x))`` (``A = Σ a·x``, ``B = Σ b·x``) over the perfect matchings
    through its Lagrangian dual ``min_λ max_x λA + (1 − λ)B``, one LAPJV run per ``λ``.

    The dual is convex and piecewise linear in ``λ``, its minimum is the LP bound; ``λ`` moves
    to the intersection of the lines of the two matchings bracketing it until no matching lies
    above that point. Each run also gives LAP duals ``u, v`` (``u`` recomputed from ``v`` so
    that every reduced cost is ≥ 0 in floating point), hence for every pair a proven upper bound
    on ``λA + (1 − λ)B ≥ min(A, B)`` over the matchings that use it; ``cell_bound`` is the
    smallest over the runs. None when the allowed pairs admit no perfect matching.
    """
    allowed = problem.allowed.copy()
    for i, j in problem.required:  # a required pair is the only option of its two ends
        keep = bool(allowed[i, j])
        allowed[i, :] = False
        allowed[:, j] = False
        allowed[i, j] = keep
    transposed = problem.shape[0] > problem.shape[1]
    if transposed:
        a, b, allowed = a.T, b.T, allowed.T
    n_rows, size = a.shape
    span = float(max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0)))
    big = (2.0 * span + 1.0) * (size + 1)
    cost = np.zeros((size, size))
    real = cost[:n_rows]
    forbidden = ~allowed
    cell_bound = np.full((n_rows, size), np.inf)
    rows = np.arange(n_rows)
    upper = np.inf
    solves = 0

    def run(lam: float) -> tuple[float, float, np.ndarray] | None:
        """LAPJV at ``lam``: (A, B, columns) of its matching; tightens the bounds."""
        nonlocal solves, upper
        np.multiply(a, -lam, out=real)
        np.subtract(real, (1.0 - lam) * b, out=real)
        real[forbidden] = big
        row_to_col, _, (_, _, v) = lapjv(cost, force_doubles=True)
        solves += 1
        cols = np.asarray(row_to_col[:n_rows], dtype=np.intp)
        if not allowed[rows, cols].all():
            return None
        # any v gives a valid bound with u the row minima (lapjv's v is degenerate at 1×1)
        v = np.asarray(v, dtype=np.float64)
        v = np.where(np.abs(v) < 1e100, v, 0.0)
        reduced = cost - v[None, :]
        u = reduced.min(axis=1)
        reduced -= u[:, None]
        # every perfect matching costs ≥ Σu + Σv + (reduced costs of its cells)
        dual = -(float(u.sum()) + float(v.sum()))
        upper = min(upper, dual)
        np.minimum(cell_bound, dual - reduced[:n_rows], out=cell_bound)
        return float(a[rows, cols].sum()), float(b[rows, cols].sum()), np.asarray(row_to_col)

    best: tuple[float, np.ndarray] | None = None

    def consider(found: tuple[float, float, np.ndarray]) -> None:
        nonlocal best
        value = min(found[0], found[1])
        if best is None or value > best[0]:
            best = (value, found[2].astype(np.intp))

    hi = run(1.0)  # the best left mean
    if hi is None:
        return None
    consider(hi)
    done = hi[0] <= hi[1]  # the best left mean is the smaller mean: optimal
    if not done:
        lo = run(0.0)  # the best right mean
        assert lo is not None
        consider(lo)
        done = lo[1] <= lo[0]
        while not done and not clock.expired() and solves < 200:
            slope_hi, slope_lo = hi[0] - hi[1], lo[0] - lo[1]  # > 0 and < 0
            lam = min(1.0, max(0.0, (lo[1] - hi[1]) / (slope_hi - slope_lo)))
            line = hi[1] + lam * slope_hi
            new = run(lam)
            assert new is not None
            consider(new)
            if lam * new[0] + (1.0 - lam) * new[1] <= line + 1e-12 * max(1.0, abs(line)):
                done = True  # nothing above the intersection: it is the dual's minimum
            elif new[0] >= new[1]:
                hi = new
            else:
                lo = new
        consider(_mix_cycles(hi, lo, a, b))
    assert best is not None
    if best[0] < upper - 1e-9 * max(1.0, abs(upper)):
        value, cols = _swap_search(best[1], a, b, allowed, clock)
        if value > best[0]:
            best = (value, cols)
    value, cols = best[0], best[1][:n_rows]
    left, right = rows, cols
    bounds = cell_bound
    if transposed:
        left, right, bounds = cols, rows, cell_bound.T
    return _Parametric(np.asarray(left, dtype=np.intp), np.asarray(right, dtype=np.intp),
                       value, max(upper, value), bounds, solves, done)


def solve_balanced(problem: Problem, options: SolveOptions) -> Assignment:
    """Max of the smaller side mean gain (population members), then the total (two MILPs).

    For a bi-objective assignment (see :func:`_perfect_sides`) a Lagrangian search with LAPJV
    (:func:`_balanced_parametric`) first gives a good matching, the LP bound and, per pair, a
    bound on any matching through it: pairs that cannot reach the matching's level are left out
    of both MILPs (exact: no matching at or above that level uses them), which are then small.
    """
    clock = _Clock(options.time_limit)
    sides = _perfect_sides(problem)
    if sides is not None:
        found = _balanced_parametric(problem, *sides, clock)
        if found is not None:
            return _balanced_reduced(problem, found, clock, options)
    model = _build(problem)
    return _two_phase(model, _mean_rows(model), clock, options, "balanced")


def _mean_rows(model: _Model) -> sp.csr_array:
    """One row per side with members: the side's mean gain."""
    rows = [
        sp.csr_array(side.sum(axis=0)[None, :] / side.shape[0])
        for side in model.side_rows if side.shape[0]
    ]
    return sp.csr_array(sp.vstack(rows)) if rows else sp.csr_array((0, model.n))


def _balanced_reduced(problem: Problem, found: _Parametric, clock: _Clock,
                      options: SolveOptions) -> Assignment:
    """The two balanced MILPs on the pairs that can reach ``found.value``."""
    search = (
        f"Lagrangian search ({found.solves} LAPJV runs): level {found.value:.6g}, "
        f"LP bound {found.bound:.6g}"
    )
    if not found.done or clock.expired():
        order = np.lexsort((found.right, found.left))
        return Assignment(found.left[order], found.right[order], "feasible", found.bound,
                          note=f"balanced: {search}; time limit reached")
    margin = 2 * _LEVEL_SLACK * max(1.0, abs(found.bound))

    def reduced(level: float, left: np.ndarray, right: np.ndarray) -> tuple[_Model, np.ndarray]:
        keep = problem.allowed & (found.cell_bound >= level - margin)
        model = _build(dataclasses.replace(problem, allowed=keep))
        start = np.zeros(model.n)
        start[model.rules.cell_positions(left, right)] = 1.0
        return model, start

    model, start = reduced(found.value, found.left, found.right)
    proven = found.value >= found.bound - 1e-9 * max(1.0, abs(found.bound))
    level = found.value if proven else None
    if level is None:  # phase 1 on the pairs that can reach the search's level
        rows = _mean_rows(model)
        first = _phase_one(model, rows, clock, options, start, found.bound + margin)
        if first.x is None:
            raise _timeout(_BALANCED)
        if not first.optimal or clock.expired():
            return _two_phase(model, rows, clock, options, "balanced", start=first.x,
                              level=float((rows @ first.x).min()), cut=first)
        level = float((rows @ first.x).min())
        # phase 2 needs only the pairs that can reach the optimal level: usually far fewer
        model, start = reduced(level, *model.rules.selected(first.x))
    result = _two_phase(model, _mean_rows(model), clock, options, "balanced", start=start,
                        level=level)
    note = (
        f"balanced: {search}; {model.n} of {int(problem.allowed.sum())} pairs can reach it; "
        + result.note.removeprefix("balanced").lstrip(": ")
    )
    return dataclasses.replace(result, note=note)


class _Shortfalls:
    """The rows ``Σ_e (a − gain_e)⁺ ≤ budget`` that keep the leximin prefix fixed so far."""

    def __init__(self, model: _Model) -> None:
        self.model = model
        self.levels: list[tuple[float, float]] = []  # (a, budget)
        problem, rules = model.problem, model.rules
        pop_left, pop_right = fairness_population(problem)
        # cells whose left / right end is a counted member with at most one partner
        self.left_single = (pop_left & (problem.cap_max_left <= 1))[rules.cells_left]
        self.right_single = (pop_right & (problem.cap_max_right <= 1))[rules.cells_right]
        self.gain_left = rules.cell_values(problem.gain_left)
        self.gain_right = rules.cell_values(problem.gain_right)
        self.n_single = int(model.single.sum())
        self.multi = np.flatnonzero(~model.single)

    @property
    def extra(self) -> int:
        """Auxiliary columns: one per level for every member with two or more partners."""
        return len(self.levels) * len(self.multi)

    def add(self, level: float, budget: float) -> None:
        self.levels.append((level, budget))

    def rows(self, total_cols: int) -> list[LinearConstraint]:
        """The shortfall rows, with auxiliary columns placed from ``n_cells`` on.

        A member with at most one partner falls short of ``a`` by ``a`` when alone and by
        ``(a − g)⁺`` when on a cell of gain ``g``: ``a + Σ_cells ((a − g)⁺ − a)·x``.
        """
        model = self.model
        n, n_multi = model.n, len(self.multi)
        out: list[LinearConstraint] = []
        for k, (a, budget) in enumerate(self.levels):
            row = np.zeros(total_cols)
            row[:n] = (
                np.where(self.left_single, np.maximum(a - self.gain_left, 0.0) - a, 0.0)
                + np.where(self.right_single, np.maximum(a - self.gain_right, 0.0) - a, 0.0)
            )
            aux_start = n + k * n_multi
            row[aux_start:aux_start + n_multi] = 1.0
            upper = budget - a * self.n_single + _LEVEL_SLACK * max(1.0, abs(budget))
            out.append(LinearConstraint(sp.csr_array(row[None, :]), -np.inf, upper))
            if n_multi:
                # d_e + gain_e(x) >= a for each member with several partners
                block = sp.hstack([
                    model.gain_rows[self.multi],
                    sp.csr_array((n_multi, aux_start - n)),
                    sp.eye_array(n_multi),
                    sp.csr_array((n_multi, total_cols - aux_start - n_multi)),
                ], format="csr")
                out.append(LinearConstraint(block, a, np.inf))
        return out


def solve_leximin(problem: Problem, options: SolveOptions) -> Assignment:
    """Leximin over the fairness population by ordered outcomes, then the total."""
    clock = _Clock(options.time_limit)
    fixed: list[float] = []  # v_1 <= v_2 <= ... found so far
    rounds = 0
    floor = 0.0
    pop_left, pop_right = fairness_population(problem)
    if (pop_left.any() or pop_right.any()) and _all_single(problem):
        # the first level is the max-min level: found fast, and it prunes every cell below it
        floor, runs, proven = _single_level(problem, clock, options)
        rounds += runs
        if proven:
            fixed.append(floor)
    model = _build(problem, floor=floor)
    m, n = model.m, model.n
    shortfalls = _Shortfalls(model)
    if fixed:
        shortfalls.add(floor, 0.0)
    best: np.ndarray | None = None
    while len(fixed) < m:
        if clock.expired(_ROUNDS_SHARE):
            break  # keep the rest of the time for the best total under the prefix found
        k = len(fixed) + 1
        extra = shortfalls.extra
        total_cols = n + extra + 1 + m  # cells, shortfall aux, r, d'
        r_col = n + extra
        # d'_e + gain_e(x) - r >= 0
        theta = LinearConstraint(
            sp.hstack([
                model.gain_rows,
                sp.csr_array((m, extra)),
                sp.csr_array(-np.ones((m, 1))),
                sp.eye_array(m),
            ], format="csr"),
            0.0, np.inf,
        )
        objective = np.zeros(total_cols)
        objective[r_col] = k
        objective[r_col + 1:] = -1.0
        top = float(np.asarray(model.gain_rows.sum(axis=1)).max(initial=0.0)) + 1.0
        lower = np.zeros(extra + 1 + m)
        upper = np.concatenate([np.full(extra, np.inf), [top], np.full(m, np.inf)])
        start = None
        if best is not None:  # warm start: the previous round's matching
            gains = model.gain_rows @ best
            r = min(top, float(np.sort(gains)[k - 1]))
            aux = [np.maximum(a - gains[shortfalls.multi], 0.0) for a, _ in shortfalls.levels]
            start = np.concatenate([best, *aux, [r], np.maximum(r - gains, 0.0)])
        out = _run(model, objective, extra + 1 + m, [theta, *shortfalls.rows(total_cols)],
                   (lower, upper), clock, options, start=start)
        rounds += 1
        if out.x is None:
            if best is None:
                raise _timeout(_LEXIMIN)
            break
        best = out.x
        if not out.optimal:
            break
        s = np.sort(model.gains(out.x))
        value = float(s[k - 1])
        if fixed and abs(value - fixed[-1]) <= _TIE:
            value = fixed[-1]  # same level: its shortfall row already holds
        else:
            shortfalls.add(value, (k - 1) * value - float(np.sum(fixed)))
        fixed.append(value)
    complete = len(fixed) == m
    if fixed and not clock.expired():
        extra = shortfalls.extra
        start = None
        if best is not None:
            gains = model.gain_rows @ best
            aux = [np.maximum(a - gains[shortfalls.multi], 0.0) for a, _ in shortfalls.levels]
            start = np.concatenate([best, *aux])
        out = _run(model, np.concatenate([model.weights, np.zeros(extra)]), extra,
                   shortfalls.rows(n + extra), (np.zeros(extra), np.full(extra, np.inf)),
                   clock, options, start=start)
        rounds += 1
        if out.x is not None:
            best = out.x
            complete = complete and out.optimal
    if best is None:
        if m == 0:
            out = _run(model, model.weights, 0, [], (np.empty(0), np.empty(0)), clock, options)
            if out.x is None:
                raise _timeout(_LEXIMIN)
            return _assignment(model, out.x, out.optimal, "leximin: nobody is counted; best total")
        raise _timeout(_LEXIMIN)
    levels = len(shortfalls.levels)
    note = (
        f"leximin by {rounds} MILP round(s) (HiGHS, ordered outcomes): {m} gain(s), "
        f"{levels} level(s)"
    )
    if not complete:
        note += (
            f"; time limit reached after fixing {len(fixed)} of {m} positions (the matching "
            "keeps them and maximises the total score)"
        )
    # the objective value is the smallest gain: proven once the first position is fixed
    return _assignment(model, best, complete, note, bound=fixed[0] if fixed else None)
