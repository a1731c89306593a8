"""Pricing for the configuration LP (:mod:`.config_lp`): each member's cheapest partner set.

Column generation adds, for each counted member, the partner set with the most negative reduced
cost at the LP's duals: the set of at most ``cap`` of its cells with the smallest total cost
``w`` (the duals priced per cell) whose gains reach the member's level. That is a knapsack with
a cardinality bound, solved here exactly and fast for ``cap ≤ 3``, which covers the brief's
capacities (1..3 and 0..2).
"""

from __future__ import annotations

import numpy as np

__all__ = ["ROUNDING", "AnySets", "Pricer", "floors", "reaches", "warm_up"]

#: Sets whose gains add up to within this of a level (relative, at least 1) count as reaching
#: it: the same tolerance for pricing and for costs, so the two never disagree on a set whose
#: sum is rounded differently (0.7 + 0.3 + 0.3 is 1.2999999999999998), and the LP stays a
#: relaxation of the matchings the MILPs accept.
ROUNDING = 1e-9


def _floor(level: float) -> float:
    """The least gain that :func:`reaches` one level (a scalar, for the hot paths)."""
    return level - ROUNDING * max(1.0, abs(level))


def floors(level: np.ndarray | float) -> np.ndarray:
    """The least gain that :func:`reaches` each level."""
    return np.asarray(level) - ROUNDING * np.maximum(1.0, np.abs(level))


def reaches(gain: np.ndarray | float, level: np.ndarray | float) -> np.ndarray:
    """Whether partner sets of total ``gain`` reach ``level`` (within :data:`ROUNDING`)."""
    return np.asarray(gain) >= floors(level)


class AnySets:
    """Each member's cheapest set with no level (:meth:`Pricer.cheapest_any`), its cell
    positions made when asked for: only members with a negative reduced cost become columns,
    and making all of them, every pricing round, was a tenth of the first configuration
    round's time counting both sides of the rules programme."""

    def __init__(self, order: np.ndarray, take: np.ndarray) -> None:
        self._order, self._take = order, take

    def __getitem__(self, e: int) -> tuple[int, ...]:
        return tuple(sorted(int(c) for c in self._order[e, self._take[e]]))

    def __len__(self) -> int:
        return len(self._order)


class Pricer:
    """Each member's cheapest partner set for costs ``w`` per cell, exactly, for ``cap ≤ 3``.

    The cheapest set with no level is the ``cap`` cheapest negative cells (all members at once).
    It is also a lower bound for the cheapest set that reaches a level, so only the members it
    cannot rule out are priced one by one (:mod:`._pricing_compiled`): the best single cell,
    the best pair, and each pair ``a < b`` (best first) plus the cheapest third cell after
    ``b`` among those whose gain completes it — a range of the best-first order, so one
    range-minimum query. That covers every triple once.
    """

    def __init__(self, gains: list[np.ndarray], caps: np.ndarray) -> None:
        self.caps = np.asarray(caps, dtype=np.int64)
        self.lengths = np.array([len(g) for g in gains], dtype=np.int64)
        self.width = max(int(self.lengths.max(initial=0)), 1)
        self.valid = np.arange(self.width)[None, :] < self.lengths[:, None]
        #: each member's gains, best first, padded to ``(m, width)``
        self.padded = np.zeros((len(gains), self.width))
        for e, g in enumerate(gains):
            self.padded[e, :len(g)] = g
        #: each member's three best gains (0 where it has fewer cells)
        self.top_gains = np.pad(self.padded, ((0, 0), (0, max(0, 3 - self.width))))[:, :3]
        self._last: tuple[np.ndarray, np.ndarray, np.ndarray] = (
            np.zeros((0, 3), dtype=bool), np.zeros((0, 3)), np.zeros((0, 3)))

    def cheapest_any(self, w: np.ndarray, levels: np.ndarray
                     ) -> tuple[np.ndarray, AnySets, np.ndarray]:
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
        sets = AnySets(order, take)
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
        from pairing.solvers.fair._pricing_compiled import cheapest_set  # compiled: when used
        total, *cells = cheapest_set(self.padded[e], int(self.lengths[e]), int(self.caps[e]),
                                     np.ascontiguousarray(w, dtype=np.float64), _floor(level))
        return float(total), _chosen(cells)

    def cheapest_many(self, members: np.ndarray, w: np.ndarray, levels: np.ndarray
                      ) -> tuple[np.ndarray, list[tuple[int, ...] | None]]:
        """:meth:`cheapest` for each of ``members``, at ``levels[e]``, with ``w`` padded to
        ``(m, width)``: their totals and sets."""
        from pairing.solvers.fair._pricing_compiled import cheapest_sets  # compiled: when used
        members = np.asarray(members, dtype=np.int64)
        totals, cells = cheapest_sets(self.padded, self.lengths, self.caps,
                                      np.ascontiguousarray(w, dtype=np.float64),
                                      floors(levels[members]), members)
        return totals, [_chosen(c) for c in cells]


def warm_up() -> None:
    """Load the compiled pricing (:mod:`._pricing_compiled`) by pricing one tiny member.

    Its first call in a process loads the compiled code from numba's cache and sets up numba's
    compiler: about 0.4 s, counted in the first configuration round and so in a time limit.
    :mod:`.leximin` runs this in a thread beside its first MILPs (HiGHS releases the
    interpreter while it solves), where that load costs nothing."""
    pricer = Pricer([np.array([0.5, 0.3])], np.array([2]))
    w = np.array([[-0.2, -0.1]])
    pricer.cheapest(0, w[0], 0.6)
    pricer.cheapest_many(np.array([0]), w, np.array([0.6]))


def _chosen(cells: list[int] | np.ndarray) -> tuple[int, ...] | None:
    """A compiled answer's cell positions (``None`` for no set)."""
    chosen = tuple(int(c) for c in cells if c >= 0)
    return chosen or None
