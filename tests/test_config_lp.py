"""Leximin's configuration rounds (:mod:`pairing.solvers.fair.config_rounds` on
:mod:`pairing.solvers.fair.config_lp`): exact pricing, a relaxation that never refutes a level
some matching reaches, and rounds that agree with brute force when they do all the work."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import numpy as np
import pytest

import pairing
from pairing.core.problem import build_problem
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair import config_lp, config_rounds, level_rounds
from pairing.solvers.fair.config_lp import (
    Aims,
    ConfigLP,
    _first_side,
    _side_levels,
    _side_zeros,
)
from pairing.solvers.fair.config_pricing import Pricer, reaches, warm_up
from pairing.solvers.fair.lp_levels import LevelRounds
from pairing.solvers.fair.milp import Clock, FairModel, build_model, level_cap
from pairing.solvers.fair.zeros import Zeros
from strategies import programme_from_matrix
from test_fairness import all_matchings, assert_leximin_like_brute_force, loop_gains


def _cheapest_by_enumeration(gains: np.ndarray, w: np.ndarray, cap: int,
                             level: float) -> float:
    best = 0.0 if np.isneginf(level) else np.inf
    for size in range(1, cap + 1):
        for chosen in itertools.combinations(range(len(gains)), size):
            if np.isneginf(level) or reaches(gains[list(chosen)].sum(), level):
                best = min(best, float(w[list(chosen)].sum()))
    return best


def test_pricing_finds_the_cheapest_partner_set_like_enumeration() -> None:
    rng = np.random.default_rng(7)
    checked = 0
    for _ in range(150):
        m = int(rng.integers(1, 5))
        # few distinct gains: many ties and sums that round differently (0.7 + 0.3 + 0.3)
        gains = [np.sort(rng.choice([0.1, 0.2, 0.3, 0.35, 0.5, 0.7],
                                    size=int(rng.integers(0, 7))))[::-1].astype(float)
                 for _ in range(m)]
        caps = np.minimum(rng.integers(1, 4, size=m), [len(g) for g in gains])
        pricer = Pricer(gains, caps)
        w = rng.normal(size=(m, pricer.width)).round(1)
        any_total, any_sets, _ = pricer.cheapest_any(w, np.zeros(m))
        for level in (0.2, 0.5, 0.8, 1.0, 1.3):  # a lower bound on every reaching set
            _, _, bound = pricer.cheapest_any(w, np.full(m, level))
            for e in range(m):
                k = len(gains[e])
                assert bound[e] <= _cheapest_by_enumeration(
                    gains[e], w[e, :k], int(caps[e]), level) + 1e-12
                # the same bound at any other level, from the same costs
                assert pricer.lower_bound(e, level) == bound[e]
                for other in (0.3, 0.9, 1.5):
                    assert pricer.lower_bound(e, other) <= _cheapest_by_enumeration(
                        gains[e], w[e, :k], int(caps[e]), other) + 1e-12
        for e in range(m):
            k = len(gains[e])
            assert any_total[e] == pytest.approx(
                _cheapest_by_enumeration(gains[e], w[e, :k], int(caps[e]), -np.inf))
            assert any_total[e] == pytest.approx(w[e, list(any_sets[e])].sum())
            for level in (0.2, 0.5, 0.8, 1.0, 1.3):
                total, chosen = pricer.cheapest(e, w[e, :k], level)
                expected = _cheapest_by_enumeration(gains[e], w[e, :k], int(caps[e]), level)
                checked += 1
                if np.isinf(expected):
                    assert chosen is None and np.isinf(total)
                    continue
                assert chosen is not None and total == pytest.approx(expected)
                assert len(set(chosen)) == len(chosen) <= caps[e]
                assert total == pytest.approx(w[e, list(chosen)].sum())
                assert reaches(gains[e][list(chosen)].sum(), level)
        for level in (0.2, 0.8, 1.3):  # all members at once: the same answers
            levels = np.full(m, level)
            totals, sets = pricer.cheapest_many(np.arange(m), w, levels)
            for e in range(m):
                assert (totals[e], sets[e]) == pricer.cheapest(e, w[e, :len(gains[e])], level)
    assert checked > 500


def _programme(seed: int, fair_to: str | None = None, zeros: bool = False) -> pairing.Programme:
    """A tiny programme, up to three partners each, maybe a quota; counting one side or both
    (``fair_to``, else by ``seed``). With ``zeros``, a textiles quota that mostly leaves some
    PK textile firms alone in every matching (forced zeros)."""
    rng = np.random.default_rng(seed)
    n_left, n_right = int(rng.integers(2, 4)), int(rng.integers(3, 6))
    scores = rng.integers(0, 21, size=(n_left, n_right)) / 20.0
    scores[rng.random(scores.shape) < 0.15] = np.nan
    caps_left = [(int(rng.integers(0, 2)), int(h)) for h in rng.integers(1, 4, n_left)]
    caps_right = [(0, int(h)) for h in rng.integers(1, 4, n_right)]
    sectors = ["textiles"] + ["textiles" if rng.random() < (0.7 if zeros else 0.5) else "energy"
                              for _ in range(n_right - 1)]
    quotas = ([pairing.Quota(side="right", by="sector", group="textiles",
                             max=int(rng.integers(1, 3 if zeros else 4)))]
              if zeros or rng.random() < 0.5 else [])
    fair_to = fair_to or ("left", "right", "both")[seed % 3]
    return programme_from_matrix(scores, caps_left, caps_right,
                                 pairing.Rules(quotas=quotas, fair_to=fair_to),
                                 sectors_right=sectors)


def _configuration_lps(fair_to: Callable[[int], str | None] = lambda seed: None
                       ) -> Iterator[tuple[int, pairing.Programme, list[list[tuple[int, int]]],
                                           ConfigLP, list[float]]]:
    """For 60 tiny programmes that the configuration LP applies to: the seed, the programme,
    every matching (brute force), a configuration LP started from the first one, and each
    matching's worst counted gain."""
    for seed in range(60):
        programme = _programme(seed, fair_to(seed))
        matchings = all_matchings(programme)
        model = build_model(build_problem(programme, pairing.score_matrix(programme)))
        if not matchings or not model.m or not ConfigLP.applies(model):
            continue
        # any matching starts the LP (the empty one may break a minimum capacity)
        yield (seed, programme, matchings,
               ConfigLP(model, SolveOptions(), Clock(None), _cells(model, matchings[0])),
               [min(loop_gains(programme, m), default=0.0) for m in matchings])


