"""``maxmin-milp``: max-min counted gain under any rules, then the total score.

1. **Level 0 or not** (:func:`.levels.positive_level`): when counting arguments or one
   feasibility MILP show that some counted enterprise gains nothing in every matching, the worst
   gain is 0 whatever is chosen; the answer is the best total score, proven, and the note says
   who cannot be served and why.
2. **The level.** When every counted enterprise has at most one partner, a binary search over
   the pairs' values (:func:`.levels.single_level`); otherwise a proven bisection over LP
   relaxations, then feasibility MILPs, at fixed levels, each with the reach rows of
   :mod:`.reach` (:func:`.sum_level.sum_level`).
3. **The total** among matchings at that level: one MILP keeping every counted gain ≥ ``t``
   (with the reach rows for ``t`` when gains are sums).

One-to-one programmes without quotas go to the faster ``maxmin-threshold`` under ``auto``.
"""

from __future__ import annotations

import numpy as np

from pairing.core.objectives import counted
from pairing.core.problem import Problem
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.fair.levels import positive_level, single_level
from pairing.solvers.fair.milp import (
    Clock,
    all_single,
    best_total,
    build_model,
    run_milp,
    timeout_error,
    to_assignment,
    two_phase,
)
from pairing.solvers.fair.sum_level import sum_level

__all__ = ["solve"]

OBJECTIVE = "maxmin"

_NONE = (np.empty(0), np.empty(0))


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Max-min counted gain, then the total score (exact, any rules)."""
    clock = Clock(options.time_limit, options.started)
    counted_left, counted_right = counted(problem)
    if not (counted_left.any() or counted_right.any()):
        return best_total(build_model(problem), clock, options, OBJECTIVE,
                          "maxmin: nobody is counted; best total")
    possible, why, witness = positive_level(problem, clock, options)
    if not possible:
        return best_total(build_model(problem), clock, options, OBJECTIVE,
                          f"maxmin: {why}; so the best total score")
    if all_single(problem):
        level, runs, proven = single_level(problem, clock, options)
        model = build_model(problem, floor=level)
        out = run_milp(model, model.weights, 0, [], _NONE, clock, options)
        if out.x is None:
            raise timeout_error(OBJECTIVE)
        note = (
            f"maxmin: level {level:.6g} by binary search ({runs} feasibility MILP(s), "
            "Hopcroft-Karp pre-tests), then the best total at that level (MILP, HiGHS)"
        )
        if not (proven and out.optimal):
            note += "; time limit reached"
        return to_assignment(model, out.x, proven and out.optimal, note)
    model = build_model(problem)
    search = sum_level(model, clock, options, witness)
    how = f"{search.describe()}, then one for the total (HiGHS)"
    return two_phase(model, model.gain_rows, clock, options, "maxmin", cut=search.found, how=how,
                     cuts=lambda t: model.reach.at_level(t).constraints(model.n))
