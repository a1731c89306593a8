"""Leximin's level rounds: LP rounds where the relaxation is tight, rounds on matchings
where it is not, and the MILPs that prove which of them a matching keeps.

:mod:`.lp_levels` fixes levels on LPs. Its vector bounds every matching lexicographically, but
a level can lie above every matching's when the LP is not tight there (the brief's rules
programme, counting CN: the 14th LP level is 0.6302, the best matching's 0.6246). So:

1. the LP rounds run as far as they go;
2. the longest run of them that a matching keeps — every member they fix at its level, every
   other one at the last kept level — is found by feasibility MILPs
   (:func:`.keeping.keep_levels`), the whole run first, then one, two, four … rounds at a
   time and bisection (configuration rounds are first tried by repairing their LP points:
   :mod:`.repairs`);
3. the next level is proven on matchings (:func:`.on_matchings.milp_round`): the max-min
   level of the free members with the fixed ones kept (:func:`.sum_level.sum_level`), then
   the saturated member by one feasibility MILP per candidate — unless the first matching
   found keeps the LP's next round, which then stands as the LP found it (its saturated
   members are the LP's);
4. the LP rounds go on from there.

When exact pricing covers the model (at most three partners each:
:meth:`.config_lp.ConfigLP.applies`), the rounds run on the configuration LP
(:func:`.config_rounds.config_rounds`) from the first matching instead of the LP rounds above, in
batches that step 2 proves (all at once when their pace says they fit in the limit); its levels
matchings keep far more often (the rules programme counting CN: all 100 proven in about 12 s,
where the LP rounds and rounds on matchings proved 19 in 60 s). They prove the loose group's
levels too, each one by the round that found it (:attr:`.zeros.Zeros.proven_in`), so that a
batch cut back keeps the group's levels of its first rounds only. Counting one side, a batch is
proven first by a matching among the LP's partner sets (:mod:`.config_matching`, a fraction of
a MILP's time), and where the sets hold none for the next round, that round is found on
matchings by branching on the LP (:func:`_exact_round`, :mod:`.config_branching`): the rules
programme counting PK, where the LP is not integral at four rounds, is proven in about 23 s
where rounds on matchings stopped at 40 of 100 positions after 60 s. Rounds on matchings
still take over where the branching does not settle.

All levels fixed: one MILP keeps them and maximises the total, which is the answer. Otherwise
:mod:`.leximin` keeps the positions of the members fixed so far and goes on by position.

With forced zeros (:class:`~.zeros.Zeros`: that many members gain 0 in every
leximin-optimal matching, which ones being a choice among the *loose* members) the loose
members are never fixed by name: in every LP and MILP each of them reaches the level or stays
out of it, all but that many reaching it. Before a round on matchings, the lowest loose member
of the matching is tested by one MILP: if it is never a zero, it is no longer loose and the LP
rounds go on. A round on matchings whose level is the loose group's (its lowest rising member
is the lowest of all, and one MILP shows the group cannot all rise above it) fixes that level
for the group, whoever holds it (:meth:`.zeros.Zeros.with_level`: every later MILP keeps
it by counting rows), Ogryczak's counting form of a round. A level a round on matchings
proves but cannot give to anyone (several members that cannot all rise) is handed on as the
next position (:attr:`LevelOutcome.next_level`).
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial

import numpy as np

from pairing.errors import Infeasible
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.config_branching import ExactTests
from pairing.solvers.fair.config_lp import ConfigLP, LPStopped
from pairing.solvers.fair.config_matching import holds, matching_among_sets, thresholds
from pairing.solvers.fair.config_rounds import Repair, config_rounds, fits_at_pace
from pairing.solvers.fair.keeping import all_fixed, first_rounds, keep_levels, kept_levels
from pairing.solvers.fair.level_outcome import LevelOutcome
from pairing.solvers.fair.lp_levels import LevelRounds, lp_levels
from pairing.solvers.fair.milp import Clock, FairModel, Outcome, level_cap
from pairing.solvers.fair.on_matchings import milp_round
from pairing.solvers.fair.repairs import (
    UNREPAIRED_TRIAL,
    Repairs,
    repair_after,
    repaired_at,
    repaired_rounds,
)
from pairing.solvers.fair.zeros import Zeros, alone_at_fewest

__all__ = ["STOPPED_TOTAL_UNTIL", "level_rounds"]

#: Most loose members tested by one MILP each where the rounds stop (see :func:`_clear_loose`).
CLEAR_TESTS = 6

#: The configuration rounds' first batch: that many rounds, then the MILP that proves how many
#: of them a matching keeps (150 × 150 counting CN: 41 rounds in 25 s, then no MILP proof of
#: all 41 within the limit, so none was kept).
CONFIG_BATCH = 16

#: The batch after a round found by branching on the LP: where the LP was not integral at one
#: round it often is not a few rounds on (the rules programme counting PK: the 33rd, 34th, 36th
#: and 41st), and every round of a batch past such a round is found again after it.
AFTER_BRANCH = 4

#: The share of a time limit the rounds may use when they are on course to finish (see
#: :func:`_share`); the rest is for the best total.
FINISH = 0.95

#: A stopped run's best total (of the matching its rounds leave) ends by this share of the time
#: limit: the rest is for the exchanges that raise its lowest gains (:mod:`.exchanges`).
STOPPED_TOTAL_UNTIL = 0.94

#: A MILP that tries to keep several rounds not yet proven gets a third of the time left, but
#: at least this many seconds (where the steered MILP that proves a batch took 0.4-1.2 s on the
#: rules programme and 4.5 s at 300 × 300). A round that no matching keeps can make it run to
#: its limit: the rules programme counting both sides at a 120 s limit tried 13 rounds with the
#: 30 s left and proved none of them.
TRIAL_LEAST = 8.0


def _best_total_from(model: FairModel, rounds: LevelRounds, x: np.ndarray, clock: Clock,
                     options: SolveOptions, share: float, zeros: Zeros | None,
                     tally: LevelOutcome) -> np.ndarray:
    """The best total among the matchings that keep ``rounds``' levels (:func:`keep_levels`),
    from ``x`` (one that does) within ``share`` of the time limit: ``x`` itself or a better
    one. Records it and whether its total is proven the best in ``tally.best_total``."""
    options.report(f"leximin: the best total that keeps {rounds.rounds} round(s)")
    tally.milps += 1
    try:
        better = keep_levels(model, rounds, clock, options, first=False, share=share,
                             zeros=zeros, start=x)
    except Infeasible:  # (HiGHS's tolerance at the edge: x stands)
        return x
    if better.x is not None and model.weights @ better.x > model.weights @ x:
        x = better.x
    tally.best_total = (x, better.optimal)
    return x



def _kept_among_sets(pool: ConfigLP, found: LevelRounds, zeros: Zeros | None,
                     good: LevelRounds, clock: Clock, share: float
                     ) -> tuple[int, np.ndarray | None, bool]:
    """The most of ``found``'s rounds (more than ``good``'s) that a matching among the
    configuration LP's partner sets keeps (:mod:`.config_matching`), and that matching:
    all of them tried first, then bisection, until a MILP among the sets stops on its time
    limit (300 × 300 counting CN: 2 s for none). ``(good.rounds, None, …)`` when none is
    found. Last, whether the next round is better found on matchings by branching
    (:func:`_exact_round`) than proven by MILPs over the pairs: when the sets were proven to
    hold no matching that keeps it (most often, the LP is not integral there), or when a
    MILP among them stopped on its limit after some rounds were kept (150 × 150 counting CN:
    MILPs over the pairs of 9–15 s that did not finish)."""
    low, high, x = good.rounds, found.rounds + 1, None
    rounds = found.rounds
    while low + 1 < high:
        trial, trial_zeros = first_rounds(found, zeros, rounds)
        matching, none = matching_among_sets(pool, kept_levels(trial), trial_zeros, clock, share)
        if matching is not None:
            low, x = rounds, matching
        elif not none:
            return low, x, x is not None
        else:
            high = rounds
        rounds = (low + high) // 2
    return low, x, high <= found.rounds



def _kept_rounds(model: FairModel, found: LevelRounds, good: LevelRounds,
                 x: np.ndarray | None, clock: Clock, options: SolveOptions, share: float,
                 tally: LevelOutcome, zeros: Zeros | None, first_step: int = 1,
                 pool: ConfigLP | None = None, *, steer: np.ndarray | None = None,
                 rounds_share: float = 1.0, repairs: Repairs | None = None
                 ) -> tuple[LevelRounds, np.ndarray | None, bool, Zeros | None]:
    """The longest run of ``found``'s rounds that a matching keeps, every member not fixed by
    them at the last kept level; ``good`` (kept by ``x``) is known to be kept. ``zeros``: the
    forced zeros with the loose group's levels ``found`` proved (cut back with the rounds).

    The whole run is tried first (one MILP for the best total when it fixes everyone: the
    answer); when that fails, the rounds after ``good`` ``first_step``, twice, four times …
    as many at a time, then bisection (a relaxation that is not integral at one level seldom
    is at the next); bisection at once where a step would reach all but the last round
    refuted. One feasibility MILP per step. Returns the rounds kept, their matching,
    whether that matching is the final answer, and the zeros kept.

    ``pool``: the configuration LP that found the rounds. A matching among its partner sets
    (:func:`_kept_among_sets`) proves the rounds it keeps first, in a fraction of a MILP's
    time. When the sets are proven to hold none for the next round (most often a round where
    the LP is not integral), the rounds stop there: the caller finds that round on matchings
    (:func:`_exact_round`).

    ``steer``: the cells' values at the configuration LP's last point that reached its levels.
    A step that does not fix everyone then looks for its matching by a MILP steered toward
    that point (:func:`keep_levels`), and once the rounds' share of the time limit
    (``rounds_share``) is spent, so that no rounds follow and the matching may be the answer,
    the best total from the last one kept is sought in the time left to ``share``
    (:func:`_best_total_from`). Counting both sides of the rules programme at a 10 s limit,
    the MILP steered by the total score alone needed 1.4-2.3 s of the 2.4 s the batch had
    left: in 7 of 28 runs it stopped, and every round of the batch was lost. The steered one
    takes 0.4-1.2 s, and the best total from its matching in the rest is 67.1-67.4 against
    65.6 (``total``'s is 73.0). Between batches the total waits: at a 60 s limit, seeking it
    after the first batch took 7 s from the rounds.

    ``repairs``: the configuration rounds' LP points and their repairs (:class:`Repairs`).
    Repairs prove what they can before any MILP over all the pairs (the rules programme
    counting both sides: 0.3-0.4 s a repair, the first batch of 16 in 0.27 s; 300 x 300: 6
    rounds in 2 s against 6 s); then the round after the last one repaired (most often the LP
    is not integral there) is left to a round on matchings (``repairs.hand_over``), or the
    MILPs try it alone first."""
    if found.rounds == good.rounds:
        # no round ended: what the call refuted of the next one bounds it still
        good = replace(good, next_bound=min(good.next_bound, found.next_bound))
    low, high = good.rounds, found.rounds + 1
    rounds, step, galloping = found.rounds, first_step, False
    steered = False  # x is a steered MILP's matching (its total not sought)
    good_zeros = zeros.upto(good.rounds) if zeros is not None else None
    if pool is not None and low < found.rounds:
        among, matching, hand_over = _kept_among_sets(pool, found, zeros, good, clock, share)
        if matching is not None:
            good, good_zeros = first_rounds(found, zeros, among)
            low, x = among, matching
        if hand_over:
            # (the next round is found on matchings by branching on the LP: the caller's exact
            # round, cheaper than the MILPs over the pairs that would refute it)
            return good, x, False, good_zeros
    if repairs is not None and low < found.rounds and found.rounds in repairs.points:
        repaired, matching = repaired_rounds(model, found, zeros, low, repairs, clock,
                                              options, _trial_share(clock, share), tally)
        if matching is not None:
            good, good_zeros = first_rounds(found, zeros, repaired)
            low, x, steered = repaired, matching, True
            options.report(f"leximin: a matching that keeps {repaired} round(s), repaired "
                           "from the LP's point")
        # the next round's point has no repair: most often the LP is not integral there, so a
        # MILP tries that round alone first (for UNREPAIRED_TRIAL seconds at most when a round
        # on matchings would find it: see below)
        rounds = min(low + 1, found.rounds)
    if all_fixed(found, zeros) and low == found.rounds:
        # a round on matchings fixed the last members: only the best total is left
        try:
            final = keep_levels(model, found, clock, options, first=False, zeros=zeros)
        except Infeasible:  # x keeps every level: HiGHS's tolerance at the edge
            return good, x, False, good_zeros
        tally.milps += 1
        if final.x is not None:
            return found, final.x, final.optimal, zeros
        return good, x, False, good_zeros
    while low + 1 < high and not clock.expired(share):
        trial, trial_zeros = first_rounds(found, zeros, rounds)
        complete = all_fixed(trial, trial_zeros)
        # a whole run that fixes everyone, several rounds unproven, gets a third of the time
        # left: where the LP is not integral at one of its rounds, the MILP can take long to
        # say so (150 × 150 counting CN: 149 rounds in 33 s, then 42 s to refute them all,
        # and none kept), and fewer rounds are tried instead
        whole = complete and rounds == found.rounds and rounds - low > 1
        # (likewise a step that tries several rounds: where it stops, fewer are tried)
        step_share = (_third_left(clock) if whole else 1.0 if complete
                      else _trial_share(clock, share) if rounds - low > 1 else share)
        if (repairs is not None and repairs.hand_over and clock.limit is not None
                and not complete and rounds == low + 1 and repairs.failed(rounds)):
            # (a round whose point has no repair, alone: where this MILP stops, or stopped
            # right after the round, a round on matchings finds it)
            if repairs.tried_all(rounds):
                break
            step_share = clock.share_after(UNREPAIRED_TRIAL, step_share)
        if steer is not None and not complete:
            options.report(f"leximin: a matching that keeps {rounds} round(s)")
        try:
            out: Outcome | None = keep_levels(
                model, trial, clock, options, first=not complete, zeros=trial_zeros,
                share=step_share, steer=None if complete else steer)
        except Infeasible:
            out = None
        tally.milps += 1
        if out is not None and out.x is None:
            if not whole and step_share >= share:
                break  # stopped by the time limit
            out = None  # not proven in its part of the time: fewer rounds
        kept = out is not None
        if out is not None:
            low, good, x, good_zeros = rounds, trial, out.x, trial_zeros
            steered = steer is not None
            if complete:
                return good, x, out.optimal, good_zeros
        else:
            high = rounds
        if rounds == found.rounds and not kept:
            galloping = True
        elif galloping:
            step, galloping = step * 2, kept
        # (bisection where a gallop would try all but the last of the rounds refuted: that
        # MILP is as hard, and counting both sides of the rules programme at a 60 s limit,
        # 31 then 30 rounds took 8 s each to find nothing; 23 then 27 take 1-2 s each)
        rounds = (low + step if galloping and low + step < high - 1
                  else (low + high) // 2)
    total_share = min(share, STOPPED_TOTAL_UNTIL)
    if (steered and x is not None and clock.expired(rounds_share)
            and not clock.expired(total_share)):
        x = _best_total_from(model, good, x, clock, options, total_share, good_zeros, tally)
    return good, x, False, good_zeros


def _exact_round(model: FairModel, lp: ConfigLP, state: LevelRounds, x: np.ndarray,
                 clock: Clock, options: SolveOptions, share: float, zeros: Zeros | None
                 ) -> tuple[LevelRounds, np.ndarray, Zeros | None] | None:
    """One configuration round on matchings (:mod:`.config_branching`) from ``state`` (kept
    by ``x``): its level, members and a matching that keeps it, checked against the rules
    and every level; ``None`` when the search does not settle in its nodes or in a third of
    the time left (a round on matchings takes over then)."""
    exact = ExactTests(lp, zeros, known=x)
    found, found_zeros = config_rounds(model, lp, state, x, clock, options,
                                       min(share, _third_left(clock, share)), 1, 1.0, zeros,
                                       exact)
    if found.rounds != state.rounds + 1 or exact.last is None:
        return None
    loose = np.zeros(model.m, dtype=bool) if found_zeros is None else found_zeros.loose
    levels = kept_levels(found)
    if not holds(lp, exact.last, levels, thresholds(levels, found_zeros), loose):
        return None
    options.report(f"leximin: the round proven on matchings by branching on the LP, level "
                   f"{found.last:.4f}")
    return found, exact.last, found_zeros


def _sets_checkpoint(pool: ConfigLP, clock: Clock, share: float, first: int, batch: int,
                     rounds: LevelRounds, zeros: Zeros | None, point: np.ndarray,
                     seconds: float) -> bool | None:
    """Counting one side, after a configuration round (:data:`~.config_rounds.Repair`) of a
    call that ``first`` rounds began and whose pace let it run past its ``batch``: after twice,
    four times … ``batch`` rounds, whether a matching keeps them (``False`` ends the call
    there; ``None``: not sought, or not decided). A round where the LP is not integral is often
    the first of several, and every round after it is found again once it is proven: 150 x
    150 counting CN ran all 149 rounds in 21 s, and a matching kept 31 of them.

    A matching among the LP's partner sets (:func:`matching_among_sets`) is sought first; the
    sets generated so far may lack one (the rules programme counting CN holds none for its
    first 32 rounds, all 100 of which a matching keeps), so where they are proven to hold
    none, a branch and price search decides (:class:`~.config_branching.ExactTests`)."""
    done = rounds.rounds - first
    doubled = done // batch
    if done < 2 * batch or done % batch or doubled & (doubled - 1):
        return None
    levels = kept_levels(rounds)
    matching, none = matching_among_sets(pool, levels, zeros, clock, share)
    if matching is not None:
        return True
    if not none:
        return None  # (not found within its time: nothing proven)
    try:
        return ExactTests(pool, zeros).test(levels)[0]
    except LPStopped:
        return None


def _trial_share(clock: Clock, share: float) -> float:
    """The share of the time limit a MILP that tries several unproven rounds may use: a third
    of the time left until ``share``, at least :data:`TRIAL_LEAST` seconds of it."""
    if clock.limit is None:
        return share
    used = clock.used()
    left = max(0.0, share - used) * clock.limit
    return clock.share_after(max(left / 3, TRIAL_LEAST), share)


def _third_left(clock: Clock, share: float = 1.0) -> float:
    """The share of the time limit that leaves two thirds of the time left (until ``share``
    of the limit) for later."""
    if clock.limit is None:
        return share
    used = clock.used()
    return used + max(0.0, share - used) / 3


def _clear_loose(model: FairModel, zeros: Zeros, x: np.ndarray | None, clock: Clock,
                 options: SolveOptions, share: float,
                 tally: LevelOutcome) -> tuple[Zeros, bool]:
    """``zeros`` without a loose member that is never a zero after all, and whether one was
    found among :data:`CLEAR_TESTS` members.

    The served loose members of ``x`` are tested lowest gain first
    (:func:`.zeros.alone_at_fewest`, one MILP each); each matching a test finds shows every
    member it leaves alone to be loose indeed, and those are not tested again."""
    if x is None:
        return zeros, False
    gains = model.gain_rows @ x
    unseen = zeros.loose & (gains > 0)
    if zeros.seen is not None:
        unseen &= ~zeros.seen
    members = np.flatnonzero(unseen)
    for e in members[np.argsort(gains[members], kind="stable")][:CLEAR_TESTS]:
        if zeros.seen is not None and zeros.seen[e]:
            continue
        out = alone_at_fewest(model, zeros, int(e), clock, options, share)
        tally.milps += 1
        if out is None:
            options.report("leximin: a loose member is never one of the zeros; the rounds go on")
            return zeros.without(int(e)), True
        if out.x is None:
            break  # the time limit stopped the test
        zeros = zeros.seen_alone(model.gains(out.x) <= 0)
    return zeros, False


def _share(clock: Clock, share: float, started: float, state: LevelRounds,
           zeros: Zeros | None, recent: float = np.inf) -> float:
    """``share``, or :data:`FINISH` of the time limit when the rounds are on course to fix
    every member before that: the members left (each round fixes one at least) at the rounds'
    pace, the mean so far or the last call's (``recent``, seconds a round), whichever is
    faster (the first rounds build the LP's sets and cost the most: the rules programme
    counting CN at 10 s, after 76 rounds, 0.092 s a round on average and 0.078 s in the last
    call, which is on course; all 100 are proven in about 9 s). Then the level
    rounds prove the whole vector, and their last MILP gives the best total, instead of
    leaving the last few levels to the slower position rounds (50 × 50 counting CN: 44 of 50
    positions in the 70 % share of 60 s, all 50 in 47 s)."""
    if clock.limit is None or share >= FINISH or state.rounds == 0:
        return share
    left = zeros.left(state.levels) if zeros is not None else int(np.isnan(state.levels).sum())
    return FINISH if fits_at_pace(clock, FINISH, started, state.rounds, recent, left) else share


def level_rounds(model: FairModel, clock: Clock, options: SolveOptions, lp_share: float,
                 share: float, zeros: Zeros | None = None,
                 start: np.ndarray | None = None) -> LevelOutcome:
    """The level rounds of the module docstring, within ``share`` of the time limit (the first
    LP rounds within ``lp_share``).

    With forced ``zeros`` the rounds fix the members that are not loose by name, and the
    loose group's levels whoever holds them (module docstring).
    ``start``: any matching; where the configuration rounds apply, they start from it at once
    (their LPs are small: the rules' rows and one row per member, where the first LP round's
    has a row per cell and member, 1.2 s at 300 × 300).
    """
    state = LevelRounds.empty(model.m)
    tally = LevelOutcome(state)
    configs = ConfigLP.applies(model)
    x: np.ndarray | None = start if configs else None
    # LP rounds that a matching does not keep cost more than they save (the rules programme
    # counting both sides: 278 LPs in 13.4 s, 4 rounds kept, all in the first call). After
    # such a call the next one waits for one round on matchings, then two, four …, and for
    # as long as the rounds on matchings fix the loose group's levels; a call whose rounds are
    # kept resets the wait (50 × 50 counting CN: proven in 36 s, was 52 s).
    lp_wait, lp_backoff = 0, 1
    batch = CONFIG_BATCH
    configuration: ConfigLP | None = None  # built once, its partner sets kept
    repairs: Repairs | None = None  # of its rounds' points
    started = time.perf_counter()
    recent = np.inf  # seconds a round in the last call that fixed some
    plain = share  # the rounds' own share (_share may raise it to FINISH)
    while True:
        share = _share(clock, share, started, state, zeros, recent)
        if clock.expired(share):
            break
        called = time.perf_counter()
        found, found_zeros = state, zeros
        by_configs = lp_wait == 0 and configs and x is not None
        if by_configs:
            assert x is not None
            if configuration is None:
                configuration = ConfigLP(model, options, clock, x, zeros)
            if repairs is None:
                repairs = Repairs(configuration.round_points, hand_over=configuration.linked)
            # after each round: counting both sides, a repair of its LP point (not in the first
            # call); counting one, a checkpoint of a long call
            after: Repair | None = partial(_sets_checkpoint, configuration, clock, share,
                                           state.rounds, batch)
            if configuration.linked:
                after = (partial(repair_after, model, repairs, clock, options, share, tally)
                         if state.rounds else None)
            # once a round was found by branching, batches only: where the LP is not integral
            # at one round it often is not a few rounds on, and 150 x 150 counting CN ran its
            # 113 rounds left again in 11 s after the 32nd round, to lose all but 10 of them
            finish = None if tally.branched_rounds else FINISH
            found, found_zeros = config_rounds(
                model, configuration, state, x, clock, options, share, batch, finish, zeros,
                plain=plain, since=started, repair=after)
            share = configuration.share  # back to the plain share when the pace fell
            tally.lps = found.lps
        elif lp_wait == 0:
            found = lp_levels(model, clock, options, share if state.rounds else lp_share,
                              start=state, zeros=zeros)
            tally.lps = found.lps
            if found.rounds == 0 and state.rounds == 0 and not np.isfinite(found.next_bound):
                return tally  # the LP rounds do not apply (or do not fit in the time limit)
        before = state.rounds
        # (configuration rounds found in their share are proven within FINISH: unproven, a
        # whole batch would be lost)
        state, x, tally.complete, zeros = _kept_rounds(
            model, found, state, x, clock, options, max(share, FINISH) if by_configs else share,
            tally, found_zeros, CONFIG_BATCH if by_configs else 1,
            # (counting both sides, the sets' linking rows make the MILP among the sets as
            # slow as the MILP over the cells: 10 s to find no matching on the rules programme)
            configuration if configuration is not None and by_configs
            and not configuration.linked else None,
            steer=configuration.cell_values(configuration.point)
            if configuration is not None and by_configs and len(configuration.point) else None,
            rounds_share=share, repairs=repairs if by_configs else None)
        if found.rounds > state.rounds:
            # the LP's round after the kept ones bounds the next level on matchings (a round
            # on matchings searched from the level cap without it: the rules programme's 40th)
            state = replace(state, next_bound=min(
                state.next_bound, first_rounds(found, found_zeros, state.rounds)[0].next_bound))
        if state.rounds > before:
            recent = (time.perf_counter() - called) / (state.rounds - before)
        if repairs is not None:
            repairs.forget(state.rounds)  # (a cell vector per round: 0.7 MB at 300 x 300)
        if by_configs:
            # (no wait: after a round on matchings they go on at once)
            tally.config_rounds += state.rounds - before
            # a batch a matching keeps whole: the next may be twice as long (the MILP that
            # proves it grows harder with the members fixed, not with the batch); not counting
            # both sides, where the pinned rounds run past the round no MILP keeps in its
            # time (the rules programme's 28th) and the tries at the long batch spent the rest
            # of a 120 s limit (32 of 200 positions against 35 with batches of 16)
            assert configuration is not None
            batch = (2 * batch if state.rounds == found.rounds and not configuration.linked
                     else CONFIG_BATCH)
            if state.rounds == found.rounds > before and not (tally.complete
                                                              or all_fixed(state, zeros)):
                continue  # all kept: the configuration rounds go on
        elif lp_wait:
            lp_wait -= 1
        elif state.rounds > before:
            lp_backoff = 1
        else:
            lp_wait, lp_backoff = lp_backoff, 2 * lp_backoff
        if tally.complete or all_fixed(state, zeros):
            break
        if configs and not by_configs and x is not None:
            # the first LP rounds' matching in hand, the configuration rounds take over
            lp_wait, lp_backoff = 0, 1
            continue
        if zeros is not None and not zeros.levels:
            # the level that stopped the LP rounds may be a loose member's that is never a
            # zero after all: then the LP rounds go on with it fixed by name (not once the
            # group holds a level: that member might be the one holding it)
            zeros, cleared = _clear_loose(model, zeros, x, clock, options, share, tally)
            if cleared:
                continue
        if configuration is not None and not configuration.linked and x is not None:
            exact = _exact_round(model, configuration, state, x, clock, options, share, zeros)
            if exact is not None:
                state, x, zeros = exact
                tally.branched_rounds += 1
                batch = AFTER_BRANCH
                continue  # the configuration rounds go on from it
        high = state.next_bound if np.isfinite(state.next_bound) else level_cap(model.gain_rows)
        group_levels = len(zeros.levels) if zeros is not None else 0
        # (the LP's next round, which no matching was found to keep: the round on matchings
        # tests its level first)
        lp_next = (first_rounds(found, found_zeros, state.rounds + 1)
                   if found.rounds > state.rounds else None)
        # (a fresh configuration LP begun from x, which it seeds, for repairs at the levels
        # the search tests: repaired_at sets its share for each level)
        fresh = ConfigLP(model, options, clock, x, zeros) if configs and x is not None else None
        step = milp_round(model, state, x, high, clock, options, share, tally, zeros, lp_next,
                          partial(repaired_at, model, fresh, state, zeros, clock, options,
                                  share, tally) if fresh is not None else None)
        if step is None:
            break
        if lp_next is not None and step[0] is lp_next[0]:
            state, x, zeros = step  # the LP's round, kept
            if by_configs:
                tally.config_rounds += 1
            continue
        state, x, zeros = step
        tally.milp_rounds += 1
        if lp_backoff > 1 and zeros is not None and len(zeros.levels) > group_levels:
            lp_wait = max(lp_wait, 1)  # the group's next level is usually the next one too
    tally.state, tally.x, tally.zeros = state, x, zeros
    tally.lp_rounds = state.rounds - tally.milp_rounds - tally.branched_rounds
    return tally