def _cells(model: FairModel | ConfigLP, matching: list[tuple[int, int]]) -> np.ndarray:
    """A matching as 0/1 per cell of ``model`` (or of a configuration LP's)."""
    pairs = set(matching)
    rules = model.rules
    return np.array([(int(i), int(j)) in pairs for i, j in
                     zip(rules.cells_left, rules.cells_right, strict=True)], dtype=np.float64)


def assert_a_listed_matching_reaching(programme: pairing.Programme,
                                      matchings: list[list[tuple[int, int]]], lp: ConfigLP,
                                      x: np.ndarray, level: float) -> None:
    """``x`` (0/1 per pair of the LP's model) is one of ``matchings``, and every counted
    enterprise gains ``level`` in it (by loops)."""
    rules = lp.rules
    chosen = frozenset((int(rules.cells_left[c]), int(rules.cells_right[c]))
                       for c in np.flatnonzero(x > 0.5))
    assert chosen in {frozenset(m) for m in matchings}
    assert min(loop_gains(programme, sorted(chosen))) >= level - 1e-9, level


def test_the_pricing_warm_up_prices_its_member_without_an_error() -> None:
    """Leximin loads the compiled pricing in a thread that hides any error (the rounds then
    load it themselves): the warm-up's own member must be a valid one, and pricing after it
    gives the cheapest set that reaches the level (the pair: the best cell alone falls short)."""
    warm_up()
    pricer = Pricer([np.array([0.5, 0.3])], np.array([2]))
    total, cells = pricer.cheapest(0, np.array([-0.2, -0.1]), 0.6)
    assert cells == (0, 1) and total == pytest.approx(-0.3)
    assert pricer.cheapest(0, np.array([-0.2, -0.1]), 0.9) == (np.inf, None)


