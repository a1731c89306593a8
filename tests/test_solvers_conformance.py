"""Every registered solver, on the same programmes: valid results, agreement, brute force.

Parametrised over the registry (the networkx ``flow_funcs`` pattern): a failure names the
solver. Exact solvers must reach the brute-force optimum on tiny programmes and agree with
each other on larger ones; every result passes the independent validator (``pairing.solve``
runs it, and these tests run it again).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import pairing
from brute_force import best_total
from pairing.solvers import registry
from strategies import one_to_one_programmes, programme_from_matrix

SOLVERS = sorted(registry())
EXACT_TOTAL = sorted(
    name for name, spec in registry().items() if spec.exact and "total" in spec.objectives
)


def _solve_or_none(programme: pairing.Programme, solver: str) -> pairing.Result | None:
    try:
        return pairing.solve(programme, solver=solver)
    except pairing.Infeasible:
        return None


@pytest.mark.parametrize("solver", EXACT_TOTAL)
@given(programme=one_to_one_programmes())
def test_exact_solvers_match_brute_force(solver: str, programme: pairing.Programme) -> None:
    if registry()[solver].unsupported(pairing_problem(programme), "total"):
        pytest.skip(f"{solver} does not support this structure")
    expected = best_total(programme, programme.scores)  # type: ignore[arg-type]
    result = _solve_or_none(programme, solver)
    if expected is None:
        assert result is None, f"{solver} found a matching where brute force found none"
        return
    assert result is not None, f"{solver} said infeasible; brute force found {expected}"
    assert result.objective_value == pytest.approx(expected, abs=1e-5), solver
    pairing.check(programme, result)


def pairing_problem(programme: pairing.Programme):
    from pairing.core.problem import build_problem

    return build_problem(programme, pairing.score_matrix(programme))


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_solver_valid_on_rectangular(solver: str) -> None:
    rng = np.random.default_rng(7)
    scores = np.round(rng.random((30, 45)), 3)
    scores[rng.random(scores.shape) < 0.2] = np.nan
    programme = programme_from_matrix(scores, [(1, 1)] * 30, [(0, 1)] * 45)
    objectives = registry()[solver].objectives
    objective = "total" if "total" in objectives else min(objectives)
    # every PK enterprise counts and 15 of them must stay alone: leximin-milp has 60 positive
    # positions to fix one MILP each; a limit keeps the test short (validity is what it checks)
    limit = 5.0 if objective in ("maxmin", "leximin", "balanced") else None
    result = pairing.solve(programme, solver=solver, objective=objective, time_limit=limit)
    pairing.check(programme, result)
    assert len(result.pairs) == 30
    assert result.solver.name == solver


def test_exact_solvers_agree_on_larger_instances() -> None:
    rng = np.random.default_rng(11)
    for shape in ((60, 60), (80, 50), (40, 90)):
        scores = rng.random(shape)
        scores[rng.random(shape) < 0.3] = np.nan
        n_left, n_right = shape
        small_left = n_left <= n_right
        programme = programme_from_matrix(
            scores,
            [(1 if small_left else 0, 1)] * n_left,
            [(0 if small_left and n_left != n_right else 1, 1)] * n_right,
        )
        values = {
            name: pairing.solve(programme, solver=name).objective_value for name in EXACT_TOTAL
        }
        reference = values["scipy"]
        for name, value in values.items():
            assert value == pytest.approx(reference, abs=len(scores) * 1e-6), (name, values)


def test_greedy_never_beats_exact() -> None:
    rng = np.random.default_rng(3)
    scores = rng.random((40, 40))
    programme = programme_from_matrix(scores, [(1, 1)] * 40, [(1, 1)] * 40)
    greedy = pairing.solve(programme, solver="greedy")
    exact = pairing.solve(programme, solver="scipy")
    assert greedy.status == "feasible"
    assert greedy.objective_value <= exact.objective_value + 1e-9


def test_required_pairs_are_kept_by_assignment_solvers() -> None:
    rng = np.random.default_rng(5)
    scores = rng.random((6, 6))
    rules = pairing.Rules(required=[("L0", "R5"), ("L3", "R1")])
    programme = programme_from_matrix(scores, [(1, 1)] * 6, [(1, 1)] * 6, rules)
    for name in EXACT_TOTAL:
        result = pairing.solve(programme, solver=name)
        assert {("L0", "R5"), ("L3", "R1")} <= set(result.pair_ids()), name
        assert result.objective_value == pytest.approx(best_total(programme, scores), abs=1e-5)


def test_unknown_solver_fails_loudly() -> None:
    programme = programme_from_matrix(np.ones((2, 2)) / 2, [(1, 1)] * 2, [(1, 1)] * 2)
    with pytest.raises(pairing.UnsupportedProblem, match="unknown solver 'hungarian'"):
        pairing.solve(programme, solver="hungarian")
