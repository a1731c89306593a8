"""Fair objectives — maxmin, leximin, balanced — against brute force and each other.

The brute force enumerates every feasible matching of a tiny programme (rules read directly from
the programme by ``tests/brute_force.py``) and computes gains and the fairness population with
plain loops, independently of :mod:`pairing.core.objectives`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pairing
from brute_force import _feasible, allowed_cells
from pairing.core.problem import Problem, build_problem
from pairing.solvers import registry
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.fair import levels
from strategies import one_to_one_programmes, programme_from_matrix

FAIR = ("maxmin", "leximin", "balanced")


def all_matchings(programme: pairing.Programme) -> list[list[tuple[int, int]]]:
    """Every feasible matching (list of (i, j)) of a tiny programme."""
    score = pairing.score_matrix(programme).score
    cells = allowed_cells(programme, score)
    by_row: dict[int, list[int]] = {}
    for i, j in cells:
        by_row.setdefault(i, []).append(j)
    rows = []
    for i, e in enumerate(programme.left.enterprises):
        options = by_row.get(i, [])
        rows.append([
            [(i, j) for j in cols]
            for size in range(0, min(e.capacity.max, len(options)) + 1)
            for cols in itertools.combinations(options, size)
        ])
    found = []
    for combo in itertools.product(*rows):
        chosen = [pair for part in combo for pair in part]
        if _feasible(programme, chosen):
            found.append(chosen)
    return found


def counted(programme: pairing.Programme) -> tuple[list[bool], list[bool]]:
    """Who counts, by loops: every enterprise of the sides named by ``rules.fair_to``."""
    fair_to = programme.rules.fair_to
    return (
        [fair_to in ("both", "left")] * len(programme.left.enterprises),
        [fair_to in ("both", "right")] * len(programme.right.enterprises),
    )


def side_gains(
    programme: pairing.Programme, chosen: list[tuple[int, int]]
) -> tuple[list[float], list[float]]:
    """Every enterprise's gain (sum over its partners), by loops."""
    m = pairing.score_matrix(programme)
    g_l = [0.0] * len(programme.left.enterprises)
    g_r = [0.0] * len(programme.right.enterprises)
    for i, j in chosen:
        g_l[i] += float(m.gain_left[i, j])
        g_r[j] += float(m.gain_right[i, j])
    return g_l, g_r


def loop_gains(programme: pairing.Programme, chosen: list[tuple[int, int]]) -> list[float]:
    """Gains of the fairness population, by loops (see the objectives module's definition)."""
    g_l, g_r = side_gains(programme, chosen)
    counted_l, counted_r = counted(programme)
    return [g for g, c in zip(g_l, counted_l, strict=True) if c] + [
        g for g, c in zip(g_r, counted_r, strict=True) if c
    ]


def loop_balanced(programme: pairing.Programme, chosen: list[tuple[int, int]]) -> float:
    g_l, g_r = side_gains(programme, chosen)
    counted_l, counted_r = counted(programme)
    means = []
    for g, c in ((g_l, counted_l), (g_r, counted_r)):
        members = [x for x, keep in zip(g, c, strict=True) if keep]
        if members:
            means.append(sum(members) / len(members))
    return min(means) if means else 0.0


def result_pairs(programme: pairing.Programme, result: pairing.Result) -> list[tuple[int, int]]:
    left = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    right = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    return [(left[a], right[b]) for a, b in result.pair_ids()]


def assert_leximin_with_best_total(programme: pairing.Programme, result: pairing.Result,
                                   matchings: list[list[tuple[int, int]]]) -> None:
    """``result`` is lexicographically ≥ every matching, and has the best total among the
    matchings as fair as it."""
    mine = loop_gains(programme, result_pairs(programme, result))
    assert all(lex_at_least(mine, loop_gains(programme, m)) for m in matchings)
    ties = [m for m in matchings if lex_at_least(loop_gains(programme, m), mine)]
    top_total = max(
        sum(float(programme.scores[i, j]) for i, j in m)  # type: ignore[index]
        for m in ties
    )
    assert result.metrics.total_score == pytest.approx(top_total, abs=1e-5)


def assert_leximin_like_brute_force(programme: pairing.Programme,
                                    solver: str) -> pairing.Result | None:
    """``solver``'s leximin answer is optimal, leximin-optimal and has the best total among the
    leximin-optimal matchings — or, when no matching exists, there is no answer. Returns the
    answer."""
    matchings = all_matchings(programme)
    result = _solve(programme, "leximin", solver)
    if not matchings:
        assert result is None
        return None
    assert result is not None and result.status == "optimal"
    assert_leximin_with_best_total(programme, result, matchings)
    return result


def lex_at_least(a: list[float], b: list[float], tol: float = 1e-6) -> bool:
    """Sorted ``a`` is lexicographically ≥ sorted ``b`` (up to ``tol``)."""
    for x, y in zip(sorted(a), sorted(b), strict=True):
        if x > y + tol:
            return True
        if x < y - tol:
            return False
    return True


@st.composite
def ruled_programmes(draw: st.DrawFn) -> pairing.Programme:
    """Tiny programmes with capacities up to 2, forbidden cells and sometimes a quota."""
    n_left, n_right = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores = rng.integers(0, 21, size=(n_left, n_right)) / 20.0
    scores[rng.random(scores.shape) < 0.15] = np.nan
    caps_l = [(int(lo), int(lo) + int(extra)) for lo, extra in
              zip(rng.integers(0, 2, n_left), rng.integers(0, 2, n_left), strict=True)]
    caps_r = [(0, int(hi)) for hi in rng.integers(1, 3, n_right)]
    quotas = []
    if draw(st.booleans()):
        quotas.append(pairing.Quota(side="right", by="sector", group="textiles", max=1))
    if draw(st.booleans()):
        quotas.append(pairing.Quota(side="left", by="sector", group="ai", min=1))
    partner_quotas = []
    if draw(st.booleans()):  # each left enterprise: at most one partner per right sector
        partner_quotas.append(pairing.PartnerQuota(side="left", by="sector", group="*", max=1))
    fair_to = draw(st.sampled_from(("both", "left", "right")))
    return programme_from_matrix(scores, caps_l, caps_r,
                                 pairing.Rules(quotas=quotas, partner_quotas=partner_quotas,
                                               fair_to=fair_to))


@st.composite
def one_to_one_fair_to(draw: st.DrawFn, max_side: int = 4) -> pairing.Programme:
    """One-to-one programmes counting both sides, or only one."""
    programme = draw(one_to_one_programmes(max_side=max_side))
    fair_to = draw(st.sampled_from(("both", "left", "right")))
    rules = programme.rules.model_copy(update={"fair_to": fair_to})
    return programme.model_copy(update={"rules": rules})


def _solve(
    programme: pairing.Programme, objective: str, solver: str = "auto"
) -> pairing.Result | None:
    try:
        result = pairing.solve(programme, objective=objective, solver=solver)
    except pairing.Infeasible:
        return None
    pairing.check(programme, result)
    return result


# --- brute force ------------------------------------------------------------------------------

@settings(max_examples=40)
@given(programme=one_to_one_fair_to(max_side=4))
def test_maxmin_threshold_reaches_brute_force(programme: pairing.Programme) -> None:
    matchings = all_matchings(programme)
    result = _solve(programme, "maxmin")
    if not matchings:
        assert result is None
        return
    assert result is not None and result.solver.name == "maxmin-threshold"
    best = max(min(loop_gains(programme, m), default=0.0) for m in matchings)
    assert result.objective_value == pytest.approx(best, abs=1e-6)
    # then the total among the matchings at that level
    top_total = max(
        sum(float(programme.scores[i, j]) for i, j in m)  # type: ignore[index]
        for m in matchings if min(loop_gains(programme, m), default=0.0) >= best - 1e-9
    )
    assert result.metrics.total_score == pytest.approx(top_total, abs=1e-5)


@settings(max_examples=40)
@given(programme=ruled_programmes(), objective=st.sampled_from(FAIR))
def test_fair_objectives_reach_brute_force_with_rules(programme: pairing.Programme,
                                                      objective: str) -> None:
    matchings = all_matchings(programme)
    result = _solve(programme, objective)
    if not matchings:
        assert result is None
        return
    assert result is not None, f"{objective}: infeasible, brute force found {len(matchings)}"
    assert result.status == "optimal"
    got = result_pairs(programme, result)
    if objective == "maxmin":
        best = max(min(loop_gains(programme, m), default=0.0) for m in matchings)
        assert result.objective_value == pytest.approx(best, abs=1e-6)
    elif objective == "balanced":
        best = max(loop_balanced(programme, m) for m in matchings)
        assert loop_balanced(programme, got) == pytest.approx(best, abs=1e-6)
    else:
        mine = loop_gains(programme, got)
        assert all(lex_at_least(mine, loop_gains(programme, m)) for m in matchings)


def test_single_counted_enterprises_may_share_a_partner_with_room_for_two() -> None:
    """Counted CN firms take one partner each, PK firms up to two: the level search must not
    treat PK-side capacities as 1 (found by hypothesis; the level was 0.15, the optimum 0.30)."""
    nan = np.nan
    scores = np.array([[0.15, 0.4, nan], [0.05, 0.5, nan], [nan, 1.0, 0.3]])
    programme = programme_from_matrix(
        scores, [(1, 1), (1, 1), (0, 1)], [(0, 2)] * 3, rules=pairing.Rules(fair_to="left")
    )
    maxmin = _solve(programme, "maxmin")
    leximin = _solve(programme, "leximin")
    assert maxmin is not None and leximin is not None
    assert maxmin.status == leximin.status == "optimal"
    assert maxmin.objective_value == pytest.approx(0.3)
    # L0 and L1 share R1 (0.4, 0.5), L2 takes R2 (0.3)
    assert leximin.metrics.sorted_gains == pytest.approx([0.3, 0.4, 0.5])


