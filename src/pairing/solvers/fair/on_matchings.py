"""A round of leximin's level rounds on matchings, where the LP round's level is not reached.

The level is the max-min level of the free members with the fixed ones kept
(:func:`.sum_level.sum_level`, proven); the saturated member is then found by one feasibility
MILP per candidate. Where the first matching found keeps the LP's round, that round stands
as the LP found it (:func:`.keeping.keeps`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.keeping import holding, keeps
from pairing.solvers.fair.level_outcome import LevelOutcome
from pairing.solvers.fair.lp_levels import MAX_TESTS, SLIP, LevelRounds
from pairing.solvers.fair.milp import TIE, Clock, FairModel
from pairing.solvers.fair.sum_level import feasible_at, sum_level
from pairing.solvers.fair.windows import closed_cells
from pairing.solvers.fair.zeros import Zeros

__all__ = ["milp_round"]


def milp_round(model: FairModel, state: LevelRounds, x: np.ndarray | None, high: float,
               clock: Clock, options: SolveOptions, share: float, tally: LevelOutcome,
               zeros: Zeros | None = None,
               lp_next: tuple[LevelRounds, Zeros | None] | None = None,
               quick: Callable[[float], np.ndarray | None] | None = None
               ) -> tuple[LevelRounds, np.ndarray, Zeros | None] | None:
    """One round on matchings instead of LPs, for when the LP round's level is not reached.

    ``x`` keeps ``state``'s levels (``None``: none known yet); ``high`` is a proven upper bound
    on the round's level (the LP round's). The level is the max-min level of the free members
    with the fixed ones kept (:func:`.sum_level.sum_level`, proven). A free member at that
    level in its matching is saturated when no matching lifts it :data:`~.milp.TIE` above
    while the others keep the level (one feasibility MILP each, the lowest first; the first
    one found is fixed). That test on the lowest member is also what closes the bisection:
    refuted, it proves the level as well, in one MILP instead of two hard ones. ``None`` when
    ``share`` of the time limit stops it or nobody is saturated (several members can each
    rise, but not together); a level proven all the same is left in ``tally.next_level``.
    ``tally`` counts the MILPs.

    ``zeros``: loose members are served or not in every test, and never fixed by name. The
    loose group as a whole is saturated when its ``zeros.rising`` members cannot all rise
    TIE above the level while the others keep it (one MILP, tried first when the group's
    lowest rising member is the lowest of all): the level is then the group's
    (:meth:`.zeros.Zeros.with_level`), whoever holds it. Returns the new state, its matching
    and the zeros.

    ``lp_next``: the LP round after ``state`` that no matching was found to keep (its rounds
    and zeros, :func:`.keeping.first_rounds`). The level search tests its level first; when
    the matching it finds keeps that round (:func:`.keeping.keeps`), the round is proven as
    the LP found it (the LP refuted its members' rising, and a refuted relaxation refutes
    every matching), and that is the round returned, with no saturation MILP. Counting both
    sides of the rules programme, the 39th round's LP level was the matchings' too, but
    neither a repair nor the steered MILP found a matching near its point: the round on
    matchings found one at once and then spent about 25 s showing its lowest member could
    not rise.

    ``quick(level)``: a matching that keeps ``state`` and gives every free member ``level``,
    found before each feasibility MILP of the level search another way, or ``None``
    (:func:`.repairs.repaired_at`).
    """
    free = np.isnan(state.levels)
    if zeros is not None:
        free &= ~zeros.loose  # never fixed by name: the group's levels are anonymous
    group = zeros is not None and zeros.rising > 0
    if not free.any() and not group:
        return None
    closed = closed_cells(model, state, zeros)
    if closed.any():
        model = holding(model, closed)
    saturated: list[int] = []
    group_saturated = False
    lifted_at: set[tuple[int | None, float]] = set()  # tests run (each is refuted or not once)

    def lifted_is_refuted(e: int | None, level: float) -> bool | None:
        """Whether no matching lifts ``e`` (``None``: the loose group's rising members) TIE
        above ``level`` with the others at it (``None``: the time limit stopped the test)."""
        if (e, level) in lifted_at:
            return False  # not refuted before at this level (a refutation ends the round)
        lifted = state.levels.copy()
        up = level + 1.5 * TIE * max(1.0, level)  # kept rows allow TIE / 2 below
        if e is None:
            assert zeros is not None
            lifted[zeros.loose] = up
            # steered by the group's gains, as a single member's test is by its own
            guide = np.asarray(model.gain_rows[np.flatnonzero(zeros.loose)].sum(axis=0)).ravel()
        else:
            lifted[e] = up
            # steered by e's own gain: HiGHS then branches towards lifting e, and refutes it
            # sooner (the rules programme counting CN: 17.3 s became 3.7 s, 14.2 s became 3.6 s)
            guide = model.gain_rows[[e]].toarray().ravel()
        # the others at the level, less SLIP (they are still at it); HiGHS's tolerances held
        # to 1e-9 (far inside SLIP and TIE): at its usual 1e-7 the model is all but feasible
        # and a refutation took 3-7 s at the root, 0.5-0.8 s so (a refutation stands unless
        # HiGHS at its usual tolerances finds a counterexample: run_milp)
        others = level - SLIP * max(1.0, level)
        out = feasible_at(model, others, clock, options, relax=False, kept=lifted, share=share,
                          zeros=zeros, guide=guide, tight=True)
        tally.milps += 1
        if out is not None and out.x is not None:
            lifted_at.add((e, level))
        return True if out is None else (None if out.x is None else False)

    def group_level(gains: np.ndarray) -> float:
        """The loose group's level in a matching: its lowest rising member's gain."""
        return zeros.rising_level(gains) if zeros is not None else np.inf

    kept_lp: np.ndarray | None = None  # a matching that keeps lp_next

    def settle(x: np.ndarray, low: float) -> bool:
        """The lowest free member (or the group) cannot rise: then ``low`` is the level too (a
        matching with every free member TIE above would lift it). Or ``x`` keeps
        ``lp_next``, whose saturated members the LP proved."""
        nonlocal group_saturated, kept_lp
        if lp_next is not None and keeps(model, x, *lp_next):
            kept_lp = x
            return True
        gains = model.gain_rows @ x
        lowest = float(gains[free].min(initial=np.inf))
        if group_level(gains) <= lowest:
            group_saturated = bool(lifted_is_refuted(None, low))
            return group_saturated
        e = int(np.flatnonzero(free)[np.argmin(gains[free])])
        if lifted_is_refuted(e, low):
            saturated.append(e)
            return True
        return False

    search = sum_level(model, clock, options, x, kept=state.levels, high=high, share=share,
                       settle=settle, zeros=zeros, quick=quick)
    tally.milps += search.milp_tests
    if kept_lp is None and lp_next is not None and search.found.x is not None and keeps(
            model, search.found.x, *lp_next):
        kept_lp = search.found.x
    if kept_lp is not None:
        assert lp_next is not None
        tally.next_level = None
        next_state, next_zeros = lp_next
        left = (next_zeros.left(next_state.levels) if next_zeros is not None
                else int(np.isnan(next_state.levels).sum()))
        options.report(f"leximin: LP round {next_state.rounds}, level {next_state.last:.4f}, "
                       f"kept by a matching, {left} of {model.m} member(s) left")
        return next_state, kept_lp, next_zeros
    if not search.found.optimal or search.found.x is None or search.found.bound is None:
        return None
    x, level = search.found.x, search.found.bound
    tally.next_level = (level, x)  # proven, whoever holds it
    if not saturated and not group_saturated:
        gains = model.gain_rows @ x
        at_level = np.flatnonzero(free & (gains <= level + TIE * max(1.0, level)))
        tests: list[int | None] = [int(e) for e in at_level[np.argsort(gains[at_level],
                                                                         kind="stable")]]
        if group_level(gains) <= level + TIE * max(1.0, level):
            tests.insert(0, None)  # the group first: one test for its whole level
        for e in tests[:MAX_TESTS]:
            refuted = lifted_is_refuted(e, level)
            if refuted is None:
                return None  # the time limit stopped the test
            if refuted:
                if e is None:
                    group_saturated = True
                else:
                    saturated.append(e)
                break  # a refuted test is the slow kind: the next round finds the others
    if not saturated and not group_saturated:
        return None
    tally.next_level = None  # it is the new round's level
    levels, round_of = state.levels.copy(), state.round_of.copy()
    if group_saturated:
        assert zeros is not None
        zeros = zeros.with_level(level, state.rounds + 1)
    else:
        levels[saturated] = level
        round_of[saturated] = state.rounds + 1
    left = zeros.left(levels) if zeros is not None else int(np.isnan(levels).sum())
    options.report(f"leximin: MILP round {state.rounds + 1}, level {level:.4f}"
                   f"{' (the loose group)' if group_saturated else ''}, {left} of {model.m} "
                   "member(s) left")
    return LevelRounds(levels, round_of, level, state.rounds + 1, state.lps), x, zeros
