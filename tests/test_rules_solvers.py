"""Exact rule-capable solvers (flow, milp, cpsat): brute force, agreement, structure, auto.

Differential tests: on tiny random programmes with every rule kind, each exact solver that
supports the structure reaches the brute-force optimum (or explains infeasibility when brute
force finds none), and every result passes the independent validator again here.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given

import pairing
from brute_force import best_total
from pairing.core.problem import Problem, build_problem
from pairing.model.programme import PairQuota, Quota, Rules
from pairing.solvers import milp, registry
from pairing.solvers._linear_model import build_linear_rules
from pairing.solvers.auto import choose_solver
from pairing.solvers.base import SolveOptions
from pairing.solvers.scaling import SCORE_SCALE
from strategies import programme_from_matrix, rule_programmes

RULE_SOLVERS = ("flow", "milp", "cpsat")


def _problem(programme: pairing.Programme) -> Problem:
    return build_problem(programme, pairing.score_matrix(programme))


def _solve(programme: pairing.Programme, solver: str) -> pairing.Result | None:
    try:
        result = pairing.solve(programme, solver=solver)
    except pairing.Infeasible as error:
        assert error.reasons, f"{solver}: infeasible without an explanation"
        return None
    pairing.check(programme, result)
    return result


@given(programme=rule_programmes())
def test_exact_rule_solvers_match_brute_force(programme: pairing.Programme) -> None:
    expected = best_total(programme, programme.scores)  # type: ignore[arg-type]
    problem = _problem(programme)
    for name in RULE_SOLVERS:
        if registry()[name].unsupported(problem, "total"):
            assert name == "flow", f"{name} should support every rule kind"
            continue
        result = _solve(programme, name)
        if expected is None:
            assert result is None, f"{name} found a matching where brute force found none"
            continue
        assert result is not None, f"{name} said infeasible; brute force found {expected}"
        assert result.objective_value == pytest.approx(expected, abs=1e-6), name
        assert result.status == "optimal", name


@given(programme=rule_programmes())
def test_milp_column_generation_matches_brute_force(programme: pairing.Programme) -> None:
    """The priced path (used above DIRECT_CELLS cells) forced on tiny problems."""
    expected = best_total(programme, programme.scores)  # type: ignore[arg-type]
    with mock.patch.object(milp, "DIRECT_CELLS", 0):
        result = _solve(programme, "milp")
    if expected is None:
        assert result is None
    else:
        assert result is not None
        assert result.objective_value == pytest.approx(expected, abs=1e-6)


def _capacitated(n_left: int, n_right: int, seed: int, rules: Rules | None = None,
                 decimals: int = 3) -> pairing.Programme:
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((n_left, n_right)), decimals)
    scores[rng.random(scores.shape) < 0.15] = np.nan
    for a, b in (rules.required if rules else []):
        scores[int(a[1:]), int(b[1:])] = 0.9  # required pairs get a score
    return programme_from_matrix(scores, [(1, 3)] * n_left, [(0, 2)] * n_right, rules)


def _rules_all_kinds() -> Rules:
    return Rules(
        min_score=0.05,
        quotas=[
            Quota(side="left", by="sector", group="ai", min=8),
            Quota(side="right", by="sector", group="textiles", max=15),
        ],
        pair_quotas=[PairQuota(left_sector="textiles", right_sector="ai", min=4)],
        forbidden=[("L0", "R0")],
        required=[("L1", "R2")],
    )


def test_exact_solvers_agree_with_every_rule_kind() -> None:
    programme = _capacitated(40, 45, 3, _rules_all_kinds())
    values = {name: _solve(programme, name) for name in ("milp", "cpsat")}
    assert all(v is not None for v in values.values())
    reference = values["milp"].objective_value  # type: ignore[union-attr]
    for name, result in values.items():
        assert result is not None
        assert result.objective_value == pytest.approx(reference, abs=1e-6), name
        assert ("L1", "R2") in result.pair_ids()


def test_flow_agrees_on_one_side_quotas() -> None:
    rules = Rules(
        quotas=[
            Quota(side="right", by="sector", group="textiles", min=10, max=14),
            Quota(side="right", by="sector", group="ai", max=9),
        ],
        forbidden=[("L0", "R0")],
        required=[("L3", "R4"), ("L3", "R5")],
        min_score=0.1,
    )
    programme = _capacitated(35, 30, 8, rules)
    values = {}
    for name in RULE_SOLVERS:
        result = _solve(programme, name)
        assert result is not None, name
        values[name] = result.objective_value
    assert max(values.values()) - min(values.values()) <= 1e-6, values


def test_cpsat_scaled_optimum_is_the_float_optimum() -> None:
    """Scores with six decimals: CP-SAT's integer optimum equals HiGHS's float optimum."""
    programme = _capacitated(30, 30, 21, _rules_all_kinds(), decimals=6)
    exact = _solve(programme, "milp")
    scaled = _solve(programme, "cpsat")
    assert exact is not None and scaled is not None
    assert SCORE_SCALE == 1_000_000
    tolerance = len(exact.pairs) * 1e-7  # float32 storage of six-decimal scores
    assert scaled.objective_value == pytest.approx(exact.objective_value, abs=tolerance)


def test_flow_declines_quotas_on_both_sides_and_pair_quotas() -> None:
    flow = registry()["flow"]
    both = _problem(_capacitated(6, 6, 1, Rules(quotas=[
        Quota(side="left", by="sector", group="ai", max=3),
        Quota(side="right", by="sector", group="ai", max=3),
    ])))
    assert flow.unsupported(both, "total") == [
        "side quotas on both sides (a flow network routes one side's groups only)"
    ]
    paired = _problem(_capacitated(6, 6, 1, Rules(pair_quotas=[
        PairQuota(left_sector="ai", right_sector="ai", max=2)])))
    assert flow.unsupported(paired, "total") == ["rule kind 'pair_quota'"]
    one_side = _problem(_capacitated(6, 6, 1, Rules(quotas=[
        Quota(side="left", by="sector", group="ai", max=3),
        Quota(side="left", by="sector", group="textiles", min=1),
    ])))
    assert flow.unsupported(one_side, "total") == []


def test_auto_picks_by_structure_and_says_why() -> None:
    one_side = _problem(_capacitated(8, 8, 2, Rules(quotas=[
        Quota(side="right", by="sector", group="ai", max=3)])))
    spec, why = choose_solver(one_side, "total")
    assert spec.name == "flow"
    assert "min-cost flow" in why
    mixed = _problem(_capacitated(8, 8, 2, _rules_all_kinds()))
    spec, why = choose_solver(mixed, "total")
    assert spec.name == "milp"
    assert "flow cannot" in why
    one_to_one = _problem(programme_from_matrix(np.full((3, 3), 0.5), [(1, 1)] * 3, [(1, 1)] * 3))
    assert choose_solver(one_to_one, "total")[0].name == "lapjv"


def test_linear_rules_api() -> None:
    programme = _capacitated(5, 6, 4, Rules(
        quotas=[Quota(side="left", by="sector", group="ai", min=1, max=4)],
        required=[("L1", "R2")]))
    problem = _problem(programme)
    rules = build_linear_rules(problem)
    assert rules.n_cells == int(problem.allowed.sum())
    assert rules.A.shape == (5 + 6 + 1, rules.n_cells)
    assert (rules.left_incidence.sum(axis=1) == problem.allowed.sum(axis=1)).all()
    assert (rules.right_incidence.sum(axis=1) == problem.allowed.sum(axis=0)).all()
    assert rules.lower[rules.quota_rows].tolist() == [1.0]
    assert rules.upper[rules.quota_rows].tolist() == [4.0]
    pos = rules.cell_positions(np.array([1, 0]), np.array([2, 0]))
    assert rules.var_lower[pos[0]] == 1.0
    assert (pos[1] >= 0) == bool(problem.allowed[0, 0])
    x = rules.var_lower.copy()
    assert [tuple(p) for p in zip(*rules.selected(x), strict=True)] == [(1, 2)]


def test_time_limit_gives_feasible_with_gap_or_timeout() -> None:
    programme = _capacitated(60, 60, 5, _rules_all_kinds())
    try:
        result = pairing.solve(programme, solver="cpsat", time_limit=0.05)
    except pairing.SolverTimeout:
        return
    pairing.check(programme, result)
    if result.status == "feasible":
        assert result.solver.gap is not None and result.solver.gap >= 0
    else:
        assert result.status == "optimal"


def test_milp_time_limit_reports_a_bound() -> None:
    problem = _problem(_capacitated(30, 30, 9, _rules_all_kinds()))
    found = milp.solve(problem, SolveOptions(time_limit=30))
    assert found.status == "optimal"
    assert found.bound is None


@pytest.mark.slow
def test_thousand_by_thousand_all_rules_milp_matches_flow_free_reference() -> None:
    programme = _capacitated(1000, 1000, 13, Rules(
        min_score=0.2,
        quotas=[Quota(side="left", by="sector", group="ai", min=120),
                Quota(side="right", by="sector", group="textiles", max=150)],
        pair_quotas=[PairQuota(left_sector="textiles", right_sector="ai", min=40)],
        required=[("L1", "R2")]))
    problem = _problem(programme)
    priced = milp.solve(problem, SolveOptions())
    with mock.patch.object(milp, "DIRECT_CELLS", 10**9):
        direct = milp.solve(problem, SolveOptions())
    weights = problem.weights
    assert weights[priced.left, priced.right].sum() == pytest.approx(
        weights[direct.left, direct.right].sum(), abs=1e-6)
