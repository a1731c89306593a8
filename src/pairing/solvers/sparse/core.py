"""Sparse candidate graph, exact sparse assignment with duals, and pricing of every other pair.

The problem: rows ``0..n_rows-1`` and columns ``0..n_cols-1`` of a benefit matrix with a mask
of allowed pairs; maximise the total benefit of a matching that uses allowed pairs only, where

* ``saturate``: every row gets exactly one column (``n_rows <= n_cols``), columns at most one
  row — the linear-assignment convention;
* ``optional``: every row and column at most one partner (nobody needs one).

The matrix is read in *row blocks* (a :class:`RowBlocks` source), never whole, so the same code
serves a dense matrix in memory and scores built block by block.

1. **Candidates**: each row's :data:`TOP_K` best allowed columns and each column's ``TOP_K``
   best rows (one pass over the blocks), plus a greedy matching over them, completed (in
   ``saturate``) by each still unmatched row's best free column — so the candidate graph holds
   a full matching whenever the greedy finds one. A row the greedy cannot place gets an
   *artificial* column of cost ``M`` (more than any matching's total): using it at the end
   proves the full problem infeasible. In ``optional`` every row has a private zero-benefit
   "alone" column.
2. **Exact sparse solve**: integer costs ``rint(-benefit · scale)`` (``scale`` a power of two
   chosen so no sum can overflow ``int64``, at most 2³²; :func:`pairing.solvers.scaling.
   to_int_scores`), shortest augmenting paths over the CSR graph (compiled), which return
   optimal duals ``u`` (rows) and ``v`` (columns) of the *sparse* problem.
3. **Pricing**: every pair outside the graph is priced blockwise: reduced cost
   ``cost − u_i − v_j``. Negative ones (at most :data:`ADD_PER_ROW` per row per round, the
   most negative first) join the graph and step 2 runs again. A row is not even scored when a
   bound rules it out: a pair outside the graph lies outside its row's top k and its column's
   top k, so it costs at least ``θ_i`` and ``θ'_j`` (from the ``(k+1)``-th best benefit of
   the row and of the column, kept from the candidate pass); the row can hold a negative
   reduced cost only if ``min_j max(θ_i − v_j, θ'_j − v_j) < u_i`` (:func:`_rows_to_price`,
   one sort of the columns per round). A row whose last whole pricing added every violation
   is priced only on the columns whose dual rose more than its own fell since then
   (:class:`_References`). When none is left the duals are
   feasible for the *whole* matrix, so the sparse optimum is the dense optimum (LP duality:
   the assignment polytope is integral).
4. **Stopping early** (``stop``, asked after every block of every pass and every slice of
   :data:`SLICE_EDGES` edges of a sparse solve): the search returns the best complete
   matching it holds — the last sparse optimum, else the greedy matching (completed, when
   the stop came before the completion was done, by :func:`_fill`). Each pricing pass also
   yields an upper bound — every row's dual lowered to cover each pair it priced (a crude
   bound where it was not reached) makes the duals feasible for the whole matrix, and weak
   duality bounds every matching by their sum; before a pricing pass no bound is claimed.

The duals, converted to score units, are returned for an independent check
(:func:`pairing.solvers.sparse.certificate.certify`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from pairing.solvers.scaling import to_int_scores
from pairing.solvers.sparse import _kernels as kern

__all__ = [
    "ADD_PER_ROW",
    "BLOCK_CELLS",
    "TOP_K",
    "DenseRows",
    "Priced",
    "RowBlocks",
    "SparseSolution",
    "integer_scale",
    "solve_sparse",
]

#: Candidates per enterprise (each row's and each column's best allowed partners). 16, with 16
#: additions per row and round, measured fastest of (k, additions) in {16, 24, 32, 48} × {8, 16,
#: 32} at 3,000 per side on double-hundred and uniform matrices (0.6–0.8 s, 5–7 rounds; the
#: first sparse solve is cold, later ones are warm-started from the last duals).
TOP_K = 16
#: Pairs a row may add to the graph in one pricing round (its most negative reduced costs).
ADD_PER_ROW = 16
#: Cells per row block when pricing or collecting candidates (bounds temporary memory).
BLOCK_CELLS = 4_000_000
#: Largest integer scale (score units → integer cost units).
MAX_SCALE_BITS = 32

#: A block of rows: (first row, benefit ``float64`` C-contiguous, allowed ``bool`` or None
#: when every pair of the block is allowed).
Block = tuple[int, np.ndarray, "np.ndarray | None"]


class RowBlocks:
    """Where the matrix comes from: ``n_rows``, ``n_cols`` and row blocks on demand."""

    n_rows: int
    n_cols: int

    def blocks(self) -> Iterator[Block]:
        raise NotImplementedError

    def blocks_of(self, rows: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray,
                                                            np.ndarray | None]]:
        """Blocks of the given rows only (sorted indices): ``(row indices, benefit, mask)``.
        This default reads every block and keeps the rows asked for."""
        for start, block, mask in self.blocks():
            stop = start + block.shape[0]
            lo, hi = np.searchsorted(rows, [start, stop])
            if hi > lo:
                local = rows[lo:hi] - start
                yield (rows[lo:hi], np.ascontiguousarray(block[local]),
                       None if mask is None else np.ascontiguousarray(mask[local]))

    def cells(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(benefit ``float64``, allowed ``bool``) of the pairs ``(rows[k], cols[k])``. This
        default reads the rows' blocks (:meth:`blocks_of`); a source that can score single
        cells cheaply overrides it."""
        rows = np.asarray(rows, dtype=np.intp)
        cols = np.asarray(cols, dtype=np.intp)
        benefit = np.zeros(len(rows))
        allowed = np.zeros(len(rows), dtype=bool)
        for row_ids, block, mask in self.blocks_of(np.unique(rows)):
            at = np.minimum(np.searchsorted(row_ids, rows), len(row_ids) - 1)
            here = row_ids[at] == rows
            r, c = at[here], cols[here]
            benefit[here] = block[r, c]
            allowed[here] = True if mask is None else mask[r, c]
        return benefit, allowed

    def priced(
        self, rows: np.ndarray, scale: float, u: np.ndarray, v: np.ndarray, per_row: int,
    ) -> Iterator[Priced]:
        """Price the given rows (sorted) against integer duals ``u``, ``v``, a block at a
        time (see :class:`Priced` and :func:`~pairing.solvers.sparse._kernels.price_block`,
        which defines what every source must return). This default scores each block of
        :meth:`blocks_of` first; a source that can fuse scoring and pricing overrides it."""
        for row_ids, block, mask in self.blocks_of(rows):
            m, every = _mask(mask)
            r, c, cost, found, row_min = kern.price_block(block, m, every, row_ids, scale, u,
                                                          v, per_row)
            yield Priced(row_ids, r, c, cost, found, row_min, block.size)

    def priced_columns(
        self, rows: np.ndarray, order: np.ndarray, lengths: np.ndarray, scale: float,
        u: np.ndarray, v: np.ndarray, per_row: int,
    ) -> Iterator[Priced]:
        """As :meth:`priced`, but row ``rows[r]`` needs only the columns ``order[:lengths[r]]``
        (pricing more is never wrong). This default prices whole rows; a source that can
        score single cells cheaply overrides it."""
        yield from self.priced(rows, scale, u, v, per_row)


