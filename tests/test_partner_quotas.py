"""Per-enterprise partner mix (``[[partner_quota]]``) and bring-your-own scores with capacities.

Brute force agreement for milp, cpsat and the fair solvers is in ``test_rules_solvers.py`` and
``test_fairness.py`` (their strategies draw partner quotas); here: the format, the validator,
the counting explanation, the solvers that decline it, and a reviewer-assignment case.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.io.writers import write_bundle
from strategies import programme_from_matrix


def _reviewers(n_papers: int = 6, n_reviewers: int = 9, seed: int = 0) -> pairing.Programme:
    """Papers (left, 2 reviewers each) × reviewers (right, 0..3 papers); a third senior."""
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((n_papers, n_reviewers)), 3)
    seniority = ["senior" if j % 3 == 0 else "junior" for j in range(n_reviewers)]
    rules = pairing.Rules(partner_quotas=[
        pairing.PartnerQuota(side="left", by="sector", group="senior", min=1),
    ])
    return programme_from_matrix(scores, [(2, 2)] * n_papers, [(0, 3)] * n_reviewers, rules,
                                 ["paper"] * n_papers, seniority)


def test_every_paper_gets_a_senior_reviewer_and_the_optimum_pays_for_it() -> None:
    programme = _reviewers()
    result = pairing.solve(programme)
    assert result.status == "optimal" and result.solver.name == "milp"
    senior = {e.id for e in programme.right.enterprises if e.sector == "senior"}
    for paper in programme.left.enterprises:
        partners = [p.right for p in result.pairs if p.left == paper.id]
        assert len(partners) == 2 and any(r in senior for r in partners)
    free = pairing.solve(programme.model_copy(update={"rules": pairing.Rules()}))
    assert free.objective_value >= result.objective_value - 1e-9
    cpsat = pairing.solve(programme, solver="cpsat")
    assert cpsat.objective_value == pytest.approx(result.objective_value, abs=1e-6)
    for objective in ("maxmin", "balanced", "leximin"):
        fair = pairing.solve(programme, objective=objective, fair_to="left", time_limit=30)
        pairing.check(programme, fair)


def test_flow_and_assignment_solvers_decline_with_the_rule_named() -> None:
    programme = _reviewers()
    for solver in ("flow", "lapjv", "greedy", "stable"):
        with pytest.raises(pairing.UnsupportedProblem, match="partner_quota"):
            pairing.solve(programme, solver=solver,
                          objective="stable" if solver == "stable" else None)


def test_validator_names_the_enterprise_that_breaks_its_mix() -> None:
    programme = _reviewers()
    scores = np.array(programme.scores, dtype=float)
    scores[:, ::3] = 0.01  # senior reviewers score low: the free optimum takes none
    programme = programme.model_copy(update={"scores": scores})
    free = pairing.solve(programme.model_copy(update={"rules": pairing.Rules()}))
    found = pairing.violations(programme, free, check_input_hash=False)
    broken = [v for v in found if v.startswith("rules.partner_quotas[0]")]
    assert len(broken) == 1
    assert "6 CN enterprise/group(s) out of bounds" in broken[0]
    assert "L0 has 0 partner(s) with sector 'senior'" in broken[0]


def test_counting_names_the_few_enterprises_that_cannot_meet_it() -> None:
    programme = _reviewers()
    scores = np.array(programme.scores, dtype=float)
    scores[0, ::3] = np.nan  # paper L0 may not be reviewed by any senior reviewer
    programme = programme.model_copy(update={"scores": scores})
    with pytest.raises(pairing.Infeasible) as caught:
        pairing.solve(programme)
    reasons = caught.value.reasons
    assert len(reasons) == 1
    assert "rules.partner_quotas[0]" in reasons[0] and "(L0)" in reasons[0]


def test_per_value_bound_and_unknown_group() -> None:
    rng = np.random.default_rng(3)
    sectors = ["a", "a", "b", "b", "c", "c"]
    rules = pairing.Rules(partner_quotas=[
        pairing.PartnerQuota(side="left", by="sector", group="*", max=1),
    ])
    programme = programme_from_matrix(np.round(rng.random((3, 6)), 3), [(3, 3)] * 3,
                                      [(0, 2)] * 6, rules, None, sectors)
    result = pairing.solve(programme)
    for paper in programme.left.enterprises:
        groups = [sectors[int(p.right[1:])] for p in result.pairs if p.left == paper.id]
        assert sorted(groups) == ["a", "b", "c"]
    with pytest.raises(ValueError, match="has sector 'zzz'"):  # InvalidProgramme is one too
        programme_from_matrix(np.ones((2, 2)), [(1, 1)] * 2, [(1, 1)] * 2, pairing.Rules(
            partner_quotas=[pairing.PartnerQuota(side="left", by="sector", group="zzz",
                                                 min=1)]))


def test_bundle_round_trip(tmp_path: Path) -> None:
    programme = _reviewers()
    write_bundle(programme, tmp_path / "b")
    text = (tmp_path / "b" / "rules.toml").read_text()
    assert "[[partner_quota]]" in text
    again = pairing.load(tmp_path / "b")
    assert again.rules.partner_quotas == programme.rules.partner_quotas


def test_from_scores_with_capacities() -> None:
    rng = np.random.default_rng(5)
    matrix = np.round(rng.random((4, 6)), 3)
    programme = pairing.from_scores(matrix, capacity_left=(2, 2), capacity_right=(0, 2))
    result = pairing.solve(programme)
    assert result.metrics.pairs == 8
    per = pairing.from_scores(matrix, capacity_left=[(1, 1), (2, 2), (0, 1), (3, 3)])
    assert [e.capacity.max for e in per.left.enterprises] == [1, 2, 1, 3]
    with pytest.raises(pairing.InvalidProgramme, match="capacity_left"):
        pairing.from_scores(matrix, capacity_left=[(1, 1)] * 3)
    with pytest.raises(pairing.InvalidProgramme):
        pairing.from_scores(matrix, capacity_left=(3, 1))


def test_cli_scores_with_capacities(tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    matrix = np.round(rng.random((3, 5)), 3)
    lines = ["," + ",".join(f"R{j}" for j in range(5))]
    lines += [f"L{i}," + ",".join(str(v) for v in row) for i, row in enumerate(matrix)]
    (tmp_path / "s.csv").write_text("\n".join(lines) + "\n")
    run = CliRunner().invoke(main, ["solve", "--scores", str(tmp_path / "s.csv"),
                                    "--capacity-left", "2..2", "--capacity-right", "0..2"])
    assert run.exit_code == 0, run.output
    assert '"pairs": 6' in run.output.replace(" ", "").replace('"pairs":6', '"pairs": 6')
    bad = CliRunner().invoke(main, ["solve", "--scores", str(tmp_path / "s.csv"),
                                    "--capacity-left", "2..x"])
    assert bad.exit_code == 2 and "MIN..MAX" in bad.output


def test_scores_with_minimal_enterprise_sheets(tmp_path: Path) -> None:
    """Beside scores.csv, left.csv/right.csv need only `id` and the columns the rules use; a
    rule that groups by a missing column names it."""
    (tmp_path / "left.csv").write_text("id,capacity_min,capacity_max\nP1,2,2\nP2,2,2\n")
    (tmp_path / "right.csv").write_text("id,capacity_max\nR1,2\nR2,2\nR3,2\n")
    (tmp_path / "scores.csv").write_text(",R1,R2,R3\nP1,0.9,0.2,0.5\nP2,0.1,0.8,0.4\n")
    result = pairing.solve(pairing.load(tmp_path))
    assert result.status == "optimal" and result.metrics.pairs == 4
    assert result.objective_value == pytest.approx(0.9 + 0.5 + 0.8 + 0.4)
    (tmp_path / "rules.toml").write_text(
        '[[quota]]\nside = "left"\nby = "sector"\ngroup = "AI"\nmin = 1\n')
    with pytest.raises(pairing.InvalidProgramme,
                       match=r"rules\.quotas\[0\] groups by 'sector', but left\.csv has no "
                             r"'sector' column"):
        pairing.load(tmp_path)