def test_the_configuration_lp_never_refutes_a_level_a_matching_reaches() -> None:
    """A relaxation: for levels at and just above each matching's worst counted gain, the LP
    refutes a level only when no matching reaches it (one side counted, or both)."""
    tested = refuted = 0
    for seed, _, _, lp, worst in _configuration_lps():
        for level in [*sorted(set(worst)), max(worst) + 0.01]:
            if level <= 0:
                continue
            reached = any(w >= level - 1e-9 for w in worst)
            ok, _ = lp.reachable(np.full(lp.m, level))
            tested += 1
            refuted += not ok
            assert ok or not reached, (seed, level)
    assert tested > 30 and refuted > 8  # the LP does refute levels, soundly


def _counting_configuration_rounds(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Switch the LP rounds off (the rounds after the first one on matchings are then all
    configuration rounds) and count the configuration rounds and the loose group's levels
    they prove."""

    def no_lp_rounds(model, clock, options, share, start=None, zeros=None):  # type: ignore[no-untyped-def]
        state = start if start is not None else LevelRounds.empty(model.m)
        return LevelRounds(state.levels, state.round_of, state.last, state.rounds, state.lps,
                           level_cap(model.gain_rows))

    tally = {"rounds": 0, "group": 0, "among_sets": 0, "among_sets_zeros": 0}
    original = config_rounds.config_rounds
    among = level_rounds.matching_among_sets

    def counting_among(lp, levels, zeros, clock, share=1.0):  # type: ignore[no-untyped-def]
        x, none = among(lp, levels, zeros, clock, share)
        tally["among_sets"] += x is not None
        tally["among_sets_zeros"] += x is not None and zeros is not None
        return x, none

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        before = args[9] if len(args) > 9 else kwargs.get("zeros")
        found, zeros = original(*args, **kwargs)
        tally["rounds"] += found.rounds - args[2].rounds
        if zeros is not None:
            tally["group"] += len(zeros.levels) - (len(before.levels) if before else 0)
        return found, zeros

    monkeypatch.setattr(level_rounds, "lp_levels", no_lp_rounds)
    monkeypatch.setattr(level_rounds, "config_rounds", counting)
    monkeypatch.setattr(level_rounds, "matching_among_sets", counting_among)
    return tally


def test_configuration_rounds_alone_agree_with_brute_force(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With the LP rounds switched off, the rounds after the first one on matchings are all
    configuration rounds: the answers, and their totals, still match brute force, counting
    one side or both."""
    tally = _counting_configuration_rounds(monkeypatch)
    for seed in range(60):
        assert_leximin_like_brute_force(_programme(seed), "leximin-milp")
    assert tally["rounds"] > 30 and tally["among_sets"] > 10


def test_configuration_rounds_prove_the_loose_groups_levels_like_brute_force(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Forced zeros: the loose members reach each round's level in the LP all but the
    allowed number of them, a round where they cannot all rise proves one more of the group's
    levels, and the answers match brute force (counting PK or both sides)."""
    tally = _counting_configuration_rounds(monkeypatch)
    for seed in range(60):
        programme = _programme(seed, fair_to=("right", "both")[seed % 2], zeros=True)
        assert_leximin_like_brute_force(programme, "leximin-milp")
    assert tally["group"] > 10 and tally["rounds"] > 30 and tally["among_sets_zeros"] > 5


def test_forced_zeros_cut_back_with_the_rounds_that_proved_their_levels() -> None:
    """A run of rounds that a matching keeps only in part keeps the group's levels its first
    rounds proved, and the bound on the next round comes from the next round's level."""
    from pairing.solvers.fair.keeping import first_rounds
    from pairing.solvers.fair.zeros import Zeros

    zeros = Zeros(np.array([True, True, False]), 1).with_level(0.3, 1).with_level(0.5, 3)
    assert zeros.upto(2).levels == (0.3,) and zeros.upto(3).levels == (0.3, 0.5)
    found = LevelRounds(np.array([np.nan, np.nan, 0.4]), np.array([0, 0, 2]), 0.5, 3, 0)
    trial, kept = first_rounds(found, zeros, 2)
    assert kept is not None and kept.levels == (0.3,)
    assert trial.last == pytest.approx(0.4) and trial.next_bound == pytest.approx(0.5, abs=2e-6)
    trial, kept = first_rounds(found, zeros, 1)
    assert trial.last == pytest.approx(0.3) and trial.next_bound == pytest.approx(0.4, abs=2e-6)
    # every member fixed: the named one, and the loose ones a zero or at a group level
    assert zeros.done(found.levels) and not zeros.upto(0).done(found.levels)


def test_a_matching_among_the_lps_partner_sets_is_one_that_reaches_the_level() -> None:
    """The MILP over the configuration LP's partner sets returns real matchings only (brute
    force lists them), where every counted member reaches the level asked; it finds one for
    most levels some matching reaches, and none above every matching's."""
    from pairing.solvers.fair.config_matching import matching_among_sets

    reachable = found = 0
    for seed, programme, matchings, lp, worst in _configuration_lps(
            lambda seed: ("left", "right")[seed % 2]):
        for level in [*sorted(set(worst)), max(worst) + 0.01]:
            if level <= 0:
                continue
            levels = np.full(lp.m, level)
            lp.reachable(levels)  # (the LP's partner sets grow with the levels asked)
            x, none = matching_among_sets(lp, levels, None, Clock(None))
            reachable += any(w >= level - 1e-9 for w in worst)
            assert x is not None or none, (seed, level)  # (no time limit: found or none)
            if x is not None:
                assert_a_listed_matching_reaching(programme, matchings, lp, x, level)
                found += 1
    assert reachable > 30 and found > reachable // 2


def test_configuration_rounds_apply_to_members_with_three_partners_at_most() -> None:
    for fair_to in ("left", "right", "both"):
        programme = _programme(1, fair_to=fair_to)
        problem = build_problem(programme, pairing.score_matrix(programme))
        assert ConfigLP.applies(build_model(problem))
    scores = np.full((1, 4), 0.5)
    four = programme_from_matrix(scores, [(0, 4)], [(0, 1)] * 4, pairing.Rules(fair_to="left"))
    assert not ConfigLP.applies(build_model(build_problem(four, pairing.score_matrix(four))))


def test_a_level_the_lp_rounds_overestimate_is_a_configuration_round() -> None:
    """The programme where the LP rounds' third level lies above every matching's (see
    ``test_fairness.py``): the configuration LP is tight there, so no round on matchings is
    needed, and the answer is still leximin-optimal with the best total."""
    scores = np.array([[0.4, 0.5, 0.0], [0.5, 0.0, 0.9], [0.65, 0.45, 0.1]])
    programme = programme_from_matrix(scores, [(0, 2), (0, 2), (0, 1)],
                                      [(0, 2), (0, 2), (0, 1)], pairing.Rules(fair_to="right"))
    result = pairing.solve(programme, objective="leximin", solver="leximin-milp")
    pairing.check(programme, result)
    assert result.status == "optimal" and "on matchings" not in result.solver.note
    assert_leximin_like_brute_force(programme, "leximin-milp")


def test_each_side_alone_refutes_only_levels_both_sides_cannot_reach() -> None:
    """Counting both sides, the LP first asks each side's members alone (a relaxation): at
    levels per member drawn from the matchings' gains, it says what the joint LP alone says,
    the sides alone reach every level the joint LP reaches, and they refute some levels
    themselves."""
    rng = np.random.default_rng(0)
    tested = reached = by_sides = 0
    for seed, programme, matchings, lp, _ in _configuration_lps(lambda seed: "both"):
        model = build_model(build_problem(programme, pairing.score_matrix(programme)))
        joint = ConfigLP(model, SolveOptions(), Clock(None), _cells(model, matchings[0]))
        joint.sides = []  # (the joint LP alone)
        gains = np.array([loop_gains(programme, m) for m in matchings])
        for _ in range(6):
            levels = gains[rng.integers(len(gains))] + rng.choice([0.0, 0.05], size=lp.m)
            ok = lp.reachable(levels)[0]
            assert ok == joint.reachable(levels)[0], (seed, levels)
            relaxed = lp.reachable(levels, relaxed=True)[0]
            assert relaxed or not ok, (seed, levels)
            tested += 1
            reached += ok
            by_sides += not relaxed
    assert tested > 200 and reached > 20 and by_sides > 50


def test_either_side_may_hold_the_rules_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting both sides, the rules' rows hold the sets of the side with fewer partners a
    member (the left one on a tie) and the other side's are linked to them; the joint LP
    answers the same with the sides the other way round."""
    on_left = np.array([True, True, False, False])
    assert _first_side(on_left, np.array([3, 3, 2, 2])).tolist() == [False, False, True, True]
    assert _first_side(on_left, np.array([2, 3, 3, 2])).tolist() == [True, True, False, False]
    assert _first_side(~on_left[:2], np.array([3, 1])).tolist() == [True, True]
    rng = np.random.default_rng(1)
    tested = reached = 0
    chosen = config_lp._first_side
    for _, programme, matchings, _, _ in _configuration_lps(lambda seed: "both"):
        model = build_model(build_problem(programme, pairing.score_matrix(programme)))
        start = _cells(model, matchings[0])
        lps = []
        for flip in (False, True):
            monkeypatch.setattr(config_lp, "_first_side",
                                lambda on_left, caps, flip=flip: chosen(on_left, caps) ^ flip)
            lp = ConfigLP(model, SolveOptions(), Clock(None), start)
            lp.sides = []  # (the joint LP alone)
            lps.append(lp)
        assert not np.array_equal(lps[0].first_side, lps[1].first_side)
        gains = np.array([loop_gains(programme, m) for m in matchings])
        for _ in range(6):
            levels = gains[rng.integers(len(gains))] + rng.choice([0.0, 0.05], size=model.m)
            ok = lps[0].reachable(levels)[0]
            assert ok == lps[1].reachable(levels)[0], levels
            tested += 1
            reached += ok
    assert tested > 200 and reached > 20


def test_one_sides_forced_zeros_hold_its_loose_members_and_the_levels_they_can_fill() -> None:
    """Each side alone sees the forced zeros among its own loose members: at most ``count``
    of them alone and the group's levels as far as they can hold them; a side with no more
    loose members than ``count`` has none, and its loose members need reach no level."""
    zeros = Zeros(np.array([True, False, True, True, True]), 1,
                  levels=(0.3, 0.4, 0.5), proven_in=(1, 2, 3))
    right = np.array([False, False, True, True, True])
    side = _side_zeros(zeros, right)
    assert side is not None and side.count == 1 and side.loose.tolist() == [True] * 3
    assert side.levels == (0.3, 0.4) and side.proven_in == (1, 2) and side.rising == 0
    assert _side_zeros(zeros, ~right) is None
    levels = np.array([0.6, 0.5, 0.6, 0.6, 0.6])
    assert _side_levels(levels, ~right, zeros).tolist() == [0.0, 0.5]
    assert _side_levels(levels, right, zeros).tolist() == [0.6, 0.6, 0.6]


def test_the_joint_lp_is_tested_at_the_sides_level_while_that_pays() -> None:
    """Two refuted tests in a row at the level the sides alone reach make the next wait a
    round, then two, four …; one that reaches it starts over."""
    aims = Aims()
    tested = []
    outcomes = iter([False, False, False, False, True, False])
    for _ in range(12):
        worth = aims.worth()
        tested.append(worth)
        if worth:
            aims.record(next(outcomes))
    assert tested == [True, True, False, True, False, False, True, False, False, False,
                      False, True]


def test_the_joint_lp_takes_up_the_sets_each_side_alone_uses() -> None:
    """Counting both sides, a joint test first adds the partner sets each side alone uses at
    the same levels, as the same member's sets with the same cells."""
    rng = np.random.default_rng(2)
    taken = 0
    for _, programme, matchings, _, _ in _configuration_lps(lambda seed: "both"):
        model = build_model(build_problem(programme, pairing.score_matrix(programme)))
        lp = ConfigLP(model, SolveOptions(), Clock(None), _cells(model, matchings[0]))
        gains = np.array([loop_gains(programme, m) for m in matchings])
        levels = gains[rng.integers(len(gains))] + rng.choice([0.0, 0.02], size=model.m)
        if not lp.reachable(levels)[0]:
            continue
        for members, side in lp.sides:
            index = np.flatnonzero(members)
            used = side.point[side.first_col:side.first_col + len(side.col_set)] > 1e-7
            for e, chosen in np.asarray(side.col_set, dtype=object)[used]:
                if not chosen:
                    continue
                assert (int(index[e]), chosen) in lp.sets
                assert np.array_equal(side.cells[e][list(chosen)],
                                      lp.cells[int(index[e])][list(chosen)])
                taken += 1
    assert taken > 50


def test_a_cells_linking_row_comes_with_the_other_sides_first_set_holding_it() -> None:
    """Counting both sides, a cell's linking row is added when the other side's first set
    holding it is (before, it would hold only the first side's sets, at no cost), and the
    joint LP answers the same as one with every cell's row from the start."""
    rng = np.random.default_rng(3)
    tested = reached = fewer = 0
    for _, programme, matchings, _, _ in _configuration_lps(lambda seed: "both"):
        model = build_model(build_problem(programme, pairing.score_matrix(programme)))
        start = _cells(model, matchings[0])
        lazy = ConfigLP(model, SolveOptions(), Clock(None), start)
        eager = ConfigLP(model, SolveOptions(), Clock(None), start)
        eager._link([np.arange(model.n)])
        for lp in (lazy, eager):
            lp.sides = []  # (the joint LP alone)
        gains = np.array([loop_gains(programme, m) for m in matchings])
        for _ in range(6):
            levels = gains[rng.integers(len(gains))] + rng.choice([0.0, 0.05], size=model.m)
            ok = lazy.reachable(levels)[0]
            assert ok == eager.reachable(levels)[0], levels
            tested += 1
            reached += ok
        other = {int(c) for e, chosen in lazy.sets if not lazy.first_side[e]
                 for c in lazy.cells[e][list(chosen)]}
        assert set(np.flatnonzero(lazy.link_row >= 0).tolist()) == other
        fewer += len(other) < model.n
    assert tested > 200 and reached > 20 and fewer > 10


def test_a_round_the_limit_stops_before_it_begins_is_bounded_by_the_sides_alone() -> None:
    """Counting both sides, rounds that the limit stops before the next one begins still
    bound that round's level by each side alone (their small LPs), and the bound is at least
    the next gain of the leximin-optimal matching (brute force) whenever the rounds so far are
    its own: a stopped run states it as a bound on its first unproven position."""
    checked = bounded = 0
    for _, programme, matchings, lp, _ in _configuration_lps(lambda seed: "both"):
        model = build_model(build_problem(programme, pairing.score_matrix(programme)))
        optimum = max((sorted(loop_gains(programme, m)) for m in matchings),
                      key=lambda gains: [round(g, 6) for g in gains])
        if optimum[0] <= 0:
            continue  # (forced zeros: leximin fixes them before the rounds)
        x = _cells(model, matchings[0])
        for most in range(3):
            found, _ = config_rounds.config_rounds(model, lp, LevelRounds.empty(lp.m), x,
                                                   Clock(1000.0), SolveOptions(), 1.0,
                                                   most=most, finish=0.0)
            # the limit is spent: no round begins, the sides alone probe the next one
            probe, _ = config_rounds.config_rounds(model, lp, found, x, Clock(1000.0),
                                                   SolveOptions(), 0.0)
            assert probe.rounds == found.rounds
            fixed = np.sort(found.levels[~np.isnan(found.levels)])
            if len(fixed) >= lp.m or not np.allclose(fixed, optimum[:len(fixed)], atol=1e-6):
                break
            checked += 1
            if np.isfinite(probe.next_bound):
                bounded += 1
                assert probe.next_bound >= optimum[len(fixed)] - 1e-9
    assert checked > 20 and bounded > 10


def test_a_pinned_cell_is_in_no_matching_that_keeps_the_levels_its_member_was_fixed_by(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A member a configuration round fixes cannot reach the lifted level while the others
    keep the round's; so in every matching that keeps them and its own level, its partners are
    a set whose gain lies between its level and the lifted one, and the cells no such set holds
    are pinned (counting both sides, where the rounds pin). Brute force: no such matching holds
    a pinned cell (with the LP rounds switched off, so that every round after the first is a
    configuration round)."""
    _counting_configuration_rounds(monkeypatch)
    refuted: dict[int, list[np.ndarray]] = {}
    reachable, pin = ConfigLP.reachable, ConfigLP.pin
    current: dict[str, object] = {}
    tally = {"pins": 0, "pinned": 0, "matchings": 0}

    def recording(self: ConfigLP, levels: np.ndarray, relaxed: bool = False
                  ) -> tuple[bool, np.ndarray]:
        ok, where = reachable(self, levels, relaxed)
        if not ok:
            refuted.setdefault(id(self), []).append(levels.copy())
        return ok, where

    def checked_pin(self: ConfigLP, e: int, level: float, kept: float, lift: float,
                    round_: int) -> None:
        pin(self, e, level, kept, lift, round_)
        if e not in self.pins:
            return
        # the levels of the test that refuted e at the lifted level: the others' there
        test = [levels for levels in refuted[id(self)] if levels[e] == lift][-1]
        pinned = set(self.pins[e][2].tolist())
        cell_of = {(int(i), int(j)): c for c, (i, j) in enumerate(
            zip(self.rules.cells_left, self.rules.cells_right, strict=True))}
        programme = current["programme"]
        assert isinstance(programme, pairing.Programme)
        tally["pins"] += 1
        tally["pinned"] += len(pinned)
        for matching in current["matchings"]:  # type: ignore[attr-defined]
            gains = loop_gains(programme, matching)
            # (and that keep e's own level: the later rounds all do)
            if gains[e] >= kept - 1e-9 and all(
                    g >= t - 1e-9 for k, (g, t) in enumerate(zip(gains, test, strict=True))
                    if k != e and t > 0):
                tally["matchings"] += 1
                held = {cell_of[pair] for pair in matching}
                assert not held & pinned, (current["seed"], e, sorted(held & pinned))

    monkeypatch.setattr(ConfigLP, "reachable", recording)
    monkeypatch.setattr(ConfigLP, "pin", checked_pin)
    for seed in range(80):
        programme = _programme(seed, "both")
        current.update(seed=seed, programme=programme, matchings=all_matchings(programme))
        refuted.clear()  # (an LP's id may be an earlier programme's)
        assert_leximin_like_brute_force(programme, "leximin-milp")
    assert tally["pins"] > 20 and tally["pinned"] > 20 and tally["matchings"] > 100, tally


def test_a_pin_goes_when_a_change_of_the_rounds_breaks_its_premise() -> None:
    """A pin holds while its member stays fixed at its level by its round, and no member
    fixed later, nor the next round, lies below that level (rounds cut back, or a round on
    matchings a little lower): otherwise the next call of the rounds drops it, in each side
    alone too."""
    checked = 0
    for _, _, _, lp, _ in _configuration_lps(lambda seed: "both"):
        e = next((e for e in range(lp.m) if len(lp.cells[e]) > 1 and lp.gains[e][0] > 0.1),
                 None)
        if e is None:
            continue
        other = (e + 1) % lp.m
        level = float(lp.gains[e][0])
        for change in ("none", "unfixed", "round", "lower later", "next lower"):
            lp.pin(e, level, level - 1e-7, level + 1e-6, 1)
            if e not in lp.pins or not len(lp.pins[e][2]):
                break  # (every cell of e is in some set of the window)
            assert lp.pinned.any() and all(side.pinned.any() for _, side in lp.sides)
            levels, round_of = np.full(lp.m, np.nan), np.zeros(lp.m, dtype=np.int64)
            levels[e], round_of[e], last = level, 1, level + 0.01
            levels[other], round_of[other] = level + 0.01, 2
            if change == "unfixed":
                levels[e], round_of[e] = np.nan, 0
            elif change == "round":
                round_of[e] = 2
            elif change == "lower later":
                levels[other] = level - 1e-7
            elif change == "next lower":
                last = level - 1e-7
            lp.keep_pins(levels, round_of, last)
            assert (e in lp.pins) == (change == "none"), change
            assert lp.pinned.any() == (change == "none")
            assert all(side.pinned.any() == (change == "none") for _, side in lp.sides)
            lp.keep_pins(np.full(lp.m, np.nan), np.zeros(lp.m, dtype=np.int64), 0.0)
            checked += 1
    assert checked > 50
