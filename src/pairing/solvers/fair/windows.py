"""A fixed member's window: the only cells a matching that keeps the level rounds can give it.

A level round fixes member ``e`` at level ``L`` when no point of its relaxation (an LP, or the
matchings themselves) lifts ``e`` :data:`~.milp.TIE` above ``L`` while the members fixed before
keep their levels and every other one reaches ``L``, less :data:`~.lp_levels.SLIP`. Every
matching that keeps the rounds' levels to within ``SLIP`` is such a point as long as each
member fixed later, each level of the loose group proven later, and the rounds' last level,
lie at ``L`` or above. In every such matching ``e``'s partners are then a set whose gain lies
in ``[L − SLIP, L + TIE)`` (closed out here from ``L + 1.5 TIE``, as far as a round on
matchings proves), and with gains that are sums of up to three cells few sets fall in so
narrow a window: on the rules programme a fixed CN firm keeps 3 of its 33 cells. The other
cells are *closed*, and the MILPs that keep the rounds' levels
(:func:`.keeping.keep_levels`) leave them out: the last one, for the best total with every
level kept, took 1.6 s counting PK there and takes 0.4 s (0.46 s and 0.02 s counting CN), with
the same matching. The configuration LP's pins (:meth:`.config_lp.ConfigLP.pin`, counting both
sides) rest on the same argument.

The MILPs hold each level to within ``TIE / 2``, not ``SLIP``: a matching where a member sits
between the two is one the rounds' proofs do not speak of, and it may hold a closed cell (a
reviewer's programme: with it the best total is 2.800002, without it 1.9). So nothing is closed
when some member has a partner set in that band (:func:`closed_cells`): the MILPs then admit,
within HiGHS's tolerance, only matchings the proofs speak of, and their answers do not change.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from pairing.core.objectives import counted
from pairing.solvers.fair.config_pricing import floors, reaches
from pairing.solvers.fair.lp_levels import LevelRounds, slipped
from pairing.solvers.fair.milp import TIE, FairModel
from pairing.solvers.fair.zeros import Zeros

__all__ = ["closed_cells", "has_set_in", "member_cells", "member_gains", "window_cells"]


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


def has_set_in(gains: np.ndarray, cap: int, low: float, high: float) -> bool:
    """Whether some set of at most ``cap`` of a member's cells (``gains``) has a gain that
    reaches ``low`` and not ``high``, as :func:`window_cells` judges it but without listing
    every triple: the gains sorted, each pair's third found by binary search (a member of the
    300 × 300 programme has up to 221 cells, 10.8 million triples)."""
    if cap > 3:
        msg = "sets of more than three partners are not listed"
        raise ValueError(msg)
    lo, hi = float(floors(low)), float(floors(high))
    g = np.sort(np.asarray(gains, dtype=np.float64))
    k = len(g)

    def after(start: np.ndarray, base: np.ndarray) -> bool:
        """Some index past ``start`` whose gain lies in ``[lo - base, hi - base)``."""
        first = np.maximum(np.searchsorted(g, lo - base, side="left"), start)
        return bool(np.any(first < np.searchsorted(g, hi - base, side="left")))

    if cap >= 1 and after(np.zeros(1, dtype=np.int64), np.zeros(1)):
        return True
    if cap >= 2 and k >= 2 and after(np.arange(1, k + 1), g):
        return True
    if cap >= 3 and k >= 3:
        i, j = np.triu_indices(k, 1)
        return after(j + 1, g[i] + g[j])
    return False


def _listable(cells: int, cap: int) -> bool:
    """Whether a member's window can be found by listing its sets at once (:func:`window_cells`
    holds ``cells**cap`` booleans): 120 cells for three partners (1.7 million), 2,000 for two."""
    return cap <= 1 or (cap == 2 and cells <= 2_000) or (cap == 3 and cells <= 120)


def member_gains(model: FairModel, incidence: sp.csr_array
                 ) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """Each counted member's open cells (in ``incidence``'s order, :func:`member_cells`), their
    gains (zeros too) and its partner cap (at most its cells), taken row by row from the sparse
    gain rows (no dense copy: at 1,000 × 1,000 with rules that would be 10 GB)."""
    open_cells = model.rules.var_upper > 0.5
    gain_rows = sp.csr_array(model.gain_rows)
    out = []
    for e in range(model.m):
        cells = incidence.indices[incidence.indptr[e]:incidence.indptr[e + 1]]
        cells = cells[open_cells[cells]]
        where = slice(gain_rows.indptr[e], gain_rows.indptr[e + 1])
        held, values = gain_rows.indices[where], gain_rows.data[where]
        keep = open_cells[held]
        by_cell = np.argsort(cells, kind="stable")
        gains = np.zeros(len(cells))
        gains[by_cell[np.searchsorted(cells[by_cell], held[keep])]] = values[keep]
        out.append((cells, gains, int(min(model.caps[e], len(cells)))))
    return out


def closed_cells(model: FairModel, rounds: LevelRounds, zeros: Zeros | None = None
                 ) -> np.ndarray:
    """``(n_cells,)``: the cells no matching that keeps ``rounds``' levels holds (module
    docstring). Only members fixed by name close cells (a loose member of ``zeros`` holds one of
    the group's levels, whoever it is), and only while the premise of their round holds: no
    member fixed later, no level of the group proven later, and not the rounds' last level, lie
    below their level (a round on matchings after a cut-back can lie up to ``TIE / 2`` lower).
    A member whose window holds no set at all closes nothing (the rounds' tolerance at the
    edge).

    None close anything when some member has a set in the *band* between the MILPs' rows and
    the rounds' premise: at least ``2 TIE`` below its row's level (its own, or the last
    round's: the rows lie ``TIE / 2`` below it, and HiGHS's MILP tolerance is ``TIE``) and
    ``SLIP`` below it not (:func:`has_set_in`). The MILPs that keep the levels then admit,
    within HiGHS's tolerance, only matchings the rounds' proofs speak of, and leaving the closed
    cells out changes none of their answers (gains closer than ``TIE`` are one level: without
    the band a total could differ, see the tests). Likewise none when some member may have more
    than three partners; a member with too many cells to list its sets (:func:`_listable`)
    closes none of its own."""
    closed = np.zeros(model.n, dtype=bool)
    fixed = ~np.isnan(rounds.levels)
    if zeros is not None:
        fixed &= ~zeros.loose
    if not fixed.any() or np.any(model.caps > 3):
        return closed
    members = member_gains(model, member_cells(model)[0])
    rows = np.where(fixed, rounds.levels, rounds.last)
    for (_, gains, cap), level in zip(members, rows, strict=True):
        if level > 0 and has_set_in(gains, cap, level - 2 * TIE * max(1.0, level),
                                    float(slipped(np.asarray(level)))):
            return closed  # (a set in the band)
    group = (np.asarray(zeros.levels, dtype=np.float64), np.asarray(zeros.proven_in)
             ) if zeros is not None else (np.empty(0), np.empty(0, dtype=np.int64))
    for member in np.flatnonzero(fixed):
        level, round_ = float(rounds.levels[member]), int(rounds.round_of[member])
        later = rounds.round_of > round_
        if (rounds.last < level or np.any(rounds.levels[later] < level)
                or np.any(group[0][group[1] > round_] < level)):
            continue
        cells, gains, cap = members[member]
        if not _listable(len(cells), cap):
            continue
        allowed = window_cells(gains, cap, float(slipped(np.asarray(level))),
                               level + 1.5 * TIE * max(1.0, level))
        if allowed.any():
            closed[cells[~allowed]] = True
    closed[model.rules.var_lower > 0.5] = False  # (required pairs: held whatever the levels)
    return closed
