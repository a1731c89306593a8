"""Compiled (numba) pricing of one member's partner sets for the configuration LP.

Column generation asks, for each counted member and each pricing round, for the cheapest set
of at most ``cap ≤ 3`` of its cells (costs ``w``) whose gains reach a level. In Python that
was a dozen NumPy calls per member (about 70 µs, 2.4 s of a 9 s run counting CN on the rules
programme); here it is one pass over the member's pairs.

The answer is the one :class:`~.config_pricing.Pricer` always gave, ties included: the
cheapest single cell (the first of equals, best gain first), then a pair only when strictly
cheaper (the first in ``(a, b)`` order, ``a < b``), then a triple ``a < b < c`` only when
strictly cheaper, its third cell the first cheapest of those after ``b`` whose gain completes
the pair (a range of the best-first order, read from a sparse table of range minima).
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["cheapest_set", "cheapest_sets"]


@njit(cache=True)
def _at_least(gains: np.ndarray, k: int, need: float) -> int:
    """How many of the first ``k`` gains (best first) are at least ``need``."""
    low, high = 0, k
    while low < high:
        middle = (low + high) // 2
        if gains[middle] >= need:
            low = middle + 1
        else:
            high = middle
    return low


@njit(cache=True)
def _range_table(w: np.ndarray, k: int) -> np.ndarray:
    """Row ``r`` holds, at ``i``, the first cheapest cell among ``[i, i + 2 ** r)``."""
    levels = 1
    while (1 << levels) <= k:
        levels += 1
    table = np.zeros((levels, max(k, 1)), dtype=np.int64)
    for i in range(k):
        table[0, i] = i
    span = 1
    for r in range(1, levels):
        for i in range(k - 2 * span + 1):
            a, b = table[r - 1, i], table[r - 1, i + span]
            table[r, i] = a if w[a] <= w[b] else b
        span *= 2
    return table


@njit(cache=True)
def cheapest_set(gains: np.ndarray, k: int, cap: int, w: np.ndarray, floor: float
                 ) -> tuple[float, int, int, int]:
    """The cheapest set of at most ``cap`` of the first ``k`` cells (``gains`` best first)
    whose gains add up to at least ``floor``: its total ``w`` and its cells (−1 for none; all
    −1 when no set reaches it)."""
    best, first, second, third = np.inf, -1, -1, -1
    if k == 0 or cap < 1:
        return best, first, second, third
    singles = _at_least(gains, k, floor)
    if singles > 0:
        first = 0
        for i in range(1, singles):
            if w[i] < w[first]:
                first = i
        best = w[first]
    if cap < 2 or k < 2:
        return best, first, second, third
    pair_best, pair_a, pair_b = np.inf, -1, -1
    for a in range(k - 1):
        for b in range(a + 1, k):
            if gains[a] + gains[b] >= floor and w[a] + w[b] < pair_best:
                pair_best, pair_a, pair_b = w[a] + w[b], a, b
    if pair_best < best:
        best, first, second = pair_best, pair_a, pair_b
    if cap < 3 or k < 3:
        return best, first, second, third
    table = _range_table(w, k)
    triple_best, triple_a, triple_b, triple_c = np.inf, -1, -1, -1
    for a in range(k - 2):
        for b in range(a + 1, k - 1):
            pair_w = w[a] + w[b]
            room = _at_least(gains, k, floor - (gains[a] + gains[b]))
            if room <= b + 1:
                continue
            # the first cheapest cell of [b + 1, room): two overlapping power-of-two ranges
            row = 0
            while (2 << row) <= room - b - 1:
                row += 1
            left = table[row, b + 1]
            right = table[row, room - (1 << row)]
            c = left if w[left] <= w[right] else right
            if pair_w + w[c] < triple_best:
                triple_best, triple_a, triple_b, triple_c = pair_w + w[c], a, b, c
    if triple_best < best:
        best, first, second, third = triple_best, triple_a, triple_b, triple_c
    return best, first, second, third


@njit(cache=True)
def cheapest_sets(gains: np.ndarray, lengths: np.ndarray, caps: np.ndarray, w: np.ndarray,
                  floors: np.ndarray, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`cheapest_set` for each of ``members`` (rows of the padded ``gains`` and ``w``):
    the totals, and ``(len(members), 3)`` cells."""
    totals = np.empty(len(members))
    cells = np.full((len(members), 3), -1, dtype=np.int64)
    for n in range(len(members)):
        e = members[n]
        total, a, b, c = cheapest_set(gains[e], lengths[e], caps[e], w[e], floors[n])
        totals[n] = total
        cells[n, 0], cells[n, 1], cells[n, 2] = a, b, c
    return totals, cells