@settings(max_examples=20)
@given(programme=ruled_programmes())
def test_leximin_dominates_every_other_objective(programme: pairing.Programme) -> None:
    lexi = _solve(programme, "leximin")
    if lexi is None:
        return
    mine = loop_gains(programme, result_pairs(programme, lexi))
    for objective in ("total", "maxmin", "balanced"):
        other = _solve(programme, objective)
        assert other is not None
        assert lex_at_least(mine, loop_gains(programme, result_pairs(programme, other))), objective


@settings(max_examples=40)
@given(programme=one_to_one_fair_to(max_side=4))
def test_leximin_matching_reaches_brute_force(programme: pairing.Programme) -> None:
    """The combinatorial one-to-one leximin: lexicographically ≥ every feasible matching, and
    the best total among the matchings with its sorted gains."""
    assert_leximin_like_brute_force(programme, "leximin-matching")


@settings(max_examples=20)
@given(programme=one_to_one_fair_to(max_side=6))
def test_leximin_matching_and_milp_agree(programme: pairing.Programme) -> None:
    fast = _solve(programme, "leximin", "leximin-matching")
    slow = _solve(programme, "leximin", "leximin-milp")
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast.metrics.sorted_gains == pytest.approx(slow.metrics.sorted_gains, abs=1e-6)
        assert fast.metrics.total_score == pytest.approx(slow.metrics.total_score, abs=1e-5)


# --- differential: the fast path and the MILP agree -------------------------------------------

@settings(max_examples=25)
@given(programme=one_to_one_fair_to(max_side=6))
def test_threshold_and_milp_agree_one_to_one(programme: pairing.Programme) -> None:
    fast = _solve(programme, "maxmin", "maxmin-threshold")
    slow = _solve(programme, "maxmin", "maxmin-milp")
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast.objective_value == pytest.approx(slow.objective_value, abs=1e-6)
        assert fast.metrics.total_score == pytest.approx(slow.metrics.total_score, abs=1e-5)


def test_asymmetric_gains_count_both_sides() -> None:
    """Gains from needs/capabilities differ per side; the worst of both is maximised."""
    rng = np.random.default_rng(8)
    tags = [f"t{k}" for k in range(5)]

    def enterprise(prefix: str, k: int) -> pairing.Enterprise:
        return pairing.Enterprise(
            id=f"{prefix}{k}",
            capabilities={t: round(float(v), 2) for t, v in zip(tags, rng.random(5), strict=True)},
            needs={t: round(float(v), 2) for t, v in zip(tags, rng.random(5), strict=True)},
        )

    programme = pairing.Programme(
        left=pairing.Side(label="CN", enterprises=[enterprise("c", k) for k in range(5)]),
        right=pairing.Side(label="PK", enterprises=[enterprise("p", k) for k in range(5)]),
    )
    fast = _solve(programme, "maxmin")
    slow = _solve(programme, "maxmin", "maxmin-milp")
    assert fast is not None and slow is not None
    best = max(min(loop_gains(programme, m)) for m in all_matchings(programme))
    assert fast.objective_value == pytest.approx(best, abs=1e-6)
    assert slow.objective_value == pytest.approx(best, abs=1e-6)


def test_leximin_note_and_time_limit() -> None:
    rng = np.random.default_rng(2)
    programme = programme_from_matrix(np.round(rng.random((8, 8)), 3), [(1, 1)] * 8, [(1, 1)] * 8)
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    assert result.status == "optimal"
    assert "leximin by" in result.solver.note and "MILP round" in result.solver.note
    fast = pairing.solve(programme, objective="leximin")
    assert fast.solver.name == "leximin-matching" and "distinct level" in fast.solver.note
    assert fast.metrics.sorted_gains == pytest.approx(result.metrics.sorted_gains, abs=1e-6)
    problem = build_problem(programme, pairing.score_matrix(programme), "leximin")
    try:
        cut = registry()["leximin-milp"].solve(problem, SolveOptions("leximin", time_limit=0.05))
    except pairing.SolverTimeout as exc:
        assert "time limit" in str(exc)
        return
    assert cut.status in ("optimal", "feasible")
    if cut.status == "feasible":
        assert "time limit reached" in cut.note


def test_auto_routes_each_fair_objective() -> None:
    rng = np.random.default_rng(1)
    one = programme_from_matrix(rng.random((6, 6)), [(1, 1)] * 6, [(1, 1)] * 6)
    ruled = programme_from_matrix(rng.random((6, 6)), [(0, 2)] * 6, [(0, 2)] * 6)
    expected = {
        ("maxmin", "one"): "maxmin-threshold", ("maxmin", "ruled"): "maxmin-milp",
        ("balanced", "one"): "balanced-milp", ("leximin", "ruled"): "leximin-milp",
        ("leximin", "one"): "leximin-matching",
        ("stable", "ruled"): "stable",
    }
    for (objective, which), name in expected.items():
        programme = one if which == "one" else ruled
        assert pairing.solve(programme, objective=objective).solver.name == name


def test_deterministic() -> None:
    rng = np.random.default_rng(6)
    programme = programme_from_matrix(np.round(rng.random((7, 9)), 3), [(0, 2)] * 7, [(0, 1)] * 9)
    for objective in ("maxmin", "balanced", "leximin", "stable"):
        a = pairing.solve(programme, objective=objective)
        b = pairing.solve(programme, objective=objective)
        assert a.pair_ids() == b.pair_ids(), objective


@pytest.mark.slow
def test_threshold_search_at_1000() -> None:
    rng = np.random.default_rng(1000)
    n = 1000
    programme = programme_from_matrix(rng.random((n, n)), [(1, 1)] * n, [(1, 1)] * n)
    problem = build_problem(programme, pairing.score_matrix(programme), "maxmin")
    values = levels.bottleneck_values(problem)
    level, _, tests = levels.max_min_level(problem, values)
    assert level > 0 and tests < 30
    result = pairing.solve(programme, objective="maxmin")
    assert result.objective_value == pytest.approx(level)


@settings(max_examples=30)
@given(programme=one_to_one_fair_to(max_side=4))
def test_balanced_one_to_one_reaches_brute_force(programme: pairing.Programme) -> None:
    """The Lagrangian (LAPJV) pruning of balanced-milp keeps the optimum and its best total."""
    matchings = all_matchings(programme)
    result = _solve(programme, "balanced", "balanced-milp")
    if not matchings:
        assert result is None
        return
    assert result is not None and result.status == "optimal"
    best = max(loop_balanced(programme, m) for m in matchings)
    got = loop_balanced(programme, result_pairs(programme, result))
    assert got == pytest.approx(best, abs=1e-6)
    top_total = max(
        sum(float(programme.scores[i, j]) for i, j in m)  # type: ignore[index]
        for m in matchings if loop_balanced(programme, m) >= best - 1e-9
    )
    assert result.metrics.total_score == pytest.approx(top_total, abs=1e-5)


@pytest.mark.parametrize("solver", ["balanced-milp", "maxmin-milp", "leximin-milp"])
def test_tiny_time_limit_is_respected(solver: str) -> None:
    """A tiny limit on a moderate instance: back soon, feasible (with a bound) or a timeout."""
    import time

    from pairing.generator import generate

    objective = solver.split("-")[0]
    programme = generate(150, 150, seed=7)
    problem = build_problem(programme, pairing.score_matrix(programme), objective)
    limit = 0.2
    started = time.perf_counter()
    try:
        found = registry()[solver].solve(problem, SolveOptions(objective, time_limit=limit))
    except pairing.SolverTimeout:
        found = None
    assert time.perf_counter() - started < 10 * limit + 5
    if found is not None and found.status == "feasible":
        assert "time limit" in found.note


def test_progress_is_reported_and_stopped_answers_say_so() -> None:
    from pairing.generator import generate

    programme = generate(40, 40, seed=3)
    seen: list[str] = []
    result = pairing.solve(programme, objective="leximin", progress=seen.append)
    assert result.status == "optimal" and result.status_text() == "optimal (proven)"
    assert any("gains fixed" in line for line in seen)
    stopped = result.model_copy(update={
        "status": "feasible",
        "solver": result.solver.model_copy(update={"gap": 1.0, "bound": 0.5}),
    })
    text = stopped.status_text()
    assert "NOT proven optimal" in text and "best bound 0.5" in text
    assert "nothing was proven" in text


