"""The max-min level when counted gains are sums over several partners: a proven bisection.

"Every counted gain ≥ ``t``" is a max-min fair allocation question (NP-hard in general), but a
*fixed* level is a far easier model than maximising ``t``: measured on a 300 × 300 programme with
capacities 1..3, maximising ``t`` directly still had a bound of 0.72 after 90 s while the optimum
is 0.6624. So the level is found by bisection over feasibility models at fixed levels, each one
with the reach rows of :mod:`.reach` for its level. It runs in three stages:

1. **The LP bound** of the plain model (interior point, no crossover) is tested first by MILP:
   when the LP is tight (equal capacities, as in reviewer assignment) it is the answer.
2. **The reach LP's boundary.** Otherwise a bisection over LP relaxations finds the highest
   level whose LP, reach rows included, is feasible. A refuted LP is a proof (no matching
   reaches that level), and the LP is cheap: 0.3–0.6 s each on the 300 × 300 programme, where a
   feasibility MILP that finds a matching takes 4–8 s. The reach LP is remarkably tight there:
   its boundary is 0.6624087 and the optimum 0.6624087; on the rules programme of the examples,
   0.3470700 and 0.3470703.
3. **Feasibility MILPs**, the first one at that boundary. A feasible level stops at the first
   matching found (objective: each cell's counted gain, which steers HiGHS towards matchings that
   reach the level) and raises the lower bound to the level that matching actually reaches,
   usually above the level tested; a refuted level lowers the upper bound. After a feasible
   level the next test is placed :data:`SPLIT` of the way up, halving that share after each
   refuted level (the optimum is then probably close above the lower bound); a new lower bound
   within :data:`NARROW` of the upper one is tested for optimality first.

It ends when the two bounds are within :data:`~.milp.TIE` (gains that close are one level): the
level reached is then proven optimal. A time limit stops it with the best matching and the
upper bound.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pairing.errors import Infeasible
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.milp import (
    TIE,
    Clock,
    FairModel,
    Outcome,
    level_cap,
    phase_one,
)
from pairing.solvers.fair.zeros import Zeros, reach_levels

__all__ = ["LevelSearch", "feasible_at", "sum_level"]

#: Where the bisection tests after a feasible level, as a share of the way from the lower to
#: the upper bound; each refuted level halves it, down to MIN_SPLIT.
SPLIT = 0.75
MIN_SPLIT = 1 / 16

#: The share of a time limit after which the LP stage stops (see :func:`_lp_boundary`).
LP_SHARE = 0.3

#: Relative width under which a new lower bound is tested first for optimality.
NARROW = 2e-3


def _lp_bound(model: FairModel, clock: Clock, options: SolveOptions) -> float:
    """The LP relaxation's bound on the max-min level (no reach rows: they need a level)."""
    lp = phase_one(model, model.gain_rows, clock, options, None, None, relax=True)
    if lp.x is None or not lp.optimal:
        return level_cap(model.gain_rows)
    value = float(lp.x[model.n])
    return value + TIE * max(1.0, abs(value))  # the interior point's value is within ~1e-8


@dataclass
class LevelSearch:
    """What :func:`sum_level` found, and how many tests it took."""

    found: Outcome  # the best matching, optimal when the level is proven, the upper bound
    lp_tests: int  # LP relaxations of the reach-LP boundary search
    milp_tests: int  # feasibility MILPs

    def describe(self) -> str:
        """The note's words for the method: "by 20 LP(s) and 2 feasibility MILP(s) …"."""
        lps = f"{self.lp_tests} LP(s) and " if self.lp_tests else ""
        return f"by {lps}{self.milp_tests} feasibility MILP(s) bisecting the level"


def feasible_at(model: FairModel, level: float, clock: Clock, options: SolveOptions, *,
                relax: bool, share: float = 1.0, kept: np.ndarray | None = None,
                zeros: Zeros | None = None, guide: np.ndarray | None = None,
                tight: bool = False) -> Outcome | None:
    """Can every counted gain be ≥ ``level``? ``None``: refuted (proven by HiGHS).

    Otherwise the LP relaxation's point (``relax``) or the first matching found, with ``x``
    None when ``share`` of the time limit stopped the test. Both carry the reach rows for the
    level, and HiGHS is steered by each cell's counted gain. ``kept``: members (not ``nan``)
    that must keep their own level instead, within half of :data:`~.milp.TIE`. ``zeros``: its
    loose members may stay out of the level instead, ``zeros.rising`` of them reaching it and
    the others holding the group's levels (:func:`.zeros.reach_levels`). ``guide``: the
    objective over the cells that steers HiGHS instead (a test that one member can rise steers
    by that member's gain).
    """
    if guide is None:
        guide = np.asarray(model.gain_rows.sum(axis=0)).ravel()
    if kept is None:
        levels = np.full(model.m, level)
    else:
        own = kept - TIE / 2 * np.maximum(1.0, np.abs(kept))
        levels = np.where(np.isnan(kept), level, own)
    try:
        return reach_levels(model, guide, levels, zeros, clock, options, relax=relax,
                            first=not relax, share=share, tight=tight)
    except Infeasible:
        return None


def _reached(model: FairModel, x: np.ndarray, free: np.ndarray, zeros: Zeros | None) -> float:
    """The level ``x`` gives every ``free`` member and, with ``zeros``, the best
    ``zeros.rising`` of the loose members (0 when there is nobody)."""
    gains = model.gain_rows @ x
    reached = float(gains[free].min(initial=np.inf))
    if zeros is not None:
        reached = min(reached, zeros.rising_level(gains))
    return reached if np.isfinite(reached) else 0.0


