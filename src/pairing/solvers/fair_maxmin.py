"""``maxmin-threshold``: the max-min objective for one-to-one programmes, by threshold search.

When every enterprise has at most one partner, an enterprise's gain is the gain of its one pair,
so "every counted enterprise gains at least ``t``" is a property of the *pairs* used: pair
(i, j) may be used at level ``t`` when ``gain_left[i, j] ≥ t`` if i is in the fairness
population (:func:`~pairing.objectives.fairness_population`) and ``gain_right[i, j] ≥ t`` if j
is. The best level ``t*`` is therefore one of the matrix's gain values, and level ``t > 0`` is
reachable exactly when a matching of usable pairs covers every population member (and the
required pairs are usable). By the Mendelsohn–Dulmage theorem a matching covering both sides'
members exists as soon as one covers the left members and one covers the right members, so the
test is two maximum-cardinality matchings (Hopcroft–Karp,
:func:`scipy.sparse.csgraph.maximum_bipartite_matching`). A binary search over the sorted
candidate levels needs about log2(#levels) tests.

Then the total score is maximised among matchings at level ``t*``: the usual one-to-one
reduction (:func:`~pairing.solvers._assignment.solve_one_to_one`, LAPJV kernel) on the usable
pairs, with every population member required to have a partner. Both steps are exact, so the
status is ``optimal``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import maximum_bipartite_matching

from pairing.objectives import fairness_population
from pairing.problem import Problem
from pairing.solvers._assignment import solve_one_to_one
from pairing.solvers.base import Assignment, SolveOptions, SolverSpec
from pairing.solvers.lapjv_lsa import lapjv_kernel

__all__ = ["SPEC", "LevelTest", "bottleneck_values", "max_min_level", "solve"]


def bottleneck_values(problem: Problem) -> np.ndarray:
    """``(n_left, n_right)`` float32: the level up to which each pair may be used.

    The smaller of the pair's counted gains (``+inf`` when neither end is counted, ``-inf``
    when the pair is not allowed or an end has capacity max 0).
    """
    pop_left, pop_right = fairness_population(problem)
    inf = np.float32(np.inf)
    values = np.minimum(
        np.where(pop_left[:, None], problem.gain_left, inf),
        np.where(pop_right[None, :], problem.gain_right, inf),
    ).astype(np.float32, copy=False)
    usable = (
        problem.allowed
        & (problem.cap_max_left > 0)[:, None]
        & (problem.cap_max_right > 0)[None, :]
    )
    values[~usable] = -inf
    return values


class LevelTest:
    """Can every population member get a partner using only pairs of value ≥ ``t``?"""

    def __init__(self, problem: Problem, values: np.ndarray) -> None:
        pop_left, pop_right = fairness_population(problem)
        free_rows = np.ones(problem.shape[0], dtype=bool)
        free_cols = np.ones(problem.shape[1], dtype=bool)
        required = problem.required
        self.required_floor = np.float32(np.inf)
        if len(required):
            free_rows[required[:, 0]] = False
            free_cols[required[:, 1]] = False
            self.required_floor = values[required[:, 0], required[:, 1]].min()
        self.rows = np.flatnonzero(free_rows)
        self.cols = np.flatnonzero(free_cols)
        sub = values[np.ix_(self.rows, self.cols)]
        self.must_rows = np.flatnonzero(pop_left[self.rows])
        self.must_cols = np.flatnonzero(pop_right[self.cols])
        self.by_rows = sub[self.must_rows]
        self.by_cols = np.ascontiguousarray(sub[:, self.must_cols].T)
        self.calls = 0

    def upper_bound(self) -> np.float32:
        """No level above this can work: some member's best usable pair is below it."""
        best = [self.required_floor]
        if len(self.must_rows):
            best.append(self.by_rows.max(axis=1, initial=-np.inf).min())
        if len(self.must_cols):
            best.append(self.by_cols.max(axis=1, initial=-np.inf).min())
        return np.float32(min(best))

    def __call__(self, level: np.float32) -> bool:
        self.calls += 1
        if self.required_floor < level:
            return False
        for block in (self.by_rows, self.by_cols):
            if not len(block):
                continue
            graph = sp.csr_array(block >= level)
            matched = maximum_bipartite_matching(graph, perm_type="column")
            if (matched < 0).any():
                return False
        return True


def max_min_level(problem: Problem, values: np.ndarray) -> tuple[float, int, int]:
    """The largest level ``t`` at which the population can be served; 0 when none above 0.

    Returns ``(t, number of candidate levels, number of matching tests)``.
    """
    test = LevelTest(problem, values)
    bound = test.upper_bound()
    finite = values[np.isfinite(values)]
    candidates = np.unique(finite[(finite > 0) & (finite <= bound)])
    lo, hi = -1, len(candidates) - 1  # candidates[lo] feasible (lo = -1: level 0)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if test(candidates[mid]):
            lo = mid
        else:
            hi = mid - 1
    level = float(candidates[lo]) if lo >= 0 else 0.0
    return level, len(candidates), test.calls


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Max-min gain over the fairness population, then the total score, one-to-one."""
    values = bottleneck_values(problem)
    level, n_levels, n_tests = max_min_level(problem, values)
    if level > 0:
        pop_left, pop_right = fairness_population(problem)
        problem = dataclasses.replace(
            problem,
            allowed=values >= np.float32(level),
            cap_min_left=np.where(pop_left, np.maximum(problem.cap_min_left, 1),
                                  problem.cap_min_left),
            cap_min_right=np.where(pop_right, np.maximum(problem.cap_min_right, 1),
                                   problem.cap_min_right),
        )
    found = solve_one_to_one(problem, options, lapjv_kernel)
    note = (
        f"maxmin by threshold search: worst gain {level:.6g} found with {n_tests} matching "
        f"test(s) (Hopcroft-Karp) over {n_levels} candidate level(s), then the best total "
        "score among pairs at that level (LAPJV)"
    )
    return dataclasses.replace(found, note=note)


SPEC = SolverSpec(
    name="maxmin-threshold",
    solve=solve,
    objectives=frozenset({"maxmin"}),
    rules=frozenset({"required"}),
    exact=True,
    summary="Max-min gain, one-to-one: threshold search (Hopcroft-Karp) + assignment (LAPJV)",
    library="scipy, lapjv",
)