@dataclass(frozen=True)
class Priced:
    """One priced block: its rows (``row_ids``); the pairs to add (``rows``, ``cols``,
    integer ``costs``; at most ``per_row`` per row, its most negative reduced costs);
    ``row_found``, each row's count of negative reduced costs; ``row_min``, each row's
    ``min_j cost − v_j`` over its priced allowed cells (``INF`` when none); ``cells``, the
    pairs priced."""

    row_ids: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    costs: np.ndarray
    row_found: np.ndarray
    row_min: np.ndarray
    cells: int

    @property
    def found(self) -> int:
        return int(self.row_found.sum())


class DenseRows(RowBlocks):
    """Row blocks of matrices already in memory (``benefit`` and optional ``allowed``)."""

    def __init__(self, benefit: np.ndarray, allowed: np.ndarray | None = None,
                 block_cells: int = BLOCK_CELLS) -> None:
        self.benefit = benefit
        self.allowed = None if allowed is None or allowed.all() else allowed
        self.n_rows, self.n_cols = benefit.shape
        self.step = max(1, block_cells // max(1, self.n_cols))

    def blocks(self) -> Iterator[Block]:
        for start in range(0, self.n_rows, self.step):
            stop = min(self.n_rows, start + self.step)
            block = np.ascontiguousarray(self.benefit[start:stop], dtype=np.float64)
            mask = None if self.allowed is None else np.ascontiguousarray(
                self.allowed[start:stop])
            yield start, block, mask

    def cells(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        benefit = self.benefit[rows, cols].astype(np.float64)
        allowed = (np.ones(len(benefit), dtype=bool) if self.allowed is None
                   else self.allowed[rows, cols])
        return benefit, allowed

    def blocks_of(self, rows: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray,
                                                            np.ndarray | None]]:
        for k in range(0, len(rows), self.step):
            idx = rows[k:k + self.step]
            block = np.ascontiguousarray(self.benefit[idx], dtype=np.float64)
            mask = None if self.allowed is None else np.ascontiguousarray(self.allowed[idx])
            yield idx, block, mask


_NO_MASK = np.ones((1, 1), dtype=bool)


def _mask(mask: np.ndarray | None) -> tuple[np.ndarray, bool]:
    return (_NO_MASK, True) if mask is None else (mask, False)


@dataclass(frozen=True)
class SparseSolution:
    """The optimum and its certificate.

    ``rows``/``cols``: chosen pairs (no alone or artificial columns); ``row_dual``,
    ``col_dual``: duals in score units for the maximisation (``row_dual[i] + col_dual[j] >=
    benefit[i, j]`` on every allowed pair, up to ``0.5 / scale``); ``rounds``: sparse solves;
    ``priced``: pairs whose reduced cost was computed; ``added``: pairs pricing added;
    ``edges``: final graph size; ``infeasible``: an artificial column is used.
    """

    rows: np.ndarray
    cols: np.ndarray
    row_dual: np.ndarray
    col_dual: np.ndarray
    rounds: int
    priced: int
    added: int
    edges: int
    scale: float
    infeasible: bool
    #: every row and column is matched (square ``saturate``): column duals may be negative
    square: bool = False
    #: the matching's total benefit, from its integer costs (within ``0.5 · len(rows) / scale``)
    total: float = 0.0
    #: row passes pricing skipped because a bound ruled out a negative reduced cost in the row
    rows_skipped: int = 0
    #: row passes that priced only the columns whose dual rose since the row's reference
    rows_in_part: int = 0
    #: ``stop`` asked to end before pricing found nothing: the matching is the last sparse
    #: optimum (feasible, not proven optimal)
    stopped: bool = False
    #: an upper bound on the best total over the whole matrix, proven by the duals the pricing
    #: passes made feasible row by row (the matching's total, up to rounding, when not stopped)
    bound: float = np.inf
    #: where ``stop`` ended the search: ``candidates`` (the candidate pass), ``completion``
    #: (placing the rows the greedy left), ``solve`` (a sparse solve), ``pricing``, or ``""``
    cut: str = ""


def integer_scale(n_rows: int, max_abs: float) -> float:
    """The largest power of two (≤ 2³²) at which path lengths stay far inside ``int64``
    even with artificial columns: ``(n+1)² · max(1, max|benefit|) · scale ≤ 2⁵⁹``."""
    room = 2.0**59 / ((n_rows + 1.0) ** 2 * max(max_abs, 1.0))
    bits = max(0, min(MAX_SCALE_BITS, int(np.floor(np.log2(room)))))
    return float(2.0**bits)


def _candidates(
    source: RowBlocks, k: int, stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray, np.ndarray, bool]:
    """Each row's and column's top ``k`` allowed partners: (rows, cols, benefit, max|b|,
    theta, theta_col, complete): ``theta[i]`` bounds row ``i``'s benefit outside its top
    ``k``, ``theta_col[j]`` column ``j``'s outside its top ``k`` (``-inf``: nothing outside).

    ``stop`` is asked after each block; when it answers true the pass ends there and
    ``complete`` is false: the pairs returned are then allowed pairs of the rows read so far,
    and ``theta`` bounds nothing."""
    n_cols = source.n_cols
    k_col = max(1, min(k, source.n_rows))
    best = np.full((n_cols, k_col + 1), -np.inf)  # one more: the column's bound theta'
    best_row = np.full((n_cols, k_col + 1), -1, dtype=np.int64)
    count = np.zeros(n_cols, dtype=np.int64)
    rows, cols, vals, thetas = [], [], [], []
    max_abs = 0.0
    complete = True
    for start, block, mask in source.blocks():
        m, every = _mask(mask)
        r, c, theta = kern.top_k_rows(block, m, every, k)
        thetas.append(theta)
        rows.append(r + start)
        cols.append(c)
        vals.append(block[r, c])
        kern.top_k_cols_update(block, m, every, start, best, best_row, count)
        if block.size:
            max_abs = max(max_abs, float(np.abs(block).max()))
        if stop is not None and stop():
            complete = False
            break
    # each column's k best of its k+1 kept (ties to the lower row); the (k+1)-th bounds the rest
    order = np.lexsort((best_row, -best), axis=1) if n_cols else np.empty((0, k_col + 1), int)
    best = np.take_along_axis(best, order, axis=1)
    best_row = np.take_along_axis(best_row, order, axis=1)
    theta_col = np.where(best_row[:, k_col] >= 0, best[:, k_col], -np.inf)
    best, best_row = best[:, :k_col], best_row[:, :k_col]
    keep = best_row >= 0
    col_idx = np.broadcast_to(np.arange(n_cols)[:, None], best.shape)
    rows.append(best_row[keep])
    cols.append(col_idx[keep])
    vals.append(best[keep])
    if not thetas:
        thetas.append(np.empty(0))
    theta = np.concatenate(thetas)
    if len(theta) < source.n_rows:  # a stopped pass: rows never read bound nothing
        theta = np.concatenate([theta, np.full(source.n_rows - len(theta), np.inf)])
    return (np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), max_abs,
            theta, theta_col, complete)


