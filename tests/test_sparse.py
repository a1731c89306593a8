"""The ``sparse`` solver: candidate graph + exact sparse assignment + pricing with duals.

What is proven here:

* pricing finds an optimum that uses a pair outside every enterprise's top-k;
* on small matrices with ties, zeros and forbidden cells (hypothesis), the objective equals the
  dense LAPJV optimum, in both capacity conventions and both orientations;
* the duals the solver returns certify optimality when checked independently
  (:func:`~pairing.solvers.sparse.certificate.certify`), and the check rejects duals or
  matchings that do not prove anything;
* generated matrices up to a few thousand per side agree with dense LAPJV (big ones ``slow``).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lapjv import lapjv
from scipy.optimize import linear_sum_assignment

import pairing
from pairing.errors import Infeasible
from pairing.model import Rules
from pairing.solvers import registry
from pairing.solvers.auto import SPARSE_FROM, choose_solver
from pairing.solvers.sparse.certificate import certify
from pairing.solvers.sparse.core import DenseRows, solve_sparse
from strategies import one_to_one_programmes, programme_from_matrix


def dense_optimum(benefit: np.ndarray, allowed: np.ndarray, mode: str) -> float | None:
    """The dense reference (SciPy): None when ``saturate`` has no allowed assignment."""
    if mode == "optional":
        cells = np.where(allowed, benefit, 0.0)
        r, c = linear_sum_assignment(cells, maximize=True)
        return float(cells[r, c].sum())
    flip = benefit.shape[0] > benefit.shape[1]
    b, a = (benefit.T, allowed.T) if flip else (benefit, allowed)
    penalty = (np.abs(b).max(initial=0.0) + 1.0) * (b.shape[0] + 1)
    r, c = linear_sum_assignment(np.where(a, b, -penalty), maximize=True)
    return float(b[r, c].sum()) if a[r, c].all() else None


def test_pricing_finds_a_pair_outside_every_top_k() -> None:
    """The unique optimum (value 3.1) pairs row 1 with column 2, which is neither row 1's best
    column (1) nor column 2's best row (3), nor in the greedy matching: only pricing adds it."""
    benefit = np.array([
        [0.6, 0.5, 0.6, 0.9],
        [0.3, 0.8, 0.7, 0.1],
        [0.4, 0.8, 0.5, 0.1],
        [0.7, 0.7, 0.8, 0.2],
    ])
    k = 1
    assert 2 not in np.argsort(-benefit[1], kind="stable")[:k]
    assert 1 not in np.argsort(-benefit[:, 2], kind="stable")[:k]
    source = DenseRows(benefit)
    solution = solve_sparse(source, "saturate", k=k)
    pairs = set(zip(solution.rows.tolist(), solution.cols.tolist(), strict=True))
    assert (1, 2) in pairs
    assert benefit[solution.rows, solution.cols].sum() == pytest.approx(3.1)
    assert solution.added > 0 and solution.rounds >= 2
    cert = certify(source, solution.rows, solution.cols, solution.row_dual,
                   solution.col_dual, rows_must=True, cols_must=True)
    assert cert.problems == () and cert.gap <= 1e-6


