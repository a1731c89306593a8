"""The shared MILP of the fair objectives (HiGHS through ``highspy``, :mod:`.._highs`).

Built on the rule model of every exact solver (:mod:`pairing.solvers._linear_model`): one binary
per allowed cell, capacities and quotas as rows, required pairs fixed. Each counted enterprise's
gain (:func:`pairing.objectives.counted`) is a linear function of the cells,
``gains = gain_rows @ x``: the incidence rows of the counted enterprises scaled by the cells'
``gain_left`` / ``gain_right``. The objectives add their own rows and columns on top
(:mod:`.maxmin_milp`, :mod:`.balanced`, :mod:`.leximin`).

Every MILP gets the time left before one deadline (:class:`Clock`) and, when one is known, a
starting solution. HiGHS runs single-threaded with a zero relative gap, so results are
reproducible and exact up to its feasibility tolerance (1e-7 on levels; gains closer than 1e-6
are one level). Levels are read from the matchings themselves (exact float64 sums of the float32
gains), not from solver objective values.

A model HiGHS proves infeasible raises a bare :class:`~pairing.errors.Infeasible`: the caller
(:func:`pairing.solve`) then names the conflicting rules with the same explainer as ``total``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from pairing.core.objectives import counted, enterprise_gains
from pairing.core.problem import Problem
from pairing.errors import Infeasible, SolverError, SolverTimeout
from pairing.solvers._clock import Clock
from pairing.solvers._linear_model import LinearRules, build_linear_rules
from pairing.solvers.base import Assignment, SolveOptions

if TYPE_CHECKING:  # SciPy's optimize and HiGHS are imported when a MILP runs (start-up)
    from scipy.optimize import LinearConstraint

    from pairing.solvers.fair.reach import ReachTable

__all__ = [
    "LEVEL_SLACK", "TIE", "Clock", "FairModel", "Outcome", "all_single", "best_total",
    "build_model",
    "floor_mask", "level_cap", "phase_one", "run_milp", "timeout_error", "to_assignment",
    "two_phase",
]

LEVEL_SLACK = 1e-7
#: Differences of gains below this are treated as ties (HiGHS's feasibility tolerance).
TIE = 1e-6
#: HiGHS's feasibility tolerances in a ``tight`` MILP (:func:`run_milp`), and its usual ones,
#: under which a counterexample to a tight MILP's "infeasible" is sought (in a MIP HiGHS holds
#: rows to the first, 1e-6).
TIGHT = 1e-9
USUAL_MIP_TOLERANCE = 1e-6
USUAL_PRIMAL_TOLERANCE = 1e-7
#: The counterexample search after a tight "infeasible" runs at most this many times as long
#: as the tight run (at least a second).
COUNTER_TIME = 3.0


@dataclass
class Outcome:
    x: np.ndarray | None  # cell values (binary part only)
    optimal: bool
    bound: float | None
    col_dual: np.ndarray | None = None  # reduced costs, after an LP (``relax``) only


@dataclass(frozen=True)
class FairModel:
    """The rule model and the counted enterprises' gain rows."""

    problem: Problem
    rules: LinearRules
    gain_rows: sp.csr_array  # (m, n_cells): gain of each counted enterprise
    caps: np.ndarray  # (m,) the most partners each counted enterprise may have (capacity max)
    side_rows: tuple[sp.csr_array, sp.csr_array]  # counted enterprises' rows of each side
    weights: np.ndarray  # per-cell score (the total)

    @property
    def m(self) -> int:
        return int(self.gain_rows.shape[0])

    @property
    def n(self) -> int:
        return self.rules.n_cells

    @cached_property
    def reach(self) -> ReachTable:
        """Each member's best cells, sorted once for every reach row built on this model."""
        from pairing.solvers.fair.reach import ReachTable  # (SciPy's optimize: when used)
        return ReachTable(self.gain_rows, self.caps, LEVEL_SLACK)

    @property
    def single(self) -> np.ndarray:
        """``(m,)``: whether each counted enterprise has at most one partner."""
        return np.asarray(self.caps <= 1)

    def gains(self, x: np.ndarray) -> np.ndarray:
        """Exact counted gains of a 0/1 cell vector (float64 over the float32 gains)."""
        left, right = self.rules.selected(x)
        p = self.problem
        g_left, g_right = enterprise_gains(p.gain_left, p.gain_right, left, right)
        counted_left, counted_right = counted(self.problem)
        return np.concatenate([g_left[counted_left], g_right[counted_right]])


