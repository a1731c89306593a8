"""Explained infeasibility: each kind of conflict has a test pinning its explanation.

Counting checks (:mod:`pairing.diagnostics.feasibility`) run before any solver; when they find
nothing and a solver proves infeasibility, the deletion filter
(:mod:`pairing.diagnostics.conflicts`) names the rules.
"No solution" alone is never an acceptable answer.
"""

from __future__ import annotations

import numpy as np
import pytest

import pairing
from pairing.core.problem import build_problem
from pairing.diagnostics.conflicts import explain_infeasibility, find_conflict
from pairing.diagnostics.feasibility import counting_conflicts
from pairing.model.programme import PairQuota, Quota, Rules
from strategies import programme_from_matrix

SOLVERS = ("milp", "cpsat", "flow")


def _programme(scores: np.ndarray, caps_left: list[tuple[int, int]],
               caps_right: list[tuple[int, int]], rules: Rules | None = None) -> pairing.Programme:
    return programme_from_matrix(np.asarray(scores, dtype=float), caps_left, caps_right, rules)


def _full(n_left: int, n_right: int, seed: int = 0) -> np.ndarray:
    return np.round(np.random.default_rng(seed).uniform(0.4, 1.0, (n_left, n_right)), 3)


def test_capacity_sums() -> None:
    programme = _programme(_full(4, 2), [(1, 2)] * 4, [(0, 1)] * 2)
    with pytest.raises(pairing.Infeasible,
                       match=r"the CN side needs at least 4 pairs .* at most 2"):
        pairing.solve(programme, solver="milp")


def test_capacity_min_against_allowed_partners() -> None:
    scores = _full(3, 3)
    scores[0] = 0.1
    programme = _programme(scores, [(1, 1)] * 3, [(0, 1)] * 3, Rules(min_score=0.3))
    with pytest.raises(pairing.Infeasible, match=r"1 CN enterprise\(s\) need more partners .*L0"):
        pairing.solve(programme, solver="milp")


def test_required_pair_below_min_score() -> None:
    scores = _full(3, 3)
    scores[0, 1] = 0.2
    programme = _programme(scores, [(0, 1)] * 3, [(0, 1)] * 3,
                           Rules(min_score=0.3, required=[("L0", "R1")]))
    with pytest.raises(pairing.Infeasible, match=r"required pair L0–R1 scores 0\.200, below"):
        pairing.solve(programme, solver="cpsat")


def test_required_pairs_beyond_capacity() -> None:
    programme = _programme(_full(2, 3), [(0, 1)] * 2, [(0, 1)] * 3,
                           Rules(required=[("L0", "R1"), ("L0", "R2")]))
    with pytest.raises(pairing.Infeasible,
                       match=r"CN L0 is in 2 required pairs but its capacity max is 1"):
        pairing.solve(programme, solver="milp")


def test_quota_min_names_how_many_members_have_a_partner() -> None:
    # Left sectors cycle ai, textiles, logistics: L0, L3 and L6 are the ai enterprises.
    scores = _full(7, 7)
    scores[[3, 6]] = np.nan
    rules = Rules(quotas=[Quota(side="left", by="sector", group="ai", min=3)])
    programme = _programme(scores, [(0, 1)] * 7, [(0, 1)] * 7, rules)
    with pytest.raises(
        pairing.Infeasible,
        match=r"quota left sector=ai min 3 .*min 3 but at most 1 such pairs are possible — only 1 "
              r"of its 3 CN enterprises have an allowed partner",
    ):
        pairing.solve(programme, solver="milp")


def test_pair_quota_min_beyond_reach() -> None:
    rules = Rules(pair_quotas=[PairQuota(left_sector="ai", right_sector="textiles", min=3)])
    programme = _programme(_full(3, 3), [(0, 1)] * 3, [(0, 1)] * 3, rules)
    with pytest.raises(pairing.Infeasible, match=r"pair quota ai×textiles min 3.*at most 1 such"):
        pairing.solve(programme, solver="milp")


