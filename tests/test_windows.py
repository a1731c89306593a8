"""The cells a fixed member's window closes (``pairing.solvers.fair.windows``) are held by no
matching that keeps the level rounds' levels: checked against every matching of tiny
programmes, at every call of the MILPs that keep the rounds."""

from __future__ import annotations

from typing import Any
from unittest import mock

import numpy as np
from hypothesis import given, settings

import pairing
from pairing.solvers.fair import level_rounds
from pairing.solvers.fair.lp_levels import LevelRounds, slipped
from pairing.solvers.fair.milp import FairModel
from pairing.solvers.fair.windows import closed_cells, window_cells
from pairing.solvers.fair.zeros import Zeros
from strategies import programme_from_matrix
from test_fairness import (
    all_matchings,
    assert_leximin_like_brute_force,
    assert_leximin_with_best_total,
    partner_sum_programmes,
)


def _cell_vectors(model: FairModel, matchings: list[list[tuple[int, int]]]) -> np.ndarray:
    """``(matchings, cells)``: each matching as the model's 0/1 cell vector."""
    rules = model.rules
    index = {(int(i), int(j)): c for c, (i, j) in
             enumerate(zip(rules.cells_left, rules.cells_right, strict=True))}
    out = np.zeros((len(matchings), model.n))
    for k, chosen in enumerate(matchings):
        out[k, [index[pair] for pair in chosen]] = 1.0
    return out


def test_a_window_holds_the_sets_from_the_level_to_just_above_it() -> None:
    """Gains 0.5, 0.3, 0.2, 0.1 with two partners at most: at level 0.5 the sets of gain
    0.5 are {0.5}, {0.3, 0.2}; 0.6 = 0.5 + 0.1 lies above the window, so the 0.1 cell is out."""
    gains = np.array([0.5, 0.3, 0.2, 0.1])
    assert window_cells(gains, 2, 0.5 - 1e-7, 0.5 + 1e-6).tolist() == [True, True, True, False]
    assert window_cells(gains, 1, 0.5 - 1e-7, 0.5 + 1e-6).tolist() == [True, False, False, False]
    # three partners: 0.3 + 0.1 + 0.1 is not a set (one cell each), 0.2 + 0.1 + 0.2 neither
    assert window_cells(gains, 3, 0.6 - 1e-7, 0.6 + 1e-6).tolist() == [True, True, True, True]


@settings(max_examples=60, deadline=None)
@given(programme=partner_sum_programmes())
def test_no_matching_that_keeps_the_rounds_holds_a_closed_cell(
        programme: pairing.Programme) -> None:
    """At every call of the MILPs that keep the rounds (trials of unproven batches too), every
    matching whose members reach their levels less SLIP (the unfixed ones the last level) holds
    no cell the windows close; and the answer is still leximin-optimal with the best total."""
    matchings = all_matchings(programme)

    def checked_closed(model: FairModel, rounds: LevelRounds, zeros: Zeros | None = None
                       ) -> np.ndarray:
        closed = closed_cells(model, rounds, zeros)
        if zeros is not None and zeros.loose.any():
            return closed  # (the loose group's levels: whoever holds them)
        levels = np.where(np.isnan(rounds.levels), rounds.last, rounds.levels)
        vectors = _cell_vectors(model, matchings)
        gains = np.stack([model.gains(v) for v in vectors]) if len(vectors) else np.empty(0)
        keeping = vectors[np.all(gains >= slipped(levels) - 1e-12, axis=1)] if len(
            vectors) else vectors
        assert not np.any(keeping[:, closed] > 0.5)
        return closed

    with mock.patch.object(level_rounds, "closed_cells", checked_closed):
        assert_leximin_like_brute_force(programme, "leximin-milp")


def test_the_final_total_leaves_the_closed_cells_out() -> None:
    """Three CN and three PK firms, two partners each, PK counted: every level is fixed, and
    the MILP for the best total at the end leaves 3 of the 9 cells out, with the same answer
    as brute force."""
    scores = np.array([[0.9, 0.4, 0.35], [0.5, 0.8, 0.15], [0.3, 0.45, 0.7]])
    programme = programme_from_matrix(scores, [(0, 2)] * 3, [(0, 2)] * 3,
                                      pairing.Rules(fair_to="right"))
    seen: list[int] = []

    def counting(model: FairModel, rounds: LevelRounds, *args: Any) -> np.ndarray:
        closed = closed_cells(model, rounds, *args)
        if rounds.complete:
            seen.append(int(closed.sum()))
        return closed

    with mock.patch.object(level_rounds, "closed_cells", counting):
        result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    assert result.status == "optimal"
    assert seen == [3]
    assert_leximin_with_best_total(programme, result, all_matchings(programme))
