"""The max-min level when counted gains are sums over several partners: a proven bisection.

"Every counted gain ≥ ``t``" is a max-min fair allocation question (NP-hard in general), but a
*fixed* level is a far easier model than maximising ``t``: measured on a 300 × 300 programme with
capacities 1..3, maximising ``t`` directly still had a bound of 0.72 after 90 s while the optimum
is 0.6624. So the level is found by bisection over feasibility MILPs, each one with the reach
rows of :mod:`.reach` for its level:

* an **infeasible** level is usually refuted by the LP relaxation alone (0.6–2 s there), and
  lowers the upper bound to it;
* a **feasible** level stops at the first matching found (objective: each cell's counted gain,
  which steers HiGHS towards matchings that reach the level; 3–7 s there) and raises the lower
  bound to the level that matching actually reaches, usually above the level tested.

The search starts between the level-0 test's matching and the LP bound (interior point, no
crossover) and tests that bound first: when the LP is tight (equal capacities, as in reviewer
assignment) it is the answer. Then it splits the interval at :data:`SPLIT` of the way up after
a feasible level (refuting a level costs about a second, finding a matching several), halving
that share after each refuted level (the optimum is then probably close above the lower bound);
a new lower bound within :data:`NARROW` of the upper one is tested for optimality first. It
ends when the two bounds are within :data:`~.milp.TIE` (gains that close are one level): the
level reached is then proven optimal. A time limit stops it with the best matching and the
upper bound.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import LinearConstraint

from pairing.errors import Infeasible
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.milp import (
    TIE,
    Clock,
    FairModel,
    Outcome,
    level_cap,
    phase_one,
    run_milp,
)
from pairing.solvers.fair.reach import reach_rows

__all__ = ["sum_level"]

_NONE = (np.empty(0), np.empty(0))

#: Where the bisection tests after a feasible level, as a share of the way from the lower to
#: the upper bound; each refuted level halves it, down to MIN_SPLIT.
SPLIT = 0.75
MIN_SPLIT = 1 / 16

#: Relative width under which a new lower bound is tested first for optimality.
NARROW = 2e-3


def _lp_bound(model: FairModel, clock: Clock, options: SolveOptions) -> float:
    """The LP relaxation's bound on the max-min level (no reach rows: they need a level)."""
    lp = phase_one(model, model.gain_rows, clock, options, None, None, relax=True)
    if lp.x is None or not lp.optimal:
        return level_cap(model.gain_rows)
    value = float(lp.x[model.n])
    return value + TIE * max(1.0, abs(value))  # the interior point's value is within ~1e-8


def sum_level(model: FairModel, clock: Clock, options: SolveOptions,
              start: np.ndarray | None) -> tuple[Outcome, int]:
    """The largest ``t`` such that some matching gives every counted enterprise ≥ ``t``.

    ``start``: a matching to begin from (its worst counted gain is the first lower bound).
    Returns the best matching found, ``optimal`` when the bisection closed (the level it reaches
    is then the max-min level, within :data:`~.milp.TIE`) and the proven upper bound; and the
    number of feasibility MILPs run.
    """
    gains = model.gain_rows
    guide = np.asarray(gains.sum(axis=0)).ravel()  # each cell's counted gain
    best = start
    low = float((gains @ start).min()) if start is not None else 0.0
    high = _lp_bound(model, clock, options)
    tests = 0
    split, probed = SPLIT, False
    while high - low > TIE * max(1.0, high) and not clock.expired():
        if tests == 0:
            # the LP bound itself first: when the LP is tight (equal capacities, as in reviewer
            # assignment) it is the answer, and a refuted bound costs about one LP solve
            mid = max(low, high - 2 * TIE * max(1.0, high))
        elif split == SPLIT and high - low < NARROW * high and not probed:
            # a matching just found, close under the bound: is its level the optimum? (one
            # refuted test instead of several halvings; not twice in a row)
            mid = low + 0.999 * TIE * max(1.0, high)  # refuted: the bounds meet
            probed = True
        else:
            mid = low + split * (high - low)
        options.report(f"maxmin: level between {low:.6g} and {high:.6g}, testing {mid:.6g}")
        tests += 1
        rows = [LinearConstraint(gains, mid, np.inf), *reach_rows(model, mid).constraints(model.n)]
        try:
            out = run_milp(model, guide, 0, rows, _NONE, clock, options, first=True)
        except Infeasible:
            high = mid
            split = max(split / 2, MIN_SPLIT)
            probed = False
            continue
        if out.x is None:
            break  # the time limit stopped the test: keep what is proven
        best, low = out.x, float((gains @ out.x).min())
        split = SPLIT
    proven = best is not None and high - low <= TIE * max(1.0, high)
    return Outcome(best, proven, low if proven else high), tests
