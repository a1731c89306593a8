"""Exact fairness objectives as sequences of MILPs (HiGHS through :func:`scipy.optimize.milp`).

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

HiGHS runs single-threaded with a zero relative gap, so results are reproducible and exact up
to its feasibility tolerance (1e-7 on levels; gains closer than 1e-6 are one leximin level).
Levels are read from the matchings themselves (exact float64 sums of the float32 gains), not
from solver objective values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from pairing.errors import Infeasible, SolverTimeout
from pairing.objectives import enterprise_gains, fairness_population
from pairing.problem import Problem
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
_LEXIMIN, _MAXMIN = "leximin", "maxmin"


class _Clock:
    """The time left of an optional overall limit."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.start = time.perf_counter()

    def left(self) -> float | None:
        if self.limit is None:
            return None
        return max(0.01, self.limit - (time.perf_counter() - self.start))

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
         options: SolveOptions, *, confirm: bool = True) -> _Outcome:
    """Maximise ``objective`` over (cells, extra continuous columns) under the rules + ``rows``.

    ``confirm``: re-solve without presolve before believing "infeasible" (see below).
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
    matrix = sp.hstack([rules.A, pad], format="csr")
    constraints = [LinearConstraint(matrix, rules.lower, rules.upper)]
    constraints += rows
    bounds = Bounds(
        np.concatenate([rules.var_lower, extra_bounds[0]]),
        np.concatenate([rules.var_upper, extra_bounds[1]]),
    )
    integrality = np.concatenate([np.ones(n), np.zeros(extra_cols)])
    milp_options: dict[str, float | bool] = {"mip_rel_gap": 0.0, "presolve": True, "disp": False}
    left = clock.left()
    if left is not None:
        milp_options["time_limit"] = left
    del options  # HiGHS through SciPy is single-threaded and deterministic
    result = milp(-objective, integrality=integrality, bounds=bounds, constraints=constraints,
                  options=milp_options)
    if result.status == 2 and confirm:
        # HiGHS's presolve can call a model infeasible when a row's bound sits within its
        # tolerance of the best activity (our "keep the level" rows do); confirm without it.
        milp_options["presolve"] = False
        result = milp(-objective, integrality=integrality, bounds=bounds,
                      constraints=constraints, options=milp_options)
    if result.status == 2:
        msg = (
            "the capacities, quotas and required pairs admit no matching (proved by the MILP); "
            "relax a quota or capacity minimum, or allow more pairs"
        )
        raise Infeasible(msg)
    if result.x is None:
        if result.status == 1:
            return _Outcome(None, False, None)
        msg = f"HiGHS failed: {result.message}"
        raise Infeasible(msg)
    bound = getattr(result, "mip_dual_bound", None)
    return _Outcome(
        np.round(result.x[:n]).astype(np.float64),
        result.status == 0,
        None if bound is None else -float(bound),
    )


def _assignment(model: _Model, x: np.ndarray, optimal: bool, note: str) -> Assignment:
    left, right = model.rules.selected(x)
    order = np.lexsort((right, left))
    return Assignment(left[order], right[order], "optimal" if optimal else "feasible", note=note)


def _timeout(what: str) -> SolverTimeout:
    return SolverTimeout(
        f"the time limit passed before HiGHS found any matching for {what}; raise --time-limit"
    )


def _two_phase(model: _Model, level_rows: sp.csr_array, clock: _Clock, options: SolveOptions,
               what: str) -> Assignment:
    """Maximise ``t`` with ``level_rows @ x ≥ t``, then the total keeping that level."""
    n = model.n
    k = level_rows.shape[0]
    if k == 0:
        out = _run(model, model.weights, 0, [], (np.empty(0), np.empty(0)), clock, options)
        if out.x is None:
            raise _timeout(what)
        return _assignment(model, out.x, out.optimal, f"{what}: nobody is counted; best total")
    top = float(np.asarray(abs(level_rows).sum(axis=1)).max(initial=0.0)) + 1.0
    phase1 = LinearConstraint(
        sp.hstack([level_rows, sp.csr_array(-np.ones((k, 1)))], format="csr"), 0.0, np.inf
    )
    objective = np.zeros(n + 1)
    objective[n] = 1.0
    first = _run(model, objective, 1, [phase1], (np.zeros(1), np.full(1, top)), clock, options)
    if first.x is None:
        raise _timeout(what)
    reached = float((level_rows @ first.x).min())
    if not first.optimal or clock.expired():
        note = f"{what}: level {reached:.6g} (time limit reached in phase 1; total not optimised)"
        return _assignment(model, first.x, False, note)
    keep = LinearConstraint(level_rows, reached - _LEVEL_SLACK * max(1.0, abs(reached)), np.inf)
    second = _run(model, model.weights, 0, [keep], (np.empty(0), np.empty(0)), clock, options)
    x = first.x
    if second.x is not None and (level_rows @ second.x).min() >= reached - _LEVEL_SLACK:
        x = second.x
    optimal = second.optimal and x is second.x
    note = (
        f"{what} by two MILPs (HiGHS): level {reached:.6g}, then the best total at that level"
        + ("" if optimal else " (time limit reached in phase 2)")
    )
    return _assignment(model, x, optimal, note)


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


def solve_balanced(problem: Problem, options: SolveOptions) -> Assignment:
    """Max of the smaller side mean gain (population members), then the total (two MILPs)."""
    model = _build(problem)
    rows = [
        sp.csr_array(side.sum(axis=0)[None, :] / side.shape[0])
        for side in model.side_rows if side.shape[0]
    ]
    level_rows = sp.csr_array(sp.vstack(rows)) if rows else sp.csr_array((0, model.n))
    return _two_phase(model, level_rows, _Clock(options.time_limit), options, "balanced")


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
        out = _run(model, objective, extra + 1 + m, [theta, *shortfalls.rows(total_cols)],
                   (lower, upper), clock, options)
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
        out = _run(model, np.concatenate([model.weights, np.zeros(extra)]), extra,
                   shortfalls.rows(n + extra), (np.zeros(extra), np.full(extra, np.inf)),
                   clock, options)
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
    return _assignment(model, best, complete, note)
