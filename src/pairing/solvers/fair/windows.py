"""A fixed member's window: the only cells a matching that keeps the level rounds can give it.

A level round fixes member ``e`` at level ``L`` when no point of its relaxation (an LP, or the
matchings themselves) lifts ``e`` :data:`~.milp.TIE` above ``L`` while the members fixed before
keep their levels and every other one reaches ``L``, less :data:`~.lp_levels.SLIP`. Every
matching that keeps the rounds' levels is such a point as long as each member fixed later, and
the rounds' last level, lie at ``L`` or above. In every such matching ``e``'s partners are then
a set whose gain lies in ``[L − SLIP, L + TIE)`` (closed out here above ``L + 1.5 TIE``, as
far as a round on matchings proves), and with gains that are sums of up to three
cells few sets fall in so narrow a window: on the rules programme a fixed CN firm keeps 3 of its
33 cells. The other cells are *closed*, and the MILPs that keep the rounds' levels
(:func:`.level_rounds.keep_levels`) leave them out: the last one, for the best total with every
level kept, took 1.6 s counting PK there and takes 0.4 s (0.46 s and 0.02 s counting CN), with
the same matching. The configuration LP pins the same cells (:meth:`.config_lp.ConfigLP.pin`).

A matching where a member gains less than its level less ``SLIP`` is closed out with the rest;
the levels are kept to within ``TIE / 2`` by the MILPs' rows, so such a matching sits inside
HiGHS's tolerance of the level, never in a leximin-optimal matching of the exact gains.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from pairing.core.objectives import counted
from pairing.solvers.fair.config_pricing import reaches
from pairing.solvers.fair.lp_levels import LevelRounds, slipped
from pairing.solvers.fair.milp import TIE, FairModel
from pairing.solvers.fair.zeros import Zeros

__all__ = ["closed_cells", "member_cells", "window_cells"]


def member_cells(model: FairModel) -> tuple[sp.csr_array, np.ndarray]:
    """``(m, n_cells)``: the cells of each counted member, in the model's order (the counted
    left members, then the counted right ones); and which members are on the left."""
    counted_left, counted_right = counted(model.problem)
    rules = model.rules
    left = sp.csr_array(rules.left_incidence[np.flatnonzero(counted_left)])
    right = sp.csr_array(rules.right_incidence[np.flatnonzero(counted_right)])
    on_left = np.concatenate([np.ones(left.shape[0], dtype=bool),
                              np.zeros(right.shape[0], dtype=bool)])
    return sp.csr_array(sp.vstack([left, right])), on_left


def window_cells(gains: np.ndarray, cap: int, low: float, high: float) -> np.ndarray:
    """Which of a member's cells (``gains``, in its order) some set of at most ``cap`` of them
    holds whose gain reaches ``low`` and not ``high`` (:func:`~.config_pricing.reaches`): every
    pair and triple at once (a member has a few dozen cells)."""
    k = len(gains)
    order = np.arange(k)

    def window(values: np.ndarray) -> np.ndarray:
        return reaches(values, low) & ~reaches(values, high)

    allowed = window(gains)
    if cap >= 2:
        ok = window(gains[:, None] + gains[None, :]) & (order[:, None] < order[None, :])
        allowed |= ok.any(axis=0) | ok.any(axis=1)
    if cap >= 3:
        ok = (window(gains[:, None, None] + gains[None, :, None] + gains[None, None, :])
              & (order[:, None, None] < order[None, :, None])
              & (order[None, :, None] < order[None, None, :]))
        allowed |= ok.any(axis=(1, 2)) | ok.any(axis=(0, 2)) | ok.any(axis=(0, 1))
    return allowed


def closed_cells(model: FairModel, rounds: LevelRounds, zeros: Zeros | None = None
                 ) -> np.ndarray:
    """``(n_cells,)``: the cells no matching that keeps ``rounds``' levels holds (module
    docstring). Only members fixed by name close cells (a loose member of ``zeros`` holds one of
    the group's levels, whoever it is), only those with at most three partners (the window is
    found by listing sets), and only while the premise of their round holds: no member fixed
    later, no level of the group proven later, and not the rounds' last level, lie below their
    level (a round on matchings after a cut-back can lie up to ``TIE / 2`` lower). A member
    whose window holds no set at all closes nothing (the rounds' tolerance at the edge)."""
    closed = np.zeros(model.n, dtype=bool)
    fixed = ~np.isnan(rounds.levels) & (model.caps <= 3)
    if zeros is not None:
        fixed &= ~zeros.loose
    if not fixed.any():
        return closed
    group = (np.asarray(zeros.levels, dtype=np.float64), np.asarray(zeros.proven_in)
             ) if zeros is not None else (np.empty(0), np.empty(0, dtype=np.int64))
    incidence, _ = member_cells(model)
    open_cells = model.rules.var_upper > 0.5
    for e in np.flatnonzero(fixed):
        level, round_ = float(rounds.levels[e]), int(rounds.round_of[e])
        later = rounds.round_of > round_
        if (rounds.last < level or np.any(rounds.levels[later] < level)
                or np.any(group[0][group[1] > round_] < level)):
            continue
        cells = incidence.indices[incidence.indptr[e]:incidence.indptr[e + 1]]
        cells = cells[open_cells[cells]]
        gains = model.gain_rows[[e]].toarray().ravel()[cells].astype(np.float64)
        allowed = window_cells(gains, int(model.caps[e]), float(slipped(np.asarray(level))),
                               level + 1.5 * TIE * max(1.0, level))
        if allowed.any():
            closed[cells[~allowed]] = True
    closed[model.rules.var_lower > 0.5] = False  # (required pairs: held whatever the levels)
    return closed
