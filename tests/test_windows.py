"""The cells a fixed member's window closes (``pairing.solvers.fair.windows``) are held by no
matching that keeps the level rounds' levels: checked against every matching of tiny
programmes, at every call of the MILPs that keep the rounds."""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pairing
from pairing.solvers.fair import keeping, level_rounds, on_matchings
from pairing.solvers.fair.lp_levels import LevelRounds, slipped
from pairing.solvers.fair.milp import FairModel
from pairing.solvers.fair.windows import closed_cells, has_set_in, window_cells
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
@given(programme=partner_sum_programmes(), configuration=st.booleans())
def test_no_matching_that_keeps_the_rounds_holds_a_closed_cell(
        programme: pairing.Programme, configuration: bool) -> None:
    """At every call of the MILPs that keep the rounds (trials of unproven batches too) and of
    the rounds on matchings (the configuration rounds off: LP rounds, then rounds on
    matchings), every matching whose members reach their levels less SLIP (the unfixed ones
    the last level) holds no cell the windows close; and the answer is still leximin-optimal
    with the best total."""
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

    without = mock.patch.object(level_rounds.ConfigLP, "applies",
                                staticmethod(lambda model: False))
    with mock.patch.object(keeping, "closed_cells", checked_closed), \
            mock.patch.object(on_matchings, "closed_cells", checked_closed), \
            (contextlib.nullcontext() if configuration else without):
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

    with mock.patch.object(keeping, "closed_cells", counting):
        result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    assert result.status == "optimal"
    assert seen == [3]
    assert_leximin_with_best_total(programme, result, all_matchings(programme))


def _two_firms(second: list[float]) -> FairModel:
    """Two CN firms counted, two partners each, three PK firms: L0's gains 0.5, 0.3, 0.1."""
    from pairing.core.problem import build_problem
    from pairing.solvers.fair.milp import build_model

    programme = programme_from_matrix(np.array([[0.5, 0.3, 0.1], second]), [(0, 2)] * 2,
                                      [(0, 2)] * 3, pairing.Rules(fair_to="left"))
    return build_model(build_problem(programme, pairing.score_matrix(programme)))


def _cells(model: FairModel, left: int) -> set[int]:
    """The cells of CN firm ``left`` (by PK firm)."""
    rules = model.rules
    return {int(j) for i, j in zip(rules.cells_left, rules.cells_right, strict=True)
            if i == left}


def _closed(model: FairModel, levels: list[float], round_of: list[int], last: float,
            zeros: Zeros | None = None) -> set[tuple[int, int]]:
    rounds = LevelRounds(np.array(levels), np.array(round_of), last, max(round_of), 0)
    closed = closed_cells(model, rounds, zeros)
    rules = model.rules
    return {(int(rules.cells_left[c]), int(rules.cells_right[c])) for c in np.flatnonzero(closed)}


def test_a_fixed_member_closes_the_cells_outside_its_window_while_its_premise_holds() -> None:
    """L0 fixed at 0.5 by round 1: its only set of gain 0.5 is {R0}, so R1 and R2 close (0.3 +
    0.1 = 0.4 and 0.5 + 0.1 = 0.6 lie outside). Not when a member fixed later lies below 0.5,
    nor the last level, nor a level of the loose group proven later; a required pair stays."""
    model = _two_firms([0.4, 0.35, 0.1])
    assert _cells(model, 0) == {0, 1, 2}
    assert _closed(model, [0.5, np.nan], [1, 0], 0.5) == {(0, 1), (0, 2)}
    assert _closed(model, [0.5, 0.45], [1, 2], 0.5) == {(1, 0)}  # L1's window: {0.35, 0.1}
    assert _closed(model, [0.5, np.nan], [1, 0], 0.49) == set()
    group = Zeros(np.array([False, True]), 0, levels=(0.45,), proven_in=(2,))
    assert _closed(model, [0.5, np.nan], [1, 0], 0.5, group) == set()
    required = dataclasses.replace(model, rules=model.rules.with_bounds(
        var_lower=np.where(np.arange(model.n) == 2, 1.0, model.rules.var_lower)))
    assert (int(required.rules.cells_left[2]), int(required.rules.cells_right[2])) == (0, 2)
    assert _closed(required, [0.5, np.nan], [1, 0], 0.5) == {(0, 1)}


def test_a_set_between_the_milps_row_and_the_rounds_premise_closes_nothing() -> None:
    """L1's set {R0, R2} gains 0.4999996 (float32): within TIE / 2 of the last level 0.5, where
    the MILPs admit it, but more than SLIP below it, where the rounds' proofs do not speak. So
    no cell closes (the MILPs' answers must not change)."""
    model = _two_firms([0.4, 0.35, 0.0999996])
    assert _closed(model, [0.5, np.nan], [1, 0], 0.5) == set()


def test_gains_within_a_tie_of_a_level_keep_the_best_total() -> None:
    """A reviewer's programme: e–R0 0.500002, f–R2 0.4999996 (float32), otherwise 0.5 and 0.9.
    Within TIE the gains 0.5, 0.500002 and 0.4999996 are one level, and the best total among
    the matchings as fair is 2.800002; a window that left f's 0.4999996 out returned 1.9."""
    nan = np.nan
    a, b = np.float32(0.5) + np.float32(2e-6), np.float32(0.5) - np.float32(4e-7)
    scores = np.array([[a, 0.5, nan, nan], [0.5, nan, b, nan], [nan, 0.9, nan, 0.9]])
    programme = programme_from_matrix(scores, [(0, 1), (0, 1), (0, 2)], [(0, 1)] * 4,
                                      pairing.Rules(fair_to="left"))
    result = assert_leximin_like_brute_force(programme, "leximin-milp")
    assert result is not None and result.metrics.total_score == pytest.approx(2.800002)


@settings(max_examples=300, deadline=None)
@given(gains=st.lists(st.integers(0, 20), min_size=0, max_size=8), cap=st.integers(1, 3),
       low=st.integers(0, 50), width=st.integers(1, 10))
def test_a_set_in_a_range_is_found_as_the_listed_sets_find_it(
        gains: list[int], cap: int, low: int, width: int) -> None:
    """The binary search over sorted pair sums finds a set in ``[low, high)`` exactly when
    listing every set of at most ``cap`` cells does (gains on a grid of 0.05, so that sums land
    on the ends of the range too)."""
    values = np.array(gains, dtype=np.float64) * 0.05
    lo, hi = low * 0.05, (low + width) * 0.05
    listed = bool(window_cells(values, cap, lo, hi).any()) if len(values) else False
    assert has_set_in(values, cap, lo, hi) == listed
