"""The large path (scores in row blocks, sparse assignment priced out) agrees with the dense one.

Small programmes are pushed through it by lowering the size threshold, then every part of the
result — pairs, objective, metrics (blocking pairs included), runner-ups and reasons — is compared
with the dense pipeline's, which shares none of the block code.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import pairing
from pairing.core import large_route as route
from pairing.core.problem import build_problem
from pairing.diagnostics.stability import count_blocking_pairs
from pairing.generator import generate
from pairing.model.programme import Capacity

large = pytest.importorskip("pairing.core.large")


def _with_rules(programme: pairing.Programme, **rules: object) -> pairing.Programme:
    return programme.model_copy(update={"rules": programme.rules.model_copy(update=rules)})


def _all_optional(programme: pairing.Programme) -> pairing.Programme:
    """Everyone 0..1: nobody needs a partner (the sparse solver's ``optional`` mode)."""
    sides = {}
    for name in ("left", "right"):
        side = getattr(programme, name)
        sides[name] = side.model_copy(update={"enterprises": list(
            e.model_copy(update={"capacity": Capacity(min=0, max=1)}) for e in side.enterprises
        )})
    return programme.model_copy(update=sides)


def _dense_blocking(programme: pairing.Programme, result: pairing.Result) -> int:
    """The dense scan's blocking-pair count of ``result``, on the block path's gain values.

    Dense scores come from float32 matrix products, whose rounding can split two partners that
    tie exactly (the block path sums each cell in float64 first, so a tie stays a tie); the scan
    itself is compared on the same numbers.
    """
    blocks = large.TagBlocks(programme)
    rows = list(blocks.scored())
    gain_left = np.concatenate([g for _, g, _, _, _ in rows])
    gain_right = np.concatenate([g for _, _, g, _, _ in rows])
    problem = build_problem(programme, pairing.score_matrix(programme), "total")
    problem = dataclasses.replace(problem, gain_left=gain_left, gain_right=gain_right)
    left_pos = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    right_pos = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    left = np.array([left_pos[p.left] for p in result.pairs], dtype=np.intp)
    right = np.array([right_pos[p.right] for p in result.pairs], dtype=np.intp)
    return count_blocking_pairs(problem, left, right)


def _compare(programme: pairing.Programme) -> None:
    reason = route.large_route(programme, "total", "auto") or "test"
    big = large.solve_large(programme, reason)
    dense = pairing.solve(programme, objective="total")
    assert big.status == dense.status == "optimal"
    assert large.large_violations(programme, big) == []
    assert big.objective_value == pytest.approx(dense.objective_value, abs=1e-5)
    assert big.pair_ids() == dense.pair_ids()
    assert big.unmatched == dense.unmatched
    assert big.metrics.blocking_pairs == _dense_blocking(programme, big)
    for field in ("pairs", "pairs_by_sector"):
        assert getattr(big.metrics, field) == getattr(dense.metrics, field), field
    for field in ("gini", "sorted_gains"):
        assert getattr(big.metrics, field) == pytest.approx(getattr(dense.metrics, field),
                                                            abs=2e-6), field
    for side in ("left", "right"):
        ours, theirs = getattr(big.metrics, side), getattr(dense.metrics, side)
        assert ours.model_dump() == pytest.approx(theirs.model_dump(), abs=2e-6)
    by_pair = {(p.left, p.right): p for p in dense.pairs}
    for pair in big.pairs:
        twin = by_pair[(pair.left, pair.right)]
        assert pair.runner_up is not None and twin.runner_up is not None
        assert (pair.runner_up.left, pair.runner_up.right) == (
            twin.runner_up.left, twin.runner_up.right)
        for side in ("left_less", "right_less"):
            assert getattr(pair.runner_up, side) == pytest.approx(
                getattr(twin.runner_up, side), abs=2e-6)
        assert pair.reasons == twin.reasons
        assert (pair.score, pair.gain_left, pair.gain_right) == pytest.approx(
            (twin.score, twin.gain_left, twin.gain_right), abs=2e-6)


@pytest.mark.parametrize(("n_left", "n_right", "seed"), [(40, 40, 1), (30, 55, 2), (55, 30, 3)])
def test_the_large_path_matches_the_dense_pipeline(n_left: int, n_right: int, seed: int) -> None:
    _compare(generate(n_left, n_right, seed=seed))


def test_min_score_forbidden_pairs_and_optional_capacities() -> None:
    programme = _all_optional(generate(45, 45, seed=4))
    ids_l = [e.id for e in programme.left.enterprises]
    ids_r = [e.id for e in programme.right.enterprises]
    forbidden = [(ids_l[k], ids_r[(3 * k) % 45]) for k in range(0, 45, 2)]
    _compare(_with_rules(programme, min_score=0.3, forbidden=forbidden))


def test_pairing_solve_routes_large_programmes(monkeypatch: pytest.MonkeyPatch) -> None:
    programme = generate(40, 40, seed=5)
    dense = pairing.solve(programme)
    monkeypatch.setattr(route, "LARGE_CELLS", 40 * 40 - 1)
    result = pairing.solve(programme)
    assert result.solver.name == "sparse"
    assert "dense limit" in result.solver.chosen_because
    assert "certificate checked independently" in result.solver.note
    assert result.pair_ids() == dense.pair_ids()
    # anything the large path does not cover stays on the dense pipeline
    assert pairing.solve(programme, objective="maxmin").solver.name != "sparse"
    quota = _with_rules(programme, quotas=[{"side": "left", "by": "sector", "group": "AI",
                                             "max": 3}])
    assert route.large_route(quota, "total", "auto") is None
    assert route.large_route(programme, "total", "lapjv") is None
    organisers = pairing.from_scores(np.full((3, 3), 0.5))
    monkeypatch.setattr(route, "LARGE_CELLS", 1)
    assert route.large_route(organisers, "total", "auto") is None  # its matrix is dense already


def test_the_large_validator_catches_a_tampered_result() -> None:
    programme = generate(30, 30, seed=6)
    result = large.solve_large(programme, "test")
    first, second = result.pairs[0], result.pairs[1]
    swapped = result.model_copy(update={"pairs": (
        first.model_copy(update={"right": second.right}), *result.pairs[1:]
    )})
    found = large.large_violations(programme, swapped)
    assert any("partner(s), capacity is" in f for f in found)
    assert any("claims score/gains" in f for f in found)
    inflated = result.model_copy(update={"objective_value": result.objective_value + 1})
    assert any("objective_value" in f for f in large.large_violations(programme, inflated))


def test_blocks_and_pairs_give_the_same_values() -> None:
    programme = generate(25, 35, seed=7)
    blocks = large.TagBlocks(programme, block_cells=200)  # several blocks of 5 rows
    rows = np.concatenate([g for _, g, _, _, _ in blocks.scored()])
    left, right = np.nonzero(np.ones(rows.shape, dtype=bool))
    _, gain_left, _ = blocks.pair_values(left, right)
    assert np.allclose(rows.ravel(), gain_left, atol=1e-6)
    dense = pairing.score_matrix(programme)
    assert np.allclose(rows, dense.gain_left, atol=1e-6)


def test_fused_pricing_equals_pricing_the_stored_blocks() -> None:
    """The large path prices scores as it computes them; the result is exactly the default's,
    which prices stored blocks (forbidden pairs and ``min_score`` included)."""
    from pairing.solvers.sparse.core import RowBlocks

    programme = generate(40, 50, seed=8)
    ids_l = [e.id for e in programme.left.enterprises]
    ids_r = [e.id for e in programme.right.enterprises]
    forbidden = [(ids_l[k], ids_r[(7 * k) % 50]) for k in range(0, 40, 3)]
    programme = _with_rules(programme, min_score=0.2, forbidden=forbidden)
    blocks = large.TagBlocks(programme, block_cells=300)
    rng = np.random.default_rng(0)
    scale = 2.0**24
    u = -(rng.random(40) * 0.6 * scale).astype(np.int64)
    v = -(rng.random(50) * 0.3 * scale).astype(np.int64)
    rows = np.arange(0, 40, 2)
    fused = list(blocks.priced(rows, scale, u, v, 3))
    stored = list(RowBlocks.priced(blocks, rows, scale, u, v, 3))
    assert sum(p.found for p in fused) > 0
    for name in ("row_ids", "rows", "cols", "costs", "row_min"):
        assert np.array_equal(np.concatenate([getattr(p, name) for p in fused]),
                              np.concatenate([getattr(p, name) for p in stored])), name
    assert sum(p.found for p in fused) == sum(p.found for p in stored)


def test_the_time_limit_gives_a_feasible_matching_with_a_bound(
        monkeypatch: pytest.MonkeyPatch) -> None:
    programme = generate(60, 60, seed=9)
    optimum = pairing.solve(programme, objective="total").objective_value
    monkeypatch.setattr(route, "LARGE_CELLS", 60 * 60 - 1)
    monkeypatch.setattr(large.TagBlocks, "__init__", _small_blocks(large.TagBlocks.__init__))
    result = pairing.solve(programme, time_limit=1e-9)
    assert result.solver.name == "sparse" and result.status == "feasible"
    assert "stopped by the time limit" in result.solver.note
    assert result.solver.time_limit == 1e-9
    assert result.solver.bound is not None and result.solver.gap is not None
    assert result.objective_value <= optimum + 1e-6 <= result.solver.bound + 2e-6
    assert large.large_violations(programme, result) == []
    pairing.check(programme, result)


def _small_blocks(init):  # type: ignore[no-untyped-def]
    """``TagBlocks.__init__`` with blocks of a few rows, so a stop can fall inside a pass."""
    def wrapped(self, programme, *, transposed=False, block_cells=0):  # type: ignore[no-untyped-def]
        init(self, programme, transposed=transposed, block_cells=300)
    return wrapped


def test_pricing_some_columns_equals_pricing_whole_rows_there() -> None:
    """Cells summed one by one equal the whole rows' cells: on the columns asked for, pricing
    in part finds exactly the violations whole-row pricing finds there."""
    programme = generate(30, 45, seed=10)
    ids_l = [e.id for e in programme.left.enterprises]
    ids_r = [e.id for e in programme.right.enterprises]
    programme = _with_rules(programme, min_score=0.15,
                            forbidden=[(ids_l[k], ids_r[k]) for k in range(0, 30, 2)])
    blocks = large.TagBlocks(programme, block_cells=200)
    rng = np.random.default_rng(1)
    scale = 2.0**24
    u = -(rng.random(30) * 0.6 * scale).astype(np.int64)
    v = -(rng.random(45) * 0.3 * scale).astype(np.int64)
    rows = np.arange(30)
    order = rng.permutation(45).astype(np.int64)
    lengths = rng.integers(0, 46, 30).astype(np.int64)
    part = list(blocks.priced_columns(rows, order, lengths, scale, u, v, 45))
    whole = list(blocks.priced(rows, scale, u, v, 45))

    def cells(parts: list) -> set[tuple[int, int, int]]:
        return {(int(r), int(c), int(x)) for p in parts
                for r, c, x in zip(p.rows, p.cols, p.costs, strict=True)}

    asked = {(int(i), int(j)) for i in rows for j in order[:lengths[i]]}
    expected = {cell for cell in cells(whole) if cell[:2] in asked}
    assert expected and cells(part) == expected
    assert sum(p.found for p in part) == len(expected)
    assert sum(p.cells for p in part) == int(lengths.sum())


@pytest.mark.parametrize(("n_left", "n_right", "optional", "limit", "min_score"), [
    (300, 300, False, 1e-9, 0.0), (300, 300, False, 0.02, 0.0), (250, 330, False, 0.05, 0.0),
    (330, 250, False, 0.1, 0.0), (300, 300, True, 0.02, 0.05), (300, 300, False, 0.3, 0.0),
    (300, 300, False, 0.2, 0.05),
])
def test_a_tiny_time_limit_returns_a_valid_matching_soon(
        monkeypatch: pytest.MonkeyPatch, n_left: int, n_right: int, optional: bool,
        limit: float, min_score: float) -> None:
    """A programme forced onto the large path with a limit far below its solve time: the
    stop falls in the candidate pass, the completion, a sparse solve or pricing (blocks of a
    few rows, augmenting paths in slices of a few edges), and the answer is a complete valid
    matching, ``feasible`` unless proven, with a bound at least the optimum, soon after the
    limit (the bound of the overrun is loose: the machine may be loaded).

    With ``min_score`` a greedy start can leave a row without any free allowed partner; only
    a sparse solve can then place it, and a search stopped before one may end in
    :class:`SolverTimeout` (exit 3: no feasible matching within the limit)."""
    import time

    import pairing.solvers.sparse.core as core
    from pairing.errors import SolverTimeout

    programme = generate(n_left, n_right, seed=4, profile="double-hundred")
    programme = _with_rules(programme, forbidden=[(programme.left.enterprises[0].id,
                                                   programme.right.enterprises[0].id)],
                            min_score=min_score)
    if optional:
        programme = _all_optional(programme)
    optimum = pairing.solve(programme, objective="total").objective_value
    monkeypatch.setattr(route, "LARGE_CELLS", n_left * n_right - 1)
    monkeypatch.setattr(large.TagBlocks, "__init__", _small_blocks(large.TagBlocks.__init__))
    monkeypatch.setattr(core, "SLICE_EDGES", 50)
    try:
        pairing.solve(programme, time_limit=limit)  # the first call loads the compiled kernels
        started = time.perf_counter()
        result = pairing.solve(programme, time_limit=limit)
    except SolverTimeout:
        assert min_score > 0 and not optional
        return
    took = time.perf_counter() - started
    assert result.solver.name == "sparse"
    assert took <= limit + 3.0
    assert large.large_violations(programme, result) == []
    pairing.check(programme, result)
    if not optional:
        assert len(result.pairs) == min(n_left, n_right)
    if result.status == "feasible":
        assert "stopped by the time limit" in result.solver.note
        assert result.solver.bound is not None
        assert result.objective_value <= optimum + 1e-6 <= result.solver.bound + 2e-6
    else:
        assert result.objective_value == pytest.approx(optimum, abs=1e-5)


def test_a_cancel_request_stops_the_large_path_between_slices(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A stop requested from another thread (as Ctrl-C does) raises ``Interrupted`` at the
    next block or slice, not after the search."""
    import threading

    from pairing.interrupt import CANCEL, Interrupted

    programme = generate(300, 300, seed=4, profile="double-hundred")
    monkeypatch.setattr(route, "LARGE_CELLS", 300 * 300 - 1)
    monkeypatch.setattr(large.TagBlocks, "__init__", _small_blocks(large.TagBlocks.__init__))
    asked = threading.Event()
    original = large.TagBlocks.pass_seconds

    def pass_seconds(self: large.TagBlocks) -> float:  # the stop's clock is read: cancel now
        if not asked.is_set():
            asked.set()
            CANCEL.request()
        return original(self)

    monkeypatch.setattr(large.TagBlocks, "pass_seconds", pass_seconds)
    said: list[str] = []
    try:
        with pytest.raises(Interrupted):
            pairing.solve(programme, time_limit=60.0, progress=said.append)
    finally:
        CANCEL.clear()
    assert asked.is_set()
    assert not any("round" in line for line in said)  # stopped inside the first search pass


@pytest.mark.parametrize(("n_left", "n_right", "optional"), [(40, 40, False), (30, 55, False),
                                                            (55, 30, False), (40, 45, True)])
def test_the_short_pass_equals_the_full_pass(n_left: int, n_right: int, optional: bool) -> None:
    """The pass after a stopped search (fused, without runner-ups) counts the same blocking
    pairs and finds the same dual violations as the full pass, for any matching and duals."""
    from pairing.solvers.sparse.certificate import DualCheck

    programme = generate(n_left, n_right, seed=n_left + n_right, profile="double-hundred")
    programme = _with_rules(programme, min_score=0.1, forbidden=[
        (programme.left.enterprises[k].id, programme.right.enterprises[k + 1].id)
        for k in range(5)])
    if optional:
        programme = _all_optional(programme)
    mode = route.mode_of(programme)
    assert mode is not None
    rng = np.random.default_rng(n_left)
    blocks = large.TagBlocks(programme, transposed=mode[1], block_cells=200)
    n = min(n_left, n_right) - 3  # some enterprises alone on both sides
    left = np.sort(rng.choice(n_left, n, replace=False))
    right = rng.choice(n_right, n, replace=False)
    rows, cols = (right, left) if mode[1] else (left, right)
    checks = [DualCheck(blocks.n_rows, blocks.n_cols, rows, cols,
                        rng.random(blocks.n_rows) * 0.5, rng.random(blocks.n_cols) * 0.5)
              for _ in range(2)]
    checks[1].a, checks[1].b = checks[0].a.copy(), checks[0].b.copy()
    full, _ = large._passes(blocks, left, right, checks[0])
    short = large._short_pass(blocks, left, right, checks[1])
    assert full == short > 0
    assert np.array_equal(checks[0].row_violation, checks[1].row_violation)
    assert checks[0].row_violation.any()
    assert checks[0].result().bound == checks[1].result().bound
