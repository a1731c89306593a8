"""``sparse``: the candidate graph priced out with duals is exact for the dense problem."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lapjv import lapjv

import pairing
from pairing.errors import Infeasible
from pairing.generator import generate
from pairing.solvers import sparse_lsa
from strategies import one_to_one_programmes, programme_from_matrix


def _dense_optimum(benefit: np.ndarray) -> float:
    """The LAPJV optimum of a square or wide matrix (every row assigned)."""
    n_rows, n_cols = benefit.shape
    cost = np.zeros((n_cols, n_cols))
    cost[:n_rows] = -benefit
    cols = lapjv(cost)[0][:n_rows]
    return float(benefit[np.arange(n_rows), cols].sum())


def _certified(benefit: np.ndarray, allowed: np.ndarray, found: sparse_lsa.PricedAssignment,
               tol: float = 1e-9) -> None:
    """Check the certificate from first principles: dual feasibility on every allowed cell,
    complementary slackness, and equal primal and dual values."""
    u, v = found.u, found.v
    assert (v >= -tol).all()
    free = np.ones(benefit.shape[1], dtype=bool)
    free[found.cols] = False
    assert np.abs(v[free]).max(initial=0.0) <= tol
    slack = u[:, None] + v[None, :] - benefit
    assert slack[allowed].min() >= -tol
    assert np.abs(slack[found.rows, found.cols]).max() <= tol
    assert allowed[found.rows, found.cols].all()
    primal = float(benefit[found.rows, found.cols].sum())
    assert u.sum() + v.sum() == pytest.approx(primal, abs=tol * benefit.size)


def test_an_optimum_outside_every_top_k_is_priced_in() -> None:
    """Row 0 and column 0 both prefer others to each other, yet (0, 0) is in the optimum."""
    n = 30
    benefit = np.zeros((n, n))
    benefit[np.arange(1, n), np.arange(1, n)] = 2.0  # every other row has a perfect partner
    benefit[1:, 0] = 0.9  # column 0's ten best rows are never row 0
    benefit[0, 1:] = 0.6  # row 0's ten best columns are never column 0
    benefit[0, 0] = 0.5
    allowed = np.ones_like(benefit, dtype=bool)
    first = sparse_lsa._top_cells(benefit, allowed, sparse_lsa.TOP_K)
    assert 0 not in first  # (0, 0) is outside every top-k
    found = sparse_lsa.priced_assignment(benefit, allowed)
    assert (found.rows[found.cols == 0] == 0).all() and 0 in found.cols
    assert float(benefit[found.rows, found.cols].sum()) == pytest.approx(2.0 * (n - 1) + 0.5)
    assert found.rounds >= 2  # the first candidate graph was not enough
    _certified(benefit, allowed, found)


@pytest.mark.parametrize("profile", ["uniform", "double-hundred"])
def test_equals_dense_lapjv_on_generated_programmes(profile: str) -> None:
    programme = generate(400, 400, seed=5, profile=profile)
    matrices = pairing.score_matrix(programme)
    sparse = pairing.solve(programme, matrices=matrices, solver="sparse")
    dense = pairing.solve(programme, matrices=matrices, solver="lapjv")
    assert sparse.status == "optimal"
    assert sparse.objective_value == pytest.approx(dense.objective_value, abs=1e-6)
    assert "round(s)" in sparse.solver.note and "priced" in sparse.solver.note
    benefit = np.nan_to_num(matrices.score.astype(np.float64), nan=0.0)
    found = sparse_lsa.priced_assignment(benefit, np.ones_like(benefit, dtype=bool))
    _certified(benefit, np.ones_like(benefit, dtype=bool), found)


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_rows=st.integers(1, 9),
    extra_cols=st.integers(0, 4),
    grid=st.sampled_from([1, 3, 1000]),
    forbid=st.sampled_from([0.0, 0.2, 0.5]),
    k=st.integers(1, 3),
)
def test_priced_assignment_is_certified_and_equals_lapjv(
    seed: int, n_rows: int, extra_cols: int, grid: int, forbid: float, k: int
) -> None:
    """Ties (a coarse grid), zeros and forbidden cells; tiny k so that pricing does the work."""
    rng = np.random.default_rng(seed)
    n_cols = n_rows + extra_cols
    benefit = rng.integers(0, grid + 1, size=(n_rows, n_cols)) / grid
    allowed = rng.random(benefit.shape) >= forbid
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparse_lsa, "TOP_K", k)
        patch.setattr(sparse_lsa, "ADD_PER_ROUND", k)
        try:
            found = sparse_lsa.priced_assignment(benefit, allowed)
        except Infeasible:
            big = benefit.size * 10.0
            assert _dense_optimum(np.where(allowed, benefit, -big)) < -big / 2  # truly none
            return
    _certified(benefit, allowed, found)
    masked = np.where(allowed, benefit, -benefit.size * 10.0)
    assert float(benefit[found.rows, found.cols].sum()) == pytest.approx(_dense_optimum(masked))


@settings(max_examples=60, deadline=None)
@given(programme=one_to_one_programmes(max_side=6), k=st.integers(1, 2))
def test_solve_through_the_reduction_matches_lapjv(programme: pairing.Programme, k: int) -> None:
    """Optional, saturating and mixed capacities (the one-to-one reduction) with forbidden cells."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sparse_lsa, "TOP_K", k)
        patch.setattr(sparse_lsa, "ADD_PER_ROUND", 1)
        try:
            sparse = pairing.solve(programme, solver="sparse")
        except Infeasible:
            with pytest.raises(Infeasible):
                pairing.solve(programme, solver="lapjv")
            return
    dense = pairing.solve(programme, solver="lapjv")
    assert sparse.objective_value == pytest.approx(dense.objective_value, abs=1e-6)


def test_no_complete_assignment_is_infeasible() -> None:
    scores = np.array([[0.5, np.nan], [0.7, np.nan]])
    programme = programme_from_matrix(scores, [(1, 1)] * 2, [(0, 1)] * 2)
    with pytest.raises(Infeasible):
        pairing.solve(programme, solver="sparse")
