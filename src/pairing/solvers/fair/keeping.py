"""Which of leximin's level rounds a matching keeps, and the MILP that finds one.

A level round fixes members at its level; the rounds bound every matching lexicographically,
and a matching that keeps them (each fixed member at its level, every other one at the last
round's, within :data:`~.milp.TIE` / 2) proves them. :func:`keep_levels` seeks one by a MILP
(or the best total among them), :func:`keeps` checks one, and :func:`first_rounds` cuts a run
of rounds back to its first ones, with the loose group's levels they proved.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from pairing.errors import Infeasible
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.config_branching import WHOLE
from pairing.solvers.fair.lp_levels import LevelRounds
from pairing.solvers.fair.milp import LEVEL_SLACK, TIE, Clock, FairModel, Outcome
from pairing.solvers.fair.windows import closed_cells
from pairing.solvers.fair.zeros import Zeros, reach_levels

__all__ = ["all_fixed", "first_rounds", "holding", "keep_levels", "keeps", "kept_levels"]


def keep_levels(model: FairModel, rounds: LevelRounds, clock: Clock, options: SolveOptions, *,
                first: bool, share: float = 1.0, zeros: Zeros | None = None,
                steer: np.ndarray | None = None, start: np.ndarray | None = None,
                fixed: np.ndarray | None = None) -> Outcome:
    """The best total (or, with ``first``, any matching) where each fixed member reaches its
    level and every other one the rounds' last level, within :data:`~.milp.TIE`.

    ``steer``: a value per cell added to the total score in the objective (an LP point's
    that keeps the levels: HiGHS then finds a matching near it much sooner). ``start``: a
    matching that keeps them, HiGHS's first incumbent.

    With ``zeros``, a loose member may instead gain nothing, ``zeros.count`` of them at most
    (binary ``y_e``: "e reaches the level", its rows multiplied by ``y_e``).

    The cells no such matching holds (:func:`.windows.closed_cells`) are left out. Where
    that leaves the best total no matching (the windows' tolerance at the edge: never seen),
    it is sought again with them in; a test (``first``) that it refutes only keeps fewer
    rounds.

    ``fixed``: a value per cell, an LP point that keeps the levels; its whole cells are held
    (a *repair*: the MILP decides only its fractional ones, and refutes nothing when it finds
    no matching).

    Raises :class:`~pairing.errors.Infeasible` when no matching does (the LP levels are then
    not integral), or, with ``fixed``, none near the point.
    """
    objective = model.weights if steer is None else model.weights + steer
    levels = kept_levels(rounds)
    closed = closed_cells(model, rounds, zeros)
    if fixed is not None:
        whole = np.abs(fixed - np.round(fixed)) < WHOLE
        held = holding(model, closed | (whole & (fixed < 0.5)), whole & (fixed > 0.5))
        return reach_levels(held, objective, levels, zeros, clock, options, share=share,
                            first=first, start=start)
    if closed.any():
        try:
            return reach_levels(holding(model, closed), objective, levels, zeros, clock,
                                options, share=share, first=first, start=start)
        except Infeasible:
            if first:
                raise
    return reach_levels(model, objective, levels, zeros, clock, options,
                        share=share, first=first, start=start)


def holding(model: FairModel, out: np.ndarray, held: np.ndarray | None = None) -> FairModel:
    """The model with the cells ``out`` left out and, when given, the cells ``held`` held (a
    repair's whole cells). Raises :class:`~pairing.errors.Infeasible` when a held cell cannot
    be (left out, or not allowed)."""
    rules = model.rules
    upper = np.where(out, 0.0, rules.var_upper)
    if held is None:
        return replace(model, rules=rules.with_bounds(var_upper=upper))
    lower = np.where(held, 1.0, rules.var_lower)
    if np.any(lower > upper):
        raise Infeasible(())
    return replace(model, rules=rules.with_bounds(var_lower=lower, var_upper=upper))


def kept_levels(rounds: LevelRounds) -> np.ndarray:
    """The level each member keeps after ``rounds``: its own, or the last round's, less
    :data:`~.milp.TIE` / 2 (HiGHS's tolerances)."""
    levels = np.where(np.isnan(rounds.levels), rounds.last, rounds.levels)
    return levels - TIE / 2 * np.maximum(1.0, np.abs(levels))


def keeps(model: FairModel, x: np.ndarray, rounds: LevelRounds, zeros: Zeros | None) -> bool:
    """Whether the matching ``x`` keeps ``rounds``' levels as :func:`keep_levels` holds them
    (:func:`kept_levels`), and with ``zeros`` the loose group's: its ``rising`` members at the last
    level, and all but ``count + j`` of it at the group's ``j``-th level (within HiGHS's
    tolerance, :data:`~.milp.LEVEL_SLACK`)."""
    gains = model.gain_rows @ x
    levels = kept_levels(rounds)
    named = np.ones(model.m, dtype=bool) if zeros is None else ~zeros.loose
    if not np.all(gains[named] >= levels[named]):
        return False
    if zeros is None or not zeros.loose.any():
        return True
    best_first = np.sort(gains[zeros.loose])[::-1]
    group = [(float(levels[zeros.loose][0]), zeros.rising)]
    group += [(a, len(best_first) - zeros.count - j) for j, a in enumerate(zeros.levels)]
    return all(best_first[need - 1] >= at - LEVEL_SLACK * max(1.0, at)
               for at, need in group if need > 0)


def all_fixed(rounds: LevelRounds, zeros: Zeros | None) -> bool:
    """Whether the rounds fixed every member (with forced zeros: every loose member a zero or
    at one of the group's levels, the others by name)."""
    return rounds.complete if zeros is None else zeros.done(rounds.levels)


def first_rounds(found: LevelRounds, zeros: Zeros | None, rounds: int
                 ) -> tuple[LevelRounds, Zeros | None]:
    """The first ``rounds`` of ``found``'s rounds, with the loose group's levels they proved."""
    trial = found.upto(rounds)
    if zeros is None:
        return trial, None
    kept = zeros.upto(rounds)
    bound = trial.next_bound
    if not (found.round_of == rounds + 1).any():
        group_next = [a for a, r in zip(zeros.levels, zeros.proven_in, strict=True)
                      if r == rounds + 1]
        if group_next:
            bound = group_next[0] + TIE * max(1.0, group_next[0])
    return replace(trial, last=max([trial.last, *kept.levels]), next_bound=bound), kept