def _lp_boundary(model: FairModel, low: float, high: float, clock: Clock,
                 options: SolveOptions) -> tuple[float, float, int]:
    """Bisect ``[low, high]`` over the reach LP: the highest level whose LP relaxation (reach
    rows included) is feasible, to within half of :data:`~.milp.TIE`.

    Feasibility is monotone in the level (each reach row for a level implies the same row for
    any lower one), so the bisection is sound. Returns the last LP-feasible level, the last
    refuted one (a proven upper bound on the max-min level) and the LPs run. It stops at
    :data:`LP_SHARE` of a time limit with what is proven so far, so that a short limit still
    leaves the MILPs time to find a matching near the bound.
    """
    runs = 0
    while high - low > TIE / 2 * max(1.0, high) and not clock.expired(LP_SHARE):
        mid = (low + high) / 2
        options.report(f"maxmin: LP bound between {low:.6g} and {high:.6g}, testing {mid:.6g}")
        runs += 1
        out = feasible_at(model, mid, clock, options, relax=True, share=LP_SHARE)
        if out is None:
            high = mid
        elif out.x is None:
            break  # the time limit stopped it
        else:
            low = mid
    return low, high, runs


def sum_level(model: FairModel, clock: Clock, options: SolveOptions,
              start: np.ndarray | None, *, kept: np.ndarray | None = None,
              high: float | None = None, share: float = 1.0,
              settle: Callable[[np.ndarray, float], bool] | None = None,
              zeros: Zeros | None = None,
              quick: Callable[[float], np.ndarray | None] | None = None) -> LevelSearch:
    """The largest ``t`` such that some matching gives every counted enterprise ≥ ``t``.

    ``start``: a matching to begin from (its worst counted gain is the first lower bound).
    Returns the best matching found, ``optimal`` when the bisection closed (the level it reaches
    is then the max-min level, within :data:`~.milp.TIE`) and the proven upper bound; and the
    number of LPs and feasibility MILPs run.

    ``kept`` (leximin's rounds): members (not ``nan``) that keep their own level; ``t`` is then
    the level of the others, ``start`` must keep those levels too, and ``high`` (a proven upper
    bound on ``t``) replaces the plain LP bound, which counts every member; ``share``: stop
    at that share of the time limit. ``settle(x, low)``: a test that may prove ``low`` optimal
    in its own way, tried instead of the usual one just above ``low`` (leximin's saturation
    test proves the level and who is at it in one MILP). ``quick(level)``: a matching that
    reaches ``level`` found a faster way, or ``None``, tried before each feasibility MILP but
    the first (leximin's rounds on matchings repair an LP point there).
    """
    free = np.ones(model.m, dtype=bool) if kept is None else np.isnan(kept)
    if zeros is not None:
        free &= ~zeros.loose
    what = "maxmin" if kept is None else "leximin round"
    best = start
    low = _reached(model, start, free, zeros) if start is not None else 0.0
    if high is None:
        high = _lp_bound(model, clock, options)
    tests = lp_tests = 0
    split, probed, stuck = SPLIT, False, 0
    lp_low: float | None = None
    while high - low > TIE * max(1.0, high) and not clock.expired(share):
        if tests == 0:
            # the LP bound itself first: when the LP is tight (equal capacities, as in reviewer
            # assignment) it is the answer
            mid = max(low, high - 2 * TIE * max(1.0, high))
        elif lp_low is not None:
            mid, lp_low = max(low, lp_low), None  # the reach LP's boundary
        elif split == SPLIT and high - low < NARROW * high and not probed:
            # a matching just found, close under the bound: is its level the optimum? (one
            # refuted test instead of several halvings; not twice in a row)
            mid = low + 0.999 * TIE * max(1.0, high)  # refuted: the bounds meet
            probed = True
            if settle is not None and best is not None:
                tests += 1
                if settle(best, low):
                    high = low
                    break  # (otherwise the usual test just above low follows)
        else:
            mid = low + split * (high - low)
        options.report(f"{what}: level between {low:.6g} and {high:.6g}, testing {mid:.6g}")
        tests += 1
        # (not at the bound itself, the first test: there the LP's own point is the LP round's,
        # which a matching was sought near already)
        found = quick(mid) if quick is not None and tests > 1 else None
        out = (Outcome(found, False, None) if found is not None else
               feasible_at(model, mid, clock, options, relax=False, kept=kept, share=share,
                           zeros=zeros))
        if out is None:
            high = mid
            if tests == 1 and kept is None:  # (leximin's ``high`` is the reach LP's already)
                lp_low, high, lp_tests = _lp_boundary(model, low, high, clock, options)
            else:
                split = max(split / 2, MIN_SPLIT)
            probed = False
            continue
        if out.x is None:
            break  # the time limit stopped the test: keep what is proven
        reached = _reached(model, out.x, free, zeros)
        if reached > low:
            best, low, stuck = out.x, reached, 0
        else:
            # HiGHS accepted the level within its feasibility tolerance (1e-6) with a matching
            # no better than the last: once more just above low, then the two are one level
            stuck += 1
            probed = False
            if stuck >= 2:
                high = min(high, low + TIE / 2 * max(1.0, low))
        split = SPLIT
    proven = best is not None and high - low <= TIE * max(1.0, high)
    return LevelSearch(Outcome(best, proven, low if proven else high), lp_tests, tests)
