"""Leximin's configuration rounds: level rounds on the configuration LP (:mod:`.config_lp`).

A round gallops and bisects to its level over configuration LPs, warm-started (about 6 of 10 ms each
on the rules programme: a reachable level's point shows how far the free members' sets reach,
so the next test is a probe just above that), then tests the free members whose sets in use sit
at the level: member ``e`` is *saturated* when no point lifts it :data:`~.milp.TIE` above the
level while the other free members keep it (less :data:`~.lp_levels.SLIP`). Like the LP
rounds, the rounds' levels bound every matching lexicographically, and
:func:`.keeping.keep_levels` proves with one MILP how many of them a matching keeps.

Counting both sides, a round first finds the level each side's members alone reach (a bound,
on LPs a small fraction of the joint one's cost: :attr:`~.config_lp.ConfigLP.sides`) and tests
the joint LP there: where one side binds, as the PK textile firms often do on the rules
programme, that one joint LP is the round's search. Where the sides do not bind, that test
moves the joint LP far for nothing, so it waits after two refuted in a row
(:class:`~.config_lp.Aims`).

With forced zeros the loose group's rising members reach each round's level in the LP, all but
the allowed number of them, and a round where they cannot all rise above it proves one more of
the group's levels, whoever holds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np

from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.config_branching import ExactTests
from pairing.solvers.fair.config_lp import ConfigLP, LPStopped
from pairing.solvers.fair.config_pricing import ROUNDING
from pairing.solvers.fair.lp_levels import LevelRounds, slipped
from pairing.solvers.fair.milp import TIE, Clock, FairModel, level_cap
from pairing.solvers.fair.zeros import Zeros

__all__ = ["Repair", "config_rounds", "fits_at_pace"]

#: A round's level is bisected to this width (relative, at least 1): above
#: :data:`~.config_pricing.ROUNDING`, within which a set counts as reaching a level.
WIDTH = 4e-9
#: Most members tested for saturation in one round.
MAX_TESTS = 20
#: Counting both sides, the share of the time limit past the rounds' own that the sides alone
#: may use to bound the next round's level when the limit stops the rounds before they refuted
#: one (a bound on the next position, for a stopped run's answer to state).
PROBE = 0.01


#: A repair of a round's LP point after the round (:func:`config_rounds`'s ``repair``): the
#: rounds so far, the forced zeros, the point and the round's seconds; whether a matching
#: near the point keeps the rounds (``None``: not tried).
Repair = Callable[[LevelRounds, "Zeros | None", np.ndarray, float], "bool | None"]


class _Round(NamedTuple):
    """The next configuration round as :func:`config_rounds` sets it up."""

    unfixed: np.ndarray  # the members no round fixed: the free ones and the loose group
    free: np.ndarray  # the members that must reach the level by name
    rise: np.ndarray  # the loose group, when some of it must reach the level (else none)
    kept: np.ndarray  # the fixed members' levels, slipped (nan for the others)
    reachable: Callable[..., tuple[bool, np.ndarray]]  # the level test (records refutations)
    low: float  # the last round's level, or a known matching's on matchings: reachable
    high: float  # a bound above the level


def _on_course(clock: Clock, finish: float, began: float, done: int, left: int) -> bool:
    """Whether ``done`` rounds since ``began`` say the ``left`` members fit in ``finish`` of
    the time limit with half as much again to spare (always, without a limit)."""
    if clock.limit is None:
        return True
    if done == 0:
        return False
    now = time.perf_counter()
    return now - clock.start + 1.5 * (now - began) / done * left <= finish * clock.limit


def _search(reachable: Callable[[float], tuple[bool, np.ndarray]], low: float, high: float,
            rising: np.ndarray) -> tuple[float, float, np.ndarray | None]:
    """Gallop up from ``low`` (reachable), then bisect, until the last reachable level and the
    first refuted one lie within :data:`WIDTH`: those two, and the last reachable point's
    least gains (``None`` when no test was reachable).

    A reachable level moves the lower end up to the least gain of the ``rising`` members' sets
    in use (the same point reaches it), which is often the level itself: so after a refuted
    test, the next one is just above the lower end (a probe)."""
    lowest: np.ndarray | None = None
    step, probe = 1e-3 * max(1.0, low), False
    while high - low > WIDTH * max(1.0, high):
        if probe:
            mid = low + WIDTH / 2 * max(1.0, low)  # (2 ROUNDING above low)
        else:
            mid = min(low + step, (low + high) / 2) if step else (low + high) / 2
        ok, where = reachable(mid)
        if ok:
            lowest, step = where, 2 * step if step else 0.0
            low = min(max(mid, float(where[rising].min(initial=np.inf))), high)
        else:
            high, step = mid, 0.0
        probe = not ok and not probe
    return low, high, lowest


def fits_at_pace(clock: Clock, share: float, since: float, rounds: int, recent: float,
                 left: int) -> bool:
    """Whether ``left`` more rounds fit in ``share`` of the time limit less 5 % of it, at the
    pace of the ``rounds`` since ``since`` or ``recent`` seconds a round, whichever is faster
    (each round fixes one member at least). The test that raises the rounds' share to
    :data:`.level_rounds.FINISH` (:func:`.level_rounds._share`) and the one that takes it back
    (:func:`_still_finishing`)."""
    assert clock.limit is not None
    spent = time.perf_counter() - since
    pace = min(spent / max(rounds, 1), recent)
    return spent + pace * left <= (share - 0.05) * clock.limit


def _still_finishing(clock: Clock, share: float, since: float, rounds: int, began: float,
                     done: int, left: int) -> bool:
    """Whether the ``left`` members still fit in ``share`` (:func:`fits_at_pace`), this call's
    ``done`` rounds since ``began`` giving the recent pace."""
    if clock.limit is None or done == 0:
        return True
    return fits_at_pace(clock, share, since, rounds, (time.perf_counter() - began) / done, left)


def config_rounds(model: FairModel, lp: ConfigLP, start: LevelRounds, x: np.ndarray,
                  clock: Clock, options: SolveOptions, share: float,
                  most: int | None = None, finish: float | None = 1.0,
                  zeros: Zeros | None = None, exact: ExactTests | None = None,
                  plain: float | None = None, since: float = 0.0,
                  repair: Repair | None = None) -> tuple[LevelRounds, Zeros | None]:
    """Level rounds on the configuration LP ``lp`` from ``start`` (whose levels ``x``
    keeps), as far as they get within ``share`` of the time limit (module docstring), ``most``
    rounds at most — unless their pace says all the members left fit in ``finish`` of the
    limit with half as much again to spare: then they all run, and one MILP proves them at
    the end (cheaper than several: the rules programme counting CN, 0.6 s against 4 s);
    ``finish=None``: ``most`` at most all the same. The LP keeps its partner sets from call to
    call.

    ``zeros``: forced zeros as :func:`.level_rounds.level_rounds` holds them; the loose group's
    rising members reach each round's level in the LP, and a round where they cannot all rise
    above it proves one more of the group's levels. Returns the rounds and the zeros with the
    levels they proved; the rounds' ``next_bound`` is the least level refuted in the round
    that did not end (the limit stopped it, or nobody was saturated), :data:`~.milp.TIE` above
    it, and no more than ``start``'s when no round ended.

    ``exact``: every test on matchings instead (:mod:`.config_branching`), ``most`` rounds;
    then the rounds are proven as they are found, and ``exact.last`` is a matching that keeps
    them. A search that does not settle ends the rounds where they are.

    ``plain``: the rounds' own share of the limit, when ``share`` is larger because their pace
    said every member would be fixed within it (the rounds began at ``since``). Once their
    pace, this call's included, says otherwise, the rounds stop at ``plain``, so that a
    matching can still prove them. The first rounds are the cheap ones: the rules programme
    counting both sides at a 120 s limit fixed 16 in 6.7 s, then took 0.3-14 s a round; with
    the raised share its rounds ran to 108 s, no matching proved the 17 after the first 16,
    and the run returned 24 positions where a 60 s run gave 32.

    ``repair``: called after each round with the rounds so far, the zeros, the round's LP point
    (cell values) and the seconds the round took; ``False`` (a matching near the point keeps
    them is not found) ends the call after that round, whose level is then likely above every
    matching's (the LP not integral there), so that no more rounds are built on it."""
    lp.use(zeros)
    lp.keep_pins(start.levels, start.round_of, start.last)
    lp.seed(x)
    lp.share = share
    lps = lp.lps
    began = time.perf_counter()
    fixed, round_of = start.levels.copy(), start.round_of.copy()
    lo, rounds = start.last, start.rounds
    cap = level_cap(model.gain_rows)
    top = min(start.next_bound, cap)
    loose = np.zeros(model.m, dtype=bool) if zeros is None else zeros.loose

    def left() -> int:
        return zeros.left(fixed) if zeros is not None else int(np.isnan(fixed).sum())

    # the least level refuted in the round under way: a proven upper bound on its level,
    # and so on the next position of every leximin-optimal matching (when the rounds before
    # it are kept)
    refuted = np.inf

    def within() -> bool:
        nonlocal share
        if plain is not None and share > plain and not _still_finishing(
                clock, share, since, rounds, began, rounds - start.rounds, left()):
            share = lp.share = plain
        return not clock.expired(share)

    def next_round() -> _Round:
        """The next round's members, the levels kept, its level test, and the bounds its level
        lies between (:class:`_Round`)."""
        unfixed = np.isnan(fixed)  # the free members, and the loose ones
        free = unfixed & ~loose
        rising = zeros.rising if zeros is not None else 0
        # (the loose group counts when some of its members must reach the level)
        rise = loose if rising > 0 else np.zeros(model.m, dtype=bool)
        kept = slipped(np.where(unfixed, 0.0, fixed))

        def reachable(level: float, relaxed: bool = False) -> tuple[bool, np.ndarray]:
            nonlocal refuted
            levels = np.where(unfixed, level, kept)
            ok, where = (exact.test(levels, keep=True) if exact
                         else lp.reachable(levels, relaxed=relaxed))
            if not ok:  # (each side alone, and matchings, bound the LP too)
                refuted = min(refuted, level)
            return ok, where

        # (no free member can gain more than its best cells, nor can the group's rising
        # members all gain more than the rising-th best of theirs: neither can the level)
        ceiling = lp.most[free].min(initial=np.inf)
        if rising > 0:
            ceiling = min(ceiling, float(np.sort(lp.most[loose])[-rising]))
        high = min(top, ceiling + 2 * ROUNDING * max(1.0, ceiling))
        # on matchings, the search begins where a known matching is (ExactTests.reached)
        low = min(max(lo, exact.reached(unfixed, kept, free | rise)), high) if exact else lo
        return _Round(unfixed, free, rise, kept, reachable, low, high)

    def probe_next() -> None:
        """The rounds stopped (the limit, or an LP it stopped) with no level refuted in the
        round under way: counting both sides, each side alone still bounds the next round's
        level, in a few of its small LPs (:data:`PROBE` of the limit at most)."""
        if exact or not lp.sides or np.isfinite(refuted) or not left():
            return
        probe = next_round()
        lp.share = min(1.0, share + PROBE)
        try:
            _search(partial(probe.reachable, relaxed=True), probe.low, probe.high,
                    probe.free | probe.rise)
        except LPStopped:
            pass
        finally:
            lp.share = share

    try:
        while left() and within() and (
                most is None or rounds - start.rounds < most or (
                    exact is None and zeros is None and finish is not None and _on_course(
                        clock, finish, began, rounds - start.rounds, left()))):
            round_began = time.perf_counter()
            unfixed, free, rise, kept, reachable, low, high = next_round()

            def lifted_reachable(levels: np.ndarray) -> bool:
                return (exact.test(levels) if exact else lp.reachable(levels))[0]

            # the level: gallop up from the last one, then bisect (_search)
            lowest: np.ndarray | None = None
            if lp.sides and not exact and lp.aims.worth():
                # counting both sides: first the level each side alone reaches (a bound, at a
                # fraction of the joint LP's cost), then the joint LP there while that pays
                # (where one side binds, that is the level)
                relaxed, high, _ = _search(partial(reachable, relaxed=True), low, high,
                                           free | rise)
                ok, where = reachable(relaxed)
                lp.aims.record(ok)
                if ok:
                    low, lowest = relaxed, where
                else:
                    high = relaxed
            low, high, found = _search(reachable, low, high, free | rise)
            lowest = found if found is not None else lowest
            if lowest is None:  # the level is the last round's
                lowest = reachable(low)[1]
            # who cannot rise TIE above it while the other free members keep it: the free
            # members whose sets in use are at the level (any other can rise: that point
            # shows it), the lowest first; and the loose group, when its rising sets in use
            # are at the level
            lift = low + TIE * max(1.0, low)
            others = np.where(unfixed, slipped(np.asarray(low)), kept)
            candidates = np.flatnonzero(free & (lowest < lift))
            candidates = candidates[np.argsort(lowest[candidates], kind="stable")][:MAX_TESTS]
            saturated = []
            for e in candidates:
                lifted = others.copy()
                lifted[e] = lift
                if not lifted_reachable(lifted):
                    saturated.append(int(e))
            group = False
            if rise.any() and float(lowest[loose].min(initial=np.inf)) < lift:
                group = not lifted_reachable(np.where(loose, lift, others))
            if not saturated and not group:
                break
            rounds += 1
            refuted = np.inf  # (the next round's search begins)
            fixed[saturated] = low
            if lp.sides and not exact:
                # a saturated member's partners lie in a narrow window of gains (counting
                # both sides: counting one, the pins slowed the rounds down)
                kept_at = float(slipped(np.asarray(low)))
                for member in saturated:
                    lp.pin(member, low, kept_at, lift, rounds)
            round_of[saturated] = rounds
            point = None if exact else lp.cell_values(lp.point)
            if point is not None:
                lp.round_points[rounds] = point
            if group:
                assert zeros is not None
                zeros = zeros.with_level(low, rounds)
                lp.use(zeros)
            lo, top = low, cap
            options.report(f"leximin: configuration round {rounds}, level {lo:.4f}"
                           f"{' (and the loose group)' if group and saturated else ''}"
                           f"{' (the loose group)' if group and not saturated else ''}, "
                           f"{left()} of {model.m} member(s) left")
            if repair is not None and point is not None and repair(
                    LevelRounds(fixed.copy(), round_of.copy(), lo, rounds, lp.lps), zeros,
                    point, time.perf_counter() - round_began) is False:
                break
    except LPStopped:
        probe_next()
    else:
        if clock.expired(share):
            probe_next()
    bound = refuted + TIE * max(1.0, refuted) if np.isfinite(refuted) else np.inf
    if rounds == start.rounds:
        bound = min(bound, start.next_bound)
    return LevelRounds(fixed, round_of, lo, rounds, start.lps + lp.lps - lps, bound), zeros
