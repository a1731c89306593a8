"""Repair after withdrawals: keeps every keepable pair, then maximises; results stay valid."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
from brute_force import best_total
from pairing.analysis.repair import repair
from pairing.cli import main
from pairing.errors import InvalidProgramme
from pairing.model.programme import Rules
from strategies import programme_from_matrix

REPO = Path(__file__).resolve().parent.parent
INSTANCE = REPO / "instances" / "double-hundred.json"


@pytest.fixture(scope="module")
def shipped() -> tuple[pairing.Programme, pairing.Result]:
    programme = pairing.load(INSTANCE)
    return programme, pairing.solve(programme)


def test_withdrawing_one_keeps_every_other_pair(shipped) -> None:
    programme, result = shipped
    gone = result.pairs[0]
    repaired = repair(programme, result, [gone.left])
    pairing.check(repaired.programme, repaired.result)
    changes = repaired.changes
    assert changes.removed == [(gone.left, gone.right)]
    assert len(changes.kept) == len(result.pairs) - 1
    assert changes.broken == [] and changes.added == []
    assert set(repaired.result.pair_ids()) == set(result.pair_ids()) - {(gone.left, gone.right)}
    # square one-to-one: the orphan cannot be re-paired without breaking a pair → min lowered
    assert any(gone.right in note and "lowered" in note for note in changes.relaxed)
    assert repaired.result.unmatched.right == (gone.right,)
    assert "kept 99 pair(s)" in repaired.result.message


def test_two_orphans_are_paired_together(shipped) -> None:
    programme, result = shipped
    a, b = result.pairs[0], result.pairs[1]
    repaired = repair(programme, result, [a.left, b.right])
    pairing.check(repaired.programme, repaired.result)
    assert len(repaired.changes.kept) == 98
    assert repaired.changes.added == [(b.left, a.right)]
    assert repaired.changes.relaxed == []  # nobody's capacity min had to change


def test_orphan_takes_a_free_partner() -> None:
    scores = np.array([[0.9, 0.1, 0.2, 0.3], [0.1, 0.8, 0.1, 0.2], [0.2, 0.1, 0.7, 0.6]])
    programme = programme_from_matrix(scores, [(1, 1)] * 3, [(0, 1)] * 4)
    result = pairing.solve(programme)
    assert set(result.pair_ids()) == {("L0", "R0"), ("L1", "R1"), ("L2", "R2")}
    repaired = repair(programme, result, ["R0"])
    pairing.check(repaired.programme, repaired.result)
    assert repaired.changes.kept == [("L1", "R1"), ("L2", "R2")]
    assert repaired.changes.added == [("L0", "R3")]
    assert repaired.changes.relaxed == []


def _max_kept(programme: pairing.Programme, survivors: list[tuple[str, str]]) -> int:
    """Brute force: the most survivors any feasible matching of ``programme`` contains."""
    matrices = pairing.score_matrix(programme)
    left = {e: k for k, e in enumerate(programme.left.ids)}
    right = {e: k for k, e in enumerate(programme.right.ids)}
    bonus = 100.0
    boosted = np.nan_to_num(matrices.score.astype(np.float64), nan=np.nan)
    for a, b in survivors:
        boosted[left[a], right[b]] += bonus
    best = best_total(programme, boosted)
    assert best is not None
    return int(best // bonus)


@pytest.mark.parametrize("seed", range(6))
def test_repair_keeps_every_keepable_pair(seed: int) -> None:
    """Against brute force on small random programmes, every withdrawal of one enterprise."""
    rng = np.random.default_rng(seed)
    n_left, n_right = 4, 5
    scores = np.round(rng.random((n_left, n_right)), 3)
    scores[rng.random((n_left, n_right)) < 0.25] = np.nan
    caps_left = [(int(rng.integers(0, 2)), 1) for _ in range(n_left)]
    caps_right = [(0, 1)] * n_right
    programme = programme_from_matrix(scores, caps_left, caps_right)
    try:
        result = pairing.solve(programme)
    except pairing.Infeasible:
        pytest.skip("random instance infeasible")
    for ident in itertools.chain(programme.left.ids, programme.right.ids):
        if ident in programme.left.ids and len(programme.left.ids) == 1:
            continue
        repaired = repair(programme, result, [ident])
        pairing.check(repaired.programme, repaired.result)
        survivors = [p for p in result.pair_ids() if ident not in p]
        assert len(repaired.changes.kept) == _max_kept(repaired.programme, survivors)
        # then the objective: no matching keeping as many scores more
        kept_required = repaired.programme.model_copy(
            update={
                "rules": repaired.programme.rules.model_copy(
                    update={"required": repaired.changes.kept}
                )
            }
        )
        best = best_total(kept_required, pairing.score_matrix(kept_required).score)
        assert best is not None
        assert repaired.result.objective_value == pytest.approx(best, abs=1e-5)


def test_unknown_and_ambiguous_ids(shipped) -> None:
    programme, result = shipped
    with pytest.raises(InvalidProgramme, match="no enterprise has id 'XX-1'"):
        repair(programme, result, ["XX-1"])
    with pytest.raises(InvalidProgramme, match="at least one"):
        repair(programme, result, [])


def test_repair_cli(tmp_path: Path, shipped) -> None:
    _, result = shipped
    runner = CliRunner()
    res = tmp_path / "r.json"
    assert runner.invoke(main, ["solve", str(INSTANCE), "-o", str(res)]).exit_code == 0
    new, prog = tmp_path / "new.json", tmp_path / "new-programme.json"
    gone = result.pairs[3]
    run = runner.invoke(
        main,
        ["repair", str(INSTANCE), str(res), "--withdraw", gone.left, "--withdraw",
         result.pairs[7].right, "-o", str(new), "--programme-out", str(prog)],
    )  # fmt: skip
    assert run.exit_code == 0, run.output
    assert "kept 98 pair(s)" in run.output and "new pairs:" in run.output
    data = json.loads(new.read_text())
    assert "kept 98" in data["message"]
    check = runner.invoke(main, ["check", str(prog), str(new)])
    assert check.exit_code == 0, check.output
    bad = runner.invoke(main, ["repair", str(INSTANCE), str(res), "--withdraw", "nobody"])
    assert bad.exit_code == 2 and "nobody" in bad.output


def test_a_quota_can_force_breaking_a_pair() -> None:
    """Withdrawing R0 leaves quota 'left ai ≥ 1' unmet unless L1–R1 is broken for an ai firm."""
    scores = np.array([[0.9, 0.3], [0.05, 0.9], [0.1, 0.1]])
    programme = programme_from_matrix(
        scores,
        [(0, 1)] * 3,
        [(0, 1)] * 2,
        sectors_left=["ai", "textiles", "ai"],
        sectors_right=["ai", "textiles"],
        rules=Rules.model_validate(
            {"quotas": [{"side": "left", "by": "sector", "group": "ai", "min": 1}]}
        ),
    )
    try:
        result = pairing.solve(programme)
    except pairing.UnsupportedProblem:
        pytest.skip("no solver for side quotas is registered yet")
    assert set(result.pair_ids()) == {("L0", "R0"), ("L1", "R1")}
    repaired = repair(programme, result, ["R0"])
    pairing.check(repaired.programme, repaired.result)
    assert repaired.changes.kept == []
    assert repaired.changes.broken == [("L1", "R1")]
    assert repaired.changes.added == [("L0", "R1")]
    assert "broke 1" in repaired.result.message