def test_quota_max_against_required_pairs() -> None:
    rules = Rules(quotas=[Quota(side="left", by="sector", group="ai", max=1)],
                  required=[("L0", "R0"), ("L0", "R1")])
    programme = _programme(_full(3, 3), [(0, 2)] * 3, [(0, 1)] * 3, rules)
    with pytest.raises(pairing.Infeasible,
                       match=r"max 1 but 2 required pairs fall in it \(L0–R0, L0–R1\)"):
        pairing.solve(programme, solver="milp")


def test_side_quota_max_against_capacity_minimums() -> None:
    rules = Rules(quotas=[Quota(side="left", by="sector", group="ai", max=2)])
    programme = _programme(_full(4, 6), [(2, 3)] * 4, [(0, 2)] * 6, rules)
    with pytest.raises(pairing.Infeasible,
                       match=r"max 2 but its 2 CN enterprise\(s\) with a capacity min need at "
                             r"least 4 pairs \(L0, L3\)"):
        pairing.solve(programme, solver="milp")


def test_hall_condition_per_group() -> None:
    # Three CN enterprises each need a partner, but all can only pair with PK R0 (max 1).
    scores = np.full((3, 3), np.nan)
    scores[:, 0] = 0.5
    scores[0, 1:] = np.nan
    programme = _programme(scores, [(1, 1)] * 3, [(0, 1)] * 3)
    with pytest.raises(pairing.Infeasible,
                       match=r"need at least 3 pairs, but the 1 PK enterprise\(s\) allowed to "
                             r"pair with them can take at most 1"):
        pairing.solve(programme, solver="milp")


def _quota_conflict() -> pairing.Programme:
    """Textile PK firms may take at most 1 pair, yet 2 ai×textiles pairs are required."""
    rules = Rules(
        quotas=[Quota(side="right", by="sector", group="textiles", max=1)],
        pair_quotas=[PairQuota(left_sector="ai", right_sector="textiles", min=2)],
    )
    return _programme(_full(6, 6), [(0, 2)] * 6, [(0, 2)] * 6, rules)


@pytest.mark.parametrize("solver", ["milp", "cpsat"])
def test_deletion_filter_names_the_conflicting_quotas(solver: str) -> None:
    programme = _quota_conflict()
    problem = build_problem(programme, pairing.score_matrix(programme))
    assert counting_conflicts(problem) == []
    with pytest.raises(pairing.Infeasible) as caught:
        pairing.solve(programme, solver=solver)
    reasons = caught.value.reasons
    assert reasons[0].startswith("these 2 rules cannot all hold together (relaxing any one")
    assert any("rules.quotas[0] (quota right sector=textiles max 1): at most 1 pairs — to relax: "
               "raise its max" in r for r in reasons)
    assert any("rules.pair_quotas[0] (pair quota ai×textiles min 2): at least 2 pairs — to relax: "
               "lower its min" in r for r in reasons)


def test_deletion_filter_names_min_score() -> None:
    # R0 needs a partner and only L0 scores at least min_score with it, but L0's one place is
    # taken by a required pair: min_score is one of the conflicting rules.
    scores = np.array([[0.8, 0.7], [0.2, 0.9]])
    rules = Rules(min_score=0.3, required=[("L0", "R1")])
    programme = _programme(scores, [(0, 1)] * 2, [(1, 1), (0, 1)], rules)
    problem = build_problem(programme, pairing.score_matrix(programme))
    assert counting_conflicts(problem) == []
    with pytest.raises(pairing.Infeasible,
                       match=r"min_score 0\.3 \(excludes 1 scored pairs\) — to relax: lower "
                             r"min_score"):
        pairing.solve(programme, solver="milp")