@st.composite
def matrices(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n_r, n_c = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    grid = draw(st.sampled_from([1, 4, 1000]))  # coarse grids: ties and zeros
    benefit = rng.integers(0, grid + 1, (n_r, n_c)) / grid
    benefit[rng.random((n_r, n_c)) < draw(st.sampled_from([0.0, 0.3]))] = 0.0
    allowed = rng.random((n_r, n_c)) >= draw(st.sampled_from([0.0, 0.2, 0.6]))
    return benefit, allowed


@settings(max_examples=300, deadline=None)
@given(matrix=matrices(), mode=st.sampled_from(["saturate", "optional"]),
       k=st.integers(1, 3))
def test_core_agrees_with_dense_and_certifies(matrix: tuple, mode: str, k: int) -> None:
    benefit, allowed = matrix
    if mode == "saturate" and benefit.shape[0] > benefit.shape[1]:
        benefit, allowed = benefit.T.copy(), allowed.T.copy()
    source = DenseRows(benefit, allowed, block_cells=7)  # several blocks even when tiny
    expected = dense_optimum(benefit, allowed, mode)
    solution = solve_sparse(source, mode, k=k, add_per_row=1)
    if expected is None:
        assert solution.infeasible
        return
    assert not solution.infeasible
    assert allowed[solution.rows, solution.cols].all()
    assert benefit[solution.rows, solution.cols].sum() == pytest.approx(expected, abs=1e-9)
    assert solution.total == pytest.approx(expected, abs=1e-6)
    cert = certify(source, solution.rows, solution.cols, solution.row_dual, solution.col_dual,
                   rows_must=mode == "saturate", cols_must=solution.square)
    assert cert.problems == ()
    assert -1e-9 <= cert.gap <= 1e-6
    assert cert.total == pytest.approx(expected, abs=1e-9)


@settings(max_examples=150, deadline=None)
@given(programme=one_to_one_programmes(max_side=7))
def test_solve_matches_lapjv_through_the_pipeline(programme: pairing.Programme) -> None:
    """Ties, zeros, forbidden cells, capacities 0..1 / 1..1 / mixed (refused: lapjv's job)."""
    try:
        dense = pairing.solve(programme, solver="lapjv")
    except Infeasible:
        with pytest.raises((Infeasible, pairing.UnsupportedProblem)):
            pairing.solve(programme, solver="sparse")
        return
    try:
        sparse = pairing.solve(programme, solver="sparse")
    except pairing.UnsupportedProblem as exc:
        assert "need a partner" in str(exc)
        return
    assert sparse.status == "optimal"
    assert sparse.objective_value == pytest.approx(dense.objective_value, abs=1e-6)
    pairing.check(programme, sparse)
    assert "pairs priced" in sparse.solver.note


def test_required_pairs_and_transposed_saturation() -> None:
    rng = np.random.default_rng(3)
    scores = np.round(rng.random((9, 5)), 2)
    scores[0, 1] = np.nan
    programme = programme_from_matrix(
        scores, [(0, 1)] * 9, [(1, 1)] * 5, Rules(required=[("L4", "R2")])
    )
    dense = pairing.solve(programme, solver="lapjv")
    sparse = pairing.solve(programme, solver="sparse")
    assert sparse.objective_value == pytest.approx(dense.objective_value, abs=1e-9)
    assert ("L4", "R2") in sparse.pair_ids()
    pairing.check(programme, sparse)


def test_infeasible_when_forbidden_cells_leave_no_assignment() -> None:
    scores = np.array([[0.5, np.nan], [0.7, np.nan]])
    programme = programme_from_matrix(scores, [(1, 1)] * 2, [(0, 1)] * 2)
    with pytest.raises(Infeasible):
        pairing.solve(programme, solver="sparse")


def test_certificate_rejects_what_proves_nothing() -> None:
    rng = np.random.default_rng(0)
    benefit = rng.random((30, 30))
    source = DenseRows(benefit)
    solution = solve_sparse(source, "saturate", k=3)
    good = certify(source, solution.rows, solution.cols, solution.row_dual, solution.col_dual,
                   rows_must=True, cols_must=True)
    assert good.gap <= 1e-6 and good.violation <= 1e-9
    # a worse matching (two partners swapped) with the same duals: the gap shows it
    cols = solution.cols.copy()
    cols[[0, 1]] = cols[[1, 0]]
    worse = certify(source, solution.rows, cols, solution.row_dual, solution.col_dual,
                    rows_must=True, cols_must=True)
    swapped = benefit[solution.rows, cols].sum()
    assert worse.gap == pytest.approx(good.total - swapped + good.gap, abs=1e-9)
    assert worse.gap > 1e-6
    # duals that undercut a pair are repaired by adding the violation: the bound stays valid
    low = solution.row_dual - 0.1
    weak = certify(source, solution.rows, solution.cols, low, solution.col_dual,
                   rows_must=True, cols_must=True)
    assert weak.violation == pytest.approx(0.1, abs=1e-9)
    assert weak.bound >= good.total - 1e-9
    # a matching that repeats a column is not a matching
    broken = certify(source, solution.rows, np.zeros_like(solution.cols), solution.row_dual,
                     solution.col_dual, rows_must=True, cols_must=True)
    assert "an enterprise is matched twice" in broken.problems


def test_deterministic() -> None:
    rng = np.random.default_rng(5)
    benefit = np.round(rng.random((200, 200)), 1)  # many ties
    a = solve_sparse(DenseRows(benefit), "saturate")
    b = solve_sparse(DenseRows(benefit), "saturate")
    assert np.array_equal(a.rows, b.rows) and np.array_equal(a.cols, b.cols)
    assert np.array_equal(a.row_dual, b.row_dual) and a.rounds == b.rounds


def _generated(n: int, profile: str) -> np.ndarray:
    from pairing.generator import generate

    programme = generate(n, n, seed=1, profile=profile)
    return np.nan_to_num(pairing.score_matrix(programme).score, nan=0.0).astype(np.float64)


def _agrees_with_lapjv(benefit: np.ndarray) -> None:
    source = DenseRows(benefit)
    solution = solve_sparse(source, "saturate")
    cols = np.asarray(lapjv(-benefit)[0])
    expected = benefit[np.arange(len(cols)), cols].sum()
    assert benefit[solution.rows, solution.cols].sum() == pytest.approx(expected, abs=1e-6)
    cert = certify(source, solution.rows, solution.cols, solution.row_dual, solution.col_dual,
                   rows_must=True, cols_must=True)
    assert cert.problems == () and cert.gap <= len(cols) / solution.scale


@pytest.mark.parametrize("profile", ["double-hundred", "uniform"])
def test_generated_matrices_agree_with_lapjv(profile: str) -> None:
    _agrees_with_lapjv(_generated(400, profile))


@pytest.mark.slow
@pytest.mark.parametrize("n", [1000, 3000])
@pytest.mark.parametrize("profile", ["double-hundred", "uniform"])
def test_large_generated_matrices_agree_with_lapjv(n: int, profile: str) -> None:
    _agrees_with_lapjv(_generated(n, profile))


def test_auto_picks_sparse_only_from_its_measured_size() -> None:
    from pairing.core.problem import build_problem

    assert "sparse" in registry()
    programme = pairing.from_scores(np.random.default_rng(0).random((SPARSE_FROM, 3)))
    problem = build_problem(programme, pairing.score_matrix(programme), "total")
    assert choose_solver(problem, "total")[0].name != "sparse"  # 3 per side: dense
    square = pairing.from_scores(np.random.default_rng(0).random((SPARSE_FROM, SPARSE_FROM)))
    problem = build_problem(square, pairing.score_matrix(square), "total")
    spec, why = choose_solver(problem, "total")
    assert spec.name == "sparse" and "measured faster" in why


# Scores built in row blocks (no n × n matrix) are the large path's: tests/test_large.py.


@pytest.mark.parametrize("add_per_row", [1, 4, 64])
def test_any_number_of_additions_per_row_gives_the_optimum(add_per_row: int) -> None:
    """Adding one, a few or many violating pairs per row and round changes the rounds, never
    the optimum (the proof does not depend on what pricing adds)."""
    benefit = _generated(150, "double-hundred")
    cols = np.asarray(lapjv(-benefit)[0])
    expected = benefit[np.arange(len(cols)), cols].sum()
    solution = solve_sparse(DenseRows(benefit, block_cells=1000), "saturate", k=2,
                            add_per_row=add_per_row)
    assert benefit[solution.rows, solution.cols].sum() == pytest.approx(expected, abs=1e-6)
    assert solution.added > 0 and not solution.stopped
    assert solution.bound == pytest.approx(expected, abs=len(cols) / solution.scale)


class _PricingStops(DenseRows):
    """A dense source that records when pricing has begun (to stop right there)."""

    pricing = False

    def priced(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.pricing = True
        yield from super().priced(*args, **kwargs)


@pytest.mark.parametrize("mode", ["saturate", "optional"])
def test_a_stopped_search_returns_a_matching_and_a_valid_bound(mode: str) -> None:
    """Stopped after the first priced block: a valid matching, not proven, and an upper bound
    (from duals made feasible row by row) at least the true optimum."""
    rng = np.random.default_rng(11)
    benefit = np.round(rng.random((60, 80)), 2)
    allowed = rng.random((60, 80)) > 0.1
    source = _PricingStops(benefit, allowed, block_cells=400)  # 5 rows a block
    solution = solve_sparse(source, mode, k=1, stop=lambda: source.pricing)
    assert solution.stopped and solution.rounds == 1 and solution.cut == "pricing"
    assert allowed[solution.rows, solution.cols].all()
    assert len(set(solution.cols.tolist())) == len(solution.cols)
    expected = dense_optimum(benefit, allowed, mode)
    assert expected is not None
    got = benefit[solution.rows, solution.cols].sum()
    assert got <= expected + 1e-9 <= solution.bound + 1e-9
    assert solution.bound < np.inf


def test_parallel_kernels_do_not_depend_on_the_thread_count() -> None:
    numba = pytest.importorskip("numba")
    from pairing.solvers.sparse import _kernels as kern

    rng = np.random.default_rng(2)
    benefit = np.round(rng.random((70, 90)), 1)  # ties everywhere
    allowed = rng.random((70, 90)) > 0.2
    u = -np.full(70, 2**19, dtype=np.int64)
    v = -(rng.random(90) * 2**19).astype(np.int64)
    rows = np.arange(70, dtype=np.int64)

    def run() -> list[np.ndarray]:
        best = np.full((90, 4), -np.inf)
        best_row = np.full((90, 4), -1, dtype=np.int64)
        count = np.zeros(90, dtype=np.int64)
        kern.top_k_cols_update(benefit, allowed, False, 0, best, best_row, count)
        r, c, theta = kern.top_k_rows(benefit, allowed, False, 3)
        priced = kern.price_block(benefit, allowed, False, rows, 2.0**20, u, v, 5)
        return [best, best_row, r, c, theta, *priced[:3], np.array(priced[3]), priced[4]]

    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = run()
    finally:
        numba.set_num_threads(before)
    for a, b in zip(one, run(), strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("mode", ["saturate", "optional"])
@pytest.mark.parametrize("after", [0, 1, 3, 6, 12, 25, 60, 120, 250])
def test_a_stop_in_any_phase_returns_a_complete_valid_matching(mode: str, after: int) -> None:
    """``stop`` answering true from its ``after``-th question on: the cut falls inside the
    candidate pass (after the first block), the greedy's completion, a sparse solve (slices of
    a few edges) or pricing; each time the matching is complete (saturate: every row has a
    partner), uses allowed pairs only, and any bound claimed is at least the optimum."""
    import pairing.solvers.sparse.core as core

    rng = np.random.default_rng(5)
    benefit = np.round(rng.random((60, 80)), 2)
    benefit[:, :3] += 1.0  # hubs: the greedy over the top k leaves most rows unplaced
    allowed = rng.random((60, 80)) > 0.1
    asked = [0]

    def stop() -> bool:
        asked[0] += 1
        return asked[0] > after

    before = core.SLICE_EDGES
    core.SLICE_EDGES = 5  # a few augmenting paths per slice: a stop can fall inside a solve
    try:
        solution = solve_sparse(DenseRows(benefit, allowed, block_cells=400), mode, k=2,
                                stop=stop)
    finally:
        core.SLICE_EDGES = before
    expected = dense_optimum(benefit, allowed, mode)
    assert expected is not None
    assert allowed[solution.rows, solution.cols].all()
    assert len(set(solution.cols.tolist())) == len(solution.cols)
    assert len(set(solution.rows.tolist())) == len(solution.rows)
    if mode == "saturate":
        assert sorted(solution.rows.tolist()) == list(range(60)) and not solution.infeasible
    got = benefit[solution.rows, solution.cols].sum()
    assert got <= expected + 1e-9 <= solution.bound + 1e-9
    assert solution.stopped == bool(solution.cut)
    if after == 0:
        assert solution.cut == "candidates" and solution.rounds == 0
    if solution.stopped:  # any duals handed out give a valid bound once repaired
        cert = certify(DenseRows(benefit, allowed), solution.rows, solution.cols,
                       solution.row_dual, solution.col_dual, rows_must=mode == "saturate")
        assert not cert.problems and cert.bound >= expected - 1e-9


def test_the_stopped_phases_are_all_reached() -> None:
    """The cuts of the test above fall in each phase for some ``after`` (so it tests them)."""
    import pairing.solvers.sparse.core as core

    rng = np.random.default_rng(5)
    benefit = np.round(rng.random((60, 80)), 2)
    benefit[:, :3] += 1.0
    allowed = rng.random((60, 80)) > 0.1
    seen = set()
    before = core.SLICE_EDGES
    core.SLICE_EDGES = 5
    try:
        asked_all = [0]

        def count() -> bool:
            asked_all[0] += 1
            return False

        solve_sparse(DenseRows(benefit, allowed, block_cells=400), "saturate", k=2, stop=count)
        for after in range(asked_all[0] + 1):
            asked = [0]

            def stop(asked: list[int] = asked, after: int = after) -> bool:
                asked[0] += 1
                return asked[0] > after

            seen.add(solve_sparse(DenseRows(benefit, allowed, block_cells=400), "saturate",
                                  k=2, stop=stop).cut)
    finally:
        core.SLICE_EDGES = before
    assert {"candidates", "completion", "solve", "pricing", ""} <= seen


def test_the_sparse_solver_keeps_a_time_limit() -> None:
    """Through :func:`pairing.solve` on dense matrices: a limit far below the solve time gives
    a complete valid matching, ``feasible``, with no bound claimed (the duals of a stopped
    search prove nothing on the objective's scale)."""
    from pairing.generator import generate

    programme = generate(300, 300, seed=4, profile="double-hundred")
    optimum = pairing.solve(programme, solver="sparse").objective_value
    result = pairing.solve(programme, solver="sparse", time_limit=1e-9)
    assert result.status == "feasible" and result.solver.bound is None
    assert "stopped by the time limit" in result.solver.note
    assert len(result.pairs) == 300 and result.objective_value <= optimum + 1e-6
    pairing.check(programme, result)