def floor_mask(problem: Problem, level: float) -> np.ndarray:
    """Allowed cells that can be in a matching where every counted gain is ≥ ``level``.

    Only members with at most one partner prune cells: their gain is the cell's gain.
    """
    counted_left, counted_right = counted(problem)
    single_left = counted_left & (problem.cap_max_left <= 1)
    single_right = counted_right & (problem.cap_max_right <= 1)
    low = np.float32(level)
    too_low = (single_left[:, None] & (problem.gain_left < low)) | (
        single_right[None, :] & (problem.gain_right < low)
    )
    return problem.allowed & ~too_low


def build_model(problem: Problem, floor: float = 0.0) -> FairModel:
    """The rule model; with ``floor > 0`` only cells compatible with gains ≥ ``floor``, and
    every counted enterprise must then have a partner."""
    counted_left, counted_right = counted(problem)
    if floor > 0:
        rules = build_linear_rules(problem, allowed=floor_mask(problem, floor))
        lower = rules.lower.copy()
        for rows, members in ((rules.left_rows, counted_left), (rules.right_rows, counted_right)):
            lower[rows] = np.where(members, np.maximum(lower[rows], 1), lower[rows])
        rules = rules.with_bounds(lower=lower)
    else:
        rules = build_linear_rules(problem)
    left_rows = sp.csr_array(rules.left_incidence[np.flatnonzero(counted_left)])
    right_rows = sp.csr_array(rules.right_incidence[np.flatnonzero(counted_right)])
    left_gain = sp.csr_array(left_rows.multiply(rules.cell_values(problem.gain_left)[None, :]))
    right_gain = sp.csr_array(right_rows.multiply(rules.cell_values(problem.gain_right)[None, :]))
    caps = np.concatenate([problem.cap_max_left[counted_left],
                           problem.cap_max_right[counted_right]]).astype(np.int64)
    return FairModel(
        problem=problem,
        rules=rules,
        gain_rows=sp.csr_array(sp.vstack([left_gain, right_gain])),
        caps=caps,
        side_rows=(left_gain, right_gain),
        weights=rules.cell_values(problem.weights),
    )


