"""Compiled (numba) threshold-graph matching for the max-min level search.

The graph of a level ``t``: row ``r`` may take column ``c`` when ``block[r, c] ≥ t`` (and the
cell is usable, not ``-inf``). :func:`cover_rows` reads it from the matrix in two compiled
passes (no mask, ``nonzero`` or sparse matrix per level) and keeps the *matching* between
calls, only repairing it: it drops the pairs that fell below the level, then looks for an
augmenting path from each row left free (depth-first with lookahead). Lowering the level only
adds edges, so the matching found at a higher level is a head start; raising it only loses the
dropped pairs. A search of several levels therefore costs a few augmentations per level
instead of a matching from scratch.

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
def _graph(block: np.ndarray, level: np.float32) -> tuple[np.ndarray, np.ndarray]:
    """The level's acceptable cells, row by row (CSR ``indptr``, ``indices``): two passes over
    the block, so that a search visits a row's few acceptable columns, not all of them."""
    n_rows, n_cols = block.shape
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    for r in range(n_rows):
        count = 0
        for c in range(n_cols):
            if _acceptable(block[r, c], level):
                count += 1
        indptr[r + 1] = indptr[r] + count
    indices = np.empty(indptr[n_rows], dtype=np.int64)
    for r in range(n_rows):
        k = indptr[r]
        for c in range(n_cols):
            if _acceptable(block[r, c], level):
                indices[k] = c
                k += 1
    return indptr, indices


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
    indptr, indices = _graph(block, level)
    for r in range(n_rows):
        if indptr[r] == indptr[r + 1]:
            return False  # a row with no acceptable column
    # Depth-first search with lookahead (MC21): each row reached first looks for a free
    # acceptable column from where it last looked (a matched column stays matched within a
    # call, so that pointer only moves on), and only then goes down through matched columns
    # not yet reached by this search.
    look = indptr[:n_rows].copy()
    seen = np.full(n_cols, -1, dtype=np.int64)  # the search that last reached each column
    stack_row = np.empty(n_rows, dtype=np.int64)
    stack_pos = np.empty(n_rows, dtype=np.int64)
    stack_col = np.empty(n_rows, dtype=np.int64)
    for start in range(n_rows):
        if row_match[start] >= 0:
            continue
        depth = 0
        stack_row[0] = start
        stack_pos[0] = -1  # -1: the lookahead has not run for this row yet
        found = -1
        while depth >= 0 and found < 0:
            r = stack_row[depth]
            end = indptr[r + 1]
            if stack_pos[depth] < 0:
                k = look[r]
                while k < end and col_match[indices[k]] >= 0:
                    k += 1
                look[r] = k
                stack_pos[depth] = indptr[r]
                if k < end:
                    c = indices[k]
                    seen[c] = start
                    stack_col[depth] = c
                    found = depth
                    continue
            k = stack_pos[depth]
            while k < end and seen[indices[k]] == start:
                k += 1
            stack_pos[depth] = k + 1
            if k == end:
                depth -= 1
                continue
            c = indices[k]
            seen[c] = start
            stack_col[depth] = c
            depth += 1  # c is matched (the lookahead found no free column for r)
            stack_row[depth] = col_match[c]
            stack_pos[depth] = -1
        if found < 0:
            return False
        for k in range(found, -1, -1):  # flip the path: each row takes the column it reached
            r = stack_row[k]
            c = stack_col[k]
            row_match[r] = c
            col_match[c] = r
    return True
