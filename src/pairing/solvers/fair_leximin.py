"""``leximin-milp``: lexicographically maximise the sorted vector of enterprise gains.

The worst-off counted enterprise first, then the second worst, and so on — by the
ordered-outcomes method, one MILP round per position of the sorted vector (ties reuse the rows
of their level), then one round for the best total score among leximin-optimal matchings (see
:mod:`pairing.solvers._fair_milp`). The result's note says how many rounds it took; when the
time limit stops it early the status is ``feasible`` and the note says how many positions were
fixed.
"""

from __future__ import annotations

from pairing.problem import Problem
from pairing.solvers._fair_milp import solve_leximin
from pairing.solvers.base import RULE_KINDS, Assignment, SolveOptions, SolverSpec

__all__ = ["SPEC", "solve"]


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Leximin over the fairness population, then the total score (sequential MILPs)."""
    return solve_leximin(problem, options)


SPEC = SolverSpec(
    name="leximin-milp",
    solve=solve,
    objectives=frozenset({"leximin"}),
    rules=frozenset(RULE_KINDS),
    exact=True,
    summary="Leximin gains: one MILP round per sorted position (ordered outcomes, HiGHS)",
    library="scipy (HiGHS)",
)
