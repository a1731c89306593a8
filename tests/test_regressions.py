"""Defects found in review, pinned so they stay fixed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pairing
from pairing.model.programme import Capacity, Enterprise, Programme, Side
from strategies import programme_from_matrix

REPO = Path(__file__).resolve().parent.parent


def test_cpsat_reports_an_impossible_row_as_infeasible_with_reasons() -> None:
    # R0 needs two partners, but only L0 may pair with it (L1 has capacity max 0).
    programme = Programme(
        left=Side(
            label="L",
            enterprises=[
                Enterprise(id="L0", capacity=Capacity(min=0, max=2)),
                Enterprise(id="L1", capacity=Capacity(min=0, max=0)),
            ],
        ),
        right=Side(label="R", enterprises=[Enterprise(id="R0", capacity=Capacity(min=2, max=2))]),
        scores=np.array([[0.7], [0.2]]),
    )
    for solver in ("cpsat", "milp", "flow"):
        with pytest.raises(pairing.Infeasible) as info:
            pairing.solve(programme, solver=solver)
        assert info.value.reasons, solver


def test_greedy_failure_is_not_called_infeasible() -> None:
    # Greedy takes L0–R0 (0.9) first and leaves L1 without its only allowed partner.
    scores = np.array([[0.9, 0.8], [0.5, np.nan]])
    programme = programme_from_matrix(scores, [(1, 1)] * 2, [(1, 1)] * 2)
    with pytest.raises(pairing.HeuristicFailed, match="does not mean the rules conflict"):
        pairing.solve(programme, solver="greedy")
    assert pairing.solve(programme).objective_value == pytest.approx(1.3)


def test_balanced_counts_an_optional_side_that_could_all_be_served() -> None:
    programme = pairing.load(REPO / "instances" / "double-hundred-rules")
    result = pairing.solve(programme, objective="balanced", time_limit=60)
    left, right = result.metrics.left.mean_gain, result.metrics.right.mean_gain
    assert result.objective_value == pytest.approx(min(left, right), abs=1e-6)
    total = pairing.solve(programme)
    # balancing must not leave the optional side worse off than the total-score optimum does
    assert min(left, right) >= min(total.metrics.left.mean_gain, total.metrics.right.mean_gain)
