"""Matchings near the configuration rounds' LP points, which prove the rounds cheaply.

Counting both sides, the LP points of leximin's configuration rounds are half-integral from
the 14th round on (the rules programme: 8-46 cells at one half), and a MILP over a point's
fractional cells alone — a *repair* (:func:`.keeping.keep_levels` with ``fixed``) — finds a
matching that keeps the rounds far sooner than a MILP over every pair: the first batch of 16
in 0.27 s, and at 300 × 300, 6 rounds in 2.0 s where the steered MILP took 6 s. Where a
point has no repair nothing is refuted (the LP is most often not integral there), and a MILP
steered toward the point, or a round on matchings, takes over (:mod:`.level_rounds`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from pairing.errors import Infeasible
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.config_lp import ConfigLP, LPStopped
from pairing.solvers.fair.keeping import first_rounds, keep_levels
from pairing.solvers.fair.level_outcome import LevelOutcome
from pairing.solvers.fair.lp_levels import LevelRounds, slipped
from pairing.solvers.fair.milp import Clock, FairModel, Outcome
from pairing.solvers.fair.zeros import Zeros

__all__ = ["QUICK_LP", "REPAIR_LEAST", "REPAIR_RATIO", "UNREPAIRED_TRIAL", "Repairs",
           "repair_after", "repaired_at", "repaired_rounds"]

#: Counting both sides, a matching is sought near a configuration round's LP point right after
#: the round (:func:`repair_after`) when the round took this many times as long as the last
#: search, and :data:`REPAIR_LEAST` seconds at least: a round near whose point none is found
#: then ends the batch, and a round on matchings finds it. (Repairs take 0.3-0.9 s on the
#: rules programme, where the rounds from the 17th take 0.3-8 s; the 28th, whose LP level no
#: matching reaches, took 8 s.)
REPAIR_RATIO = 3.0
#: Faster rounds are proven with their batch: on a 50 x 50 programme counting both sides,
#: rounds of 0.1-0.3 s whose points a repair often could not turn into a matching (a MILP
#: over the pairs did, in 0.1 s), proven round by round, made the run 1.2 times as long.
REPAIR_LEAST = 1.0

#: Counting both sides, the seconds a MILP over the pairs may take to try the round after the
#: last one a repair keeps (its point has no repair); where it stops, a round on matchings
#: finds that round (the rules programme: such a MILP took 12-76 s to fail at the 28th round,
#: whose LP level no matching reaches, where the round on matchings took 30 s).
UNREPAIRED_TRIAL = 6.0

#: Seconds the fresh LP of a round on matchings may take to reach a level under a time limit
#: (:func:`repaired_at`; it reached the rules programme's 31st round's in 0.3 s).
QUICK_LP = 2.0


@dataclass
class Repairs:
    """Matchings found near the configuration rounds' LP points: first by a *repair*
    (:func:`keep_levels` with ``fixed``: a MILP over a point's fractional cells alone), then,
    right after a slow round counting both sides, by a MILP over the pairs steered toward the
    point for :data:`UNREPAIRED_TRIAL` seconds at most. Each round's point (the LP's
    :attr:`~.config_lp.ConfigLP.round_points`), what was found for it (a matching that keeps
    the rounds so far, or ``None``) and whether the steered MILP was tried too, valid while the
    round's point is the same; and the last search's seconds.

    ``hand_over``: a round whose point has no repair goes to a round on matchings once a
    MILP that tries it alone has had :data:`UNREPAIRED_TRIAL` seconds (counting both sides,
    where such a MILP took 12-76 s to fail on the rules programme)."""

    points: dict[int, np.ndarray]
    hand_over: bool = False
    found: dict[int, tuple[np.ndarray, np.ndarray | None, bool]] = field(default_factory=dict)
    seconds: float = 0.0

    def _known(self, rounds: int) -> tuple[np.ndarray | None, bool] | None:
        """What was found for round ``rounds``'s point, and whether the steered MILP was
        tried (``None``: nothing tried yet)."""
        point, done = self.points.get(rounds), self.found.get(rounds)
        if point is None or done is None or done[0] is not point:
            return None
        return done[1], done[2]

    def forget(self, upto: int) -> None:
        """Drop the points and what was found for rounds ``upto`` and before (kept: never
        tried again)."""
        for rounds in [r for r in self.points if r <= upto]:
            del self.points[rounds]
        for rounds in [r for r in self.found if r <= upto]:
            del self.found[rounds]

    def failed(self, rounds: int) -> bool:
        """Whether round ``rounds``'s point was tried and no matching found."""
        known = self._known(rounds)
        return known is not None and known[0] is None

    def tried_all(self, rounds: int) -> bool:
        """Whether the steered MILP was tried too for round ``rounds``'s point."""
        known = self._known(rounds)
        return known is not None and known[1]

    def repair(self, model: FairModel, found: LevelRounds, zeros: Zeros | None, rounds: int,
               clock: Clock, options: SolveOptions, share: float, tally: LevelOutcome,
               steered: bool = False) -> np.ndarray | None:
        """A matching that keeps ``found``'s first ``rounds`` rounds near round ``rounds``'s
        point, or ``None``: a repair, then (``steered``) the steered MILP, each once per
        point."""
        known = self._known(rounds)
        if known is not None and (known[0] is not None or known[1] or not steered):
            return known[0]
        point = self.points[rounds]
        trial, trial_zeros = first_rounds(found, zeros, rounds)
        began = time.perf_counter()
        # (right after a round, each attempt has UNREPAIRED_TRIAL seconds at most: a hard one
        # must not spend the limit with the batch unproven)
        bounded = clock.share_after(UNREPAIRED_TRIAL, share) if steered else share
        attempts = ([] if known is not None else [(bounded, {"fixed": point})])
        if steered and clock.limit is not None:
            attempts.append((bounded, {"steer": point}))
        x: np.ndarray | None = None
        for attempt_share, kind in attempts:
            tally.milps += 1
            try:
                out: Outcome | None = keep_levels(model, trial, clock, options, first=True,
                                                  zeros=trial_zeros, share=attempt_share,
                                                  **kind)
            except Infeasible:
                out = None
            if out is not None and out.x is None and clock.expired(share):
                return None  # stopped by the time limit: not known
            if out is not None and out.x is None and attempt_share < share and "fixed" in kind:
                self.seconds = time.perf_counter() - began
                return None  # (a repair stopped in its seconds: not known either)
            if out is not None and out.x is not None:
                x = out.x
                break
        self.seconds = time.perf_counter() - began
        self.found[rounds] = (point, x, steered and clock.limit is not None)
        return x


