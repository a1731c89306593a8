"""Compiled (numba) threshold-graph matching for the max-min level search.

The graph of a level ``t`` is implicit: row ``r`` may take column ``c`` when ``block[r, c] ≥ t``
(and the cell is usable, not ``-inf``). Nothing is built per level. :func:`cover_rows` keeps a
matching between calls and only repairs it: it drops the pairs that fell below the level, then
looks for an augmenting path from each row left free. Lowering the level only adds edges, so
the matching found at a higher level is a head start; raising it only removes the dropped
pairs. A search of several levels therefore costs a few augmentations per level instead of a
matching from scratch.

Exact: when some free row has no augmenting path, no matching of the level covers every row
(the symmetric difference with a covering matching would hold an alternating path from that
row ending at a free column, i.e. an augmenting path), so the answer is ``False`` at once; when
every row gets a partner, ``True``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["cover_rows"]


@njit(cache=True)
def _acceptable(value: np.float32, level: np.float32) -> bool:
    return bool(value >= level and value != -np.inf)


@njit(cache=True)
def cover_rows(block: np.ndarray, level: np.float32, row_match: np.ndarray,
               col_match: np.ndarray) -> bool:
    """Can every row of ``block`` get its own column among cells ≥ ``level``?

    ``row_match``/``col_match`` (``int64``, −1 = free) hold a matching of ``block`` and are
    updated in place to a matching of this level (complete when the answer is ``True``).
    """
    n_rows, n_cols = block.shape
    for r in range(n_rows):  # drop the pairs below the level
        c = row_match[r]
        if c >= 0 and not _acceptable(block[r, c], level):
            row_match[r] = -1
            col_match[c] = -1
    for r in range(n_rows):  # cheap start: a free acceptable column, first listed
        if row_match[r] < 0:
            for c in range(n_cols):
                if col_match[c] < 0 and _acceptable(block[r, c], level):
                    row_match[r] = c
                    col_match[c] = r
                    break
    seen = np.full(n_cols, -1, dtype=np.int64)  # the search that last reached each column
    stack_row = np.empty(n_rows, dtype=np.int64)
    stack_pos = np.empty(n_rows, dtype=np.int64)
    stack_col = np.empty(n_rows, dtype=np.int64)
    for start in range(n_rows):
        if row_match[start] >= 0:
            continue
        depth = 0
        stack_row[0] = start
        stack_pos[0] = 0
        found = -1
        while depth >= 0 and found < 0:
            r = stack_row[depth]
            c = stack_pos[depth]
            while c < n_cols and (seen[c] == start or not _acceptable(block[r, c], level)):
                c += 1
            stack_pos[depth] = c + 1
            if c == n_cols:
                depth -= 1
                continue
            seen[c] = start
            stack_col[depth] = c
            if col_match[c] < 0:
                found = depth
            else:
                depth += 1
                stack_row[depth] = col_match[c]
                stack_pos[depth] = 0
        if found < 0:
            return False
        for k in range(found, -1, -1):  # flip the path: each row takes the column it reached
            r = stack_row[k]
            c = stack_col[k]
            row_match[r] = c
            col_match[c] = r
    return True
