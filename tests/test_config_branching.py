"""Branch and price on the configuration LP (:mod:`pairing.solvers.fair.config_branching`):
exact both ways against brute force, and the level rounds that use it."""

from __future__ import annotations

import numpy as np
import pytest

from pairing.solvers.fair import config_branching, level_rounds
from pairing.solvers.fair.config_branching import ExactTests, integral_point
from pairing.solvers.fair.config_lp import DUAL_SIMPLEX, PRIMAL_SIMPLEX, LPStopped
from pairing.solvers.fair.lp_levels import LevelRounds
from pairing.solvers.fair.milp import Clock
from test_config_lp import (
    _cells,
    _configuration_lps,
    _counting_configuration_rounds,
    _programme,
    assert_a_listed_matching_reaching,
)
from test_fairness import assert_leximin_like_brute_force


@pytest.mark.parametrize("probes", [0, config_branching.PROBES])
def test_branching_finds_a_matching_exactly_when_one_reaches_the_level(
        probes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """For levels at and just above each matching's worst counted gain: a matching (one that
    brute force lists, reaching the level) when some matching reaches it, else a refutation —
    one side counted or both, with the branches probed and without; and the LP is left
    unbranched."""
    monkeypatch.setattr(config_branching, "PROBES", probes)
    found = refuted = 0
    for seed, programme, matchings, lp, worst in _configuration_lps():
        for level in sorted({w for w in worst if w > 0} | {w + 0.01 for w in worst}):
            x = integral_point(lp, np.full(lp.m, level), nodes=10_000)
            reached = any(w >= level - 1e-9 for w in worst)
            assert (x is not None) == reached, (seed, level)
            assert not lp.forbidden.any()
            if x is None:
                refuted += 1
            else:
                assert_a_listed_matching_reaching(programme, matchings, lp, x, level)
                found += 1
    assert found > 30 and refuted > 30


def test_rounds_found_on_matchings_by_branching_agree_with_brute_force(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """With the matchings among the LP's sets said to hold none every time, every batch of
    configuration rounds hands its next round to branching: the answers still match brute
    force (one side counted, some with forced zeros), and the solver's note counts those
    rounds apart from the LP rounds."""
    tally = _counting_configuration_rounds(monkeypatch)
    monkeypatch.setattr(level_rounds, "matching_among_sets", lambda *args: (None, True))
    exact = level_rounds._exact_round
    rounds = [0]

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        out = exact(*args, **kwargs)
        rounds[0] += out is not None
        return out

    monkeypatch.setattr(level_rounds, "_exact_round", counting)
    noted = 0
    for seed in range(60):
        programme = _programme(seed, fair_to=("left", "right")[seed % 2], zeros=seed % 4 < 2)
        before = rounds[0]
        result = assert_leximin_like_brute_force(programme, "leximin-milp")
        if result is not None and rounds[0] > before:
            noted += f"{rounds[0] - before} by branching on the configuration LP" in (
                result.solver.note)
    assert rounds[0] > 40 and tally["rounds"] > 30 and noted > 20


def test_a_known_matching_answers_the_levels_it_reaches_without_a_search(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The exact tests begin where a known matching is: :meth:`ExactTests.reached` is the
    worst counted gain of the best known matching that holds the rules, and a level it reaches
    is answered by that matching with no branch and price search (the search just above the
    last round's level was a dive of thousands of nodes at 150 x 150); above it, the search
    decides, as brute force does, and a matching it finds is known from then on."""
    searches = [0]
    search = config_branching.integral_point

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        searches[0] += 1
        return search(*args, **kwargs)

    monkeypatch.setattr(config_branching, "integral_point", counted)
    checked = 0
    for seed, _, matchings, lp, worst in _configuration_lps():
        everyone = np.ones(lp.m, dtype=bool)
        best = int(np.argmax(worst))  # the max-min matching
        x = _cells(lp, matchings[best])
        exact = ExactTests(lp, None, known=x)
        level = exact.reached(everyone, np.zeros(lp.m), everyone)
        assert level == pytest.approx(worst[best], abs=1e-6), seed
        before = searches[0]
        ok, gains = exact.test(np.full(lp.m, level), keep=True)
        assert ok and searches[0] == before and exact.last is x
        assert gains.min() == pytest.approx(level, abs=1e-6)
        # above every matching's worst gain: the search runs, and refutes it
        ok, _ = exact.test(np.full(lp.m, max(worst) + 0.01))
        assert not ok and searches[0] == before + 1
        checked += 1
    assert checked > 30


def test_a_checkpoint_of_a_long_call_decides_on_matchings_when_the_sets_hold_none(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A call of configuration rounds that runs past its batch of ``b`` rounds is checked
    after 2b, 4b, 8b … rounds only; where the LP's sets are said to hold no matching, the
    branch and price search decides, as brute force does: a matching reaches the rounds'
    level (the call goes on) or none does (the call ends there)."""
    sought = [0]

    def none_among_sets(*args):  # type: ignore[no-untyped-def]
        sought[0] += 1
        return None, True

    monkeypatch.setattr(level_rounds, "matching_among_sets", none_among_sets)
    kept = ended = 0
    for seed, _, _, lp, worst in _configuration_lps():
        for level in sorted({w for w in worst if w > 0} | {w + 0.01 for w in worst})[:4]:
            def at(rounds: int, level: float = level, m: int = lp.m) -> LevelRounds:
                return LevelRounds(np.full(m, np.nan), np.zeros(m, dtype=np.int64), level,
                                   rounds, 0)

            before = sought[0]
            for done in (1, 16, 17, 24, 48, 80):  # (first 10, batch 16: not checkpoints)
                assert level_rounds._sets_checkpoint(
                    lp, Clock(None), 1.0, 10, 16, at(10 + done), None, np.empty(0),
                    0.0) is None
            assert sought[0] == before
            for done in (32, 64, 128):
                decided = level_rounds._sets_checkpoint(lp, Clock(None), 1.0, 10, 16,
                                                        at(10 + done), None, np.empty(0), 0.0)
                assert decided is (max(worst) >= level - 1e-6), (seed, level)
                kept += bool(decided)
                ended += decided is False
            assert sought[0] == before + 3
    assert kept > 30 and ended > 30


def test_a_cell_forced_that_a_side_alone_holds_in_no_set_is_still_decided() -> None:
    """Counting both sides, a branch that forces a cell the joint LP's sets hold but a side
    alone has no set for must not make that side's LP infeasible (on the rules programme it
    did, and the search stopped at its first forced branch). The LP never refutes a level
    some matching holding the cell reaches, and refutes some levels with the cell forced."""
    forced = refuted = 0
    for seed, _, matchings, lp, worst in _configuration_lps(lambda seed: "both"):
        rules = lp.rules
        held = {c for m in matchings[:1] for c in range(lp.n)
                if (int(rules.cells_left[c]), int(rules.cells_right[c])) in m}
        for cell in range(lp.n):
            pair = (int(rules.cells_left[cell]), int(rules.cells_right[cell]))
            if cell in held or not any(pair in m for m in matchings):
                continue  # (some matching holds it: the LP with it forced is feasible)
            # the joint LP (not the sides) gets the sets of a matching holding the cell: its
            # restricted LP is then feasible with the cell forced
            holding = next(m for m in matchings if pair in m)
            x = np.array([(int(i), int(j)) in holding for i, j in
                          zip(rules.cells_left, rules.cells_right, strict=True)])
            lp._add([(e, tuple(int(i) for i in np.flatnonzero(x[lp.cells[e]])))
                     for e in range(lp.m)])
            for level in sorted({0.0, *worst}):
                lp.branch(cell, force=True, on=True)
                try:
                    ok = lp.reachable(np.full(lp.m, level))[0]
                finally:
                    lp.branch(cell, force=True, on=False)
                some = any(pair in m and w >= level - 1e-9
                           for m, w in zip(matchings, worst, strict=True))
                assert ok or not some, (seed, cell, level)
                assert ok or level > 0, (seed, cell)
                forced += 1
                refuted += not ok
    assert forced > 1000 and refuted > 100


@pytest.mark.parametrize("probes", [0, config_branching.PROBES])
def test_a_search_runs_on_the_dual_simplex_and_leaves_the_primal_even_when_stopped(
        probes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Branching solves its LPs with the dual simplex, and every LP (the joint one and each
    side alone) is back on the primal simplex after the search, also when the node limit
    stops it; with the branches probed and without (probing closes more searches within
    one node, so fewer stop)."""
    monkeypatch.setattr(config_branching, "PROBES", probes)
    stopped = searched = 0
    for _, _, _, lp, worst in _configuration_lps(lambda seed: "both"):
        lps = [lp.lp, *(side.lp for _, side in lp.sides)]
        strategies: list[int] = []
        run = lp.lp.run

        def recording(*args, _run=run, _lp=lp, _seen=strategies,  # type: ignore[no-untyped-def]
                      **kwargs):
            _seen.append(_lp.lp._highs.getOptionValue("simplex_strategy")[1])
            return _run(*args, **kwargs)

        lp.lp.run = recording  # type: ignore[method-assign]
        for level in sorted({w for w in worst if w > 0} | {w + 0.01 for w in worst}):
            strategies.clear()
            try:
                integral_point(lp, np.full(lp.m, level), nodes=1)
            except LPStopped:
                stopped += 1
            searched += bool(strategies)
            assert set(strategies) <= {DUAL_SIMPLEX}
            assert all(model._highs.getOptionValue("simplex_strategy")[1] == PRIMAL_SIMPLEX
                       for model in lps)
    assert stopped > (5 if probes == 0 else 0) and searched > 20, (stopped, searched)
