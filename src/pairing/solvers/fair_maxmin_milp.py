"""``maxmin-milp``: the max-min objective under any rules, by two MILPs (HiGHS).

Phase 1 maximises the worst gain ``t`` of the fairness population
(:func:`~pairing.objectives.fairness_population`) subject to capacities, quotas and required
pairs; phase 2 keeps every counted enterprise at ``t`` or above and maximises the total score.
One-to-one programmes go to the faster ``maxmin-threshold`` under ``auto``; this solver is the
general, exact fallback (see :mod:`pairing.solvers._fair_milp`).
"""

from __future__ import annotations

from pairing.problem import Problem
from pairing.solvers._fair_milp import solve_maxmin
from pairing.solvers.base import RULE_KINDS, Assignment, SolveOptions, SolverSpec

__all__ = ["SPEC", "solve"]


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Max-min gain, then the total score (exact two-phase MILP)."""
    return solve_maxmin(problem, options)


SPEC = SolverSpec(
    name="maxmin-milp",
    solve=solve,
    objectives=frozenset({"maxmin"}),
    rules=frozenset(RULE_KINDS),
    exact=True,
    summary="Max-min gain, then total: two-phase MILP (HiGHS), any rules",
    library="scipy (HiGHS)",
)
