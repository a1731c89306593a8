"""``balanced-milp``: maximise the smaller of the two sides' mean gains, then the total.

Neither country's enterprises benefit at the other's expense: phase 1 maximises ``t`` with
``mean gain of each side's counted enterprises ≥ t`` (the fairness population of
:func:`~pairing.objectives.fairness_population`, one row per side), phase 2 keeps both means at
``t`` or above and maximises the total score. Exact, any rules (see
:mod:`pairing.solvers._fair_milp`).
"""

from __future__ import annotations

from pairing.problem import Problem
from pairing.solvers._fair_milp import solve_balanced
from pairing.solvers.base import RULE_KINDS, Assignment, SolveOptions, SolverSpec

__all__ = ["SPEC", "solve"]


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Max of the smaller side mean gain, then the total score (exact two-phase MILP)."""
    return solve_balanced(problem, options)


SPEC = SolverSpec(
    name="balanced-milp",
    solve=solve,
    objectives=frozenset({"balanced"}),
    rules=frozenset(RULE_KINDS),
    exact=True,
    summary="Max of the smaller side mean gain, then total: two-phase MILP (HiGHS), any rules",
    library="scipy (HiGHS)",
)
