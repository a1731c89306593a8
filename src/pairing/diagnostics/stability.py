"""Blocking pairs of a capacitated matching, vectorised.

Preferences are induced by the gains (design): left i ranks right enterprises by
``gain_left[i, :]`` descending, right j ranks left ones by ``gain_right[:, j]`` descending; ties
go to the enterprise listed earlier. Forbidden and below-``min_score`` pairs are unacceptable.

A pair (i, j), allowed and not matched, *blocks* when both would rather have each other: i has
a free seat or prefers j to its worst partner, and likewise j.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from pairing.core.problem import Problem

__all__ = ["BlockThresholds", "blocking_in_blocks", "blocking_pairs", "capacitated_thresholds",
           "count_blocking_pairs"]


def _worst_partner(
    owner: np.ndarray, other: np.ndarray, value: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each owner: the value and index of its least preferred partner (NaN/-1 if none)."""
    worst_value = np.full(n, np.nan)
    worst_index = np.full(n, -1, dtype=np.intp)
    if len(owner):
        # least preferred: smallest value, and among equal values the one listed last
        order = np.lexsort((-other, value, owner))
        owners_sorted = owner[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = owners_sorted[1:] != owners_sorted[:-1]
        picks = order[first]
        worst_value[owner[picks]] = value[picks]
        worst_index[owner[picks]] = other[picks]
    return worst_value, worst_index


def _prefers(
    values: np.ndarray, candidates: np.ndarray, worst_value: np.ndarray, worst_index: np.ndarray
) -> np.ndarray:
    """Owner prefers the candidate to its worst partner (higher value; on a tie, listed earlier)."""
    return (values > worst_value) | ((values == worst_value) & (candidates < worst_index))


#: Cells per row block of the blocking-pair scan (a few MB of booleans).
_CELLS_PER_BLOCK = 1 << 22


@dataclass(frozen=True)
class BlockThresholds:
    """What each enterprise accepts, for a scan of the pairs one row block at a time.

    A row enterprise accepts a column one when it values it above ``row_value`` (the value of
    its worst partner; ``-inf`` with a free seat, ``+inf`` when it accepts nobody) or equally
    and the column is listed before ``row_index`` (its worst partner); likewise for columns.
    The dense scan (:func:`blocking_pairs`) and the large path's (:mod:`pairing.core.large`)
    share it, so both count with the same definition and tie-breaks.
    """

    row_value: np.ndarray
    row_index: np.ndarray
    col_value: np.ndarray
    col_index: np.ndarray

    @classmethod
    def one_to_one(cls, row_gain: np.ndarray, row_partner: np.ndarray,
                   col_gain: np.ndarray, col_partner: np.ndarray) -> BlockThresholds:
        """Thresholds of a one-to-one matching (capacity max 1 everywhere): an enterprise
        alone (partner -1) has a free seat; a matched one's worst partner is its partner."""
        n_rows, n_cols = len(row_partner), len(col_partner)
        alone_r, alone_c = row_partner < 0, col_partner < 0
        return cls(
            np.where(alone_r, -np.inf, row_gain).astype(row_gain.dtype),
            np.where(alone_r, n_cols, row_partner),
            np.where(alone_c, -np.inf, col_gain).astype(col_gain.dtype),
            np.where(alone_c, n_rows, col_partner),
        )

    def pairs(self, start: int, row_values: np.ndarray, col_values: np.ndarray,
              allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of the block's allowed cells that both ends accept.

        A cell is a candidate when both ends value it at least as much as their threshold
        (dense comparisons, no gathers); only the few candidates get the exact tie-break.
        """
        stop = start + row_values.shape[0]
        both = row_values >= self.row_value[start:stop, None]
        both &= col_values >= self.col_value[None, :]
        if allowed is not None:
            both &= allowed
        rows, cols = np.nonzero(both)
        keep = _prefers(row_values[rows, cols], cols, self.row_value[rows + start],
                        self.row_index[rows + start])
        rows += start
        keep &= _prefers(col_values[rows - start, cols], rows, self.col_value[cols],
                         self.col_index[cols])
        return rows[keep], cols[keep]

    def count(self, start: int, row_values: np.ndarray, col_values: np.ndarray,
              allowed: np.ndarray | None) -> int:
        return len(self.pairs(start, row_values, col_values, allowed)[0])


def blocking_pairs(problem: Problem, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """(k, 2) index pairs (i, j) that block the matching (left[k], right[k]).

    Works in row blocks (:class:`BlockThresholds`); memory stays at a few blocks of booleans
    even at 10,000 × 10,000.
    """
    n_left, n_right = problem.shape
    gl, gr = problem.gain_left, problem.gain_right
    thresholds = capacitated_thresholds(left, right, gl[left, right], gr[left, right],
                                        problem.cap_max_left, problem.cap_max_right)
    rows_per_block = max(1, _CELLS_PER_BLOCK // max(1, n_right))
    blocks = (
        (start, gl[start:start + rows_per_block], gr[start:start + rows_per_block],
         problem.allowed[start:start + rows_per_block])
        for start in range(0, n_left, rows_per_block)
    )
    return blocking_in_blocks(thresholds, blocks, left, right, n_right)


def capacitated_thresholds(
    left: np.ndarray, right: np.ndarray, gain_left: np.ndarray, gain_right: np.ndarray,
    cap_max_left: np.ndarray, cap_max_right: np.ndarray,
) -> BlockThresholds:
    """The thresholds of the matching ``(left[k], right[k])`` whose pairs' gains are
    ``gain_left[k]``, ``gain_right[k]`` (float32 or float64: the thresholds keep that type),
    under the capacities' maximums."""
    n_left, n_right = len(cap_max_left), len(cap_max_right)
    count_left = np.bincount(left, minlength=n_left)
    count_right = np.bincount(right, minlength=n_right)
    wv_l, wi_l = _worst_partner(left, right, gain_left.astype(np.float64), n_left)
    wv_r, wi_r = _worst_partner(right, left, gain_right.astype(np.float64), n_right)
    spare_l = count_left < cap_max_left
    spare_r = count_right < cap_max_right
    # no partner and no free seat (capacity max 0): accepts nobody, hence nan → +inf.
    # A threshold is a gain of the matrix itself (or ±inf), so its dtype loses nothing.
    return BlockThresholds(
        np.where(spare_l, -np.inf, np.nan_to_num(wv_l, nan=np.inf)).astype(gain_left.dtype),
        np.where(spare_l, n_right, wi_l),
        np.where(spare_r, -np.inf, np.nan_to_num(wv_r, nan=np.inf)).astype(gain_right.dtype),
        np.where(spare_r, n_left, wi_r),
    )


def blocking_in_blocks(
    thresholds: BlockThresholds,
    blocks: Iterable[tuple[int, np.ndarray, np.ndarray, np.ndarray | None]],
    left: np.ndarray, right: np.ndarray, n_right: int,
) -> np.ndarray:
    """(k, 2) blocking pairs of the matching ``(left, right)`` found in ``blocks`` of left
    rows — (first row, gain_left rows, gain_right rows, allowed or ``None``) — so that a
    caller without the whole matrices can scan it one block at a time."""
    found: list[np.ndarray] = []
    for start, gain_left, gain_right, allowed in blocks:
        rows, cols = thresholds.pairs(start, gain_left, gain_right, allowed)
        found.append(np.stack([rows, cols], axis=1))
    pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.intp)
    if len(pairs) and len(left):
        # a matched pair never blocks: drop any candidate that is one of the chosen pairs
        # (a sorted search, not np.isin: that loads numpy.ma, a cost on every small solve)
        chosen = np.sort(left.astype(np.int64) * n_right + right)
        codes = pairs[:, 0].astype(np.int64) * n_right + pairs[:, 1]
        at = np.minimum(np.searchsorted(chosen, codes), len(chosen) - 1)
        pairs = pairs[chosen[at] != codes]
    return pairs.astype(np.intp)


def count_blocking_pairs(problem: Problem, left: np.ndarray, right: np.ndarray) -> int:
    return len(blocking_pairs(problem, left, right))
