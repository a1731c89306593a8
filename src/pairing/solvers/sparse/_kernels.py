"""Compiled kernels of the sparse assignment solver (numba): shortest augmenting paths over a
CSR candidate graph, greedy starts, and blockwise pricing of the pairs outside the graph.

All costs are ``int64`` (minimisation) so that every comparison is exact; the caller scales
scores to integers (see :mod:`pairing.solvers.sparse.core`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

__all__ = [
    "CHUNKS", "INF", "complete_rows", "greedy_matching", "initial_duals",
    "keep_most_negative", "price_block", "repair_duals", "shortest_augmenting_paths",
    "top_k_cols_update", "top_k_rows",
]

#: "Unreached" distance (far above any path length the callers allow).
INF = np.int64(2**62)


@njit(cache=True)
def _heap_push(keys: np.ndarray, items: np.ndarray, size: int, key: int, item: int) -> int:
    k = size
    keys[k] = key
    items[k] = item
    while k > 0:
        parent = (k - 1) >> 1
        if keys[parent] < keys[k] or (keys[parent] == keys[k] and items[parent] <= items[k]):
            break
        keys[parent], keys[k] = keys[k], keys[parent]
        items[parent], items[k] = items[k], items[parent]
        k = parent
    return size + 1


@njit(cache=True)
def _heap_pop(keys: np.ndarray, items: np.ndarray, size: int) -> tuple[int, int, int]:
    key = keys[0]
    item = items[0]
    size -= 1
    keys[0] = keys[size]
    items[0] = items[size]
    k = 0
    while True:
        left = 2 * k + 1
        if left >= size:
            break
        child = left
        right = left + 1
        if right < size and (keys[right] < keys[left]
                             or (keys[right] == keys[left] and items[right] < items[left])):
            child = right
        if keys[k] < keys[child] or (keys[k] == keys[child] and items[k] <= items[child]):
            break
        keys[child], keys[k] = keys[k], keys[child]
        items[child], items[k] = items[k], items[child]
        k = child
    return key, item, size


@njit(cache=True)
def initial_duals(
    indptr: np.ndarray, indices: np.ndarray, cost: np.ndarray, n_cols: int, square: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:  # pragma: no cover - compiled
    """Feasible starting duals and a partial matching on tight edges: ``(u, v, col4row,
    empty_row)`` (``empty_row`` ≥ 0: a row without edges).

    Square problems start with column reduction (``v_j`` = the column's cheapest edge, then
    ``u_i`` = the row's cheapest reduced cost), which spreads rows over columns; rectangular
    ones need ``v = 0`` on columns left free, so they start with ``v = 0``.
    """
    n_rows = indptr.shape[0] - 1
    u = np.zeros(n_rows, dtype=np.int64)
    v = np.zeros(n_cols, dtype=np.int64)
    col4row = np.full(n_rows, -1, dtype=np.int64)
    row4col = np.full(n_cols, -1, dtype=np.int64)
    if square:
        v[:] = INF
        for e in range(indices.shape[0]):
            if cost[e] < v[indices[e]]:
                v[indices[e]] = cost[e]
        for j in range(n_cols):
            if v[j] == INF:
                v[j] = 0
    for i in range(n_rows):
        lo, hi = indptr[i], indptr[i + 1]
        if lo == hi:
            return u, v, col4row, i
        best = cost[lo] - v[indices[lo]]
        for e in range(lo + 1, hi):
            r = cost[e] - v[indices[e]]
            if r < best:
                best = r
        u[i] = best
        for e in range(lo, hi):  # a free tight edge: take it
            j = indices[e]
            if cost[e] - v[j] == best and row4col[j] < 0:
                row4col[j] = i
                col4row[i] = j
                break
    return u, v, col4row, -1


@njit(cache=True)
def repair_duals(
    indptr: np.ndarray, indices: np.ndarray, cost: np.ndarray, u: np.ndarray, v: np.ndarray,
    col4row: np.ndarray,
) -> int:  # pragma: no cover - compiled
    """After edges were added: lower each row's ``u`` to its cheapest reduced cost where an
    edge went negative, and unmatch the row if its edge is no longer tight (in place).
    Returns how many rows were unmatched."""
    n_rows = indptr.shape[0] - 1
    freed = 0
    for i in range(n_rows):
        lo, hi = indptr[i], indptr[i + 1]
        best = u[i]
        for e in range(lo, hi):
            r = cost[e] - v[indices[e]]
            if r < best:
                best = r
        if best < u[i]:
            u[i] = best
            j = col4row[i]
            if j >= 0:
                tight = False
                for e in range(lo, hi):
                    if indices[e] == j:
                        tight = cost[e] - u[i] - v[j] == 0
                        break
                if not tight:
                    col4row[i] = -1
                    freed += 1
    return freed


@njit(cache=True)
def shortest_augmenting_paths(
    indptr: np.ndarray, indices: np.ndarray, cost: np.ndarray, n_cols: int,
    u: np.ndarray, v: np.ndarray, col4row: np.ndarray, first: int = 0,
    budget: int = 2**62,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """Complete a minimum-cost assignment of every row to a distinct column over the edges
    of a CSR graph, from feasible duals and a matching on tight edges (updated in place).

    On return ``u[i] + v[j] <= cost`` on every edge with equality on the chosen ones — with
    ``v == 0`` on unchosen columns (checked by the caller), the LP optimality certificate of
    the sparse problem. Returns ``(failed, next)``: ``failed`` is -1, or a row that no
    augmenting path reaches (the graph has no assignment; the outputs are then partial).

    Work comes in slices so that a caller can watch a clock: the free rows from ``first`` on
    are augmented until about ``budget`` edges have been scanned; ``next`` is the row to
    resume from (``n_rows`` when every row is matched). Between two slices the duals are
    feasible and the matching tight, so resuming gives the same result as one call.

    Free rows augment one at a time along a shortest path (Dijkstra on reduced costs with a
    binary heap; ties by column index, so the result is deterministic), then duals move as in
    the Jonker–Volgenant / Crouse scheme.
    """
    n_rows = indptr.shape[0] - 1
    row4col = np.full(n_cols, -1, dtype=np.int64)
    for i in range(n_rows):
        if col4row[i] >= 0:
            row4col[col4row[i]] = i
    dist = np.full(n_cols, INF, dtype=np.int64)
    path = np.full(n_cols, -1, dtype=np.int64)
    done_col = np.zeros(n_cols, dtype=np.bool_)
    touched = np.empty(n_cols, dtype=np.int64)
    rows_seen = np.empty(n_rows, dtype=np.int64)
    heap_keys = np.empty(indices.shape[0] + n_cols + 1, dtype=np.int64)
    heap_items = np.empty(indices.shape[0] + n_cols + 1, dtype=np.int64)
    work = 0
    for cur in range(first, n_rows):
        if col4row[cur] >= 0:
            continue
        if work >= budget:
            return -1, cur
        n_touched = 0
        n_seen = 0
        size = 0
        min_val = np.int64(0)
        i = cur
        sink = -1
        failed = False
        while sink < 0:
            rows_seen[n_seen] = i
            n_seen += 1
            work += indptr[i + 1] - indptr[i] + 1
            for e in range(indptr[i], indptr[i + 1]):
                j = indices[e]
                if done_col[j]:
                    continue
                r = min_val + cost[e] - u[i] - v[j]
                if r < dist[j]:
                    if dist[j] == INF:
                        touched[n_touched] = j
                        n_touched += 1
                    dist[j] = r
                    path[j] = i
                    size = _heap_push(heap_keys, heap_items, size, r, j)
            j = -1
            while size > 0:
                d, c, size = _heap_pop(heap_keys, heap_items, size)
                if not done_col[c] and d == dist[c]:
                    j = c
                    break
            if j < 0:
                failed = True
                break
            min_val = dist[j]
            done_col[j] = True
            if row4col[j] < 0:
                sink = j
            else:
                i = row4col[j]
        if failed:
            return cur, cur
        u[cur] += min_val
        for k in range(1, n_seen):
            r_ = rows_seen[k]
            u[r_] += min_val - dist[col4row[r_]]
        for k in range(n_touched):
            c = touched[k]
            if done_col[c]:
                v[c] -= min_val - dist[c]
        j = sink
        while True:
            r_ = path[j]
            row4col[j] = r_
            nxt = col4row[r_]
            col4row[r_] = j
            if r_ == cur:
                break
            j = nxt
        for k in range(n_touched):
            c = touched[k]
            dist[c] = INF
            done_col[c] = False
            path[c] = -1
    return -1, n_rows


@njit(cache=True)
def _chunk(n: int, parts: int, t: int) -> tuple[int, int]:  # pragma: no cover - compiled
    """The ``t``-th of ``parts`` contiguous ranges of ``range(n)``."""
    return t * n // parts, (t + 1) * n // parts


#: Parallel loops run over this many contiguous chunks of rows (or columns), each with its own
#: scratch arrays; every output depends only on its own row (column), so the results are the
#: same whatever the number of threads.
CHUNKS = 64


@njit(parallel=True, cache=True)
def top_k_rows(
    benefit: np.ndarray, allowed: np.ndarray, every_pair: bool, k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Each row's ``k`` best allowed columns (highest benefit, ties to the lower column):
    ``(rows, cols, theta)`` with at most ``k`` entries per row, in column order, and each
    row's ``(k+1)``-th highest allowed benefit (``-inf`` when it has at most ``k`` allowed
    cells): no pair outside the row's top ``k`` has a higher benefit. Rows in parallel; each
    keeps its ``k + 1`` best cells so far, so most cells cost one comparison."""
    n_rows, n_cols = benefit.shape
    theta = np.full(n_rows, -np.inf)
    slot_c = np.empty(n_rows * k, dtype=np.int64)
    taken_of = np.zeros(n_rows, dtype=np.int64)
    parts = min(CHUNKS, max(1, n_rows))
    for t in prange(parts):
        lo, hi = _chunk(n_rows, parts, t)
        best = np.empty((1, k + 1))
        best_col = np.empty((1, k + 1), dtype=np.int64)
        for i in range(lo, hi):
            filled = 0
            worst = 0
            for j in range(n_cols):
                if not (every_pair or allowed[i, j]):
                    continue
                x = benefit[i, j]
                if filled <= k:
                    best[0, filled] = x
                    best_col[0, filled] = j
                    filled += 1
                    if filled == k + 1:
                        worst = _worst_slot(best, best_col, 0, filled)
                elif x > best[0, worst]:  # a tie keeps the lower column, seen first
                    best[0, worst] = x
                    best_col[0, worst] = j
                    worst = _worst_slot(best, best_col, 0, filled)
            # sort the kept cells: highest benefit first, ties by column
            for a in range(1, filled):
                x, c = best[0, a], best_col[0, a]
                b = a - 1
                while b >= 0 and (best[0, b] < x or (best[0, b] == x and best_col[0, b] > c)):
                    best[0, b + 1] = best[0, b]
                    best_col[0, b + 1] = best_col[0, b]
                    b -= 1
                best[0, b + 1] = x
                best_col[0, b + 1] = c
            taken = min(filled, k)
            base = i * k
            for q in range(taken):  # the k best, in column order
                c = best_col[0, q]
                b = q - 1
                while b >= 0 and slot_c[base + b] > c:
                    slot_c[base + b + 1] = slot_c[base + b]
                    b -= 1
                slot_c[base + b + 1] = c
            taken_of[i] = taken
            if filled > k:
                theta[i] = best[0, k]
    out_r, out_c = _compact(slot_c, taken_of, k)
    return out_r, out_c, theta


@njit(cache=True)
def _compact(slots: np.ndarray, taken: np.ndarray, per_row: int
             ) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Row-major ``(rows, values)`` of the first ``taken[i]`` of each row's ``per_row`` slots."""
    n = 0
    for i in range(taken.shape[0]):
        n += taken[i]
    out_r = np.empty(n, dtype=np.int64)
    out_v = np.empty(n, dtype=slots.dtype)
    n = 0
    for i in range(taken.shape[0]):
        for q in range(taken[i]):
            out_r[n] = i
            out_v[n] = slots[i * per_row + q]
            n += 1
    return out_r, out_v


@njit(cache=True)
def greedy_matching(
    rows: np.ndarray, cols: np.ndarray, order: np.ndarray, n_rows: int, n_cols: int,
) -> np.ndarray:  # pragma: no cover - compiled
    """Greedy matching over edges taken in ``order``: ``col4row`` (-1 where unmatched)."""
    col4row = np.full(n_rows, -1, dtype=np.int64)
    used = np.zeros(n_cols, dtype=np.bool_)
    for t in order:
        i, j = rows[t], cols[t]
        if col4row[i] < 0 and not used[j]:
            col4row[i] = j
            used[j] = True
    return col4row


@njit(cache=True)
def complete_rows(
    benefit: np.ndarray, allowed: np.ndarray, every_pair: bool, col4row: np.ndarray,
    used: np.ndarray, first_row: int, value: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Give each unmatched row of a block (rows ``first_row ...``) its best free allowed
    column, if any, and record that pair's benefit in ``value`` (in place)."""
    n_rows, n_cols = benefit.shape
    for i in range(n_rows):
        g = first_row + i
        if col4row[g] >= 0:
            continue
        best = -1
        for j in range(n_cols):
            if (not used[j] and (every_pair or allowed[i, j])
                    and (best < 0 or benefit[i, j] > benefit[i, best])):
                best = j
        if best >= 0:
            col4row[g] = best
            used[best] = True
            value[g] = benefit[i, best]


@njit(cache=True)
def keep_most_negative(
    red: np.ndarray, col: np.ndarray, cst: np.ndarray, m: int, per_row: int,
    out_c: np.ndarray, out_cost: np.ndarray, base: int,
) -> int:  # pragma: no cover - compiled
    """Copy the ``per_row`` most negative of ``red[:m]`` (ties to the earlier entry) into
    ``out_c``/``out_cost`` from ``base``; returns how many were copied."""
    if m <= per_row:
        for q in range(m):
            out_c[base + q] = col[q]
            out_cost[base + q] = cst[q]
        return m
    thr = np.partition(red[:m], per_row - 1)[per_row - 1]
    taken = 0
    for q in range(m):
        if red[q] < thr:
            out_c[base + taken] = col[q]
            out_cost[base + taken] = cst[q]
            taken += 1
    for q in range(m):
        if taken >= per_row:
            break
        if red[q] == thr:
            out_c[base + taken] = col[q]
            out_cost[base + taken] = cst[q]
            taken += 1
    return taken


@njit(parallel=True, cache=True)
def price_block(
    benefit: np.ndarray, allowed: np.ndarray, every_pair: bool, row_ids: np.ndarray,
    scale: float, u: np.ndarray, v: np.ndarray, per_row: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Reduced costs of a block of rows (global indices ``row_ids``) against the duals: the
    violating pairs, rows in parallel.

    The integer cost of pair ``(i, j)`` is ``rint(-benefit * scale)``; it violates when
    ``cost - u[i] - v[j] < 0``. Returns ``(rows, cols, costs, found, row_min)`` with at most
    ``per_row`` pairs per row — its most negative ones — each row's count of violations, and each
    row's ``min_j cost - v[j]`` over its allowed cells (``INF`` when none): the row dual that
    makes every pair of the row feasible, for a bound when the search stops early.
    """
    n_rows, n_cols = benefit.shape
    slot_c = np.empty(n_rows * per_row, dtype=np.int64)
    slot_cost = np.empty(n_rows * per_row, dtype=np.int64)
    taken = np.zeros(n_rows, dtype=np.int64)
    found = np.zeros(n_rows, dtype=np.int64)
    row_min = np.full(n_rows, INF, dtype=np.int64)
    parts = min(CHUNKS, max(1, n_rows))
    for t in prange(parts):
        lo, hi = _chunk(n_rows, parts, t)
        red = np.empty(n_cols, dtype=np.int64)
        col = np.empty(n_cols, dtype=np.int64)
        cst = np.empty(n_cols, dtype=np.int64)
        for i in range(lo, hi):
            ug = u[row_ids[i]]
            m = 0
            low = INF
            for j in range(n_cols):
                if not (every_pair or allowed[i, j]):
                    continue
                c = np.int64(np.rint(-benefit[i, j] * scale))
                if c - v[j] < low:
                    low = c - v[j]
                r = c - ug - v[j]
                if r < 0:
                    red[m] = r
                    col[m] = j
                    cst[m] = c
                    m += 1
            found[i] = m
            row_min[i] = low
            taken[i] = keep_most_negative(red, col, cst, m, per_row, slot_c, slot_cost,
                                          i * per_row)
    local, out_c = _compact(slot_c, taken, per_row)
    _, out_cost = _compact(slot_cost, taken, per_row)
    return row_ids[local], out_c, out_cost, found, row_min


@njit(parallel=True, cache=True)
def top_k_cols_update(
    benefit: np.ndarray, allowed: np.ndarray, every_pair: bool, first_row: int,
    best: np.ndarray, best_row: np.ndarray, count: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Fold a block of rows into each column's running ``k`` best rows (``best``, ``best_row``:
    ``(n_cols, k)``; ``count``: filled slots). Rows arrive in order and only a strictly higher
    benefit displaces a kept one, so ties go to the lower row. Column chunks in parallel."""
    n_cols = benefit.shape[1]
    parts = min(CHUNKS, max(1, n_cols))
    for t in prange(parts):
        lo, hi = _chunk(n_cols, parts, t)
        _top_k_cols_range(benefit, allowed, every_pair, first_row, best, best_row, count,
                          lo, hi)


@njit(cache=True)
def _worst_slot(best: np.ndarray, best_row: np.ndarray, j: int, filled: int
                ) -> int:  # pragma: no cover - compiled
    """The slot of column ``j``'s lowest kept benefit (the later row among equals)."""
    w = 0
    for s in range(1, filled):
        if best[j, s] < best[j, w] or (best[j, s] == best[j, w]
                                       and best_row[j, s] > best_row[j, w]):
            w = s
    return w


@njit(cache=True)
def _top_k_cols_range(
    benefit: np.ndarray, allowed: np.ndarray, every_pair: bool, first_row: int,
    best: np.ndarray, best_row: np.ndarray, count: np.ndarray, lo: int, hi: int,
) -> None:  # pragma: no cover - compiled
    """:func:`top_k_cols_update` for the columns ``lo:hi``."""
    n_rows = benefit.shape[0]
    k = best.shape[1]
    worst = np.empty(hi - lo, dtype=np.int64)
    for j in range(lo, hi):
        worst[j - lo] = _worst_slot(best, best_row, j, count[j])
    for i in range(n_rows):
        for j in range(lo, hi):
            if not (every_pair or allowed[i, j]):
                continue
            x = benefit[i, j]
            if count[j] < k:
                best[j, count[j]] = x
                best_row[j, count[j]] = first_row + i
                count[j] += 1
                if count[j] == k:
                    worst[j - lo] = _worst_slot(best, best_row, j, k)
            elif x > best[j, worst[j - lo]]:
                best[j, worst[j - lo]] = x
                best_row[j, worst[j - lo]] = first_row + i
                worst[j - lo] = _worst_slot(best, best_row, j, k)