def run_milp(model: FairModel, objective: np.ndarray, extra_cols: int, rows: list[LinearConstraint],
         extra_bounds: tuple[np.ndarray, np.ndarray], clock: Clock,
         options: SolveOptions, *, confirm: bool = True,
         start: np.ndarray | None = None, relax: bool = False,
         tight: bool = False, share: float = 1.0,
         integer_extra: np.ndarray | None = None, first: bool = False,
         interior: bool = False) -> Outcome:
    """Maximise ``objective`` over (cells, extra continuous columns) under the rules + ``rows``.

    HiGHS (``highspy``) gets the time left before the deadline; ``start`` (cells then extra
    columns) is offered as a starting solution. ``confirm``: re-solve without presolve before
    believing "infeasible" (see below). ``relax``: solve the LP relaxation (cells in [0, 1]).
    ``tight``: rows held to 1e-9 instead of HiGHS's 1e-7 after scaling (for "keep the level"
    rows, which HiGHS's scaling otherwise lets slip by up to ~1e-6 on mean-gain rows); an
    "infeasible" found so stands unless HiGHS at its usual tolerances finds a counterexample
    that holds the rows to the tight tolerance (see below).
    ``share``: stop when that share of the overall limit is used (leximin keeps the rest for
    its last round). ``integer_extra``: offsets of extra columns that must be integers too.
    ``first``: stop at the first matching found (a feasibility test; ``optimal`` is then False),
    without presolve.
    ``interior``: solve the relaxation by the interior-point method without crossover (measured
    on a 300 × 450 max-min LP: 3.4 s against 24.9 s by simplex); its value is then within about
    1e-8 of the LP optimum, so a caller that needs a bound adds a margin.
    """
    from pairing.solvers._highs import HighsModel
    rules = model.rules
    n = rules.n_cells
    if n + extra_cols == 0:  # nothing to choose: feasible iff every row allows 0
        bounds_ok = all(np.all(c.lb <= 0) and np.all(c.ub >= 0) for c in rows)
        if not (bounds_ok and np.all(rules.lower <= 0)):
            raise Infeasible(())  # no pair is allowed, yet the rules need some
        return Outcome(np.empty(0), True, 0.0)
    pad = sp.csr_array((rules.n_rows, extra_cols))
    matrix = sp.vstack([sp.hstack([rules.A, pad]), *(c.A for c in rows)], format="csc")
    lower = np.concatenate([rules.lower, *(np.broadcast_to(c.lb, c.A.shape[0]) for c in rows)])
    upper = np.concatenate([rules.upper, *(np.broadcast_to(c.ub, c.A.shape[0]) for c in rows)])
    col_bounds = (np.concatenate([rules.var_lower, extra_bounds[0]]),
                  np.concatenate([rules.var_upper, extra_bounds[1]]))
    highs = HighsModel(matrix, lower, upper, objective, *col_bounds,
                       threads=options.threads, seed=options.seed)
    integers = np.empty(0, dtype=np.int64)
    if n and not relax:
        extra_integer = np.empty(0, dtype=np.int64) if integer_extra is None else integer_extra
        integers = np.concatenate([np.arange(n), n + np.asarray(extra_integer)])
        highs.set_integer(integers)
    if tight:
        highs.set_option("mip_feasibility_tolerance", TIGHT)
        highs.set_option("primal_feasibility_tolerance", TIGHT)
    if first:
        highs.set_option("mip_max_improving_sols", 1)
        # A feasibility test is run without presolve from the start: its "infeasible" then
        # needs no second run (below), and refuted tests are what most of them are (the rules
        # programme counting CN: 34 runs, 11.8 s with presolve and the second run; 17, 4.5 s).
        highs.set_option("presolve", "off")
        confirm = False
    if interior:
        highs.set_option("solver", "ipm")
        highs.set_option("run_crossover", "off")
    if start is not None:
        highs.set_solution(start)
    began = time.perf_counter()
    result = highs.run(clock.left(share))
    if (result.status == "infeasible" and confirm) or result.status == "error":
        # HiGHS's presolve can call a model infeasible when a row's bound sits within its
        # tolerance of the best activity (our "keep the level" rows do), and on a counting
        # bracket with tight tolerances it has stopped with a solve error (a 3 × 4 programme
        # found by a randomised check); both are solved again without presolve.
        highs.set_option("presolve", "off")
        if start is not None:
            highs.set_solution(start)  # (a run that ends infeasible drops it)
        result = highs.run(clock.left(share))
    if result.status == "infeasible" and tight:
        # At tolerances of 1e-9 HiGHS has called a feasible model infeasible: counting both
        # sides of the rules programme, the test that the 28th round's lowest member cannot
        # rise was refuted at the root after 27 s, where at its usual tolerances HiGHS found
        # a matching that lifts it in 9 s (and a later search lifted every other member to
        # 0.5408, where the refutation had fixed the round at 0.5400). So HiGHS at its usual
        # tolerances (1e-6 in a MIP) looks for a counterexample, in at most a few times the
        # tight run's time, and one that holds the rows to the tight tolerance undoes the
        # refutation (each caller then judges the matching for itself: a saturation test
        # drops it, a level search measures what it reaches). One that holds them only
        # within the usual tolerance is no counterexample (a level test sits at its boundary
        # by design: that is why it is tight), and neither is none found.
        tight_run = time.perf_counter() - began
        highs.set_option("mip_feasibility_tolerance", USUAL_MIP_TOLERANCE)
        highs.set_option("primal_feasibility_tolerance", USUAL_PRIMAL_TOLERANCE)
        if start is not None:
            highs.set_solution(start)
        budget, left = COUNTER_TIME * max(1.0, tight_run), clock.left(share)
        second = highs.run(budget if left is None else min(left, budget))
        if second.x is not None and _holds(matrix, lower, upper, col_bounds, second.x,
                                           integers):
            result = second
    if n and not relax:
        clock.last_milp = time.perf_counter() - began
    if result.status == "infeasible":
        raise Infeasible(())  # proved by HiGHS; pairing.solve names the rules in conflict
    if result.status == "error":
        msg = "HiGHS stopped with an error on a fairness model (a bug; please report it)"
        raise SolverError(msg)
    if result.x is None:
        return Outcome(None, False, result.bound)
    if relax:
        return Outcome(result.x, result.status == "optimal", result.bound, result.col_dual)
    return Outcome(np.round(result.x[:n]).astype(np.float64), result.status == "optimal",
                   result.bound)


