"""Pricing for the configuration LP (:mod:`.config_lp`): each member's cheapest partner set.

Column generation adds, for each counted member, the partner set with the most negative reduced
cost at the LP's duals: the set of at most ``cap`` of its cells with the smallest total cost
``w`` (the duals priced per cell) whose gains reach the member's level. That is a knapsack with
a cardinality bound, solved here exactly and fast for ``cap ≤ 3``, which covers the brief's
capacities (1..3 and 0..2).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ROUNDING", "Pricer", "reaches"]

#: Sets whose gains add up to within this of a level (relative, at least 1) count as reaching
#: it: the same tolerance for pricing and for costs, so the two never disagree on a set whose
#: sum is rounded differently (0.7 + 0.3 + 0.3 is 1.2999999999999998), and the LP stays a
#: relaxation of the matchings the MILPs accept.
ROUNDING = 1e-9


def reaches(gain: np.ndarray | float, level: np.ndarray | float) -> np.ndarray:
    """Whether partner sets of total ``gain`` reach ``level`` (within :data:`ROUNDING`)."""
    return np.asarray(gain) >= np.asarray(level) - ROUNDING * np.maximum(1.0, np.abs(level))


class Pricer:
    """Each member's cheapest partner set for costs ``w`` per cell, exactly, for ``cap ≤ 3``.

    The cheapest set with no level is the ``cap`` cheapest negative cells (all members at once).
    It is also a lower bound for the cheapest set that reaches a level, so only the members it
    cannot rule out are priced one by one: the best single cell, the best pair (all
    ``k(k−1)/2`` at once), and each pair plus the cheapest third among the cells whose gain
    completes it — a prefix of the best-first order, whose three cheapest cells hold it unless
    two of them are the pair. That covers every triple.
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
        fits = sizes & reaches(best_gains, levels[:, None]) & np.isfinite(cheap)
        bound = np.where(fits, np.cumsum(np.where(np.isfinite(cheap), cheap, 0.0), axis=1),
                         np.inf).min(axis=1, initial=np.inf)
        return total, sets, bound

    def cheapest(self, e: int, w: np.ndarray,
                 level: float) -> tuple[float, tuple[int, ...] | None]:
        """Member ``e``'s cheapest set whose gains reach ``level``: its total ``w`` and cell
        positions (``(inf, None)`` when no set reaches it)."""
        gains, cap = self.gains[e], int(self.caps[e])
        best_w = np.inf
        best: tuple[int, ...] | None = None
        k = len(gains)
        if k == 0 or cap < 1:
            return best_w, best
        one = np.where(reaches(gains, level), w, np.inf)
        i = int(np.argmin(one))
        if one[i] < best_w:
            best_w, best = float(one[i]), (i,)
        if cap < 2 or k < 2:
            return best_w, best
        first, second = self.pairs[e]
        pair_w = w[first] + w[second]
        two = np.where(reaches(self.pair_gain[e], level), pair_w, np.inf)
        p = int(np.argmin(two))
        if two[p] < best_w:
            best_w, best = float(two[p]), (int(first[p]), int(second[p]))
        if cap < 3 or k < 3:
            return best_w, best
        # the third cell: the cheapest among those that complete the pair, neither of it
        need = level - ROUNDING * max(1.0, abs(level)) - self.pair_gain[e]
        room = np.searchsorted(-gains, -need, side="right")
        thirds = _prefix_cheapest(w)[room]
        third_w = np.where(thirds >= 0, w[np.maximum(thirds, 0)], np.inf)
        third_w[(thirds == first[:, None]) | (thirds == second[:, None])] = np.inf
        pick = np.argmin(third_w, axis=1)
        three = pair_w + third_w[np.arange(len(pick)), pick]
        q = int(np.argmin(three))
        if three[q] < best_w:
            best_w = float(three[q])
            best = tuple(sorted((int(first[q]), int(second[q]), int(thirds[q, pick[q]]))))
        return best_w, best


def _prefix_cheapest(w: np.ndarray) -> np.ndarray:
    """``(k + 1, 3)``: for each prefix ``[0, p)`` of the cells, the positions of its three
    cheapest (``-1`` where the prefix is shorter)."""
    k = len(w)
    by_w = np.argsort(w, kind="stable")
    inside = by_w[None, :] < np.arange(k + 1)[:, None]  # (p, rank): that cell is in [0, p)
    seen = np.cumsum(inside, axis=1)
    out = np.full((k + 1, 3), -1)
    for r in range(3):
        hit = inside & (seen == r + 1)
        has = hit.any(axis=1)
        out[has, r] = by_w[np.argmax(hit[has], axis=1)]
    return out
