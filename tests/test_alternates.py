"""Alternates: the k best backup partners respect the rules and the stated definition."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
from pairing.analysis.alternates import alternates
from pairing.cli import main
from pairing.model.programme import Rules
from strategies import programme_from_matrix

REPO = Path(__file__).resolve().parent.parent
INSTANCE = REPO / "instances" / "double-hundred.json"


def _check_rules(programme: pairing.Programme, result: pairing.Result, k: int) -> int:
    """Every alternate obeys the module's definition; returns how many were listed."""
    assert result.alternates is not None
    matrices = pairing.score_matrix(programme)
    left_pos = {e: i for i, e in enumerate(programme.left.ids)}
    right_pos = {e: j for j, e in enumerate(programme.right.ids)}
    forbidden = set(programme.rules.forbidden)
    chosen = set(result.pair_ids())
    counts: dict[tuple[str, str], int] = {}
    for a, b in chosen:
        counts["left", a] = counts.get(("left", a), 0) + 1
        counts["right", b] = counts.get(("right", b), 0) + 1
    listed = 0
    for side, other in (("left", "right"), ("right", "left")):
        ents = {e.id: e for e in programme.side(other).enterprises}
        for ident, alts in result.alternates[side].items():
            assert len(alts) <= k
            scores = [a.score for a in alts]
            assert scores == sorted(scores, reverse=True)
            for alt in alts:
                listed += 1
                pair = (ident, alt.id) if side == "left" else (alt.id, ident)
                i, j = left_pos[pair[0]], right_pos[pair[1]]
                s = float(matrices.score[i, j])
                assert not math.isnan(s)
                assert s >= np.float32(programme.rules.min_score)
                assert pair not in forbidden and pair not in chosen
                assert alt.score == pytest.approx(s, abs=1e-6)
                gain = matrices.gain_left[i, j] if side == "left" else matrices.gain_right[i, j]
                assert alt.gain == pytest.approx(float(gain), abs=1e-6)
                cap = ents[alt.id].capacity.max
                assert cap >= 1
                assert alt.spare == (counts.get((other, alt.id), 0) < cap)
    return listed


def test_alternates_respect_the_rules() -> None:
    rng = np.random.default_rng(7)
    scores = np.round(rng.random((6, 7)), 3)
    scores[0, 3] = math.nan
    programme = programme_from_matrix(
        scores,
        [(0, 1)] * 6,
        [(0, 1)] * 6 + [(0, 0)],
        rules=Rules.model_validate({"min_score": 0.2, "forbidden": [("L1", "R2"), ("L4", "R5")]}),
    )
    result = pairing.solve(programme, alternates=3)
    assert _check_rules(programme, result, 3) > 0
    assert all(a.id != "R6" for alts in result.alternates["left"].values() for a in alts)


def test_best_alternates_by_brute_force() -> None:
    scores = np.array([[0.9, 0.6, 0.1], [0.7, 0.65, 0.5]])
    programme = programme_from_matrix(scores, [(1, 1)] * 2, [(0, 1)] * 3)
    result = pairing.solve(programme, alternates=2)
    assert set(result.pair_ids()) == {("L0", "R0"), ("L1", "R1")}
    left = result.alternates["left"]
    assert [(a.id, a.score, a.spare) for a in left["L0"]] == [("R1", 0.6, False), ("R2", 0.1, True)]
    assert [(a.id, a.spare) for a in left["L1"]] == [("R0", False), ("R2", True)]
    right = result.alternates["right"]
    assert [a.id for a in right["R2"]] == ["L1", "L0"]


def test_required_pairs_cannot_be_swapped() -> None:
    scores = np.array([[0.9, 0.8], [0.7, 0.6]])
    programme = programme_from_matrix(
        scores, [(1, 1)] * 2, [(1, 1)] * 2, rules=Rules(required=[("L0", "R1")])
    )
    result = pairing.solve(programme, alternates=2)
    assert result.alternates["left"]["L0"] == ()  # full, and its only pair is required
    assert [a.id for a in result.alternates["left"]["L1"]] == []  # R1's pair is required
    assert result.alternates["right"]["R0"] == ()


def test_shipped_programme_and_json(tmp_path: Path) -> None:
    programme = pairing.load(INSTANCE)
    result = pairing.solve(programme, alternates=3)
    assert _check_rules(programme, result, 3) == 600
    plain = pairing.solve(programme)
    assert "alternates" not in json.loads(plain.to_json())  # unchanged JSON without the option
    assert alternates(programme, plain, 3) == result.alternates
    out = tmp_path / "r.json"
    run = CliRunner().invoke(main, ["solve", str(INSTANCE), "--alternates", "2", "-o", str(out)])
    assert run.exit_code == 0, run.output
    data = json.loads(out.read_text())
    assert len(data["alternates"]["left"]["CN-001"]) == 2
    assert pairing.load_result(out).alternates == alternates(programme, plain, 2)