def _holds(matrix: sp.csc_array, lower: np.ndarray, upper: np.ndarray,
           bounds: tuple[np.ndarray, np.ndarray], x: np.ndarray, integers: np.ndarray) -> bool:
    """Whether ``x``, its integer columns rounded, keeps every row and column bound to ten
    times the tight tolerance (relative, at least absolute)."""
    x = x.copy()
    x[integers] = np.round(x[integers])
    slack = 10 * TIGHT
    activity = matrix @ x
    return bool(np.all(activity >= lower - slack * np.maximum(1.0, np.abs(lower)))
                and np.all(activity <= upper + slack * np.maximum(1.0, np.abs(upper)))
                and np.all(x >= bounds[0] - slack) and np.all(x <= bounds[1] + slack))


def to_assignment(model: FairModel, x: np.ndarray, optimal: bool, note: str,
                bound: float | None = None, positions: tuple[int, float | None] | None = None
                ) -> Assignment:
    """``positions``: a stopped leximin run's proven positions and the bound on the next
    (:attr:`~pairing.solvers.base.Assignment.positions_proven`)."""
    left, right = model.rules.selected(x)
    order = np.lexsort((right, left))
    proven, next_bound = (None, None) if optimal or positions is None else positions
    return Assignment(left[order], right[order], "optimal" if optimal else "feasible",
                      None if optimal else bound, note=note, positions_proven=proven,
                      next_position_bound=next_bound)


def timeout_error(what: str) -> SolverTimeout:
    return SolverTimeout(
        f"the time limit passed before HiGHS found any matching for {what}; raise --time-limit"
    )


def best_total(model: FairModel, clock: Clock, options: SolveOptions, what: str, note: str,
               *, start: np.ndarray | None = None) -> Assignment:
    """The best total score under the rules alone: the answer when nobody is counted, and the
    tie-break when the worst counted gain is 0 in every matching."""
    out = run_milp(model, model.weights, 0, [], (np.empty(0), np.empty(0)), clock, options,
                   start=start)
    if out.x is None:
        raise timeout_error(what)
    suffix = "" if out.optimal else " (time limit reached before the total was proven)"
    return to_assignment(model, out.x, out.optimal, note + suffix, bound=out.bound)


def level_cap(level_rows: sp.csr_array) -> float:
    """An upper bound on any level ``t`` with ``level_rows @ x ≥ t`` (cells are at most 1)."""
    return float(np.asarray(abs(level_rows).sum(axis=1)).max(initial=0.0)) + 1.0