def _reference_covers(problem: pairing.core.problem.Problem, values: np.ndarray,
                      level: float) -> bool:
    """Level ``level`` tested from scratch: required pairs at or above it, then a dense
    Hopcroft–Karp on the usable cells of each side's enterprises that must be covered."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import maximum_bipartite_matching

    cover_left, cover_right = levels.must_cover(problem)
    rows = np.ones(problem.shape[0], dtype=bool)
    cols = np.ones(problem.shape[1], dtype=bool)
    rows[problem.required[:, 0]] = False
    cols[problem.required[:, 1]] = False
    level32 = np.float32(level)
    if len(problem.required) and (
        values[problem.required[:, 0], problem.required[:, 1]] < level32
    ).any():
        return False
    usable = (values >= level32) & (values > -np.inf)
    must_l = np.flatnonzero(cover_left & rows)
    must_r = np.flatnonzero(cover_right & cols)
    left_graph = usable[np.ix_(must_l, np.flatnonzero(cols))]
    right_graph = usable[np.ix_(np.flatnonzero(rows), must_r)].T
    return all(
        not len(g)
        or (maximum_bipartite_matching(sp.csr_array(g), perm_type="column") >= 0).all()
        for g in (left_graph, right_graph)
    )


def _reference_level(problem: pairing.core.problem.Problem, values: np.ndarray) -> float:
    """Max-min level by the textbook scan: every candidate value, highest first, each tested
    from scratch (:func:`_reference_covers`)."""
    finite = values[np.isfinite(values) & (values > 0)]
    for level in sorted(set(finite.tolist()), reverse=True):
        if _reference_covers(problem, values, level):
            return float(np.float32(level))
    return 0.0


def _level_problem(seed: int, n_left: int, n_right: int, grid: int, fair_to: str,
                   with_required: bool) -> pairing.core.problem.Problem:
    """A one-to-one maxmin problem: ties from a coarse grid, zeros, forbidden cells, capacity
    0, a required pair."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, grid + 1, size=(n_left, n_right)) / grid
    scores[rng.random(scores.shape) < 0.2] = np.nan
    caps_l = [(int(lo), 1) if hi else (0, 0) for lo, hi in
              zip(rng.integers(0, 2, n_left), rng.random(n_left) > 0.1, strict=True)]
    caps_r = [(int(lo), 1) for lo in rng.integers(0, 2, n_right)]
    required = []
    if with_required:
        allowed = np.argwhere(~np.isnan(scores))
        if len(allowed):
            i, j = allowed[rng.integers(len(allowed))]
            if caps_l[i][1]:
                required = [(f"L{i}", f"R{j}")]
    programme = programme_from_matrix(
        scores, caps_l, caps_r, pairing.Rules(fair_to=fair_to, required=required)
    )
    return build_problem(programme, pairing.score_matrix(programme), "maxmin")


@settings(max_examples=150, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_left=st.integers(1, 9),
    n_right=st.integers(1, 9),
    grid=st.sampled_from([2, 5, 1000]),
    fair_to=st.sampled_from(("both", "left", "right")),
    with_required=st.booleans(),
)
def test_level_search_matches_textbook_scan(
    seed: int, n_left: int, n_right: int, grid: int, fair_to: str, with_required: bool
) -> None:
    """The top-down level search, whose matchings are repaired from one tested level to the
    next, returns the level of a plain scan over every candidate (ties from a coarse grid,
    zeros, forbidden cells, capacity 0, required)."""
    problem = _level_problem(seed, n_left, n_right, grid, fair_to, with_required)
    values = levels.bottleneck_values(problem)
    level, _, _ = levels.max_min_level(problem, values)
    assert level == _reference_level(problem, values)
    test = levels.LevelTest(problem, values)  # the level-by-level interface agrees too
    if level > 0:
        assert test(np.float32(level))
    higher = values[np.isfinite(values) & (values > level)]
    if higher.size and level > 0:
        assert not test(np.float32(higher.min()))


def test_a_stopped_leximin_keeps_the_fewest_zeros_and_its_best_next_position(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the shipped rules programme 8 PK textile firms must stay alone (textiles max 15 for
    23 firms). A run stopped before any position round once returned the best total,
    with 15 enterprises at gain 0; it must keep the fewest zeros and the next position of the
    best matching found, and maximise the total among those."""
    from pathlib import Path

    import pairing.solvers.fair.leximin as leximin

    monkeypatch.setattr(leximin, "ROUNDS_SHARE", 0.0)  # as if the limit struck at once
    programme = pairing.load(Path(__file__).resolve().parent.parent / "instances"
                             / "double-hundred-rules")
    fewest = pairing.solve(programme, objective="leximin", solver="leximin-milp",
                           time_limit=120)
    gains = np.asarray(fewest.metrics.sorted_gains)
    assert fewest.status == "feasible" and "time limit reached" in fewest.solver.note
    assert int((gains <= 0).sum()) == 8
    total = pairing.solve(programme, objective="total")
    assert int((np.asarray(total.metrics.sorted_gains) <= 0).sum()) > 8  # the old answer
    assert fewest.metrics.total_score <= total.metrics.total_score + 1e-9
    assert "maximises the total score among such matchings" in fewest.solver.note


def test_a_stopped_leximin_says_how_its_matchings_total_was_sought() -> None:
    """A stopped run's note says whether its matching's total was sought (by the final round,
    or by the level rounds after their last batch) and whether it is proven the best."""
    from pairing.solvers.fair.leximin import _Progress, _stopped_total

    x, other = np.ones(3), np.zeros(3)
    run = _Progress(fixed=[0.0], best=x, sought_total=False)
    assert "too little of the limit was left" in _stopped_total(run, x)
    run.rounds_total = (other, True)  # the rounds sought another matching's total
    assert "too little of the limit was left" in _stopped_total(run, x)
    run.rounds_total = (x, True)
    assert _stopped_total(run, x) == ("keeps them, and maximises the total score among such "
                                      "matchings")
    run.rounds_total = (x, False)
    assert "keeps them, and has the largest total score found" in _stopped_total(run, x)
    run.rounds_total, run.sought_total = None, True  # the final round ran and found none
    assert "the limit stopped the search for a larger total" in _stopped_total(run, x)
    run.answer, run.answer_total_proven = x, True
    assert "as fair as the best matching found at the next position, and maximises" in (
        _stopped_total(run, x))


def test_a_stopped_leximin_whose_last_round_stopped_does_not_claim_the_best_total(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When the final round (the best total among the matchings that keep the fixed
    positions) is itself stopped by the limit, the note says the total is the best found, not
    the largest: a stopped run once claimed it "maximises the total score" either way."""
    from dataclasses import replace
    from pathlib import Path

    import pairing.solvers.fair.leximin as leximin

    def stopped_milp(*args: object, **kwargs: object) -> object:
        return replace(run_milp(*args, **kwargs), optimal=False)  # type: ignore[arg-type]

    run_milp = leximin.run_milp
    monkeypatch.setattr(leximin, "ROUNDS_SHARE", 0.0)  # as if the limit struck at once
    monkeypatch.setattr(leximin, "run_milp", stopped_milp)
    programme = pairing.load(Path(__file__).resolve().parent.parent / "instances"
                             / "double-hundred-rules")
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp",
                           time_limit=120)
    assert result.status == "feasible"
    assert "maximises the total score" not in result.solver.note
    assert "a larger one was not ruled out" in result.solver.note


@settings(max_examples=100, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_left=st.integers(1, 9),
    n_right=st.integers(1, 9),
    grid=st.sampled_from([2, 5, 1000]),
    fair_to=st.sampled_from(("both", "left", "right")),
    with_required=st.booleans(),
    order=st.randoms(use_true_random=False),
)
def test_level_tests_in_any_order_match_tests_from_scratch(
    seed: int, n_left: int, n_right: int, grid: int, fair_to: str, with_required: bool,
    order: random.Random,
) -> None:
    """One :class:`LevelTest` asked about every candidate level in a random order (its
    matchings carried from each answer to the next, up or down) answers as a test from scratch."""
    problem = _level_problem(seed, n_left, n_right, grid, fair_to, with_required)
    values = levels.bottleneck_values(problem)
    candidates = sorted(set(values[values > -np.inf].tolist()))
    order.shuffle(candidates)
    test = levels.LevelTest(problem, values)
    for level in candidates * 2:
        assert test(np.float32(level)) == _reference_covers(problem, values, level), level


def _partner_sums(rng: np.random.Generator, n_left: int, n_right: int, textiles: bool
                  ) -> tuple[np.ndarray, list[tuple[int, int]], list[tuple[int, int]],
                             list[str] | None]:
    """Scores on a grid of 0.05 (15 % forbidden), left capacities 0..1-3, right 0..1-2, and
    with ``textiles`` the right sectors: the first firm textiles, each other one with
    probability 0.6."""
    scores = rng.integers(0, 21, size=(n_left, n_right)) / 20.0
    scores[rng.random(scores.shape) < 0.15] = np.nan
    caps_l = [(0, int(h)) for h in rng.integers(1, 4, n_left)]
    caps_r = [(0, int(h)) for h in rng.integers(1, 3, n_right)]
    sectors = None
    if textiles:
        sectors = ["textiles"] + ["textiles" if rng.random() < 0.6 else "energy"
                                  for _ in range(n_right - 1)]
    return scores, caps_l, caps_r, sectors


