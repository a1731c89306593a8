"""The reach rows of the fair MILPs are valid: no matching that reaches a level violates them.

Brute force over every set of at most ``cap`` cells of each counted enterprise: whenever the set's
gains add up to the level, the clipped, fewest-partners and decisive-partner rows must hold for
it (and, in the indicator form, with ``y_e = 1``). A row that cut off such a set would make
maxmin or leximin claim a wrong optimum, so this is the property that matters.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pairing
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.milp import TIE, Clock, FairModel, build_model, level_cap
from pairing.solvers.fair.sum_level import _lp_boundary
from strategies import programme_from_matrix
from test_fairness import all_matchings, loop_gains


def _model(scores: np.ndarray, caps_left: list[int], caps_right: list[int]) -> FairModel:
    programme = programme_from_matrix(
        scores, [(0, c) for c in caps_left], [(0, c) for c in caps_right], pairing.Rules())
    return build_model(pairing.prepare(programme, objective="maxmin").problem)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_left=st.integers(1, 3), n_right=st.integers(1, 5),
       share=st.floats(0.05, 1.2))
def test_no_set_of_partners_that_reaches_the_level_is_cut_off(
        seed: int, n_left: int, n_right: int, share: float) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.random((n_left, n_right)).round(3)
    scores[rng.random(scores.shape) < 0.2] = np.nan
    model = _model(scores, list(rng.integers(1, 4, n_left)), list(rng.integers(1, 4, n_right)))
    gains = model.gain_rows.toarray()
    level = share * float(gains.sum(axis=1).max(initial=0.0))
    if level <= 0:
        return
    rows = model.reach.at_level(level)
    caps = model.caps
    clipped, partners, decisive = (rows.clipped.toarray(), rows.partners.toarray(),
                                   rows.decisive.toarray())
    for e in range(model.m):
        cells = np.flatnonzero(gains[e] > 0)
        reaches_some = False
        for size in range(1, int(caps[e]) + 1):
            for chosen in itertools.combinations(cells, size):
                x = np.zeros(model.n)
                x[list(chosen)] = 1.0
                if gains[e] @ x < level:
                    continue
                reaches_some = True
                assert clipped[e] @ x >= 1.0 - 1e-12, (e, chosen, level)
                assert partners[e] @ x >= rows.fewest[e], (e, chosen, level)
                assert decisive[e] @ x >= 1.0, (e, chosen, level)
        # the fewest-partners row says "cannot reach" exactly when no set of cap cells does
        room = min(int(caps[e]), int(np.diff(rows.partners.indptr)[e]))
        assert (rows.fewest[e] <= room) == reaches_some, (e, level)


def test_the_rows_cut_what_the_plain_gain_row_lets_through() -> None:
    """One enterprise with room for two partners, gains 0.9, 0.3 and 0.05.

    Level 1.0: the whole 0.9 cell and a third of the 0.3 cell meet ``gain ≥ 1.0`` in the LP,
    but reaching 1.0 takes two partners, and the fewest-partners row refuses 1.34 of them.
    Level 0.5: 0.6 of the 0.9 cell meets ``gain ≥ 0.5``; the clipped row refuses it (a cell at
    or above the level counts 1 at most, so 0.6 < 1).
    """
    scores = np.array([[0.9, 0.3, 0.05]])
    model = _model(scores, [2], [1, 1, 1])
    gains = model.gain_rows.toarray()[0]
    rows = model.reach.at_level(1.0)
    assert rows.fewest[0] == 2  # 0.9 alone is short; 0.9 + 0.3 reaches it
    assert rows.fewest[1:].tolist() == [2.0, 2.0, 2.0]  # a PK firm with one partner: never
    fraction = np.array([1.0, 0.34, 0.0])
    assert gains @ fraction >= 1.0
    assert rows.partners.toarray()[0] @ fraction < rows.fewest[0]
    # the 0.05 cell cannot be the best of two cells that reach 1.0 (0.05 < 1.0 - 0.9)
    assert rows.decisive.toarray()[0].tolist() == [1.0, 1.0, 0.0]
    half = model.reach.at_level(0.5)
    part = np.array([0.6, 0.0, 0.0])
    assert gains @ part >= 0.5
    assert half.clipped.toarray()[0] @ part < 1.0


def test_shipped_rules_programme_maxmin_for_cn_is_proven_by_the_bisection() -> None:
    """Known answer: counting only CN firms (up to 3 partners each, so gains are sums), the
    shipped rules programme's max-min level is 0.347070, proven, with the reach rows' bisection.

    The same value was first proven by the one-MILP method this replaced (maximising ``t``),
    so the two methods agree on it.
    """
    programme = pairing.load(Path(__file__).resolve().parent.parent / "instances"
                             / "double-hundred-rules")
    result = pairing.solve(programme, objective="maxmin", fair_to="left", time_limit=120)
    pairing.check(programme, result)
    assert result.status == "optimal"
    assert result.objective_value == pytest.approx(0.347070, abs=1e-6)
    # the reach LP's boundary is tight here: LPs, then the MILP at it and one refuted above
    assert "LP(s) and 2 feasibility MILP(s) bisecting the level" in result.solver.note


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_left=st.integers(1, 2), n_right=st.integers(2, 4),
       fair_to=st.sampled_from(("both", "left")))
def test_maxmin_on_sums_reaches_brute_force(seed: int, n_left: int, n_right: int,
                                            fair_to: str) -> None:
    """Left enterprises with up to 3 partners (gains are sums): the bisection over reach-row
    tests finds the brute-force max-min level, and proves it."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 41, size=(n_left, n_right)) / 40.0
    scores[rng.random(scores.shape) < 0.15] = np.nan
    programme = programme_from_matrix(
        scores, [(1, int(c)) for c in rng.integers(1, 4, n_left)],
        [(0, int(c)) for c in rng.integers(1, 3, n_right)], pairing.Rules(fair_to=fair_to))
    matchings = all_matchings(programme)
    if not matchings:
        return
    best = max(min(loop_gains(programme, chosen), default=0.0) for chosen in matchings)
    result = pairing.solve(programme, objective="maxmin", solver="maxmin-milp")
    pairing.check(programme, result)
    assert result.status == "optimal"
    assert result.objective_value == pytest.approx(best, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_left=st.integers(1, 2), n_right=st.integers(2, 4))
