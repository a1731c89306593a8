"""Integer scaling for OR-Tools keeps the float optimum."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pairing.solvers.scaling import SCORE_SCALE, from_int, to_int_scores


def test_truncation_trap_is_avoided() -> None:
    # OR-Tools' array calls would turn 0.9 into 0; rounding to the scale keeps it.
    assert to_int_scores(np.array([0.9, 0.1234566, 1.0])).tolist() == [900_000, 123_457, 1_000_000]
    assert from_int(900_000) == pytest.approx(0.9)


@given(st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_rounding_error_is_at_most_half_a_unit(values: list[float]) -> None:
    scaled = to_int_scores(np.array(values))
    assert np.all(np.abs(scaled / SCORE_SCALE - np.array(values)) <= 0.5 / SCORE_SCALE + 1e-15)


@given(st.integers(0, 2**32 - 1), st.integers(2, 30))
def test_scaled_optimum_is_float_optimum(seed: int, n: int) -> None:
    from scipy.optimize import linear_sum_assignment

    from pairing.solvers.ortools_lsa import ortools_kernel

    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((n, n)), 6)  # six decimals: the scale is exact
    rows, cols = ortools_kernel(scores, np.ones_like(scores, dtype=bool))
    ref_rows, ref_cols = linear_sum_assignment(scores, maximize=True)
    assert scores[rows, cols].sum() == pytest.approx(scores[ref_rows, ref_cols].sum(), abs=1e-9)


def test_a_wide_range_matrix_keeps_a_resolution_of_one_millionth_of_its_range() -> None:
    # An organisers' matrix on its own scale is normalised first (score_scale = "auto"):
    # cells one millionth of the range (hi − lo) apart stay one integer unit apart, in order.
    from pairing.features.score_scale import normalise

    rng = np.random.default_rng(3)
    steps = rng.choice(SCORE_SCALE + 1, size=(40, 50), replace=False)
    steps[0, :2] = (0, SCORE_SCALE)  # the range's ends
    for lo, span in ((-1000.0, 2000.0), (1e9, 3e6), (-5e-3, 1e-2)):
        raw = lo + span * (steps / SCORE_SCALE)
        unit, _ = normalise(raw, "score", "auto")
        assert np.array_equal(to_int_scores(unit), steps)
        cost, _ = normalise(raw, "cost", "auto")
        assert np.array_equal(to_int_scores(cost), SCORE_SCALE - steps)


@pytest.mark.parametrize("solver", ["ortools-lsa", "flow", "cpsat"])
def test_or_tools_optimum_equals_lapjv_on_a_wide_range_matrix(solver: str) -> None:
    import pairing

    rng = np.random.default_rng(11)
    steps = rng.integers(0, SCORE_SCALE + 1, size=(12, 12))
    raw = 1e9 + 3e6 * (steps / SCORE_SCALE)  # costs around a billion, 3·10⁶ apart at most
    programme = pairing.from_scores(raw, sense="cost", score_scale="auto")
    reference = pairing.solve(programme, solver="lapjv")
    result = pairing.solve(programme, solver=solver)
    assert result.objective_value == pytest.approx(reference.objective_value, rel=0, abs=1e-3)
