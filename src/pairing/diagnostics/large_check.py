"""What the validator and the report read about a programme too large for dense matrices.

Above :data:`~pairing.core.large_route.LARGE_CELLS` pairs (12,000 × 12,000) one float32 matrix
is 0.6 GB and at 50,000 × 50,000 it is 10 GB; ``pairing check`` and ``pairing report`` used to
build three. When every score comes from the tags alone (the programmes the large path
solves), nothing needs them:

- the checks of a result's pairs need each pair's score and gains only (:class:`TagCells`, a
  dot product of two tag rows per pair);
- the one all-pairs figure the check recomputes — the blocking pairs of a ``stable`` result —
  is counted row block by row block (:meth:`TagCells.row_blocks`), in bounded memory.

The values follow the dense formula of :mod:`pairing.features.scoring` (need shares times
capabilities, clipped to [0, 1], the score ``√(g_left · g_right)``) through its public
functions, and share no code with the solvers. A pair's value may differ from the dense
matrix's by float32 rounding (a product summed in another order), far inside the check's
tolerance.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pairing.core.large_route import LARGE_CELLS, scored_by_tags
from pairing.features.scoring import need_shares
from pairing.features.vocabulary import build_vocabulary, level_matrix
from pairing.model.programme import Programme

__all__ = ["TagCells", "blockwise"]

#: Pairs whose values one call computes at a time (bounds the (pairs × tags) temporaries).
_PAIRS_AT_ONCE = 8192
#: Cells per row block of an all-pairs pass (two float32 gain blocks and a mask: ~40 MB).
_BLOCK_CELLS = 1 << 22


def blockwise(programme: Programme) -> bool:
    """Whether ``check`` and ``report`` read ``programme`` without dense matrices: it has more
    than :data:`LARGE_CELLS` pairs and is :func:`scored_by_tags`."""
    cells = len(programme.left.enterprises) * len(programme.right.enterprises)
    return cells > LARGE_CELLS and scored_by_tags(programme)


class TagCells:
    """Scores and gains of a tag-scored programme at chosen pairs or by row blocks."""

    def __init__(self, programme: Programme) -> None:
        vocabulary = build_vocabulary(programme)
        left, right = programme.left.enterprises, programme.right.enterprises
        self.shares_left = need_shares(level_matrix(left, "needs", vocabulary))
        self.caps_left = level_matrix(left, "capabilities", vocabulary)
        self.shares_right = need_shares(level_matrix(right, "needs", vocabulary))
        self.caps_right = level_matrix(right, "capabilities", vocabulary)
        self.n_left, self.n_right = len(left), len(right)
        self.dtype = np.dtype(np.float32)

    def at(self, rows: np.ndarray, cols: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(score, gain_left, gain_right), float32, of the pairs ``(rows[k], cols[k])``."""
        rows = np.asarray(rows, dtype=np.intp)
        cols = np.asarray(cols, dtype=np.intp)
        gain_left = np.empty(len(rows), dtype=np.float32)
        gain_right = np.empty(len(rows), dtype=np.float32)
        for k in range(0, len(rows), _PAIRS_AT_ONCE):
            r, c = rows[k:k + _PAIRS_AT_ONCE], cols[k:k + _PAIRS_AT_ONCE]
            gain_left[k:k + len(r)] = np.einsum(
                "kt,kt->k", self.shares_left[r], self.caps_right[c], dtype=np.float64)
            gain_right[k:k + len(r)] = np.einsum(
                "kt,kt->k", self.caps_left[r], self.shares_right[c], dtype=np.float64)
        np.clip(gain_left, 0, 1, out=gain_left)
        np.clip(gain_right, 0, 1, out=gain_right)
        return np.sqrt(gain_left * gain_right), gain_left, gain_right

    def row_blocks(self) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray]]:
        """(first row, gain_left, gain_right, score) of every block of left rows, float32,
        each block a few million cells (the dense products, one row block at a time)."""
        step = max(1, _BLOCK_CELLS // max(1, self.n_right))
        for start in range(0, self.n_left, step):
            stop = min(self.n_left, start + step)
            gain_left = self.shares_left[start:stop] @ self.caps_right.T
            gain_right = self.caps_left[start:stop] @ self.shares_right.T
            np.clip(gain_left, 0, 1, out=gain_left)
            np.clip(gain_right, 0, 1, out=gain_right)
            yield start, gain_left, gain_right, np.sqrt(gain_left * gain_right)