def test_reach_lp_boundary_never_cuts_the_max_min_level(seed: int, n_left: int,
                                                        n_right: int) -> None:
    """The LP stage's refuted level is an upper bound on the brute-force max-min level (a
    refuted LP is used as a proof), and its feasible level is no higher than it."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(1, 41, size=(n_left, n_right)) / 40.0
    scores[rng.random(scores.shape) < 0.15] = np.nan
    programme = programme_from_matrix(
        scores, [(0, int(c)) for c in rng.integers(1, 4, n_left)],
        [(0, int(c)) for c in rng.integers(1, 3, n_right)], pairing.Rules(fair_to="left"))
    matchings = all_matchings(programme)
    best = max(min(loop_gains(programme, chosen), default=0.0) for chosen in matchings)
    model = build_model(pairing.prepare(programme, objective="maxmin").problem)
    low, high, runs = _lp_boundary(model, 0.0, level_cap(model.gain_rows), Clock(None),
                                   SolveOptions("maxmin"))
    assert runs > 0
    assert low <= high
    assert high >= best - TIE


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_left=st.integers(1, 3), n_right=st.integers(1, 5))
def test_rows_at_per_member_levels_are_each_members_rows_at_its_level(
        seed: int, n_left: int, n_right: int) -> None:
    """The LP rounds build the rows at a different level for each member (0: no rows); each
    member's rows are exactly the uniform rows at its own level, and the breakpoints are where
    a member's fewest-partners or decisive row changes."""
    rng = np.random.default_rng(seed)
    scores = rng.random((n_left, n_right)).round(3)
    scores[rng.random(scores.shape) < 0.2] = np.nan
    model = _model(scores, list(rng.integers(1, 4, n_left)), list(rng.integers(1, 4, n_right)))
    table = model.reach
    levels = rng.random(model.m) * 1.5
    levels[rng.random(model.m) < 0.3] = 0.0
    mixed = table.at(levels)
    for e in range(model.m):
        if levels[e] <= 0:
            assert mixed.need[e] == -np.inf and mixed.fewest[e] == -np.inf
            continue
        alone = model.reach.at_level(float(levels[e]))
        for kind in ("clipped", "partners", "decisive"):
            assert np.array_equal(getattr(mixed, kind).toarray()[e],
                                  getattr(alone, kind).toarray()[e])
        assert mixed.fewest[e] == alone.fewest[e] and mixed.need[e] == 1.0
    points, owners = table.breakpoints
    assert np.all(np.diff(points) >= 0)
    for e in range(model.m):  # between two of e's breakpoints its discrete rows do not change
        mine = np.unique(points[owners == e])
        for low, high in itertools.pairwise(mine):
            if high - low < 1e-5:
                continue
            a, b = (model.reach.at_level(float(v)) for v in (low + 1e-6, high - 1e-6))
            assert a.fewest[e] == b.fewest[e]
            assert np.array_equal(a.decisive.toarray()[e], b.decisive.toarray()[e])
