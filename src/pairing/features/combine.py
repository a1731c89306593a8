"""Compiled loops of the score sources (numba): the text products of distinct texts
(:func:`text_rows`), and the score sources folded into the score and the gains in one pass per
row (:func:`combine_rows`).

:func:`pairing.features.scoring.score_matrix` builds three (n_left, n_right) matrices. Done with
NumPy, each step of the weighted mean (blend the gains, add the text term, the stated interest,
each extra matrix, divide, clip) is a pass over them, with temporaries as large as a block, and
the text products are first gathered from the grid of distinct texts into blocks of their own.
At 10,000 × 10,000 those passes cost as much as the tag products. Here each left row is read
and written once, while it is in cache: the text products are read straight from the distinct
texts' products, the stated interest from its CSR rows, each extra matrix as it is.

The arithmetic is the NumPy steps' own, cell by cell and in the same order, in the same types
(``float32`` gains; the score in its own type; an extra matrix added in ``float64`` and rounded
to the score's type, as NumPy's mixed-type in-place add does), so the matrices are bit for bit
those of the step-by-step formula (a test pins this). The loops are serial: on a shared
2-core machine the BLAS threads of the tag products and numba's would compete.

numba is imported here only when a programme has score sources: the tag terms alone never load
it.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["combine_rows", "text_rows"]


@njit(cache=True)
def combine_rows(
    score: np.ndarray,
    gain_left: np.ndarray,
    gain_right: np.ndarray,
    start: int,
    base_share: float,
    text: tuple[np.ndarray, ...],
    text_weight: float,
    text_share: float,
    interest: tuple[np.ndarray, ...],
    interest_weight: float,
    interest_share: float,
    sources: tuple[np.ndarray, ...],
    source_weights: np.ndarray,
    total_weight: float,
) -> None:
    """Finish rows ``start …`` of ``score`` and the gains, in place (as many rows as the text
    products' row indices have; every row to the end when there is no text term).

    Parameters
    ----------
    score
        The weighted sum of the base terms (the mutual or organisers' term and the sector,
        region and size terms).
    gain_left, gain_right
        The base gains (``float32``), multiplied by ``base_share`` unless it is 1, then the
        other gain terms are added.
    text
        ``(grid_left, rows_left, cols_left, grid_right, rows_right, cols_right)``:
        ``t_left[start + k, j] = grid_left[rows_left[k], cols_left[j]]``, likewise ``t_right``;
        empty ``rows_left`` for no text term.
    interest
        ``(indptr, indices, data)`` of the left then the right direction (CSR, ``float32``);
        empty ``indptr`` for no stated interest.
    sources, source_weights
        The extra matrices (``float64``, NaN = 0) and their weights.
    total_weight
        The sum of the present terms' weights, the divisor of the weighted mean.
    """
    kind, f32 = score.dtype.type, np.float32
    grid_l, rows_l, cols_l, grid_r, rows_r, cols_r = text
    ptr_l, idx_l, val_l, ptr_r, idx_r, val_r = interest
    has_text = rows_l.shape[0] > 0
    stop = start + rows_l.shape[0] if has_text else score.shape[0]
    share0 = np.float32(base_share)
    w_text, s_text = kind(text_weight), np.float32(text_share)
    w_pref, s_pref = kind(interest_weight), np.float32(interest_share)
    total = kind(total_weight)
    # each row is read and written while it is in cache, one simple loop per step (a loop with
    # a branch inside, or with the gather, would not vectorise)
    t_l, t_r = np.empty(score.shape[1], np.float32), np.empty(score.shape[1], np.float32)
    has_interest = ptr_l.shape[0] > 0
    for i in range(start, stop):
        s_row, gl_row, gr_row = score[i], gain_left[i], gain_right[i]
        width = s_row.shape[0]
        if base_share != 1:
            for j in range(width):
                gl_row[j], gr_row[j] = gl_row[j] * share0, gr_row[j] * share0
        if has_text:
            grid_row_l, grid_row_r = grid_l[rows_l[i - start]], grid_r[rows_r[i - start]]
            for j in range(width):
                t_l[j], t_r[j] = grid_row_l[cols_l[j]], grid_row_r[cols_r[j]]
            for j in range(width):
                gl_row[j] = gl_row[j] + s_text * t_l[j]
                gr_row[j] = gr_row[j] + s_text * t_r[j]
                s_row[j] = s_row[j] + w_text * kind(np.sqrt(t_l[j] * t_r[j]))
        if has_interest:
            _add_row(s_row, gl_row, ptr_l[i], ptr_l[i + 1], idx_l, val_l, w_pref, s_pref)
            _add_row(s_row, gr_row, ptr_r[i], ptr_r[i + 1], idx_r, val_r, w_pref, s_pref)
        for m in range(source_weights.shape[0]):
            source_row, weight = sources[m][i], source_weights[m]
            for j in range(width):
                cell = source_row[j]
                s_row[j] = kind(np.float64(s_row[j]) + (cell if cell > 0 else 0.0) * weight)
        for j in range(width):
            s_row[j] = _unit(s_row[j] / total, kind(0), kind(1))
            gl_row[j] = _unit(gl_row[j], f32(0), f32(1))
            gr_row[j] = _unit(gr_row[j], f32(0), f32(1))


@njit(inline="always")
def _unit(value: np.floating, zero: np.floating, one: np.floating) -> np.floating:
    """``np.clip(value, 0, 1)`` (NaN stays NaN), with 0 and 1 in ``value``'s type."""
    return zero if value < zero else (one if value > one else value)


@njit(inline="always")
def _add_row(
    score_row: np.ndarray,
    gain_row: np.ndarray,
    begin: int,
    end: int,
    indices: np.ndarray,
    values: np.ndarray,
    weight: np.floating,
    share: np.float32,
) -> None:
    """One CSR row of a stated-interest direction: ``score += weight · value`` and
    ``gain += share · value`` at its stored cells."""
    kind = score_row.dtype.type
    for k in range(begin, end):
        j = indices[k]
        score_row[j] = score_row[j] + weight * kind(values[k])
        gain_row[j] = gain_row[j] + share * values[k]


@njit(cache=True)
def text_rows(
    rows: np.ndarray,
    dense: tuple[np.ndarray, np.ndarray, np.ndarray],
    columns: np.ndarray,
    tail: tuple[np.ndarray, np.ndarray, np.ndarray],
    tail_columns: tuple[np.ndarray, np.ndarray, np.ndarray],
    out: np.ndarray,
) -> None:
    """``out[k] = clip(a[rows[k]] · b, 0, 1)`` over every column text b: the text products of
    the distinct texts ``rows`` (:class:`pairing.features.text._Product`).

    ``a``'s n-grams are split in two, each a CSR matrix ``(indptr, indices, data)``: ``dense``,
    whose n-grams go through ``columns`` (n-grams × column texts, dense), one contiguous
    multiply-add per stored entry of ``a`` (the zeros of ``a`` cost nothing, unlike a dense
    matrix product); and ``tail``, whose n-grams go through ``tail_columns`` (CSR, n-grams ×
    column texts), added where they fall. Each cell is summed in a fixed order whatever the
    other rows, so equal texts give equal products.
    """
    ptr, idx, val = dense
    tail_ptr, tail_idx, tail_val = tail
    col_ptr, col_idx, col_val = tail_columns
    for k in range(rows.shape[0]):
        row, r = out[k], rows[k]
        row[:] = 0
        e, end = ptr[r], ptr[r + 1]
        while e + 4 <= end:  # four n-grams per pass over the row: a quarter of its loads
            w0, w1, w2, w3 = val[e], val[e + 1], val[e + 2], val[e + 3]
            g0, g1 = columns[idx[e]], columns[idx[e + 1]]
            g2, g3 = columns[idx[e + 2]], columns[idx[e + 3]]
            for j in range(row.shape[0]):
                row[j] += (w0 * g0[j] + w1 * g1[j]) + (w2 * g2[j] + w3 * g3[j])
            e += 4
        for rest in range(e, end):
            weight, ngram = val[rest], columns[idx[rest]]
            for j in range(row.shape[0]):
                row[j] += weight * ngram[j]
        for e in range(tail_ptr[r], tail_ptr[r + 1]):
            weight, n = tail_val[e], tail_idx[e]
            for f in range(col_ptr[n], col_ptr[n + 1]):
                row[col_idx[f]] += weight * col_val[f]
        for j in range(row.shape[0]):
            row[j] = _unit(row[j], np.float32(0), np.float32(1))