def test_deletion_filter_with_required_and_forbidden_pairs() -> None:
    # L0 may take one partner; R0 must be matched to someone, and only L0 may pair with R0
    # (L1–R0 is forbidden); and L0–R1 is required: three rules that conflict only together.
    scores = _full(2, 2)
    rules = Rules(forbidden=[("L1", "R0")], required=[("L0", "R1")])
    programme = _programme(scores, [(0, 1)] * 2, [(1, 1), (0, 1)], rules)
    problem = build_problem(programme, pairing.score_matrix(programme))
    assert counting_conflicts(problem) == []
    conflict, minimal = find_conflict(problem)
    assert minimal
    names = sorted(group.name for group in conflict)
    assert names == [
        "capacity max of the CN (left) enterprises (from 1 to 1 partners each, 2 in all)",
        "capacity min of the PK (right) enterprises (1 must have partners, at least 1 pairs in "
        "all; e.g. R0)",
        "forbidden pair L1–R0",
        "required pair L0–R1",
    ]
    with pytest.raises(pairing.Infeasible, match=r"forbidden pair L1–R0 — to relax: allow this"):
        pairing.solve(programme, solver="milp")


def test_explanation_always_has_a_reason() -> None:
    programme = _quota_conflict()
    problem = build_problem(programme, pairing.score_matrix(programme))
    reasons = explain_infeasibility(problem)
    assert reasons and all(isinstance(r, str) and r for r in reasons)


@pytest.mark.parametrize("solver", SOLVERS)
def test_every_rule_solver_explains(solver: str) -> None:
    # Flow supports this structure (capacities + required + forbidden); the conflict is found
    # by the deletion filter after the solver proves infeasibility.
    scores = _full(2, 2)
    rules = Rules(forbidden=[("L1", "R0")], required=[("L0", "R1")])
    programme = _programme(scores, [(0, 1)] * 2, [(1, 1), (0, 2)], rules)
    with pytest.raises(pairing.Infeasible, match="cannot all hold together"):
        pairing.solve(programme, solver=solver)


def _capacity_conflict() -> pairing.Programme:
    """R0 must be matched, only L0 may pair with it, and L0's one place is required elsewhere."""
    rules = Rules(forbidden=[("L1", "R0")], required=[("L0", "R1")])
    return _programme(_full(2, 2), [(0, 1)] * 2, [(1, 1), (0, 1)], rules)


@pytest.mark.parametrize("objective", ["total", "maxmin", "leximin", "balanced", "stable"])
@pytest.mark.parametrize("fair_to", ["both", "left", "right"])
def test_every_objective_explains_by_rule(objective: str, fair_to: str) -> None:
    """The fair solvers raise a bare Infeasible; solve() names the rules like for total."""
    for programme in (_quota_conflict(), _capacity_conflict()):
        try:
            pairing.solve(programme, objective=objective, fair_to=fair_to)
        except pairing.UnsupportedProblem as exc:
            # stable is not defined with quotas or required pairs, and says so
            assert objective == "stable" and "stable" in str(exc)
            continue
        except pairing.Infeasible as exc:
            assert exc.reasons, objective
            assert any("cannot all hold together" in r or "rules." in r or "pair" in r
                       for r in exc.reasons), exc.reasons
            assert not any("admit no matching (proved by the MILP)" in r for r in exc.reasons)
            continue
        pytest.fail(f"{objective}: an infeasible programme was solved")


def test_the_explainer_gets_what_is_left_of_the_time_limit() -> None:
    """One budget: --time-limit covers solving and explaining (the conflict search is not a
    second 20 s on top)."""
    import importlib
    from unittest import mock

    solve_module = importlib.import_module("pairing.diagnostics.conflicts")

    seen: list[float] = []
    real = solve_module.explain_infeasibility

    def spy(problem, *, time_limit: float = 20.0):  # type: ignore[no-untyped-def]
        seen.append(time_limit)
        return real(problem, time_limit=time_limit)

    with mock.patch.object(solve_module, "explain_infeasibility", spy), pytest.raises(
        pairing.Infeasible, match="cannot all hold together"
    ):
        pairing.solve(_quota_conflict(), solver="milp", time_limit=5.0)
    assert len(seen) == 1 and 1.0 <= seen[0] <= 5.0
    with mock.patch.object(solve_module, "explain_infeasibility", spy), pytest.raises(
        pairing.Infeasible
    ):
        pairing.solve(_quota_conflict(), solver="milp")
    assert seen[1] == 20.0