@st.composite
def partner_sum_programmes(draw: st.DrawFn, forced_zeros: bool = False) -> pairing.Programme:
    """Tiny programmes where counted enterprises may have up to three partners (gains are sums),
    sometimes with a quota on the right: the leximin LP rounds' ground. ``forced_zeros``: always
    the quota, on a group of right enterprises that it leaves partly alone in every matching
    (which ones is a choice), counting both sides or the right."""
    n_left, n_right = draw(st.integers(2, 3)), draw(st.integers(3 if forced_zeros else 2, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scores, caps_l, caps_r, sectors = _partner_sums(rng, n_left, n_right, forced_zeros)
    quotas = []
    if forced_zeros or draw(st.booleans()):
        quotas.append(pairing.Quota(side="right", by="sector", group="textiles",
                                    max=draw(st.integers(1, 2))))
    sides = ("both", "right") if forced_zeros else ("left", "right", "both")
    return programme_from_matrix(scores, caps_l, caps_r,
                                 pairing.Rules(quotas=quotas, fair_to=draw(st.sampled_from(sides))),
                                 sectors_right=sectors)


@contextlib.contextmanager
def _lp_rounds_only() -> Iterator[None]:
    """The level rounds on the round LP and on matchings only: no configuration rounds
    (which take every programme here, see ``test_config_lp.py``)."""
    from pairing.solvers.fair import level_rounds
    with mock.patch.object(level_rounds.ConfigLP, "applies", staticmethod(lambda model: False)):
        yield


@settings(max_examples=60, deadline=None)
@given(programme=partner_sum_programmes())
def test_leximin_by_lp_rounds_reaches_brute_force_and_its_best_total(
        programme: pairing.Programme) -> None:
    """Leximin-optimal, and the best total among the leximin-optimal matchings — whether the
    LP rounds prove every level, some of them (the position rounds finish), or none; with the
    configuration rounds and without."""
    assert_leximin_like_brute_force(programme, "leximin-milp")
    with _lp_rounds_only():
        assert_leximin_like_brute_force(programme, "leximin-milp")


@settings(max_examples=60, deadline=None)
@given(programme=partner_sum_programmes(forced_zeros=True))
def test_leximin_with_forced_zeros_reaches_brute_force_and_its_best_total(
        programme: pairing.Programme) -> None:
    """The level rounds fix the members that are never one of the forced zeros (the loose
    ones are served or not in their LPs and MILPs) and the loose group's levels, then the
    position rounds finish what is left; with the configuration rounds and without."""
    assert_leximin_like_brute_force(programme, "leximin-milp")
    with _lp_rounds_only():
        assert_leximin_like_brute_force(programme, "leximin-milp")


@settings(max_examples=60, deadline=None)
@given(programme=partner_sum_programmes(forced_zeros=True))
def test_batches_kept_by_steered_matchings_reach_brute_force(
        programme: pairing.Programme) -> None:
    """Every configuration round its own batch, each kept by a matching steered toward the
    configuration LP's point, then the best total from the last one (as when a stopped run's
    rounds end): each steered matching keeps the batch's levels, and the answer is
    leximin-optimal with the best total. (Tiny programmes fit in one batch and finish well
    within their share of the limit: without the patches neither step runs here.)"""
    from pairing.solvers.fair import level_rounds
    from pairing.solvers.fair.keeping import kept_levels
    from pairing.solvers.fair.lp_levels import LevelRounds
    from pairing.solvers.fair.milp import Clock, FairModel, Outcome
    from pairing.solvers.fair.zeros import Zeros

    keep, kept_rounds = level_rounds.keep_levels, level_rounds._kept_rounds

    best_total = level_rounds._best_total_from

    def assert_keeps(model: FairModel, rounds: LevelRounds, x: np.ndarray,
                     zeros: Zeros | None) -> None:
        held = np.ones(model.m, dtype=bool) if zeros is None else ~zeros.loose
        kept = kept_levels(rounds)
        assert np.all(model.gains(x)[held] >= kept[held] - 1e-6)

    def checked(model: FairModel, rounds: LevelRounds, *args: Any, **kwargs: Any) -> Outcome:
        out = keep(model, rounds, *args, **kwargs)
        if out.x is not None and kwargs.get("steer") is not None:
            assert_keeps(model, rounds, out.x, kwargs["zeros"])
        return out

    def checked_total(model: FairModel, rounds: LevelRounds, x: np.ndarray, clock: Clock,
                      options: SolveOptions, share: float, zeros: Zeros | None,
                      tally: level_rounds.LevelOutcome) -> np.ndarray:
        better = best_total(model, rounds, x, clock, options, share, zeros, tally)
        assert_keeps(model, rounds, better, zeros)
        assert model.weights @ better >= model.weights @ x - 1e-9
        return better

    def always_seeking_the_total(*args: Any, **kwargs: Any) -> Any:
        return kept_rounds(*args, **{**kwargs, "rounds_share": 0.0})

    def no_repair(model: FairModel, found: LevelRounds, zeros: Zeros | None, low: int,
                  *args: Any) -> tuple[int, None]:
        return low, None  # (the steered MILPs keep every batch: see the test below)

    leximin_under_patches_like_brute_force(programme, [
        mock.patch.object(level_rounds, "CONFIG_BATCH", 1),
        mock.patch.object(level_rounds, "keep_levels", checked),
        mock.patch.object(level_rounds, "repaired_rounds", no_repair),
        mock.patch.object(level_rounds, "_kept_rounds", always_seeking_the_total),
        mock.patch.object(level_rounds, "_best_total_from", checked_total)])


def leximin_under_patches_like_brute_force(programme: pairing.Programme,
                                           patches: list[Any]) -> pairing.Result | None:
    """Solve ``programme`` for leximin with ``patches`` on, under a time limit (so that "the
    rounds' share is spent" can hold: no limit, no share), and check the answer against brute
    force: optimal, leximin-optimal, with the best total (or no answer when no matching
    exists). Returns the answer."""
    matchings = all_matchings(programme)
    with contextlib.ExitStack() as stack:
        for patch in patches:
            stack.enter_context(patch)
        try:
            result = pairing.solve(programme, objective="leximin", solver="leximin-milp",
                                   time_limit=300)
        except pairing.Infeasible:
            assert not matchings
            return None
    pairing.check(programme, result)
    assert result.status == "optimal"
    assert_leximin_with_best_total(programme, result, matchings)
    return result


def _repairs_checked(repairs: list[tuple[int, bool]] | None = None, keep: Any = None,
                     batch: int = 1) -> list[Any]:
    """Patches: configuration batches of ``batch`` rounds, and ``keep_levels`` (or ``keep``
    in its place) wrapped, where the rounds and the repairs call it, so that every repaired
    matching is checked (it keeps its rounds' levels and the point's whole cells); with
    ``repairs``, every repair search is recorded there (the rounds kept, whether a matching
    was found)."""
    from pairing.solvers.fair import level_rounds
    from pairing.solvers.fair import repairs as repairs_module
    from pairing.solvers.fair.keeping import kept_levels
    from pairing.solvers.fair.lp_levels import LevelRounds
    from pairing.solvers.fair.milp import FairModel, Outcome

    inner, repaired = keep or level_rounds.keep_levels, level_rounds.repaired_rounds

    def checked(model: FairModel, rounds: LevelRounds, *args: Any, **kwargs: Any) -> Outcome:
        out = inner(model, rounds, *args, **kwargs)
        fixed, zeros = kwargs.get("fixed"), kwargs.get("zeros")
        if out.x is not None and fixed is not None:
            held = np.ones(model.m, dtype=bool) if zeros is None else ~zeros.loose
            kept = kept_levels(rounds)
            assert np.all(model.gains(out.x)[held] >= kept[held] - 1e-6)
            whole = np.abs(fixed - np.round(fixed)) < 1e-6
            assert np.array_equal(np.round(out.x[whole]), np.round(fixed[whole]))
        return out

    def recorded(*args: Any, **kwargs: Any) -> tuple[int, np.ndarray | None]:
        rounds, x = repaired(*args, **kwargs)
        assert repairs is not None
        repairs.append((rounds, x is not None))
        return rounds, x

    patches = [mock.patch.object(level_rounds, "keep_levels", checked),
               mock.patch.object(repairs_module, "keep_levels", checked),
               mock.patch.object(level_rounds, "CONFIG_BATCH", batch)]
    if repairs is not None:
        patches.append(mock.patch.object(level_rounds, "repaired_rounds", recorded))
    return patches


@settings(max_examples=60, deadline=None)
@given(programme=st.one_of(partner_sum_programmes(), partner_sum_programmes(forced_zeros=True)))
def test_batches_kept_by_repaired_lp_points_reach_brute_force(
        programme: pairing.Programme) -> None:
    """Every configuration round its own batch, kept where it can be by a repair of a round's
    LP point (a MILP over its fractional cells alone): each repaired matching keeps its
    rounds' levels and the point's whole cells, and the answer is leximin-optimal with the
    best total."""
    leximin_under_patches_like_brute_force(programme, _repairs_checked())


def test_a_repaired_lp_point_proves_the_whole_run_of_rounds() -> None:
    """Three CN and four PK firms, both sides counted: the configuration rounds fix all seven
    members in six rounds, and a repair of the last round's LP point proves them all (no MILP
    over all the pairs), with the same answer as brute force."""
    scores = np.array([[0.85, 0.65, 0.5, 0.25], [0.3, 0.0, 0.05, 0.0], [0.15, 0.85, 0.65, 0.95]])
    programme = programme_from_matrix(scores, [(0, 2), (0, 2), (0, 3)], [(0, 2)] * 4,
                                      pairing.Rules(fair_to="both"))
    from pairing.solvers.fair import level_rounds

    keep = level_rounds.keep_levels
    repairs: list[tuple[int, bool]] = []
    tries: list[bool] = []  # each feasibility MILP that keeps rounds: whether a repair

    def counted(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("first"):
            tries.append(kwargs.get("fixed") is not None)
        return keep(*args, **kwargs)

    result = leximin_under_patches_like_brute_force(programme,
                                                    _repairs_checked(repairs, counted))
    assert result is not None
    assert repairs == [(6, True)]
    assert tries == [True]


def _handed_over(repairable: bool, lp_kept: bool = True,
                 ended: Counter[str] | None = None) -> list[Any]:
    """Patches: batches of three configuration rounds, a matching sought near each round's
    point right after it (counting both sides). With ``repairable`` false no repair ever finds
    one and the steered MILP that tries the round has no time (it stops at once), so every
    round after the first batch ends its call and a round on matchings finds it: the LP's
    round itself when the matching its level search finds keeps it, or (``lp_kept`` false:
    never) a round of its own. ``ended`` counts how each round on matchings ended (``kept``,
    ``own``), and how many were searched from the LP round's level (``bounded``)."""
    from pairing.solvers.fair import config_rounds, level_rounds, on_matchings, repairs
    from pairing.solvers.fair.milp import TIE, Outcome

    keep, milp_round = level_rounds.keep_levels, level_rounds.milp_round
    repaired_at = level_rounds.repaired_at

    def counted_repair(*args: Any) -> Any:
        x = repaired_at(*args)
        if ended is not None:
            ended["repaired"] += x is not None
        return x

    def never_repaired(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("fixed") is not None:
            raise pairing.Infeasible(())
        if args[2].expired(kwargs.get("share", 1.0)):
            return Outcome(None, False, None)  # (tiny MILPs finish in presolve: as if stopped)
        return keep(*args, **kwargs)

    def counted_round(*args: Any) -> Any:
        step = milp_round(*args)
        lp_next, high = args[9], args[3]
        if ended is not None and lp_next is not None:
            # (searched from the LP round's level, not from the level cap)
            ended["bounded"] += high <= lp_next[0].last + 2 * TIE * max(1.0, lp_next[0].last)
        if step is not None and ended is not None:
            ended["kept" if lp_next is not None and step[0] is lp_next[0] else "own"] += 1
        return step

    # (batches of 3, so that a round near whose point none is found ends its call early)
    patches = _repairs_checked(keep=None if repairable else never_repaired, batch=3)
    if not repairable:
        patches += [mock.patch.object(module, "UNREPAIRED_TRIAL", 0.0)
                    for module in (level_rounds, repairs)]
    if not lp_kept:
        patches.append(mock.patch.object(on_matchings, "keeps", lambda *args: False))
    return [*patches, mock.patch.object(repairs, "REPAIR_RATIO", 0.0),
            mock.patch.object(repairs, "REPAIR_LEAST", 0.0),
            mock.patch.object(config_rounds, "_on_course", lambda *args: False),
            mock.patch.object(level_rounds, "milp_round", counted_round),
            mock.patch.object(level_rounds, "repaired_at", counted_repair)]


@settings(max_examples=50, deadline=None)
@given(programme=st.one_of(partner_sum_programmes(), partner_sum_programmes(forced_zeros=True)),
       repairable=st.booleans(), lp_kept=st.booleans())
def test_rounds_repaired_as_they_come_or_found_on_matchings_reach_brute_force(
        programme: pairing.Programme, repairable: bool, lp_kept: bool) -> None:
    """Rounds proven as they come, or handed over to rounds on matchings that keep the LP's
    round or find their own (:func:`_handed_over`): each repaired matching keeps its levels
    and the answer is leximin-optimal with the best total."""
    leximin_under_patches_like_brute_force(programme, _handed_over(repairable, lp_kept))


@pytest.mark.parametrize("seed", [0, 1, 9])
def test_a_round_on_matchings_keeps_the_lp_round_its_first_matching_reaches(seed: int) -> None:
    """Every configuration round after the first batch handed over to a round on matchings
    (:func:`_handed_over`): where the matching its level search finds first keeps the LP's
    round (levels, and the loose group's), that round is the answer's, with no saturation
    MILP, and the answer is still leximin-optimal with the best total (3 × 5 programmes, the
    textile firms on the right partly alone in every matching but the first). Each search
    starts from the LP round's level, a proven bound."""
    scores, caps_left, caps_right, sectors = _partner_sums(np.random.default_rng(seed), 3, 5,
                                                           textiles=True)
    programme = programme_from_matrix(
        scores, caps_left, caps_right,
        pairing.Rules(quotas=[pairing.Quota(side="right", by="sector", group="textiles",
                                            max=2)]),
        sectors_right=sectors)
    ended: Counter[str] = Counter()
    leximin_under_patches_like_brute_force(programme, _handed_over(False, ended=ended))
    assert ended["kept"] >= 3 and ended["own"] == 0
    assert ended["bounded"] == ended["kept"]


@pytest.mark.parametrize("seed", range(6))
def test_a_fresh_lps_repair_reaches_a_level_only_where_a_matching_does(seed: int) -> None:
    """:func:`repairs.repaired_at` (a fresh configuration LP begun from the empty matching,
    its point at the level repaired): at the max-min level of the brute force it returns a
    matching that keeps the level (on these programmes); just above it, none (no matching
    reaches that level)."""
    from pairing.solvers.fair.config_lp import ConfigLP
    from pairing.solvers.fair.keeping import keeps
    from pairing.solvers.fair.level_outcome import LevelOutcome
    from pairing.solvers.fair.lp_levels import LevelRounds
    from pairing.solvers.fair.milp import Clock, build_model
    from pairing.solvers.fair.repairs import repaired_at

    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 21, size=(3, 4)) / 20.0
    programme = programme_from_matrix(scores, [(0, int(h)) for h in rng.integers(1, 4, 3)],
                                      [(0, 2)] * 4, pairing.Rules(fair_to="both"))
    model = build_model(build_problem(programme, pairing.score_matrix(programme)))
    rules = model.rules
    index = {(int(i), int(j)): c for c, (i, j) in
             enumerate(zip(rules.cells_left, rules.cells_right, strict=True))}
    best = 0.0
    for chosen in all_matchings(programme):
        vector = np.zeros(model.n)
        vector[[index[pair] for pair in chosen]] = 1.0
        best = max(best, float(model.gains(vector).min()))
    options, clock, tally = SolveOptions(), Clock(None), LevelOutcome()
    empty = LevelRounds.empty(model.m)
    lp = ConfigLP(model, options, clock, np.zeros(model.n))
    x = repaired_at(model, lp, empty, None, clock, options, 1.0, tally, best)
    assert x is not None and keeps(model, x, dataclasses.replace(empty, last=best), None)
    assert repaired_at(model, lp, empty, None, clock, options, 1.0, tally, best + 0.01) is None


def test_the_level_search_takes_a_quick_matching_before_its_milp() -> None:
    """:func:`sum_level.sum_level` with ``quick``: from the second test on, a matching it
    returns stands for the feasibility MILP (fewer MILPs run), and the level found is the
    same."""
    from pairing.solvers.fair import sum_level as search
    from pairing.solvers.fair.milp import Clock, build_model

    rng = np.random.default_rng(5)  # (a search of 11 feasibility MILPs)
    scores = rng.integers(1, 101, size=(4, 5)) / 100.0
    programme = programme_from_matrix(scores, [(0, int(h)) for h in rng.integers(1, 4, 4)],
                                      [(0, 2)] * 5, pairing.Rules(fair_to="both"))
    model = build_model(build_problem(programme, pairing.score_matrix(programme)))
    options, clock = SolveOptions(), Clock(None)
    plain = search.sum_level(model, clock, options, None)
    assert plain.milp_tests >= 3 and plain.found.bound is not None
    asked: list[float] = []

    def quick(level: float) -> np.ndarray | None:
        asked.append(level)
        assert plain.found.bound is not None
        return plain.found.x if level <= plain.found.bound else None

    calls: list[float] = []
    feasible_at = search.feasible_at

    def counted(model_: Any, level: float, *args: Any, **kwargs: Any) -> Any:
        if not kwargs["relax"]:
            calls.append(level)  # (a feasibility MILP; the LP stage's tests are relaxed)
        return feasible_at(model_, level, *args, **kwargs)

    with mock.patch.object(search, "feasible_at", counted):
        fast = search.sum_level(model, clock, options, None, quick=quick)
    assert fast.found.optimal and fast.found.bound == pytest.approx(plain.found.bound)
    assert asked and len(calls) < fast.milp_tests
    assert all(level not in calls for level in asked if level <= plain.found.bound)


def test_keeps_holds_named_levels_and_the_loose_groups() -> None:
    """:func:`keeps`: every member fixed by name at its level and the others at the last one
    (less TIE / 2); the loose group's rising members at the last level, and all but
    ``count + j`` of the group at its ``j``-th level."""
    from pairing.solvers.fair.keeping import keeps
    from pairing.solvers.fair.lp_levels import LevelRounds
    from pairing.solvers.fair.milp import build_model
    from pairing.solvers.fair.zeros import Zeros

    # one CN firm with three partners; three PK firms, one partner each, gains 0.8/0.6/0.4
    scores = np.array([[0.8, 0.6, 0.4]])
    programme = programme_from_matrix(scores, [(0, 3)], [(0, 1)] * 3,
                                      pairing.Rules(fair_to="right"))
    model = build_model(build_problem(programme, pairing.score_matrix(programme)))
    all_three, two = np.ones(3), np.array([1.0, 1.0, 0.0])
    # PK-3 fixed at 0.4, the others at 0.6 at least
    rounds = LevelRounds(np.array([np.nan, np.nan, 0.4]), np.array([0, 0, 1]), 0.6, 2, 0)
    assert keeps(model, all_three, rounds, None)
    assert not keeps(model, two, rounds, None)  # PK-3 falls to 0
    # the three loose, one of them a forced zero; the group's first level 0.6 (one member at
    # it, whoever), then the rising one at 0.8
    zeros = Zeros(loose=np.ones(3, dtype=bool), count=1, levels=(0.6,), proven_in=(1,))
    free = LevelRounds.empty(3)
    assert keeps(model, two, dataclasses.replace(free, last=0.8, rounds=2), zeros)
    assert not keeps(model, two, dataclasses.replace(free, last=0.85, rounds=2), zeros)
    only_best = np.array([1.0, 0.0, 0.0])  # two zeros: the group's 0.6 is not held
    assert not keeps(model, only_best, dataclasses.replace(free, last=0.8, rounds=2), zeros)


def test_a_repair_holds_the_points_whole_cells_and_refutes_nothing() -> None:
    """keep_levels with ``fixed``: a matching's own point comes back as that matching; a point
    whose whole cells break a capacity has no repair (Infeasible: the caller tries fewer
    rounds or a MILP over every pair, nothing is refuted)."""
    from pairing.solvers.fair import level_rounds
    from pairing.solvers.fair.lp_levels import LevelRounds
    from pairing.solvers.fair.milp import Clock, build_model

    scores = np.array([[0.9, 0.4, 0.35], [0.5, 0.8, 0.15]])
    programme = programme_from_matrix(scores, [(0, 1)] * 2, [(0, 1)] * 3,
                                      pairing.Rules(fair_to="left"))
    model = build_model(build_problem(programme, pairing.score_matrix(programme)))
    options, clock = SolveOptions(), Clock(None)
    rounds = LevelRounds.empty(model.m)
    diagonal = np.zeros(model.n)
    diagonal[[0, 4]] = 1.0  # L0-R0 and L1-R1 (cells row by row: all 6 are allowed)
    out = level_rounds.keep_levels(model, rounds, clock, options, first=True, fixed=diagonal)
    assert out.x is not None and np.array_equal(np.round(out.x), diagonal)
    with pytest.raises(pairing.Infeasible):
        level_rounds.keep_levels(model, rounds, clock, options, first=True,
                                 fixed=np.ones(model.n))


def test_level_rounds_fix_levels_above_the_forced_zeros(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Three PK textile firms, one textile pair allowed: two of them stay alone, either two.
    The LP rounds fix the others' first level (0.75) all the same, and the position rounds
    finish from there."""
    _without_configuration_rounds(monkeypatch)
    scores = np.array([[0.85, 0.25, 0.1, 0.3], [0.4, 0.85, 0.45, 0.05], [0.35, 0.6, 0.85, 0.75]])
    programme = programme_from_matrix(
        scores, [(0, 2)] * 3, [(0, 1)] * 4,
        pairing.Rules(quotas=[pairing.Quota(side="right", by="sector", group="textiles", max=1)]),
        sectors_right=["textiles", "textiles", "textiles", "energy"])
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    pairing.check(programme, result)
    assert result.status == "optimal"
    assert "1 LP round(s)" in result.solver.note
    assert result.metrics.sorted_gains == pytest.approx([0, 0, 0, 0.75, 0.75, 0.85, 0.85])
    assert_leximin_with_best_total(programme, result, all_matchings(programme))


def test_rounds_on_matchings_prove_the_loose_groups_levels_whoever_holds_them(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two PK textile firms of three may be served (textiles max 2) and either may be alone:
    nobody in the group can be fixed by name, yet each of its levels is proven by a round on
    matchings ("the group cannot all rise above it"), and the answer is leximin-optimal."""
    _without_configuration_rounds(monkeypatch)
    from pairing.solvers.fair.level_rounds import level_rounds
    from pairing.solvers.fair.milp import Clock, build_model
    from pairing.solvers.fair.zeros import Zeros, fewest_zeros, loose_members

    scores = np.array([[1.0, 0.3, np.nan, 0.6, 0.7], [np.nan, np.nan, 0.75, 0.95, 0.95]])
    programme = programme_from_matrix(
        scores, [(0, 3), (0, 1)], [(0, 2), (0, 2), (0, 2), (0, 1), (0, 2)],
        pairing.Rules(quotas=[pairing.Quota(side="right", by="sector", group="textiles", max=2)]),
        sectors_right=["textiles", "textiles", "energy", "energy", "energy"])
    model = build_model(build_problem(programme, pairing.score_matrix(programme), "leximin"))
    zeros, _ = fewest_zeros(model, Clock(None), SolveOptions())
    loose = loose_members(model, zeros, Clock(None), SolveOptions())
    assert zeros == 1 and loose is not None
    found = level_rounds(model, Clock(None), SolveOptions(), 1.0, 1.0, Zeros(loose, zeros))
    assert found.zeros is not None and found.zeros.levels
    assert found.x is not None
    # the group's levels are positions of the leximin vector, right after the zero
    best = max(all_matchings(programme), key=lambda m: sorted(loop_gains(programme, m)))
    vector = sorted(loop_gains(programme, best))
    fixed = np.sort(model.gains(found.x))[:zeros + found.state.rounds_fixed
                                          + len(found.zeros.levels)]
    assert fixed == pytest.approx(vector[:len(fixed)])
    assert_leximin_like_brute_force(programme, "leximin-milp")


def test_the_loose_members_of_the_rules_programme_are_its_textile_firms() -> None:
    """One LP's reduced costs prove that no CN firm and no PK firm outside textiles but one is
    ever among the 8 forced zeros of the shipped rules programme; one MILP clears that one."""
    from pathlib import Path

    from pairing.solvers.fair.milp import Clock, build_model
    from pairing.solvers.fair.zeros import Zeros, alone_at_fewest, loose_members

    programme = pairing.load(Path(__file__).resolve().parent.parent / "instances"
                             / "double-hundred-rules")
    problem = build_problem(programme, pairing.score_matrix(programme), "leximin")
    model = build_model(problem)
    loose = loose_members(model, 8, Clock(None), SolveOptions())
    assert loose is not None
    ids = [*problem.left_ids, *problem.right_ids]
    sectors = {e.id: e.sector
               for e in (*programme.left.enterprises, *programme.right.enterprises)}
    textiles = {i for i in ids if sectors[i] == "textiles" and i.startswith("PK")}
    found = {ids[e] for e in np.flatnonzero(loose)}
    assert textiles <= found and found - textiles == {"PK-045"}
    # the LP cannot clear PK-045, one MILP does; a textile firm can be left alone
    zeros = Zeros(loose, 8)
    assert alone_at_fewest(model, zeros, ids.index("PK-045"), Clock(None), SolveOptions()) is None
    textile = alone_at_fewest(model, zeros, ids.index("PK-004"), Clock(None), SolveOptions())
    assert textile is not None and textile.x is not None
    alone = model.gains(textile.x) <= 0
    assert alone.sum() == 8 and alone[ids.index("PK-004")]


def test_leximin_by_lp_rounds_is_one_milp_when_the_relaxation_is_integral() -> None:
    """Sums of partners, one side counted: the LP rounds fix every level, one MILP proves them
    and picks the best total (no position round)."""
    scores = np.array([[0.9, 0.3, 0.5, np.nan], [0.2, 0.8, 0.4, 0.6], [0.7, 0.1, 0.3, 0.9]])
    programme = programme_from_matrix(scores, [(0, 2)] * 3, [(0, 1), (0, 2), (0, 1), (0, 2)],
                                      pairing.Rules(fair_to="left"))
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    pairing.check(programme, result)
    assert result.status == "optimal"
    assert "LP round" in result.solver.note and "ordered outcomes" not in result.solver.note
    best = max(all_matchings(programme), key=lambda m: sorted(loop_gains(programme, m)))
    assert sorted(loop_gains(programme, result_pairs(programme, result))) == pytest.approx(
        sorted(loop_gains(programme, best)))


def test_a_counting_bracket_that_stops_with_a_highs_solve_error_is_solved_again() -> None:
    """Found by a randomised check: on this 3 × 4 programme HiGHS stopped a counting bracket
    (tight tolerances) with a solve error; without presolve it solves it."""
    scores = np.array([[np.nan, 0.1, 0.2, 0.15], [0.1, 0.0, 0.4, 0.45], [0.1, 0.85, 0.55, 0.8]])
    programme = programme_from_matrix(
        scores, [(0, 2)] * 3, [(0, 1), (0, 2), (0, 1), (0, 2)],
        pairing.Rules(quotas=[pairing.Quota(side="right", by="sector", group="textiles", max=1)]))
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    pairing.check(programme, result)
    assert result.status == "optimal"
    mine = loop_gains(programme, result_pairs(programme, result))
    assert all(lex_at_least(mine, loop_gains(programme, m)) for m in all_matchings(programme))


def _without_configuration_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    """Leave the rounds after the LP rounds to rounds on matchings (one side counted, few
    partners: the configuration rounds would take them, see ``test_config_lp.py``)."""
    from pairing.solvers.fair import level_rounds
    monkeypatch.setattr(level_rounds.ConfigLP, "applies", staticmethod(lambda model: False))


def test_a_level_the_lp_round_overestimates_is_found_by_a_round_on_matchings(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by a randomised check: here the LP rounds' third level is not reached by any
    matching; one round on matchings proves the true level and who is at it, and the answer
    is still leximin-optimal with the best total."""
    _without_configuration_rounds(monkeypatch)
    scores = np.array([[0.4, 0.5, 0.0], [0.5, 0.0, 0.9], [0.65, 0.45, 0.1]])
    programme = programme_from_matrix(scores, [(0, 2), (0, 2), (0, 1)],
                                      [(0, 2), (0, 2), (0, 1)], pairing.Rules(fair_to="right"))
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    pairing.check(programme, result)
    assert result.status == "optimal" and "round(s) on matchings" in result.solver.note
    assert_leximin_with_best_total(programme, result, all_matchings(programme))


def test_a_member_exactly_at_the_level_is_not_cut_off_by_the_lp_rounds_tolerance() -> None:
    """Found by a randomised check: the LP put a round's level 7e-10 above the 0.5 that
    matchings reach, and with the rows built at that level an enterprise at exactly 0.5 looked
    unable to make room, so another one was wrongly fixed (0.6 at position 4 instead of 0.75).
    The rows of fixed members and of the others in a saturation test are built just below."""
    scores = np.array([[0.9, 0.7, 0.5, 0.75], [0.8, 0.6, np.nan, 0.6], [0.35, 0.4, 0.5, 0.75]])
    programme = programme_from_matrix(scores, [(0, 1), (0, 2), (0, 1)],
                                      [(0, 2), (0, 1), (0, 2), (0, 1)])
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    pairing.check(programme, result)
    assert result.metrics.sorted_gains == pytest.approx([0.5, 0.5, 0.6, 0.75, 0.75, 0.8, 1.4])


def test_gains_one_float32_rounding_apart_are_one_level_for_the_lp_rounds() -> None:
    """Found by a randomised check: 0.9 + 0.05 and 0.95 differ by 1.1e-8 as float32 sums. The
    LP rounds had fixed the enterprise at 0.95 because the other one, at 0.9 + 0.05, was
    "below" the level; as one level, the second position ties and the third is 1.85, not 1.25."""
    scores = np.array([[0.35, 0.85, 0.9], [0.05, 0.25, 0.95], [0.9, 0.3, np.nan]])
    programme = programme_from_matrix(
        scores, [(0, 2), (0, 2), (0, 3)], [(0, 2), (0, 1), (0, 2)],
        pairing.Rules(fair_to="right",
                      quotas=[pairing.Quota(side="right", by="sector", group="textiles", max=2)]))
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    pairing.check(programme, result)
    assert result.metrics.sorted_gains == pytest.approx([0.85, 0.95, 1.85], abs=1e-6)


def test_lp_round_duals_do_not_fix_a_member_that_rises_when_another_stays_a_float_below() -> None:
    """Found by a randomised check: at the second level (0.65) PK R2 (0.65 alone, or 0.7 on
    the partner R3 needs to rise) and R3 (0.5 + 0.15, or 0.95) cannot both rise. The LP duals
    at the level said R3 could not: the float32 sum 0.5 + 0.15 is 3e-8 above R2's 0.65, and the
    rows built at it called R2 at 0.65 short. Taken SLIP below the level they prove nothing,
    and the answer is (0.65, 0.65, 0.95, 1.45), not (0.65, 0.65, 0.7, 0.95)."""
    scores = np.array([[0.3, 0.2, 0.0, 0.5], [0.5, 0.3, 0.65, 0.15], [0.65, 0.95, 0.7, 0.95]])
    programme = programme_from_matrix(
        scores, [(0, 3)] * 3, [(0, 1), (0, 1), (0, 1), (0, 2)],
        pairing.Rules(quotas=[pairing.Quota(side="right", by="sector", group="textiles", max=1)],
                      fair_to="right"),
        sectors_right=["textiles", "energy", "energy", "energy"])
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    pairing.check(programme, result)
    assert result.metrics.sorted_gains == pytest.approx([0.65, 0.65, 0.95, 1.45], abs=1e-6)
    assert_leximin_with_best_total(programme, result, all_matchings(programme))


@pytest.mark.parametrize(("scores", "by_matchings"), [
    ([[0.7, 0.8, 0.0], [0.8, 0.45, 0.5], [0.65, 0.3, 1.0]], True),
    # HiGHS accepts a level 1e-6 above 1.0 within its tolerance with the matching at 1.0: the
    # bisection must call the two one level instead of testing them again until the limit
    # (the saturation tests are inconclusive the same way, and the position rounds finish)
    ([[0.75, 0.3, 0.6], [0.5, 0.75, 0.05], [0.2, 0.0, 1.0]], False),
])
def test_rounds_on_matchings_alone_reach_brute_force(scores: list[list[float]],
                                                     by_matchings: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """With the LP rounds unable to fix anyone, every level is proven on matchings, the last
    one included, and one MILP then picks the best total."""
    from pairing.solvers.fair import lp_levels
    monkeypatch.setattr(lp_levels, "_saturated", lambda *args: np.empty(0, np.int64))
    _without_configuration_rounds(monkeypatch)
    programme = programme_from_matrix(np.array(scores), [(0, 2)] * 3, [(0, 2)] * 3,
                                      pairing.Rules(fair_to="left"))
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp",
                           time_limit=60)
    pairing.check(programme, result)
    assert result.status == "optimal"
    milps = int(re.search(r"by (\d+) MILP", result.solver.note).group(1))  # type: ignore[union-attr]
    assert milps < 200  # it used to test one level until the limit: 13,259 MILPs
    if by_matchings:
        assert "3 round(s) on matchings" in result.solver.note
        assert "ordered outcomes" not in result.solver.note
    assert_leximin_with_best_total(programme, result, all_matchings(programme))


def test_a_stopped_leximin_run_seeks_the_best_total_only_when_it_fits() -> None:
    """The final round of a stopped run (the best total among the matchings that keep the
    fixed positions) needs a tenth of the limit, as long as the last MILP over the pairs
    took, and time for its first round of cuts by the model's size: HiGHS cannot be stopped
    there. A complete answer always seeks it before the limit."""
    from pairing.solvers._clock import Clock
    from pairing.solvers.fair.leximin import ROOT_PER_CELL, _total_fits

    def clock_at(limit: float, used: float, last_milp: float = 0.0) -> Clock:
        clock = Clock(limit)
        clock.start -= used * (clock.limit or 0.0)
        clock.last_milp = last_milp
        return clock

    assert _total_fits(Clock(None), complete=False, cells=10**6)
    assert _total_fits(clock_at(60, 0.5), complete=False, cells=100)
    assert not _total_fits(clock_at(60, 0.5, last_milp=40), complete=False, cells=100)
    assert not _total_fits(clock_at(60, 0.95), complete=False, cells=100)
    assert _total_fits(clock_at(60, 0.95, last_milp=40), complete=True, cells=100)
    assert not _total_fits(clock_at(60, 1.01), complete=True, cells=100)
    # 30 s left: enough for a small model, not for one whose first cuts need more
    many = int(40 / ROOT_PER_CELL)
    assert _total_fits(clock_at(60, 0.5), complete=False, cells=many // 4)
    assert not _total_fits(clock_at(60, 0.5), complete=False, cells=many)
    assert _total_fits(clock_at(60, 0.5), complete=True, cells=many)


def test_rounds_given_the_finish_share_fall_back_when_their_pace_falls() -> None:
    """Level rounds on course to fix everyone may run to 95 % of the limit; once their pace
    (the mean so far, or the current call's, whichever is faster) says they will not, they
    stop at their own share, so that a matching can still prove them. Counting both sides of
    the rules programme at 120 s, 16 rounds came in about 6.7 s (on course), then 3-14 s a
    round: the rounds ran to 108 s, and 17 of them were lost with no time to prove them."""
    import time

    from pairing.solvers._clock import Clock
    from pairing.solvers.fair.config_rounds import _still_finishing

    def at(limit: float | None, used: float) -> tuple[Clock, float]:
        clock = Clock(limit)
        now = time.perf_counter()
        clock.start = now - used
        return clock, clock.start

    # the rules programme at 120 s: the rounds began at 1 s, the call at 7.7 s
    clock, t0 = at(120, 9.4)  # round 17, 1.7 s into the call: the mean pace still fits
    assert _still_finishing(clock, 0.95, t0 + 1.0, 17, t0 + 7.7, 1, 175)
    clock, t0 = at(120, 12.0)  # round 19: 0.58 s a round on average, 173 left
    assert not _still_finishing(clock, 0.95, t0 + 1.0, 19, t0 + 7.7, 3, 173)
    # counting CN at 10 s: 90 rounds in 6.5 s, the last 14 in 1 s, 10 left
    clock, t0 = at(10, 7.0)
    assert _still_finishing(clock, 0.95, t0 + 0.5, 90, t0 + 6.0, 14, 10)
    # no round yet in this call, or no limit: the caller's decision stands
    clock, t0 = at(120, 12.0)
    assert _still_finishing(clock, 0.95, t0 + 1.0, 16, t0 + 11.9, 0, 176)
    clock, t0 = at(None, 1000.0)
    assert _still_finishing(clock, 0.95, t0, 1, t0, 1, 10**6)


def test_a_try_at_several_unproven_rounds_leaves_time_for_fewer() -> None:
    """A MILP that tries to keep several unproven rounds gets a third of the time left (at
    least TRIAL_LEAST seconds); at the rules programme's 120 s limit one such try ran out the
    30 s left, and none of its 13 rounds was kept."""
    import time

    from pairing.solvers._clock import Clock
    from pairing.solvers.fair.level_rounds import TRIAL_LEAST, _trial_share

    clock = Clock(120)
    clock.start = time.perf_counter() - 83.4
    assert clock.limit is not None
    left = 0.95 * clock.limit - 83.4
    trial = _trial_share(clock, 0.95)
    assert trial * clock.limit - 83.4 == pytest.approx(left / 3, abs=0.05)
    # little time left: all of it (a third would be too short for any proof)
    clock = Clock(10)
    clock.start = time.perf_counter() - 7.2
    assert _trial_share(clock, 0.95) == 0.95
    clock = Clock(60)
    clock.start = time.perf_counter() - 40.0
    assert clock.limit is not None
    assert _trial_share(clock, 0.95) * clock.limit - 40.0 == pytest.approx(TRIAL_LEAST, abs=0.05)
    assert _trial_share(Clock(None), 0.7) == 0.7


def test_the_solvers_clock_counts_from_the_call_not_from_the_solver() -> None:
    """Scoring the programme and loading the solver's module come out of the user's time
    limit too: :func:`pairing.solve` hands the solver the moment it was called, and the
    solver's clock counts from there."""
    import time

    from pairing.solvers._clock import Clock

    seen: list[float | None] = []
    spec = registry()["milp"]

    def recording(problem: Problem, options: SolveOptions) -> Assignment:
        seen.append(options.started)
        return spec.solve(problem, options)

    solvers = {**registry(), "milp": dataclasses.replace(spec, solve=recording)}
    programme = programme_from_matrix(np.array([[0.9, 0.2], [0.3, 0.8]]), [(0, 1)] * 2,
                                      [(0, 1)] * 2)
    before = time.perf_counter()
    pairing.solve(programme, solver="milp", time_limit=10, solvers=solvers)
    assert seen and seen[0] is not None and before <= seen[0] <= time.perf_counter()
    # a clock started a second before it is made has a second less left
    late = Clock(10, time.perf_counter() - 1.0)
    assert (late.left() or 0.0) < (Clock(10).left() or 0.0) - 0.9
    assert late.used() > 0.09


def test_a_milp_over_the_pairs_leaves_its_duration_on_the_clock() -> None:
    """The fair MILPs note how long each took, for the final round's decision above."""
    from pairing.solvers._clock import Clock
    from pairing.solvers.fair.milp import build_model, run_milp

    programme = programme_from_matrix(np.array([[0.9, 0.2], [0.3, 0.8]]), [(0, 1)] * 2,
                                      [(0, 1)] * 2)
    problem = build_problem(programme, pairing.score_matrix(programme))
    model = build_model(problem)
    clock = Clock(None)
    run_milp(model, model.weights, 0, [], (np.empty(0), np.empty(0)), clock, SolveOptions())
    assert clock.last_milp > 0


def test_a_tight_milps_infeasible_stands_unless_a_counterexample_holds_the_tight_rows(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS at tolerances of 1e-9 has called a feasible model infeasible (a leximin round's
    saturation test on the rules programme): after a tight MILP's "infeasible", HiGHS at its
    usual tolerances (both of them, the start offered again) looks for a counterexample, and
    one that holds the rows to the tight tolerance is the answer. One that holds them only
    loosely, none, or a solve error leave the refutation standing. Here HiGHS is made to say
    "infeasible" whenever its tolerance is 1e-9."""
    from scipy.optimize import LinearConstraint

    from pairing.errors import Infeasible
    from pairing.solvers import _highs
    from pairing.solvers._clock import Clock
    from pairing.solvers.fair.milp import TIGHT, build_model, run_milp

    programme = programme_from_matrix(np.array([[0.9, 0.2], [0.3, 0.8]]), [(0, 1)] * 2,
                                      [(0, 1)] * 2)
    model = build_model(build_problem(programme, pairing.score_matrix(programme)))
    # the total at least 1.6 (only the diagonal matching, 1.7)
    rows = [LinearConstraint(model.weights[None, :], 1.6, np.inf)]
    run = _highs.HighsModel.run
    runs: list[tuple[float, float]] = []
    starts: list[int] = []
    then: dict[str, Any] = {"second": None}  # what the usual tolerances give

    def wrong_when_tight(self: Any, time_limit: float | None = None) -> Any:
        tolerances = (self._highs.getOptionValue("mip_feasibility_tolerance")[1],
                      self._highs.getOptionValue("primal_feasibility_tolerance")[1])
        runs.append(tolerances)
        if TIGHT in tolerances:
            return _highs.HighsOutcome("infeasible")
        return run(self, time_limit) if then["second"] is None else then["second"]

    set_solution = _highs.HighsModel.set_solution
    monkeypatch.setattr(_highs.HighsModel, "run", wrong_when_tight)
    monkeypatch.setattr(_highs.HighsModel, "set_solution",
                        lambda self, x: (starts.append(len(x)), set_solution(self, x))[1])

    def tight(**kwargs: Any) -> Any:
        return run_milp(model, model.weights, 0, rows, (np.empty(0), np.empty(0)), Clock(None),
                        SolveOptions(), tight=True, **kwargs)

    out = tight(first=True)
    assert out.x is not None and model.weights @ out.x == pytest.approx(1.7)
    assert runs == [(TIGHT, TIGHT), (1e-6, 1e-7)]
    # with a start: offered to each run (a run that ends infeasible drops it)
    runs.clear()
    tight(start=np.array([1.0, 0.0, 0.0, 1.0]))
    assert len(runs) == 3 and runs[-1] == (1e-6, 1e-7) and starts == [4, 4, 4]
    loose = np.array([1.0, 0.0, 0.0, 0.0])  # total 0.9: no counterexample
    for second in (_highs.HighsOutcome("feasible", loose, 0.9, 0.9),
                   _highs.HighsOutcome("infeasible"), _highs.HighsOutcome("timeout"),
                   _highs.HighsOutcome("error")):
        then["second"] = second
        with pytest.raises(Infeasible):
            tight(first=True)
    # not tight, "infeasible" is believed at once (one run)
    runs.clear()
    monkeypatch.setattr(_highs.HighsModel, "run", lambda self, time_limit=None: (
        runs.append((0.0, 0.0)), _highs.HighsOutcome("infeasible"))[1])
    with pytest.raises(Infeasible):
        run_milp(model, model.weights, 0, [], (np.empty(0), np.empty(0)), Clock(None),
                 SolveOptions(), first=True)
    assert len(runs) == 1


def test_the_fewest_zeros_matching_has_the_best_total_among_them() -> None:
    """The matching that proves the forced zeros (what a stopped leximin run falls back to)
    has the best total score among the matchings with that few zeros (brute force)."""
    from pairing.solvers.fair.milp import Clock, build_model
    from pairing.solvers.fair.zeros import fewest_zeros

    rng = np.random.default_rng(5)
    checked = 0
    for _ in range(30):
        scores = np.round(rng.uniform(0.05, 1.0, size=(2, 4)), 2)
        scores[rng.random((2, 4)) < 0.2] = np.nan
        programme = programme_from_matrix(
            scores, [(0, 2), (0, 3)], [(0, 2), (0, 1), (0, 2), (0, 1)],
            pairing.Rules(quotas=[pairing.Quota(side="right", by="sector", group="textiles",
                                                max=1)]),
            sectors_right=["textiles", "textiles", "textiles", "energy"])
        matchings = all_matchings(programme)
        if not matchings:
            continue
        model = build_model(build_problem(programme, pairing.score_matrix(programme),
                                          "leximin"))
        zeros, x = fewest_zeros(model, Clock(None), SolveOptions())
        assert x is not None
        fewest = min(sum(g <= 0 for g in loop_gains(programme, m)) for m in matchings)
        assert zeros == fewest
        left, right = model.rules.selected(x)
        mine = [(int(i), int(j)) for i, j in zip(left, right, strict=True)]
        assert sum(g <= 0 for g in loop_gains(programme, mine)) == fewest
        top = max(sum(float(programme.scores[i, j]) for i, j in m)  # type: ignore[index]
                  for m in matchings if sum(g <= 0 for g in loop_gains(programme, m)) == fewest)
        assert sum(float(programme.scores[i, j]) for i, j in mine) == pytest.approx(top)  # type: ignore[index]
        checked += 1
    assert checked > 20


def test_a_stopped_leximin_answer_keeps_every_position_it_reports_proven(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Whenever the limit strikes, the answer's lowest ``positions_proven`` sorted gains are
    the leximin optimum's, and ``next_position_bound`` is at least the optimum's next one. The
    limit is a counter here (each look at the clock uses 1/N of it), so every N stops the run
    somewhere else. Before a fix, with the rounds resumed after a final round that the limit
    then skipped, the answer was the first final round's matching, which lacked the last
    position proven (N = 70: 4 reported proven, the 4th 0.28 against 0.51)."""
    from pairing.solvers import _clock, _highs

    used = {"t": 0, "n": 1}

    def share() -> float:
        used["t"] += 1
        return used["t"] / used["n"]

    monkeypatch.setattr(_clock.Clock, "expired", lambda self, part=1.0: (
        self.limit is not None and share() >= part))
    monkeypatch.setattr(_clock.Clock, "left", lambda self, part=1.0: (
        None if self.limit is None else max(1e-3, (part - share()) * self.limit)))
    monkeypatch.setattr(_clock.Clock, "used", lambda self: (
        0.0 if self.limit is None else share()))
    run = _highs.HighsModel.run

    def lp_stops_at_the_last_millisecond(self: Any, time_limit: float | None = None) -> Any:
        if not self._integer and time_limit is not None and time_limit <= 1.5e-3:
            return _highs.HighsOutcome("timeout")
        return run(self, time_limit)

    monkeypatch.setattr(_highs.HighsModel, "run", lp_stops_at_the_last_millisecond)
    rng = np.random.default_rng(50_002)
    n_left, n_right = int(rng.integers(7, 10)), int(rng.integers(9, 13))
    scores = rng.integers(0, 101, size=(n_left, n_right)) / 100.0
    scores[rng.random(scores.shape) < 0.2] = np.nan
    caps_left = [(0, int(h)) for h in rng.integers(1, 4, n_left)]
    caps_right = [(0, int(h)) for h in rng.integers(1, 3, n_right)]
    sectors = ["textiles" if rng.random() < 0.6 else "energy" for _ in range(n_right)]
    quotas = ([pairing.Quota(side="right", by="sector", group="textiles",
                             max=int(rng.integers(2, 5)))] if rng.random() < 0.6 else [])
    programme = programme_from_matrix(scores, caps_left, caps_right,
                                      pairing.Rules(quotas=quotas, fair_to="both"),
                                      sectors_right=sectors)
    used["t"], used["n"] = 0, 10**9
    optimum = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    assert optimum.status == "optimal"
    best = np.asarray(optimum.metrics.sorted_gains)
    stopped = bounded = 0
    for n in range(40, 101, 6):
        used["t"], used["n"] = 0, n
        result = pairing.solve(programme, objective="leximin", solver="leximin-milp",
                               time_limit=60.0)
        proven = result.solver.positions_proven
        if result.status == "optimal" or proven is None:
            continue
        stopped += 1
        gains = np.asarray(result.metrics.sorted_gains)
        assert np.allclose(gains[:proven], best[:proven], atol=1e-6), n
        if result.solver.next_position_bound is not None and proven < len(best):
            bounded += 1
            assert result.solver.next_position_bound >= best[proven] - 1e-6, n
    assert stopped >= 5