def _bound_cost(theta: np.ndarray, scale: float) -> np.ndarray:
    """``-rint(theta · scale)``, and a huge cost where ``theta`` is ``-inf`` (no pair)."""
    finite = np.isfinite(theta)
    cost = -to_int_scores(np.where(finite, theta, 0.0), int(scale))
    return np.where(finite, cost, kern.INF)


def _rows_to_price(
    row_bound: np.ndarray, col_bound: np.ndarray, u: np.ndarray, v: np.ndarray,
) -> np.ndarray:
    """Rows that may hold a pair outside the graph with a negative reduced cost.

    Such a pair ``(i, j)`` costs at least ``row_bound[i]`` and ``col_bound[j]``, so its reduced
    cost is at least ``max(row_bound[i], col_bound[j]) − u_i − v_j``; row ``i`` is ruled out
    when ``F(row_bound[i]) >= u_i`` with ``F(x) = min_j max(x − v_j, col_bound[j] − v_j)`` =
    ``min(x − max{v_j : col_bound[j] <= x}, min{col_bound[j] − v_j : col_bound[j] > x})``,
    evaluated for every row with one sort of the columns (exact ``int64`` arithmetic).
    """
    order = np.argsort(col_bound, kind="stable")
    bound_sorted = col_bound[order]
    v_sorted = v[order]
    prefix_max_v = np.maximum.accumulate(v_sorted) if len(v) else v_sorted
    rest = bound_sorted - v_sorted
    suffix_min = np.minimum.accumulate(rest[::-1])[::-1] if len(v) else rest
    at = np.searchsorted(bound_sorted, row_bound, side="right")  # columns [0, at) are <= x
    inf = kern.INF
    low = np.where(at > 0, row_bound - prefix_max_v[np.maximum(at - 1, 0)], inf)
    low = np.where(row_bound >= inf, inf, low)
    high = np.where(at < len(v), suffix_min[np.minimum(at, max(len(v) - 1, 0))], inf)
    return np.flatnonzero(np.minimum(low, high) < u)