def repaired_rounds(model: FairModel, found: LevelRounds, zeros: Zeros | None, low: int,
                    repairs: Repairs, clock: Clock, options: SolveOptions,
                    share: float, tally: LevelOutcome) -> tuple[int, np.ndarray | None]:
    """The most of ``found``'s rounds past ``low`` that a repair of a round's LP point keeps
    (:class:`Repairs`), and its matching; ``(low, None)`` when none is. The last round
    first, then bisection."""
    rounds = [r for r in range(low + 1, found.rounds + 1) if r in repairs.points]
    best: tuple[int, np.ndarray | None] = (low, None)
    lo, hi, at = -1, len(rounds), len(rounds) - 1
    while lo + 1 < hi and not clock.expired(share):
        x = repairs.repair(model, found, zeros, rounds[at], clock, options, share, tally)
        if x is not None:
            lo, best = at, (rounds[at], x)
        else:
            hi = at
        at = (lo + hi) // 2
    return best


def repair_after(model: FairModel, repairs: Repairs, clock: Clock, options: SolveOptions,
                 share: float, tally: LevelOutcome, rounds: LevelRounds, zeros: Zeros | None,
                 point: np.ndarray, seconds: float) -> bool | None:
    """After a configuration round that took ``seconds`` (:data:`~.config_rounds.Repair`):
    whether a matching near its point keeps ``rounds`` (a repair, then the steered MILP:
    :meth:`Repairs.repair`), sought when the round took :data:`REPAIR_LEAST` seconds and
    :data:`REPAIR_RATIO` times as long as the last search at least (``None``: not sought)."""
    if seconds < max(REPAIR_LEAST, REPAIR_RATIO * repairs.seconds):
        return None
    return repairs.repair(model, rounds, zeros, rounds.rounds, clock, options, share,
                          tally, steered=True) is not None


def repaired_at(model: FairModel, lp: ConfigLP, state: LevelRounds, zeros: Zeros | None,
                clock: Clock, options: SolveOptions, share: float, tally: LevelOutcome,
                level: float) -> np.ndarray | None:
    """A matching that keeps ``state``'s levels and gives every free member ``level`` (within
    :data:`~.milp.TIE` / 2): a repair of the configuration LP ``lp``'s point at that level,
    :data:`UNREPAIRED_TRIAL` seconds at most under a time limit; ``None`` when the LP does
    not reach the level, the limit stops it, or the repair finds none (nothing is refuted).

    ``lp`` is a fresh LP for the round on matchings, begun from the matching that keeps
    ``state``: its first points are near that matching and often whole. Counting both sides
    of the rules programme, the 31st round's level search took 38 s and 44 s to find
    matchings with feasibility MILPs; a fresh LP's point at the first of those levels was
    integral and reached the round's level (0.545789) in 0.3 s, its repair 0.16 s. The LP of
    the rounds, at a level below its round's, gives that round's own point, whose repair
    fails as it did after the round."""
    unfixed = np.isnan(state.levels)
    # (under a limit the LP has QUICK_LP seconds: far above the round's level, where the
    # feasibility MILP refutes the level anyway, it can take 5 s)
    lp.share = clock.share_after(QUICK_LP, share)
    try:
        reached, _ = lp.reachable(np.where(unfixed, level, slipped(
            np.where(unfixed, 0.0, state.levels))))
    except LPStopped:
        return None
    if not reached:
        return None
    tally.milps += 1
    try:
        out = keep_levels(model, replace(state, last=level), clock, options, first=True,
                          zeros=zeros, share=clock.share_after(UNREPAIRED_TRIAL, share),
                          fixed=lp.cell_values(lp.point))
    except Infeasible:
        return None
    return out.x
