"""The validator does not trust the code that produced the figures it checks.

The objective value in a result is computed by :mod:`pairing.core.objectives`; the validator
recomputes it from the pairs by the contract's words, so a defect there is caught. A ``stable``
result's blocking pairs are counted over the compiled problem, so the validator first checks
that compilation against the programme's rules.
"""

from __future__ import annotations

import numpy as np
import pytest

import pairing
import pairing.core.objectives as objectives
from pairing.diagnostics.check import violations
from strategies import programme_from_matrix

SCORES = np.array([[0.9, 0.2, 0.4], [0.3, 0.8, 0.1], [0.5, 0.6, 0.7]])


@pytest.mark.parametrize("objective", ["total", "maxmin", "leximin", "balanced", "stable"])
def test_a_wrong_objective_value_from_the_shared_definition_is_caught(
    objective: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    programme = programme_from_matrix(SCORES, [(0, 1)] * 3, [(0, 1)] * 3)
    assert pairing.solve(programme, objective=objective).status == "optimal"
    honest = objectives.objective_value
    monkeypatch.setattr(objectives, "objective_value",
                        lambda *args, **kwargs: honest(*args, **kwargs) + 0.5)
    with pytest.raises(pairing.SolverError, match="objective_value"):
        pairing.solve(programme, objective=objective)


@pytest.mark.parametrize("fair_to", ["both", "left", "right"])
def test_the_recomputed_fair_value_counts_only_the_fair_to_sides(fair_to: str) -> None:
    # 3 × 2 one-to-one: one left enterprise always stays alone (gain 0)
    programme = programme_from_matrix(SCORES[:, :2], [(0, 1)] * 3, [(0, 1)] * 2)
    result = pairing.solve(programme, objective="maxmin", fair_to=fair_to)
    assert violations(programme, result) == []
    assert (result.objective_value == 0.0) == (fair_to in ("both", "left"))


def test_a_compiled_problem_that_drops_an_acceptable_pair_is_reported() -> None:
    programme = programme_from_matrix(SCORES, [(0, 1)] * 3, [(0, 1)] * 3)
    result = pairing.solve(programme, objective="stable")
    prepared = pairing.prepare(programme, objective="stable")
    assert violations(programme, result, prepared=prepared) == []
    unmatched_cell = next((i, j) for i in range(3) for j in range(3)
                          if (f"L{i}", f"R{j}") not in set(result.pair_ids()))
    allowed = prepared.problem.allowed
    allowed.setflags(write=True)
    allowed[unmatched_cell] = False  # as if the compilation had lost a pair
    found = violations(programme, result, prepared=prepared)
    assert any("compiled problem disagrees with the rules on 1 pair" in v for v in found)
