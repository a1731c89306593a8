"""Leximin's configuration rounds (:mod:`pairing.solvers.fair.config_lp`): exact pricing, a
relaxation that never refutes a level some matching reaches, and rounds that agree with brute
force when they do all the work."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import pairing
from pairing.core.problem import build_problem
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair import config_lp, level_rounds
from pairing.solvers.fair.config_lp import ConfigLP
from pairing.solvers.fair.config_pricing import Pricer, reaches
from pairing.solvers.fair.lp_levels import LevelRounds
from pairing.solvers.fair.milp import Clock, build_model, level_cap
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
    assert checked > 500


def _one_side_programme(seed: int) -> pairing.Programme:
    """A tiny programme with one side counted, up to three partners each, maybe a quota."""
    rng = np.random.default_rng(seed)
    n_left, n_right = int(rng.integers(2, 4)), int(rng.integers(3, 6))
    scores = rng.integers(0, 21, size=(n_left, n_right)) / 20.0
    scores[rng.random(scores.shape) < 0.15] = np.nan
    caps_left = [(int(rng.integers(0, 2)), int(h)) for h in rng.integers(1, 4, n_left)]
    caps_right = [(0, int(h)) for h in rng.integers(1, 4, n_right)]
    sectors = ["textiles"] + ["textiles" if rng.random() < 0.5 else "energy"
                              for _ in range(n_right - 1)]
    quotas = ([pairing.Quota(side="right", by="sector", group="textiles",
                             max=int(rng.integers(1, 4)))] if rng.random() < 0.5 else [])
    fair_to = "left" if seed % 2 else "right"
    return programme_from_matrix(scores, caps_left, caps_right,
                                 pairing.Rules(quotas=quotas, fair_to=fair_to),
                                 sectors_right=sectors)


def test_the_configuration_lp_never_refutes_a_level_a_matching_reaches() -> None:
    """A relaxation: for levels at and just above each matching's worst counted gain, the LP
    refutes a level only when no matching reaches it."""
    tested = refuted = 0
    for seed in range(40):
        programme = _one_side_programme(seed)
        matchings = all_matchings(programme)
        problem = build_problem(programme, pairing.score_matrix(programme))
        model = build_model(problem)
        if not matchings or not model.m or not ConfigLP.applies(model):
            continue
        worst = [min(loop_gains(programme, m), default=0.0) for m in matchings]
        # any matching starts the LP (the empty one may break a minimum capacity)
        pairs = set(matchings[0])
        start = np.array([(int(i), int(j)) in pairs for i, j in
                          zip(model.rules.cells_left, model.rules.cells_right, strict=True)],
                         dtype=np.float64)
        lp = ConfigLP(model, SolveOptions(), Clock(None), start)
        for level in [*sorted(set(worst)), max(worst) + 0.01]:
            if level <= 0:
                continue
            reached = any(w >= level - 1e-9 for w in worst)
            ok, _ = lp.reachable(np.full(model.m, level))
            tested += 1
            refuted += not ok
            assert ok or not reached, (seed, level)
    assert tested > 20 and refuted > 5  # the LP does refute levels, soundly


def test_configuration_rounds_alone_agree_with_brute_force(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With the LP rounds switched off, the rounds after the first one on matchings are all
    configuration rounds: the answers, and their totals, still match brute force."""

    def no_lp_rounds(model, clock, options, share, start=None, zeros=None):  # type: ignore[no-untyped-def]
        state = start if start is not None else LevelRounds.empty(model.m)
        return LevelRounds(state.levels, state.round_of, state.last, state.rounds, state.lps,
                           level_cap(model.gain_rows))

    rounds_run = []
    original = config_lp.config_rounds

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = original(*args, **kwargs)
        rounds_run.append(found.rounds - args[2].rounds)
        return found

    monkeypatch.setattr(level_rounds, "lp_levels", no_lp_rounds)
    monkeypatch.setattr(level_rounds, "config_rounds", counting)
    for seed in range(40):
        assert_leximin_like_brute_force(_one_side_programme(seed), "leximin-milp")
    assert sum(rounds_run) > 20


def test_configuration_rounds_apply_to_one_counted_side_with_three_partners_at_most() -> None:
    programme = _one_side_programme(1)
    problem = build_problem(programme, pairing.score_matrix(programme))
    assert ConfigLP.applies(build_model(problem))
    both = programme.with_fair_to("both")
    assert not ConfigLP.applies(build_model(build_problem(both, pairing.score_matrix(both))))


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
