"""``maxmin-threshold``: max-min gain for one-to-one programmes, by threshold search.

When every enterprise has at most one partner, the best level is one of the pairs' values and a
level is tested by two matchings (:mod:`.levels`), kept from one tested level to the next and
repaired by augmenting paths on the cells at or above the level; the search tests the top level
first, then galloping floors and a binary search over the values in between. Then the total score
is maximised among the matchings at that level: the one-to-one reduction
(:func:`~pairing.solvers._assignment.solve_one_to_one`) on the pairs at the level, every counted
enterprise required to have a partner, solved by OR-Tools' assignment on those pairs only (4×
faster than LAPJV on the 1,000 × 1,000 double-hundred programme of ``benchmarks/scale.toml``;
integer scores, see :mod:`pairing.solvers.scaling`) — or by LAPJV when the reduction pads the
matrix densely anyway. When no level above 0 is reachable (a counted side larger than the other,
an enterprise with no allowed partner) every matching has worst gain 0 and the answer is the best
total (LAPJV), with the reason in the note. Both steps are exact, so the status is ``optimal``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from pairing.core.objectives import counted, unservable
from pairing.core.problem import Problem
from pairing.solvers._assignment import reduction, solve_one_to_one
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.fair.levels import ZERO_LEVEL, bottleneck_values, max_min_level
from pairing.solvers.lapjv_lsa import lapjv_kernel
from pairing.solvers.ortools_lsa import ortools_kernel

__all__ = ["solve"]


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Max-min counted gain, then the total score, one-to-one."""
    values = bottleneck_values(problem)
    level, n_levels, n_tests = max_min_level(problem, values)
    if level > 0:
        counted_left, counted_right = counted(problem)
        reduced = dataclasses.replace(
            problem,
            allowed=values >= np.float32(level),
            cap_min_left=np.where(counted_left, 1, problem.cap_min_left),
            cap_min_right=np.where(counted_right, 1, problem.cap_min_right),
        )
        # The pairs at the level are a sparse graph (a quarter to a half of the pairs on
        # double-hundred programmes, under 1% on uniform random scores): OR-Tools works on its
        # arcs only, LAPJV on the dense matrix, which the mixed reduction pads anyway.
        sparse = reduction(reduced) == "saturating"
        found = solve_one_to_one(reduced, options, ortools_kernel if sparse else lapjv_kernel)
        note = (
            f"maxmin by threshold search: worst gain {level:.6g} found with {n_tests} matching "
            f"test(s) (augmenting paths) over {n_levels} candidate level(s), then the best total "
            f"score among pairs at that level ({'OR-Tools assignment' if sparse else 'LAPJV'})"
        )
        return dataclasses.replace(found, note=note)
    found = solve_one_to_one(problem, options, lapjv_kernel)
    why = unservable(problem) or [
        f"no matching gives every counted enterprise a positive gain ({n_tests} matching "
        "test(s), augmenting paths)"
    ]
    note = ZERO_LEVEL + "; ".join(why) + "; so the answer is the best total score (LAPJV)"
    return dataclasses.replace(found, note=note)
