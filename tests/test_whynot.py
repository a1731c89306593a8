"""why_not: the rule that forbids a pair, or the best matching that contains it and its cost."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
from brute_force import best_total
from pairing.analysis.whynot import why_not
from pairing.cli import main
from pairing.model.programme import Rules
from strategies import programme_from_matrix

REPO = Path(__file__).resolve().parent.parent
INSTANCE = REPO / "instances" / "double-hundred.json"


def _programme(**rules: object) -> pairing.Programme:
    scores = np.array([[0.9, 0.5, math.nan], [0.6, 0.8, 0.1], [0.2, 0.3, 0.7]])
    return programme_from_matrix(
        scores, [(0, 1)] * 3, [(0, 1), (0, 1), (0, 0)], rules=Rules.model_validate(rules)
    )


def test_possible_pair_costs_what_brute_force_says() -> None:
    programme = _programme()
    result = pairing.solve(programme)
    assert set(result.pair_ids()) == {("L0", "R0"), ("L1", "R1")}
    answer = why_not(programme, result, "L0", "R1")
    assert answer.status == "possible"
    forced = programme.model_copy(
        update={"rules": programme.rules.model_copy(update={"required": [("L0", "R1")]})}
    )
    best = best_total(forced, pairing.score_matrix(forced).score)
    assert answer.alternative_objective_value == pytest.approx(best)
    assert answer.objective_cost == pytest.approx(result.objective_value - best)
    assert answer.alternative is not None
    pairing.check(forced, answer.alternative)
    assert ("L0", "R1") in answer.added_pairs
    assert set(answer.removed_pairs) == {("L0", "R0"), ("L1", "R1")}
    movers = {m.id: m for m in answer.movers}
    assert movers["L0"].gain_before == pytest.approx(0.9)
    assert movers["L0"].gain_after == pytest.approx(0.5)
    assert "costs" in "\n".join(answer.lines())


def test_rules_that_exclude_a_pair() -> None:
    programme = _programme(forbidden=[("L1", "R0")], min_score=0.15)
    result = pairing.solve(programme)
    forbidden = why_not(programme, result, "L1", "R0")
    assert forbidden.status == "not_allowed"
    assert forbidden.blocked_by == ["forbidden by rules.forbidden[0]"]
    assert "no score" in why_not(programme, result, "L0", "R2").blocked_by[0]
    low = why_not(programme, result, "L1", "R2").blocked_by
    assert any("below min_score" in b for b in low) and any("capacity max 0" in b for b in low)
    assert why_not(programme, result, "L0", "R0").status == "in_result"


def test_quota_makes_a_pair_infeasible() -> None:
    scores = np.array([[0.9, 0.5], [0.6, 0.8]])
    programme = programme_from_matrix(
        scores,
        [(1, 1)] * 2,
        [(1, 1)] * 2,
        sectors_left=["ai", "textiles"],
        sectors_right=["ai", "textiles"],
        rules=Rules.model_validate(
            {"pair_quotas": [{"left_sector": "ai", "right_sector": "textiles", "max": 0}]}
        ),
    )
    try:
        result = pairing.solve(programme)
    except pairing.UnsupportedProblem:
        pytest.skip("no solver for pair quotas is registered yet")
    answer = why_not(programme, result, "L0", "R1")
    assert answer.status == "infeasible"
    assert any("ai×textiles max 0" in reason for reason in answer.infeasible_reasons)


def test_unknown_id() -> None:
    programme = _programme()
    result = pairing.solve(programme)
    with pytest.raises(pairing.InvalidProgramme, match="'L9'"):
        why_not(programme, result, "L9", "R0")


def test_explain_why_not_cli(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "r.json"
    assert runner.invoke(main, ["solve", str(INSTANCE), "-o", str(out)]).exit_code == 0
    result = pairing.load_result(out)
    a, b = result.pairs[0], result.pairs[1]
    run = runner.invoke(main, ["explain", str(INSTANCE), str(out), "--why-not", a.left, b.right])
    assert run.exit_code == 0, run.output
    assert "the best matching with this pair" in run.output and "costs" in run.output
    both = runner.invoke(
        main,
        ["explain", str(INSTANCE), str(out), "--why-not", a.left, b.right, "--pair", "x", "y"],
    )
    assert both.exit_code == 2


def test_a_required_pair_filling_the_capacity_is_named_without_counting_the_tested_pair() -> None:
    scores = np.array([[0.9, 0.5], [0.6, 0.8]])
    programme = programme_from_matrix(
        scores, [(0, 1)] * 2, [(0, 1)] * 2, rules=Rules.model_validate({"required": [["L1", "R0"]]})
    )
    result = pairing.solve(programme)
    answer = why_not(programme, result, "L0", "R0")
    assert answer.status == "infeasible"
    assert answer.infeasible_reasons == [
        "PK R0 is already in 1 other required pair(s) (L1–R0) and its capacity max is 1; "
        "forcing L0–R0 as well would need 2 — raise its capacity or drop a requirement"
    ]