def _unique_edges(
    rows: np.ndarray, cols: np.ndarray, cost: np.ndarray, n_cols_total: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges sorted by (row, col), duplicates dropped."""
    key = rows.astype(np.int64) * n_cols_total + cols
    _, first = np.unique(key, return_index=True)
    return rows[first], cols[first], cost[first]


#: Edges the augmenting-path kernel scans between two looks at ``stop`` (tens of
#: milliseconds of work).
SLICE_EDGES = 4_000_000


def _solve_graph(
    indptr: np.ndarray, cols: np.ndarray, cost: np.ndarray, total_cols: int, square: bool,
    warm: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    stop: Callable[[], bool] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Optimal (col4row, u, v) of the graph, warm-started from the last round's when given.

    A warm start lowers the duals of rows that new edges undercut and frees those rows; in a
    rectangular problem that can leave a freed column with ``v < 0``, which breaks the
    certificate (free columns need ``v = 0``) — then the graph is solved again from scratch.

    The augmenting paths run in slices of :data:`SLICE_EDGES` scanned edges; ``stop`` is asked
    after each, and ``None`` is returned when it answers true (the matching is then partial).
    """
    for attempt in ("warm", "cold"):
        if attempt == "warm":
            if warm is None:
                continue
            u, v, col4row = (x.copy() for x in warm)
            kern.repair_duals(indptr, cols, cost, u, v, col4row)
        else:
            u, v, col4row, empty = kern.initial_duals(indptr, cols, cost, total_cols, square)
            if empty >= 0:  # cannot happen: every row has candidates or an extra column
                msg = f"sparse graph has a row without edges ({empty})"
                raise RuntimeError(msg)
        failed, first = -1, 0
        while first < len(col4row):
            failed, first = kern.shortest_augmenting_paths(indptr, cols, cost, total_cols, u,
                                                           v, col4row, first, SLICE_EDGES)
            if failed >= 0:
                break
            if first < len(col4row) and stop is not None and stop():
                return None
        if failed >= 0:  # cannot happen: the graph holds a full matching or extra columns
            msg = f"sparse graph has no assignment (row {failed})"
            raise RuntimeError(msg)
        free = np.ones(total_cols, dtype=bool)
        free[col4row] = False
        if square or not v[free].any():
            return col4row, u, v
    msg = "sparse assignment: a cold solve left a free column with a nonzero dual"
    raise RuntimeError(msg)


#: A row is priced in part when at most this share of the columns may have gone negative.
PART_SHARE = 0.25


class _References:
    """What each row's last whole pricing proved, to price later rounds in part.

    When row ``i`` was priced whole at round ``p`` against duals ``(u, v)`` and every negative
    reduced cost joined the graph, each pair of the row outside the graph had ``cost − u_i −
    v_j >= 0`` then. With today's duals its reduced cost is at least ``−Δu_i − Δv_j`` (the
    changes since round ``p``), so it can be negative only where ``Δv_j > −Δu_i``: those
    columns alone need pricing. A row without a reference (never priced whole, or more
    violations than joined) is priced whole.
    """

    def __init__(self, n_rows: int) -> None:
        self.round = np.full(n_rows, -1, dtype=np.int64)
        self.u = np.zeros(n_rows, dtype=np.int64)
        self.v: dict[int, np.ndarray] = {}  # the column duals of each round still referred to

    def renew(self, rows: np.ndarray, at: int, u: np.ndarray, v: np.ndarray) -> None:
        """``rows`` have no negative reduced cost outside the graph at round ``at``."""
        if len(rows):
            self.v.setdefault(at, v.copy())
            self.round[rows] = at
            self.u[rows] = u[rows]

    def priced_whole(self, rows: np.ndarray, complete: np.ndarray, at: int, u: np.ndarray,
                     v: np.ndarray) -> None:
        """``rows`` were priced whole at round ``at``; ``complete``: all their violations
        joined the graph (the others lose their reference)."""
        self.renew(rows[complete], at, u, v)
        self.round[rows[~complete]] = -1

    def plan(self, may: np.ndarray, u: np.ndarray, v: np.ndarray
             ) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]]]:
        """(rows to price whole, [(rows, columns by falling Δv, how many each row needs)])."""
        for old in set(self.v) - set(self.round[self.round >= 0].tolist()):
            del self.v[old]
        whole = [may[self.round[may] < 0]]
        groups = []
        n_cols = len(v)
        for at in sorted(set(self.round[may].tolist()) - {-1}):
            rows = may[self.round[may] == at]
            rise = v - self.v[at]
            order = np.argsort(-rise, kind="stable")
            # columns with rise_j > -Δu_i: the first `lengths` of `order`
            lengths = np.searchsorted(-rise[order], u[rows] - self.u[rows], side="left")
            small = lengths <= PART_SHARE * n_cols
            whole.append(rows[~small])
            if small.any():
                groups.append((rows[small], order, lengths[small].astype(np.int64)))
        return np.sort(np.concatenate(whole)), groups