def phase_one(model: FairModel, level_rows: sp.csr_array, clock: Clock, options: SolveOptions,
              start: np.ndarray | None, top: float | None, *, relax: bool = False) -> Outcome:
    """Maximise ``t`` with ``level_rows @ x ≥ t`` (``top``: a proven upper bound on ``t``).

    ``relax``: the LP relaxation instead, by interior point (see :func:`run_milp`); ``t`` is
    then the last entry of ``x``.
    """
    from scipy.optimize import LinearConstraint
    n = model.n
    k = level_rows.shape[0]
    cap = level_cap(level_rows)
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
    return run_milp(model, objective, 1, [phase1], (np.zeros(1), np.full(1, cap)), clock, options,
                    start=first_start, relax=relax, interior=relax)


def two_phase(model: FairModel, level_rows: sp.csr_array, clock: Clock, options: SolveOptions,
               what: str, *, start: np.ndarray | None = None, top: float | None = None,
               level: float | None = None, cut: Outcome | None = None,
               how: str = "by two MILPs (HiGHS)",
               cuts: Callable[[float], list[LinearConstraint]] | None = None) -> Assignment:
    """Maximise ``t`` with ``level_rows @ x ≥ t``, then the total keeping that level.

    ``start``: a 0/1 cell vector offered to HiGHS as the first incumbent; ``top``: a proven
    upper bound on ``t``. Each phase gets the time left; when the limit cuts phase 1 short the
    incumbent is returned as ``feasible`` with HiGHS's dual bound on ``t``, when it cuts phase 2
    short the level is proven (the bound is the level) but the total is not. ``level``: the
    optimal ``t`` is already proven and ``start`` reaches it, phase 1 is skipped; ``cut``: a
    phase 1 already found (cut short by the time limit, or proven by a level search); ``how``:
    the note's words for the method; ``cuts``: valid rows for a level, added to phase 2 (then
    held to HiGHS's usual tolerance: a gain row that slips stays within :data:`TIE`, which the
    check below accepts; measured on a 300 × 300 maxmin, 19 s against 53 s with tight rows and
    no cuts).
    """
    from scipy.optimize import LinearConstraint
    k = level_rows.shape[0]
    if k == 0:
        return best_total(model, clock, options, what, f"{what}: nobody is counted; best total",
                          start=start)
    if cut is not None:
        first = cut
    elif level is not None and start is not None:
        first = Outcome(start, True, level)
    else:
        first = phase_one(model, level_rows, clock, options, start, top)
    if first.x is None:
        raise timeout_error(what)
    reached = float((level_rows @ first.x).min())
    if not first.optimal or clock.expired():
        note = f"{what}: level {reached:.6g} (time limit reached in phase 1; total not optimised)"
        if first.optimal:
            note = f"{what}: level {reached:.6g} (time limit reached before the total)"
        bound = reached if first.optimal else first.bound
        return to_assignment(model, first.x, False, note, bound=bound)
    options.report(f"{what}: level {reached:.4g} reached; best total at that level")
    kept = reached - LEVEL_SLACK * max(1.0, abs(reached))
    keep = LinearConstraint(level_rows, kept, np.inf)
    extra = [] if cuts is None else cuts(kept)
    second = run_milp(model, model.weights, 0, [keep, *extra], (np.empty(0), np.empty(0)), clock,
                      options, start=first.x, tight=cuts is None)
    x = first.x
    # a level within TIE of the one reached is the same level (see the module docstring)
    floor = reached - TIE * max(1.0, abs(reached))
    if second.x is not None and (level_rows @ second.x).min() >= floor:
        x = second.x
    optimal = second.optimal and x is second.x
    note = (
        f"{what} {how}: level {reached:.6g}, then the best total at that level"
        + ("" if optimal else " (time limit reached in phase 2)")
    )
    return to_assignment(model, x, optimal, note, bound=None if optimal else reached)


def all_single(problem: Problem) -> bool:
    counted_left, counted_right = counted(problem)
    return bool(
        (problem.cap_max_left[counted_left] <= 1).all()
        and (problem.cap_max_right[counted_right] <= 1).all()
    )


