"""``balanced-milp``: maximise the smaller of the counted sides' mean gains, then the total.

Neither country's enterprises benefit at the other's expense. Each counted side's mean gain is
over *all* its enterprises (``rules.fair_to``; an enterprise left alone gains 0), one row per
side: phase 1 maximises ``t`` with ``mean gain of each counted side ≥ t``, phase 2 keeps both
means at ``t`` and maximises the total score (:func:`.milp.two_phase`). With ``fair_to`` one
side, that side's mean gain. Exact, any rules.

For a bi-objective assignment (one-to-one, no quotas) a Lagrangian search with LAPJV
(:mod:`.lagrangian`) first gives a good matching, the LP bound and, per pair, a bound on any
matching through it: pairs that cannot reach the matching's level are left out of both MILPs
(exact: no matching at or above that level uses them), which are then small.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from pairing.core.problem import Problem
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.fair.lagrangian import Parametric, balanced_parametric, perfect_sides
from pairing.solvers.fair.milp import (
    LEVEL_SLACK,
    Clock,
    FairModel,
    build_model,
    phase_one,
    timeout_error,
    two_phase,
)

__all__ = ["solve"]

OBJECTIVE = "balanced"


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Max of the smaller side mean gain (every counted enterprise), then the total.

    For a bi-objective assignment (see :func:`perfect_sides`) a Lagrangian search with LAPJV
    (:func:`balanced_parametric`) first gives a good matching, the LP bound and, per pair, a
    bound on any matching through it: pairs that cannot reach the matching's level are left out
    of both MILPs (exact: no matching at or above that level uses them), which are then small.
    """
    clock = Clock(options.time_limit, options.started)
    sides = perfect_sides(problem)
    if sides is not None:
        found = balanced_parametric(problem, *sides, clock)
        if found is not None:
            return _balanced_reduced(problem, found, clock, options)
    model = build_model(problem)
    return two_phase(model, _mean_rows(model), clock, options, "balanced")


def _mean_rows(model: FairModel) -> sp.csr_array:
    """One row per side with members: the side's mean gain."""
    rows = [
        sp.csr_array(side.sum(axis=0)[None, :] / side.shape[0])
        for side in model.side_rows if side.shape[0]
    ]
    return sp.csr_array(sp.vstack(rows)) if rows else sp.csr_array((0, model.n))


def _balanced_reduced(problem: Problem, found: Parametric, clock: Clock,
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
    margin = 2 * LEVEL_SLACK * max(1.0, abs(found.bound))

    def reduced(level: float, left: np.ndarray, right: np.ndarray) -> tuple[FairModel, np.ndarray]:
        keep = problem.allowed & (found.cell_bound >= level - margin)
        model = build_model(dataclasses.replace(problem, allowed=keep))
        start = np.zeros(model.n)
        start[model.rules.cell_positions(left, right)] = 1.0
        return model, start

    model, start = reduced(found.value, found.left, found.right)
    proven = found.value >= found.bound - 1e-9 * max(1.0, abs(found.bound))
    level = found.value if proven else None
    if level is None:  # phase 1 on the pairs that can reach the search's level
        rows = _mean_rows(model)
        first = phase_one(model, rows, clock, options, start, found.bound + margin)
        if first.x is None:
            raise timeout_error(OBJECTIVE)
        if not first.optimal or clock.expired():
            return two_phase(model, rows, clock, options, "balanced", start=first.x,
                              level=float((rows @ first.x).min()), cut=first)
        level = float((rows @ first.x).min())
        # phase 2 needs only the pairs that can reach the optimal level: usually far fewer
        model, start = reduced(level, *model.rules.selected(first.x))
    result = two_phase(model, _mean_rows(model), clock, options, "balanced", start=start,
                        level=level)
    note = (
        f"balanced: {search}; {model.n} of {int(problem.allowed.sum())} pairs can reach it; "
        + result.note.removeprefix("balanced").lstrip(": ")
    )
    return dataclasses.replace(result, note=note)
