"""Pricing for the configuration LP (:mod:`.config_lp`): each member's cheapest partner set.

Column generation adds, for each counted member, the partner set with the most negative reduced
cost at the LP's duals: the set of at most ``cap`` of its cells with the smallest total cost
``w`` (the duals priced per cell) whose gains reach the member's level. That is a knapsack with
a cardinality bound, solved here exactly and fast for ``cap ≤ 3``, which covers the brief's
capacities (1..3 and 0..2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["ROUNDING", "Pricer", "reaches"]

#: Sets whose gains add up to within this of a level (relative, at least 1) count as reaching
#: it: the same tolerance for pricing and for costs, so the two never disagree on a set whose
#: sum is rounded differently (0.7 + 0.3 + 0.3 is 1.2999999999999998), and the LP stays a
#: relaxation of the matchings the MILPs accept.
ROUNDING = 1e-9
#: Levels whose fits (:meth:`Pricer._fit`) each member keeps: a loose member is priced at the
#: round's level, its group's top level and each group level whose counting row has a dual,
#: in every pricing round.
FITS_KEPT = 8


def _floor(level: float) -> float:
    """The least gain that :func:`reaches` one level (a scalar, for the hot paths)."""
    return level - ROUNDING * max(1.0, abs(level))


def reaches(gain: np.ndarray | float, level: np.ndarray | float) -> np.ndarray:
    """Whether partner sets of total ``gain`` reach ``level`` (within :data:`ROUNDING`)."""
    return np.asarray(gain) >= np.asarray(level) - ROUNDING * np.maximum(1.0, np.abs(level))


class Pricer:
    """Each member's cheapest partner set for costs ``w`` per cell, exactly, for ``cap ≤ 3``.

    The cheapest set with no level is the ``cap`` cheapest negative cells (all members at once).
    It is also a lower bound for the cheapest set that reaches a level, so only the members it
    cannot rule out are priced one by one: the best single cell, the best pair (all
    ``k(k−1)/2`` at once), and each pair ``a < b`` (best first) plus the cheapest third cell
    after ``b`` among those whose gain completes it — a range of the best-first order, so one
    range-minimum query on a sparse table of the costs. That covers every triple once. Which
    sets can reach a level is kept per member for the last few levels asked (about 86 µs a
    member on a fresh level, 33 µs on one it has seen, against 157 µs when each pair's third
    cell came from prefix minima built for every call).
    """

    def __init__(self, gains: list[np.ndarray], caps: np.ndarray) -> None:
        self.gains = gains  # each member's, best first
        self.caps = caps
        self.width = max([len(g) for g in gains] + [1])
        self.valid = np.zeros((len(gains), self.width), dtype=bool)
        for e, g in enumerate(gains):
            self.valid[e, :len(g)] = True
        self.pairs = [np.triu_indices(len(g), 1) for g in gains]
        #: each member's three best gains (0 where it has fewer cells)
        self.top_gains = np.zeros((len(gains), 3))
        for e, g in enumerate(gains):
            self.top_gains[e, :min(3, len(g))] = g[:3]
        self.pair_gain = [g[i] + g[j] for g, (i, j) in zip(gains, self.pairs, strict=True)]
        #: each member's fits for the last :data:`FITS_KEPT` levels asked
        self._fits: dict[int, dict[float, _Fit]] = {}
        self._last: tuple[np.ndarray, np.ndarray, np.ndarray] = (
            np.zeros((0, 3), dtype=bool), np.zeros((0, 3)), np.zeros((0, 3)))

    def cheapest_any(self, w: np.ndarray, levels: np.ndarray
                     ) -> tuple[np.ndarray, list[tuple[int, ...]], np.ndarray]:
        """Each member's cheapest set with no level (``w`` padded to ``(m, width)``): its
        total and cell positions (the empty set, total 0, when no cell is negative); and a
        lower bound on the total of any set that reaches ``levels[e]``: the ``s`` cheapest
        cells' total, least over the sizes ``s`` whose ``s`` best gains reach it (``inf``
        when none does)."""
        w = np.where(self.valid, w, np.inf)
        order = np.argsort(w, axis=1, kind="stable")[:, :3]
        cheap = np.take_along_axis(w, order, axis=1)
        sizes = np.arange(order.shape[1])[None, :] < self.caps[:, None]
        take = (cheap < 0) & sizes
        total = np.where(take, cheap, 0.0).sum(axis=1)
        sets = [tuple(sorted(int(c) for c in order[e, take[e]])) for e in range(len(total))]
        best_gains = np.cumsum(np.pad(self.top_gains, ((0, 0), (0, max(
            0, order.shape[1] - self.top_gains.shape[1]))))[:, :order.shape[1]], axis=1)
        usable = sizes & np.isfinite(cheap)
        cumulative = np.cumsum(np.where(np.isfinite(cheap), cheap, 0.0), axis=1)
        fits = usable & reaches(best_gains, levels[:, None])
        bound = np.where(fits, cumulative, np.inf).min(axis=1, initial=np.inf)
        # (kept for lower_bound at other levels, with the same costs)
        self._last = (usable, best_gains, cumulative)
        return total, sets, bound

    def lower_bound(self, e: int, level: float) -> float:
        """A lower bound on the total of member ``e``'s sets that reach ``level``, at the
        costs of the last :meth:`cheapest_any` call (as its ``bound``, for one more level)."""
        usable, best_gains, cumulative = self._last
        fits = usable[e] & (best_gains[e] >= _floor(level))
        return float(cumulative[e][fits].min(initial=np.inf))

    def cheapest(self, e: int, w: np.ndarray,
                 level: float) -> tuple[float, tuple[int, ...] | None]:
        """Member ``e``'s cheapest set whose gains reach ``level``: its total ``w`` and cell
        positions (``(inf, None)`` when no set reaches it)."""
        cap = int(self.caps[e])
        if len(self.gains[e]) == 0 or cap < 1:
            return np.inf, None
        fit = self._fit(e, level)
        best_w = np.inf
        best: tuple[int, ...] | None = None
        if fit.singles:
            i = int(np.argmin(w[:fit.singles]))
            best_w, best = float(w[i]), (i,)
        first, second = self.pairs[e]
        if cap < 2 or len(first) == 0:
            return best_w, best
        pair_w = w[first] + w[second]
        two = np.where(fit.pair_reaches, pair_w, np.inf)
        p = int(np.argmin(two))
        if two[p] < best_w:
            best_w, best = float(two[p]), (int(first[p]), int(second[p]))
        if cap < 3 or not len(fit.first):
            return best_w, best
        # each triple a < b < c once: the pair (a, b), and the cheapest third c after b among
        # the cells whose gain completes it (a range of the best-first order: a range minimum)
        table = _range_argmin(w)
        rows = _LOG2[fit.room - fit.first]  # (every range holds a cell)
        left = table[rows, fit.first]
        right = table[rows, fit.room - (1 << rows)]
        third = np.where(w[left] <= w[right], left, right)
        three = pair_w[fit.triples] + w[third]
        q = int(np.argmin(three))
        if three[q] < best_w:
            t = fit.triples[q]
            best_w = float(three[q])
            best = (int(first[t]), int(second[t]), int(third[q]))
        return best_w, best

    def _fit(self, e: int, level: float) -> _Fit:
        """Which of member ``e``'s singles and pairs reach ``level``, and where each pair's
        third cells lie (kept for the last :data:`FITS_KEPT` levels asked: column generation
        asks them again and again)."""
        kept = self._fits.setdefault(e, {})
        fit = kept.get(level)
        if fit is not None:
            return fit
        gains = self.gains[e]
        floor = _floor(level)
        singles = int(np.searchsorted(-gains, -floor, side="right"))
        second = self.pairs[e][1]
        pair_reaches = reaches(self.pair_gain[e], level)
        # a third cell c > b completes the pair (a, b) when its gain is at least the need:
        # c in [b + 1, room)
        need = floor - self.pair_gain[e]
        room = np.searchsorted(-gains, -need, side="right")
        triples = np.flatnonzero(room > second + 1)
        fit = _Fit(singles, pair_reaches, triples, second[triples] + 1, room[triples])
        if len(kept) >= FITS_KEPT:
            del kept[next(iter(kept))]  # (the oldest)
        kept[level] = fit
        return fit


@dataclass(frozen=True)
class _Fit:
    """One member's partner sets that can reach one level (see :meth:`Pricer._fit`)."""

    singles: int  # the cells that reach it alone: the first ``singles`` (best first)
    pair_reaches: np.ndarray  # (pairs,) bool
    triples: np.ndarray  # the pairs that some third cell after them completes
    first: np.ndarray  # each such pair's first completing third cell
    room: np.ndarray  # and one past its last


#: ``_LOG2[n]``: the largest ``r`` with ``2 ** r <= n`` (for ranges up to 2 ** 16 cells).
_LOG2 = np.concatenate([[0], np.floor(np.log2(np.arange(1, 1 << 16))).astype(np.int64)])


def _range_argmin(w: np.ndarray) -> np.ndarray:
    """``(levels, k)``: row ``r`` holds, at ``i``, the position of the cheapest cell among
    ``[i, i + 2 ** r)`` (a sparse table: any range's cheapest is the cheaper of two rows'
    entries)."""
    k = len(w)
    rows = [np.arange(k)]
    span = 1
    while 2 * span <= k:
        prev = rows[-1]
        a, b = prev[:len(prev) - span], prev[span:]
        rows.append(np.where(w[a] <= w[b], a, b))
        span *= 2
    table = np.zeros((len(rows), k), dtype=np.int64)
    for r, row in enumerate(rows):
        table[r, :len(row)] = row
    return table