def solve_sparse(
    source: RowBlocks,
    mode: str = "saturate",
    k: int = TOP_K,
    add_per_row: int = ADD_PER_ROW,
    progress: Callable[[str], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> SparseSolution:
    """Maximise the total benefit over ``source`` (see the module docstring).

    ``stop`` is asked between blocks of every pass (the candidate pass, the completion of the
    greedy matching, pricing) and between slices of each sparse solve; when it answers true the
    search ends with the best complete matching it holds — the last sparse optimum, else the
    greedy matching completed cheaply (:func:`_fill`) — ``stopped`` set, ``cut`` naming the
    phase, and ``bound`` the best upper bound proven so far (``inf`` before a pricing pass).
    """
    n_rows, n_cols = source.n_rows, source.n_cols
    if mode not in ("saturate", "optional"):
        msg = f"unknown mode {mode!r}"
        raise ValueError(msg)
    if mode == "saturate" and n_rows > n_cols:
        msg = "saturate needs n_rows <= n_cols (transpose the matrix)"
        raise ValueError(msg)
    k = max(1, min(k, n_cols))
    cut = ""
    rows, cols, vals, max_abs, theta, theta_col, complete = _candidates(source, k, stop)
    if not complete:
        cut = "candidates"
    scale = integer_scale(n_rows, max_abs)
    cost = -to_int_scores(vals, int(scale))
    # the cheapest cost a pair outside a row's (a column's) top k can have: rint is monotone
    theta_cost = _bound_cost(theta, scale)
    theta_col_cost = _bound_cost(theta_col, scale)

    # greedy over the candidates, best first (stable: ties keep candidate order)
    order = np.argsort(cost, kind="stable")
    col4row = kern.greedy_matching(rows, cols, order, n_rows, n_cols)
    if mode == "saturate" and (col4row < 0).any():
        unplaced = col4row < 0
        used = np.zeros(n_cols, dtype=bool)
        used[col4row[~unplaced]] = True
        value = np.zeros(n_rows)
        if not cut and not _complete_rows(source, np.flatnonzero(unplaced), col4row, used,
                                          value, stop):
            cut = "completion"
        if cut:  # out of time: any free allowed column, a few cells per row
            _fill(source, col4row, used, value)
        extra_r = np.flatnonzero(unplaced & (col4row >= 0))
        extra_c = col4row[extra_r]
        extra_cost = -to_int_scores(value[extra_r], int(scale))
        rows = np.concatenate([rows, extra_r])
        cols = np.concatenate([cols, extra_c])
        cost = np.concatenate([cost, extra_cost])

    # alone (optional) or artificial (saturate, rows the greedy could not place) columns
    total_cols = n_cols
    if mode == "optional":
        rows = np.concatenate([rows, np.arange(n_rows)])
        cols = np.concatenate([cols, n_cols + np.arange(n_rows)])
        cost = np.concatenate([cost, np.zeros(n_rows, dtype=np.int64)])
        total_cols = n_cols + n_rows
    artificial = np.flatnonzero(col4row < 0) if mode == "saturate" else np.empty(0, np.int64)
    if len(artificial):
        big = np.int64((n_rows + 1) * (2 * int(np.ceil(max_abs * scale)) + 1) + 1)
        rows = np.concatenate([rows, artificial])
        cols = np.concatenate([cols, n_cols + np.arange(len(artificial))])
        cost = np.concatenate([cost, np.full(len(artificial), big, dtype=np.int64)])
        total_cols = n_cols + len(artificial)

    rows, cols, cost = _unique_edges(rows, cols, cost, total_cols)
    if mode == "optional":
        alone = np.flatnonzero(col4row < 0)
        col4row[alone] = n_cols + alone
    elif len(artificial):
        col4row[artificial] = n_cols + np.arange(len(artificial))
    # the best complete matching so far and its duals (none before a sparse solve)
    incumbent: tuple[np.ndarray, np.ndarray | None, np.ndarray | None] = (col4row, None, None)
    # the cheapest cost in each row (its best candidate): a crude row dual for rows that a
    # stopped pricing pass did not reach
    best_cost = np.full(n_rows, kern.INF, dtype=np.int64)
    real_edge = cols < n_cols
    np.minimum.at(best_cost, rows[real_edge], cost[real_edge])
    rounds = priced = added = skipped = partial = 0
    square = total_cols == n_rows
    warm: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    lower = -np.inf  # the best proven lower bound on the total integer cost
    stopped = bool(cut)
    refs = _References(n_rows)
    while not stopped:
        rounds += 1
        indptr = np.searchsorted(rows, np.arange(n_rows + 1)).astype(np.int64)
        solved = _solve_graph(indptr, cols, cost, total_cols, square, warm, stop)
        if solved is None:
            stopped, cut = True, "solve"
            break
        col4row, u, v = solved
        warm = (u, v, col4row)
        incumbent = (col4row, u, v)
        new_r, new_c, new_cost = [], [], []
        found = 0
        # only rows whose bound allows a negative reduced cost outside the graph
        may = _rows_to_price(theta_cost, theta_col_cost, u, v[:n_cols])
        skipped += n_rows - len(may)
        ruled_out = np.ones(n_rows, dtype=bool)
        ruled_out[may] = False
        refs.renew(np.flatnonzero(ruled_out), rounds, u, v[:n_cols])
        whole, parts_of = refs.plan(may, u, v[:n_cols])
        partial += len(may) - len(whole)
        # a dual feasible for the whole matrix, row by row: u where no pair outside the graph
        # can undercut it, the exact row minimum where priced, a crude one elsewhere
        row_low = u.copy()
        v_top = int(v[:n_cols].max(initial=0))
        row_low[may] = np.minimum(u[may], np.where(best_cost[may] >= kern.INF, u[may],
                                                   best_cost[may] - v_top))
        reached = 0
        pricing = [(True, source.priced(whole, scale, u, v, add_per_row))] + [
            (False, source.priced_columns(group, order, lengths, scale, u, v, add_per_row))
            for group, order, lengths in parts_of
        ]
        for is_whole, stream in pricing:
            for part in stream:
                priced += part.cells
                reached += len(part.row_ids)
                found += part.found
                row_low[part.row_ids] = np.minimum(u[part.row_ids], part.row_min)
                if is_whole:  # a row whose violations all join the graph: a new reference
                    refs.priced_whole(part.row_ids, part.row_found <= add_per_row, rounds, u,
                                      v[:n_cols])
                if len(part.rows):
                    new_r.append(part.rows)
                    new_c.append(part.cols)
                    new_cost.append(part.costs)
                if stop is not None and stop():
                    stopped, cut = True, "pricing"
                    break
            if stopped:
                break
        if stopped and not found and reached == len(may):
            stopped, cut = False, ""  # the pass was complete: nothing to add, the proof holds
        v_sign = v if square else np.minimum(v, 0)
        lower = max(lower, float(row_low.sum(dtype=np.float64) + v_sign.sum(dtype=np.float64)))
        if progress is not None:
            progress(f"sparse assignment: round {rounds}, {found} pairs priced negative "
                     f"({len(whole)} whole rows and {len(may) - len(whole)} in part)")
        if not found or stopped:
            break
        add_r, add_c, add_cost = (np.concatenate(x) for x in (new_r, new_c, new_cost))
        added += len(add_r)
        rows, cols, cost = _unique_edges(
            np.concatenate([rows, add_r]), np.concatenate([cols, add_c]),
            np.concatenate([cost, add_cost]), total_cols,
        )
        if stop is not None and stop():
            stopped, cut = True, "pricing"
            break

    chosen, u_best, v_best = incumbent
    u = np.zeros(n_rows, dtype=np.int64) if u_best is None else u_best
    v = np.zeros(total_cols, dtype=np.int64) if v_best is None else v_best
    infeasible = bool((chosen >= n_cols).any() or (chosen < 0).any()) and mode == "saturate"
    real = np.flatnonzero((chosen >= 0) & (chosen < n_cols))
    row_dual = -u.astype(np.float64) / scale
    col_dual = -v[:n_cols].astype(np.float64) / scale
    if mode == "optional":  # a row's dual of "at most one partner": with its alone column's
        row_dual = row_dual - v[n_cols:].astype(np.float64) / scale
    return SparseSolution(
        rows=real.astype(np.intp),
        cols=chosen[real].astype(np.intp),
        row_dual=row_dual,
        col_dual=col_dual,
        rounds=rounds,
        priced=priced,
        added=added,
        edges=len(rows),
        scale=scale,
        infeasible=infeasible,
        square=square,
        total=_matched_total(rows, cols, cost, real, chosen) / scale,
        rows_skipped=skipped,
        rows_in_part=partial,
        stopped=stopped,
        bound=(-lower + 0.5 * n_rows) / scale,
        cut=cut,
    )


#: Free columns :func:`_fill` tries per unplaced row before reading the row whole.
FILL_TRIES = 4


def _fill(source: RowBlocks, col4row: np.ndarray, used: np.ndarray, value: np.ndarray) -> None:
    """Place the unplaced rows (``col4row < 0``) on free allowed columns, cheaply: each try
    pairs the unplaced rows with distinct free columns (shifted by one column per try) and
    keeps the allowed pairs (:meth:`RowBlocks.cells`, a few cells per row, not whole rows);
    rows still unplaced after :data:`FILL_TRIES` tries get their best free column from their
    whole row. ``col4row``, ``used`` and the pairs' benefit ``value`` are updated in place.
    For a search out of time: any complete matching beats none."""
    for attempt in range(FILL_TRIES):
        free_r = np.flatnonzero(col4row < 0)
        free_c = np.flatnonzero(~used)
        if not len(free_r) or not len(free_c):
            return
        take = free_r[: len(free_c)]
        pick = free_c[(np.arange(len(take)) + attempt) % len(free_c)]  # distinct columns
        benefit, ok = source.cells(take, pick)
        col4row[take[ok]] = pick[ok]
        used[pick[ok]] = True
        value[take[ok]] = benefit[ok]
    _complete_rows(source, np.flatnonzero(col4row < 0), col4row, used, value, None)


def _complete_rows(source: RowBlocks, rows: np.ndarray, col4row: np.ndarray, used: np.ndarray,
                   value: np.ndarray, stop: Callable[[], bool] | None) -> bool:
    """Give each of ``rows`` (all unplaced) its best free allowed column, in row order, a
    block of whole rows at a time; ``col4row``, ``used`` and ``value`` are updated in place.
    Returns False when ``stop`` asked to stop after a block (the rest stay unplaced)."""
    for row_ids, block, mask in source.blocks_of(rows):
        m, every = _mask(mask)
        local = np.full(len(row_ids), -1, dtype=np.int64)
        got = np.zeros(len(row_ids))
        kern.complete_rows(block, m, every, local, used, 0, got)
        col4row[row_ids] = local
        value[row_ids] = got
        if stop is not None and stop():
            return False
    return True


def _matched_total(
    rows: np.ndarray, cols: np.ndarray, cost: np.ndarray, real: np.ndarray, chosen: np.ndarray,
) -> float:
    """Σ −cost over the chosen edges (the graph's edges are sorted by row, then column)."""
    key = rows.astype(np.int64) * (int(cols.max(initial=0)) + 1) + cols
    want = real.astype(np.int64) * (int(cols.max(initial=0)) + 1) + chosen[real]
    at = np.searchsorted(key, want)
    return float(-cost[at].sum())
