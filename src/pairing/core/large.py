"""One-to-one ``total`` beyond dense memory: scores in row blocks, never an n² matrix.

At 50,000 × 50,000 one float32 score matrix is 10 GB and the dense pipeline keeps three (score
and both gains) plus masks. Real programmes rarely need them: each enterprise has a few dozen
plausible partners. Above :data:`~pairing.core.large_route.LARGE_CELLS` pairs, a programme this path
accepts (:func:`~pairing.core.large_route.large_route`) is solved without ever holding an n² array:

1. the tag level matrices (n × T) are built once; a *row block* of gains and scores is two small
   matrix products (:class:`TagBlocks`, the formula of :mod:`pairing.features.scoring`);
2. the ``sparse`` solver (:mod:`pairing.solvers.sparse`) keeps each enterprise's best partners,
   solves that sparse assignment with duals and prices every other pair out, block by block,
   until no pair improves — a proof of optimality for the full matrix;
3. one more pass computes what needs every pair (after a search the time limit stopped, a
   shorter fused one without the runner-ups, :func:`_short_pass`): the independent check of
   the proof (:class:`pairing.solvers.sparse.certificate.DualCheck`, a weak-duality bound read
   from the matrix again), the blocking pairs of :mod:`pairing.diagnostics.stability` and
   each pair's runner-up (:mod:`pairing.analysis.runner_up`), with the same definitions and
   tie-breaks;
4. the matching's rules and claimed values are checked again (:func:`large_violations`).

Memory stays at the level matrices, the candidate graph and a few blocks of
:data:`~pairing.solvers.sparse.core.BLOCK_CELLS` cells. Reasons are computed for the chosen
pairs only, as everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import numpy as np
import scipy.sparse as sp
from numba import njit, prange

from pairing import __version__
from pairing.core.hashing import input_sha256
from pairing.core.large_route import mode_of
from pairing.diagnostics.check import capacity_problems, pair_indices
from pairing.diagnostics.metrics import gini, per_sector, side_metrics
from pairing.diagnostics.stability import BlockThresholds
from pairing.errors import Infeasible, SolverTimeout
from pairing.features.reasons import pair_reasons
from pairing.features.scoring import ScoreMatrices, ScoreTerms, need_shares
from pairing.features.vocabulary import build_vocabulary, level_matrix
from pairing.interrupt import CANCEL
from pairing.model.programme import Programme
from pairing.model.result import (
    Metrics,
    Pair,
    Result,
    RunnerUp,
    SolverInfo,
    Unmatched,
)
from pairing.solvers._clock import Clock
from pairing.solvers.sparse import _kernels as kern
from pairing.solvers.sparse.certificate import DualCheck
from pairing.solvers.sparse.core import BLOCK_CELLS, Priced, RowBlocks, solve_sparse

__all__ = ["TagBlocks", "large_violations", "solve_large"]

_DECIMALS = 6
#: The pass after a stopped search (:func:`_short_pass`) costs about this many times scoring
#: the blocks (it scores every cell again without storing it; :func:`_passes`, which also
#: finds the runner-ups, costs about 3). A time limit keeps that much time for it.
PASS_COST = 1.5
#: Blocks not timed for :meth:`TagBlocks.pass_seconds`: the first ones include loading the
#: compiled kernels (0.6 s for the first, twice the steady time for the second, measured).
_TIMED_FROM = 2
#: Seconds per pair of the work after the last pass (each pair's reasons, the result's
#: objects, the input hash, the large validator): 1.8–2.5 s at 13,000 pairs (load average
#: 3.5), kept from a time limit along with the pass.
_TAIL_PER_PAIR = 150e-6


def _pricing_outputs(n: int, per_row: int) -> tuple[np.ndarray, ...]:
    """The pricing kernels' output buffers for ``n`` rows: up to ``per_row`` (column, cost)
    slots per row, then per row the slots taken, the pairs found and the cheapest cost."""
    return (np.empty(n * per_row, dtype=np.int64), np.empty(n * per_row, dtype=np.int64),
            np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64),
            np.empty(n, dtype=np.int64))


def _priced(ids: np.ndarray, per_row: int, slot_c: np.ndarray, slot_cost: np.ndarray,
            taken: np.ndarray, found: np.ndarray, row_min: np.ndarray, cells: int) -> Priced:
    """A pricing kernel's outputs as a :class:`Priced` batch (the taken slots of each row)."""
    keep = (np.arange(per_row) < taken[:, None]).ravel()
    return Priced(ids, np.repeat(ids, taken), slot_c[keep], slot_cost[keep], found, row_min,
                  cells)


class TagBlocks(RowBlocks):
    """Row blocks of the tag scores (and gains) of a programme, computed on demand.

    ``transposed``: the rows are the right enterprises (the sparse solver wants the smaller side
    as rows when that side must be matched). Gains are returned in the programme's orientation
    names: ``gain_left[i, j]`` is left i's gain from right j, whatever the rows are.
    """

    def __init__(self, programme: Programme, *, transposed: bool = False,
                 block_cells: int = BLOCK_CELLS) -> None:
        vocabulary = build_vocabulary(programme)
        left, right = programme.left.enterprises, programme.right.enterprises
        self.vocabulary = vocabulary
        self.needs_left = level_matrix(left, "needs", vocabulary)
        self.caps_left = level_matrix(left, "capabilities", vocabulary)
        self.needs_right = level_matrix(right, "needs", vocabulary)
        self.caps_right = level_matrix(right, "capabilities", vocabulary)
        # Sparse float64 products, cast to float32: each cell is the same sum in the same order
        # whichever block (or single pair) computes it, so a tie between two partners is a tie
        # everywhere — and with a few tags per enterprise, far less work than dense products.
        self._shares_left = sp.csr_array(need_shares(self.needs_left).astype(np.float64))
        self._shares_right = sp.csr_array(need_shares(self.needs_right).astype(np.float64))
        self._caps_left = sp.csr_array(self.caps_left.astype(np.float64))
        self._caps_right = sp.csr_array(self.caps_right.astype(np.float64))
        self._caps_left_t = np.ascontiguousarray(self.caps_left.T, dtype=np.float64)
        self._caps_right_t = np.ascontiguousarray(self.caps_right.T, dtype=np.float64)
        self._shares_left_t = np.ascontiguousarray(self._shares_left.toarray().T)
        self._shares_right_t = np.ascontiguousarray(self._shares_right.toarray().T)
        self.transposed = transposed
        n_left, n_right = len(left), len(right)
        self.n_rows, self.n_cols = (n_right, n_left) if transposed else (n_left, n_right)
        self.step = max(1, block_cells // max(1, self.n_cols))
        self.min_score = np.float32(programme.rules.min_score)
        left_pos = {e.id: k for k, e in enumerate(left)}
        right_pos = {e.id: k for k, e in enumerate(right)}
        forbidden = np.array(
            [(left_pos[a], right_pos[b]) for a, b in programme.rules.forbidden], dtype=np.intp
        ).reshape(-1, 2)
        if transposed:
            forbidden = forbidden[:, ::-1]
        order = np.lexsort((forbidden[:, 1], forbidden[:, 0]))
        self._forbidden = forbidden[order]
        self._row_major: tuple[np.ndarray, np.ndarray] | None = None
        self._forbidden_at = np.searchsorted(self._forbidden[:, 0],
                                             np.arange(self.n_rows + 1)).astype(np.int64)
        self._timed = [0.0, 0]  # seconds and cells of the blocks timed so far
        self._sweeps = 0

    def _operands(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                 np.ndarray, np.ndarray, np.ndarray]:
        """The compiled kernels' row-product operands: ``gain_a`` is the rows' gain."""
        if self.transposed:  # rows are right enterprises: gain_a = gain_right
            a, a_t, b, b_t = (self._shares_right, self._caps_left_t,
                              self._caps_right, self._shares_left_t)
        else:
            a, a_t, b, b_t = (self._shares_left, self._caps_right_t,
                              self._caps_left, self._shares_right_t)
        return a.indptr, a.indices, a.data, a_t, b.indptr, b.indices, b.data, b_t

    def priced(self, rows: np.ndarray, scale: float, u: np.ndarray, v: np.ndarray,
               per_row: int) -> Iterator[Priced]:
        """Scores fused with pricing (:func:`_price_kernel`): no block is stored, and the
        outputs are those of the default (the same cells and allowed test)."""
        rows = np.asarray(rows, dtype=np.int64)
        a_ptr, a_idx, a_dat, a_t, b_ptr, b_idx, b_dat, b_t = self._operands()
        min_score = float(self.min_score)
        forbidden_cols = np.ascontiguousarray(self._forbidden[:, 1], dtype=np.int64)
        for k in range(0, len(rows), self.step):
            ids = rows[k:k + self.step]
            n = len(ids)
            slot_c, slot_cost, taken, found, row_min = _pricing_outputs(n, per_row)
            _price_kernel(a_ptr, a_idx, a_dat, a_t, b_ptr, b_idx, b_dat, b_t, ids, min_score,
                          self._forbidden_at, forbidden_cols, scale, u, v, per_row, slot_c,
                          slot_cost, taken, found, row_min)
            yield _priced(ids, per_row, slot_c, slot_cost, taken, found, row_min,
                          n * self.n_cols)

    def priced_columns(self, rows: np.ndarray, order: np.ndarray, lengths: np.ndarray,
                       scale: float, u: np.ndarray, v: np.ndarray, per_row: int
                       ) -> Iterator[Priced]:
        """Only the columns each row needs, each cell summed alone
        (:func:`_price_columns_kernel`); rows in batches of about a block's cells."""
        rows = np.asarray(rows, dtype=np.int64)
        a_ptr, a_idx, a_dat, a_t, b_ptr, b_idx, b_dat, b_t = self._operands()
        if self._row_major is None:  # the column operands row-major: one cell reads one row
            self._row_major = (np.ascontiguousarray(a_t.T), np.ascontiguousarray(b_t.T))
        a_other, b_other = self._row_major
        min_score = float(self.min_score)
        forbidden_cols = np.ascontiguousarray(self._forbidden[:, 1], dtype=np.int64)
        budget = max(1, BLOCK_CELLS // 8)  # a cell alone costs several times one in a row
        done = np.cumsum(lengths)
        start = 0
        while start < len(rows):
            before = int(done[start - 1]) if start else 0
            end = max(start + 1, int(np.searchsorted(done, before + budget, side="right")))
            ids, lens = rows[start:end], lengths[start:end]
            n = len(ids)
            slot_c, slot_cost, taken, found, row_min = _pricing_outputs(n, per_row)
            _price_columns_kernel(a_ptr, a_idx, a_dat, a_other, b_ptr, b_idx, b_dat, b_other,
                                  ids, order, lens, min_score, self._forbidden_at,
                                  forbidden_cols, scale, u, v, per_row, slot_c, slot_cost,
                                  taken, found, row_min)
            yield _priced(ids, per_row, slot_c, slot_cost, taken, found, row_min,
                          int(lens.sum()))
            start = end

    def _sweep(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(gain_left, gain_right) float32 and the score (float64) of rows ``start:stop``."""
        return self._sweep_rows(np.arange(start, stop, dtype=np.int64))

    def _sweep_rows(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """:meth:`_sweep` of the rows ``ids``, timed for :meth:`pass_seconds`."""
        began = time.perf_counter()
        n = len(ids)
        first = np.empty((n, self.n_cols), dtype=np.float32)
        second = np.empty((n, self.n_cols), dtype=np.float32)
        score = np.empty((n, self.n_cols), dtype=np.float64)
        a_ptr, a_idx, a_dat, a_t, b_ptr, b_idx, b_dat, b_t = self._operands()
        _block_kernel(a_ptr, a_idx, a_dat, a_t, b_ptr, b_idx, b_dat, b_t,
                      np.asarray(ids, dtype=np.int64), first, second, score)
        self._sweeps += 1
        if self._sweeps > _TIMED_FROM:  # the first calls include loading the kernels
            self._timed[0] += time.perf_counter() - began
            self._timed[1] += n * self.n_cols
        return (second, first, score) if self.transposed else (first, second, score)

    def pass_seconds(self) -> float:
        """The expected time of :func:`_passes` (one more pass over every pair after the
        search), from the blocks scored so far: :data:`PASS_COST` times their mean time per
        cell (the blocks after the first :data:`_TIMED_FROM`); 0 while fewer than three blocks
        are timed."""
        seconds, cells = self._timed
        if self._sweeps <= _TIMED_FROM + 2 or not cells:  # too few blocks to trust their rate
            return 0.0
        return PASS_COST * seconds / cells * self.n_rows * self.n_cols

    def blocks_of(self, rows: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray,
                                                            np.ndarray | None]]:
        """Blocks of the given rows only (sorted), scored alone: the rest is never read."""
        rows = np.asarray(rows, dtype=np.int64)
        for k in range(0, len(rows), self.step):
            ids = rows[k:k + self.step]
            _, _, score = self._sweep_rows(ids)
            mask = score >= self.min_score if self.min_score > 0 else None
            lo, hi = self._forbidden_at[ids], self._forbidden_at[ids + 1]
            for r in np.flatnonzero(hi > lo).tolist():
                if mask is None:
                    mask = np.ones(score.shape, dtype=bool)
                mask[r, self._forbidden[lo[r]:hi[r], 1]] = False
            yield ids, score, mask

    def cells(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(score, allowed) of single pairs (rows, columns in this source's orientation),
        equal to the blocks' values, without scoring whole rows."""
        rows = np.asarray(rows, dtype=np.int64)
        cols = np.asarray(cols, dtype=np.int64)
        left, right = (cols, rows) if self.transposed else (rows, cols)
        score = self.pair_values(left, right)[0]
        allowed = score >= self.min_score
        if len(self._forbidden):
            codes = self._forbidden[:, 0].astype(np.int64) * self.n_cols + self._forbidden[:, 1]
            want = rows * self.n_cols + cols
            at = np.minimum(np.searchsorted(codes, want), len(codes) - 1)
            allowed &= codes[at] != want
        return score.astype(np.float64), allowed

    def allowed(self, start: int, stop: int, score: np.ndarray) -> np.ndarray | None:
        """The allowed cells of a block (``None``: all of them)."""
        mask = None
        if self.min_score > 0:
            mask = score >= self.min_score  # float64 holding float32 values: the same test
        lo, hi = np.searchsorted(self._forbidden[:, 0], [start, stop])
        if hi > lo:
            if mask is None:
                mask = np.ones(score.shape, dtype=bool)
            cells = self._forbidden[lo:hi]
            mask[cells[:, 0] - start, cells[:, 1]] = False
        return mask

    def scored(self) -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray,
                                       np.ndarray | None]]:
        """(start, gain_left, gain_right, score float64, allowed) for every row block."""
        for start in range(0, self.n_rows, self.step):
            stop = min(self.n_rows, start + self.step)
            gain_left, gain_right, score = self._sweep(start, stop)
            yield start, gain_left, gain_right, score, self.allowed(start, stop, score)

    def blocks(self) -> Iterator[tuple[int, np.ndarray, np.ndarray | None]]:
        for start, _, _, score, mask in self.scored():
            yield start, score, mask

    def pair_values(self, left: np.ndarray, right: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(score, gain_left, gain_right) of the pairs ``(left[k], right[k])``, float32, equal
        to the blocks' values (the same float64 sums)."""
        gain_left = _pair_product(self._shares_left, left, self._caps_right_t, right)
        gain_right = _pair_product(self._shares_right, right, self._caps_left_t, left)
        return np.sqrt(gain_left * gain_right), gain_left, gain_right

    def matrices(self) -> ScoreMatrices:
        """What :func:`~pairing.features.reasons.pair_reasons` reads (no n² matrix in it)."""
        empty = np.empty((0, 0), dtype=np.float32)
        return ScoreMatrices(
            empty, empty, empty, self.vocabulary, self.needs_left, self.caps_left,
            self.needs_right, self.caps_right, ScoreTerms({"mutual": 1.0}, ("mutual",)),
        )


@njit(cache=True)
def _row_sums(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, other_t: np.ndarray,
              i: int, acc: np.ndarray) -> None:  # pragma: no cover - compiled
    """``acc = row i of the sparse rows @ other_t`` in float64, summed in the row's index
    order (so every block, and every single pair, gets the same sum)."""
    acc[:] = 0.0
    for k in range(indptr[i], indptr[i + 1]):
        weight = data[k]
        line = other_t[indices[k]]
        for j in range(other_t.shape[1]):
            acc[j] += weight * line[j]


@njit(cache=True)
def _cell_of(sum_a: float, sum_b: float
             ) -> tuple[np.float32, np.float32, float]:  # pragma: no cover - compiled
    """(gain_a, gain_b, score) of one cell from its two float64 sums: the gains clipped to
    [0, 1] as float32, the score ``sqrt(gain_a · gain_b)`` rounded as float32 arithmetic
    rounds it (a product of two float32 is exact in float64, and a float64 square root
    rounded to float32 is the correctly rounded float32 one), returned as float64."""
    zero, one = np.float32(0), np.float32(1)
    x = min(max(np.float32(sum_a), zero), one)
    y = min(max(np.float32(sum_b), zero), one)
    product = np.float32(np.float64(x) * np.float64(y))
    return x, y, np.float64(np.float32(np.sqrt(np.float64(product))))


@njit(cache=True)
def _cell(acc_a: np.ndarray, acc_b: np.ndarray, j: int
          ) -> tuple[np.float32, np.float32, float]:  # pragma: no cover - compiled
    """:func:`_cell_of` of column ``j`` of two row sums."""
    return _cell_of(acc_a[j], acc_b[j])


@njit(cache=True)
def _sum_at(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, other: np.ndarray,
            i: int, j: int) -> float:  # pragma: no cover - compiled
    """One cell of :func:`_row_sums` (``other`` is ``other_t`` transposed, row-major): the
    same products added in the same order, so the same float64 value."""
    acc = 0.0
    for k in range(indptr[i], indptr[i + 1]):
        acc += data[k] * other[j, indices[k]]
    return acc


@njit(cache=True)
def _forbidden(forbidden_cols: np.ndarray, lo: int, hi: int, j: int
               ) -> bool:  # pragma: no cover - compiled
    """Whether ``j`` is among the sorted ``forbidden_cols[lo:hi]``."""
    if hi <= lo:
        return False
    at = lo + np.searchsorted(forbidden_cols[lo:hi], j)
    return bool(at < hi and forbidden_cols[at] == j)


@njit(parallel=True, cache=True)
def _block_kernel(a_indptr: np.ndarray, a_indices: np.ndarray, a_data: np.ndarray,
                  a_other_t: np.ndarray, b_indptr: np.ndarray, b_indices: np.ndarray,
                  b_data: np.ndarray, b_other_t: np.ndarray, row_ids: np.ndarray,
                  gain_a: np.ndarray, gain_b: np.ndarray,
                  score: np.ndarray) -> None:  # pragma: no cover
    """One block of rows in one sweep, row chunks in parallel over the cores:
    ``gain_a[r] = clip(A[row_ids[r]] @ a_other_t)``, likewise ``gain_b``, and the score
    (:func:`_cell`)."""
    n_rows, n_cols = gain_a.shape[0], a_other_t.shape[1]
    parts = min(kern.CHUNKS, max(1, n_rows))
    for t in prange(parts):
        acc_a = np.empty(n_cols)
        acc_b = np.empty(n_cols)
        for r in range(t * n_rows // parts, (t + 1) * n_rows // parts):
            _row_sums(a_indptr, a_indices, a_data, a_other_t, row_ids[r], acc_a)
            _row_sums(b_indptr, b_indices, b_data, b_other_t, row_ids[r], acc_b)
            for j in range(n_cols):
                x, y, z = _cell(acc_a, acc_b, j)
                gain_a[r, j] = x
                gain_b[r, j] = y
                score[r, j] = z


@njit(inline="always")
def _price_cell(z: float, j: int, ui: int, v: np.ndarray, min_score: float, scale: float,
                forbidden_cols: np.ndarray, f_lo: int, f_hi: int, low: np.int64, m: int,
                red: np.ndarray, col: np.ndarray, cst: np.ndarray
                ) -> tuple[np.int64, int]:  # pragma: no cover - compiled
    """Price one cell of score ``z`` in column ``j`` of a row with dual ``ui``: an allowed cell
    (``z >= min_score``, not forbidden) lowers the row's smallest ``c − v[j]`` (``low``) and,
    when its reduced cost ``c − ui − v[j]`` is negative, is appended as violation ``m``.
    Returns the new (``low``, ``m``); the two pricing kernels share it."""
    if z < min_score:
        return low, m
    c = np.int64(np.rint(-z * scale))
    if (c - v[j] < low or c - ui - v[j] < 0) and not _forbidden(forbidden_cols, f_lo, f_hi, j):
        low = min(low, c - v[j])
        if c - ui - v[j] < 0:
            red[m] = c - ui - v[j]
            col[m] = j
            cst[m] = c
            m += 1
    return low, m


@njit(parallel=True, cache=True)
def _price_kernel(a_indptr: np.ndarray, a_indices: np.ndarray, a_data: np.ndarray,
                  a_other_t: np.ndarray, b_indptr: np.ndarray, b_indices: np.ndarray,
                  b_data: np.ndarray, b_other_t: np.ndarray, row_ids: np.ndarray,
                  min_score: float, forbidden_at: np.ndarray, forbidden_cols: np.ndarray,
                  scale: float, u: np.ndarray, v: np.ndarray, per_row: int,
                  slot_c: np.ndarray, slot_cost: np.ndarray, taken: np.ndarray,
                  found: np.ndarray, row_min: np.ndarray) -> None:  # pragma: no cover
    """:func:`~pairing.solvers.sparse._kernels.price_block` fused with the scores: each row's
    scores are priced as they are computed, and no block is stored. Same cells (:func:`_cell`),
    same allowed test (``score >= min_score``, not forbidden: ``forbidden_cols[
    forbidden_at[i]:forbidden_at[i + 1]]``, sorted), same outputs in per-row slots."""
    n_rows, n_cols = row_ids.shape[0], a_other_t.shape[1]
    parts = min(kern.CHUNKS, max(1, n_rows))
    for t in prange(parts):
        acc_a = np.empty(n_cols)
        acc_b = np.empty(n_cols)
        red = np.empty(n_cols, dtype=np.int64)
        col = np.empty(n_cols, dtype=np.int64)
        cst = np.empty(n_cols, dtype=np.int64)
        for r in range(t * n_rows // parts, (t + 1) * n_rows // parts):
            i = row_ids[r]
            _row_sums(a_indptr, a_indices, a_data, a_other_t, i, acc_a)
            _row_sums(b_indptr, b_indices, b_data, b_other_t, i, acc_b)
            f_lo, f_hi = forbidden_at[i], forbidden_at[i + 1]
            ui = u[i]
            m = 0
            low = kern.INF
            for j in range(n_cols):
                low, m = _price_cell(_cell(acc_a, acc_b, j)[2], j, ui, v, min_score, scale,
                                     forbidden_cols, f_lo, f_hi, low, m, red, col, cst)
            found[r] = m
            row_min[r] = low
            taken[r] = kern.keep_most_negative(red, col, cst, m, per_row, slot_c, slot_cost,
                                               r * per_row)


@njit(parallel=True, cache=True)
def _price_columns_kernel(a_indptr: np.ndarray, a_indices: np.ndarray, a_data: np.ndarray,
                          a_other: np.ndarray, b_indptr: np.ndarray, b_indices: np.ndarray,
                          b_data: np.ndarray, b_other: np.ndarray, row_ids: np.ndarray,
                          order: np.ndarray, lengths: np.ndarray, min_score: float,
                          forbidden_at: np.ndarray, forbidden_cols: np.ndarray, scale: float,
                          u: np.ndarray, v: np.ndarray, per_row: int, slot_c: np.ndarray,
                          slot_cost: np.ndarray, taken: np.ndarray, found: np.ndarray,
                          row_min: np.ndarray) -> None:  # pragma: no cover
    """:func:`_price_kernel` on the columns ``order[:lengths[r]]`` of row ``row_ids[r]`` only,
    each cell summed alone (:func:`_sum_at`, the same value as in a whole row)."""
    n_rows = row_ids.shape[0]
    longest = max(1, lengths.max()) if n_rows else 1
    parts = min(kern.CHUNKS, max(1, n_rows))
    for t in prange(parts):
        red = np.empty(longest, dtype=np.int64)
        col = np.empty(longest, dtype=np.int64)
        cst = np.empty(longest, dtype=np.int64)
        for r in range(t * n_rows // parts, (t + 1) * n_rows // parts):
            i = row_ids[r]
            f_lo, f_hi = forbidden_at[i], forbidden_at[i + 1]
            ui = u[i]
            m = 0
            low = kern.INF
            for q in range(lengths[r]):
                j = order[q]
                z = _cell_of(_sum_at(a_indptr, a_indices, a_data, a_other, i, j),
                             _sum_at(b_indptr, b_indices, b_data, b_other, i, j))[2]
                low, m = _price_cell(z, j, ui, v, min_score, scale, forbidden_cols, f_lo, f_hi,
                                     low, m, red, col, cst)
            found[r] = m
            row_min[r] = low
            taken[r] = kern.keep_most_negative(red, col, cst, m, per_row, slot_c, slot_cost,
                                               r * per_row)


@njit(cache=True)
def _pair_kernel(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
                 other_t: np.ndarray, which: np.ndarray, partners: np.ndarray,
                 out: np.ndarray) -> None:  # pragma: no cover
    """``out[p] = clip(rows[which[p]] · other_t[:, partners[p]])``, summed like the blocks."""
    for p in range(len(which)):
        i, j = which[p], partners[p]
        acc = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            acc += data[k] * other_t[indices[k], j]
        out[p] = min(max(np.float32(acc), np.float32(0)), np.float32(1))


def _pair_product(rows: sp.csr_array, which: np.ndarray, other_t: np.ndarray,
                  partners: np.ndarray) -> np.ndarray:
    """``rows[which[k]] · other_t[:, partners[k]]`` for each k, equal to the blocks' cells."""
    out = np.empty(len(which), dtype=np.float32)
    _pair_kernel(rows.indptr, rows.indices, rows.data, other_t,
                 np.asarray(which, dtype=np.int64), np.asarray(partners, dtype=np.int64), out)
    return out


@njit(parallel=True, cache=True)
def _short_pass_kernel(a_indptr: np.ndarray, a_indices: np.ndarray, a_data: np.ndarray,
                       a_other_t: np.ndarray, b_indptr: np.ndarray, b_indices: np.ndarray,
                       b_data: np.ndarray, b_other_t: np.ndarray, min_score: float,
                       forbidden_at: np.ndarray, forbidden_cols: np.ndarray,
                       partner: np.ndarray, row_value: np.ndarray, row_index: np.ndarray,
                       col_value: np.ndarray, col_index: np.ndarray, a_dual: np.ndarray,
                       b_dual: np.ndarray, lo: int, hi: int, blocking: np.ndarray,
                       violation: np.ndarray) -> None:  # pragma: no cover - compiled
    """:func:`_passes` without the runner-ups, fused with the scores (no block is stored),
    for rows ``lo:hi``, rows in parallel: each row's blocking pairs (the thresholds of
    :class:`~pairing.diagnostics.stability.BlockThresholds`: both ends value the cell above
    their threshold, or equally and it is listed before their partner; a matched pair never
    blocks) and its violation of the duals (``max(0, max_j score − b_j − a_i)`` over allowed
    cells, :class:`~pairing.solvers.sparse.certificate.DualCheck`'s)."""
    n_cols = a_other_t.shape[1]
    n = hi - lo
    parts = min(kern.CHUNKS, max(1, n))
    for t in prange(parts):
        acc_a = np.empty(n_cols)
        acc_b = np.empty(n_cols)
        for i in range(lo + t * n // parts, lo + (t + 1) * n // parts):
            _row_sums(a_indptr, a_indices, a_data, a_other_t, i, acc_a)
            _row_sums(b_indptr, b_indices, b_data, b_other_t, i, acc_b)
            f_lo, f_hi = forbidden_at[i], forbidden_at[i + 1]
            count = 0
            worst = -np.inf
            for j in range(n_cols):
                x, y, z = _cell(acc_a, acc_b, j)
                if z < min_score or _forbidden(forbidden_cols, f_lo, f_hi, j):
                    continue
                worst = max(worst, z - b_dual[j])
                if j == partner[i]:
                    continue
                if ((x > row_value[i] or (x == row_value[i] and j < row_index[i]))
                        and (y > col_value[j] or (y == col_value[j] and i < col_index[j]))):
                    count += 1
            blocking[i] = count
            violation[i] = max(worst - a_dual[i], 0.0)


def _matched_thresholds(blocks: TagBlocks, left: np.ndarray, right: np.ndarray
                        ) -> tuple[np.ndarray, BlockThresholds]:
    """Each block row's partner column (-1 alone) and the one-to-one blocking thresholds of
    the matching (``left``, ``right``) in the blocks' orientation: what both passes read."""
    rows, cols = (right, left) if blocks.transposed else (left, right)
    partner_of_row = np.full(blocks.n_rows, -1, dtype=np.int64)
    partner_of_row[rows] = cols
    partner_of_col = np.full(blocks.n_cols, -1, dtype=np.int64)
    partner_of_col[cols] = rows
    _, own_l, own_r = blocks.pair_values(left, right)
    row_gain = np.zeros(blocks.n_rows, dtype=np.float32)
    row_gain[rows] = own_r if blocks.transposed else own_l
    col_gain = np.zeros(blocks.n_cols, dtype=np.float32)
    col_gain[cols] = own_l if blocks.transposed else own_r
    return partner_of_row, BlockThresholds.one_to_one(row_gain, partner_of_row, col_gain,
                                                      partner_of_col)


def _short_pass(blocks: TagBlocks, left: np.ndarray, right: np.ndarray, check: DualCheck
                ) -> int:
    """The pass after a search the time limit stopped: the blocking pairs and the check of
    the duals' bound (``check``'s row violations), in one compiled sweep that stores no block
    — about the cost of scoring the pairs once, a third of :func:`_passes` (the runner-ups,
    which need every block stored, are left out). Ctrl-C is honoured between row chunks."""
    n_rows = blocks.n_rows
    partner_of_row, thresholds = _matched_thresholds(blocks, left, right)
    a_ptr, a_idx, a_dat, a_t, b_ptr, b_idx, b_dat, b_t = blocks._operands()
    forbidden_cols = np.ascontiguousarray(blocks._forbidden[:, 1], dtype=np.int64)
    min_score = float(blocks.min_score) if blocks.min_score > 0 else -np.inf
    blocking = np.zeros(n_rows, dtype=np.int64)
    violation = np.zeros(n_rows)
    for lo in range(0, n_rows, blocks.step):
        CANCEL.raise_if_requested()
        _short_pass_kernel(a_ptr, a_idx, a_dat, a_t, b_ptr, b_idx, b_dat, b_t, min_score,
                           blocks._forbidden_at, forbidden_cols, partner_of_row,
                           thresholds.row_value.astype(np.float32),
                           thresholds.row_index.astype(np.int64),
                           thresholds.col_value.astype(np.float32),
                           thresholds.col_index.astype(np.int64), check.a, check.b, lo,
                           min(n_rows, lo + blocks.step), blocking, violation)
    check.row_violation = violation
    check.total = float(blocks.pair_values(left, right)[0].astype(np.float64).sum())
    return int(blocking.sum())


def _passes(blocks: TagBlocks, left: np.ndarray, right: np.ndarray, check: DualCheck
            ) -> tuple[int, tuple[np.ndarray, ...]]:
    """One pass over every pair: the blocking pairs, both ends' runner-ups, and the
    independent check of the optimality proof (``check`` is fed every score block).

    Same definitions as the dense :mod:`pairing.diagnostics.stability` (a one-to-one matching:
    an enterprise alone has a free seat) and :mod:`pairing.analysis.runner_up` (the best allowed
    partner besides one's own; ties to the enterprise listed first).
    """
    n_rows, n_cols = blocks.n_rows, blocks.n_cols
    partner_of_row, thresholds = _matched_thresholds(blocks, left, right)
    best_row = np.full(n_rows, -1, dtype=np.intp)  # each row's runner-up column
    best_row_value = np.full(n_rows, -np.inf)
    best_col = np.full(n_cols, -1, dtype=np.intp)
    best_col_value = np.full(n_cols, -np.inf)
    blocking = 0
    for start, gain_left, gain_right, score, mask in blocks.scored():
        CANCEL.raise_if_requested()
        check.add(start, score, mask)
        stop = start + gain_left.shape[0]
        g_row, g_col = (gain_right, gain_left) if blocks.transposed else (gain_left, gain_right)
        here = np.arange(start, stop)
        matched = partner_of_row[start:stop] >= 0
        # a matched pair never blocks (its value here and in the threshold may differ by a
        # rounding step: block products and per-pair products sum in different orders)
        unmatched = np.ones(g_row.shape, dtype=bool) if mask is None else mask.copy()
        unmatched[np.flatnonzero(matched), partner_of_row[start:stop][matched]] = False
        blocking += thresholds.count(start, g_row, g_col, unmatched)
        for values, is_row in ((g_row, True), (g_col, False)):
            block = values.astype(np.float64)
            if mask is not None:
                block[~mask] = -np.inf
            block[np.flatnonzero(matched), partner_of_row[start:stop][matched]] = -np.inf
            if is_row:
                pick = np.argmax(block, axis=1)
                best_row[start:stop] = np.where(np.isfinite(block[here - start, pick]), pick, -1)
                best_row_value[start:stop] = block[here - start, pick]
            else:
                pick = np.argmax(block, axis=0)
                value = block[pick, np.arange(n_cols)]
                better = value > best_col_value  # strictly: earlier rows win ties
                best_col[better] = pick[better] + start
                best_col_value[better] = value[better]
    return blocking, (best_row, best_row_value, best_col, best_col_value)


def _runner_ups(blocks: TagBlocks, programme: Programme, left: np.ndarray, right: np.ndarray,
                found: tuple[np.ndarray, ...], own: tuple[np.ndarray, np.ndarray]
                ) -> list[RunnerUp]:
    best_row, best_row_value, best_col, best_col_value = found
    if blocks.transposed:  # rows are right enterprises
        l_pick, l_value = best_col[left], best_col_value[left]
        r_pick, r_value = best_row[right], best_row_value[right]
    else:
        l_pick, l_value = best_row[left], best_row_value[left]
        r_pick, r_value = best_col[right], best_col_value[right]
    left_ids = [e.id for e in programme.left.enterprises]
    right_ids = [e.id for e in programme.right.enterprises]
    own_l, own_r = (x.astype(np.float64) for x in own)
    out = []
    for k in range(len(left)):
        lp, rp = int(l_pick[k]), int(r_pick[k])
        out.append(RunnerUp(
            left=None if lp < 0 else right_ids[lp],
            left_less=None if lp < 0 else round(float(own_l[k] - l_value[k]), _DECIMALS),
            right=None if rp < 0 else left_ids[rp],
            right_less=None if rp < 0 else round(float(own_r[k] - r_value[k]), _DECIMALS),
        ))
    return out


def solve_large(programme: Programme, reason: str, *, seed: int = 0,
                time_limit: float | None = None,
                progress: Callable[[str], None] | None = None) -> Result:
    """Solve an eligible programme (:func:`large_route`) on the large path; see the module.

    ``time_limit`` (seconds) is one deadline for the whole run. The search (candidate pass,
    greedy completion, each sparse solve in slices, pricing) stops when what is left of the
    limit is the expected time of the pass after it (:meth:`TagBlocks.pass_seconds`; after a
    stop it is :func:`_short_pass`: blocking pairs and the certificate, no runner-ups) and of
    the work per pair after that (reasons, the result, its check: :data:`_TAIL_PER_PAIR`).
    The result is then the best complete matching found — the last sparse optimum, else the
    greedy one — with status ``feasible``, the bound the certificate proves in
    ``solver.bound`` and ``solver.gap``, and the phase that was cut named in ``solver.note``.
    The run overruns the limit by the error of that estimate, or by about one pass when the
    limit is shorter than the first blocks plus a pass. A stop requested by a signal
    (:data:`~pairing.interrupt.CANCEL`) raises between two blocks or slices.
    """
    mode = mode_of(programme)
    assert mode is not None, "call large_route first"
    kind, transposed = mode
    clock = Clock(time_limit)
    blocks = TagBlocks(programme, transposed=transposed)

    tail = _TAIL_PER_PAIR * min(blocks.n_rows, blocks.n_cols)

    def stop() -> bool:
        CANCEL.raise_if_requested()
        left = clock.left()
        return left is not None and left - 1e-3 <= blocks.pass_seconds() + tail

    solution = solve_sparse(blocks, kind, progress=progress, stop=stop)
    if solution.infeasible and solution.stopped:
        msg = (f"the time limit ({time_limit} s) passed before the large path found a "
               "matching that gives everyone who needs one a partner")
        raise SolverTimeout(msg)
    if solution.infeasible:  # cannot happen without forbidden pairs; say so plainly
        raise Infeasible(("the forbidden pairs and min_score leave some enterprise that needs "
                          "a partner without any allowed one",))
    rows, cols = solution.rows, solution.cols
    left, right = (cols, rows) if transposed else (rows, cols)
    order = np.lexsort((right, left))
    left, right = left[order], right[order]
    if progress is not None:
        progress("large path: checking the optimality proof and counting blocking pairs")
    must = kind == "saturate"
    check = DualCheck(blocks.n_rows, blocks.n_cols, solution.rows, solution.cols,
                      solution.row_dual, solution.col_dual, rows_must=must,
                      cols_must=must and blocks.n_rows == blocks.n_cols)
    scores, gains_left, gains_right = blocks.pair_values(left, right)
    runner: list[RunnerUp | None]
    if solution.stopped:  # out of time: the short pass, without runner-ups
        blocking = _short_pass(blocks, left, right, check)
        runner = [None] * len(left)
    else:
        blocking, found = _passes(blocks, left, right, check)
        runner = list(_runner_ups(blocks, programme, left, right, found,
                                  (gains_left, gains_right)))
    proof = check.result()
    lo, hi = programme.left.enterprises, programme.right.enterprises
    labels = (programme.left.label, programme.right.label)
    reasons = pair_reasons(blocks.matrices(), left, right, labels)
    pairs = [
        Pair(left=lo[i].id, right=hi[j].id, score=round(float(s), _DECIMALS),
             gain_left=round(float(gl), _DECIMALS), gain_right=round(float(gr), _DECIMALS),
             reasons=why, runner_up=up)
        for i, j, s, gl, gr, why, up in zip(left.tolist(), right.tolist(), scores.tolist(),
                                            gains_left.tolist(), gains_right.tolist(), reasons,
                                            runner, strict=True)
    ]
    counts_l = np.bincount(left, minlength=len(lo))
    counts_r = np.bincount(right, minlength=len(hi))
    per_left = np.bincount(left, weights=gains_left.astype(np.float64), minlength=len(lo))
    per_right = np.bincount(right, weights=gains_right.astype(np.float64), minlength=len(hi))
    total = float(scores.astype(np.float64).sum())
    tolerance = 1e-6 * max(1.0, abs(total))
    optimal = not solution.stopped and not proof.problems and proof.gap <= tolerance
    bound = min(proof.bound, solution.bound)
    everyone = np.concatenate([per_left, per_right])
    order_g = np.argsort(everyone, kind="stable")
    ids = [e.id for e in lo] + [e.id for e in hi]
    metrics = Metrics(
        pairs=len(left), total_score=round(total, _DECIMALS),
        mean_score=round(total / len(left), _DECIMALS) if len(left) else 0.0,
        left=side_metrics(labels[0], per_left, counts_l),
        right=side_metrics(labels[1], per_right, counts_r),
        gini=round(gini(everyone), _DECIMALS), blocking_pairs=blocking,
        fair_to=programme.rules.fair_to,
        sorted_gains=[round(float(g), _DECIMALS) for g in everyone[order_g]],
        worst_off=[ids[k] for k in order_g[:5].tolist()],
        pairs_by_sector={
            "left": per_sector([e.sector for e in lo], counts_l),
            "right": per_sector([e.sector for e in hi], counts_r),
        },
    )
    note = (
        f"large path: {solution.rounds} sparse solve(s), {solution.edges:,} candidate pairs, "
        f"{solution.priced:,} pairs priced, {solution.added:,} added by pricing; "
        + (_stopped_note(solution.cut, time_limit, bound) if solution.stopped else
           f"optimality certificate checked independently (gap {proof.gap:.2g})")
    )
    return Result(
        status="optimal" if optimal else "feasible",
        objective="total",
        objective_value=round(total, _DECIMALS),
        pairs=pairs,
        unmatched=Unmatched(
            left=[lo[k].id for k in np.flatnonzero(counts_l == 0)],
            right=[hi[k].id for k in np.flatnonzero(counts_r == 0)],
        ),
        metrics=metrics,
        solver=SolverInfo(name="sparse", chosen_because=reason, runtime_s=0.0, seed=seed,
                          time_limit=time_limit,
                          gap=None if optimal else round(max(0.0, bound - total)
                                                         / max(1e-9, total), 6),
                          bound=None if optimal else round(bound, _DECIMALS), note=note),
        input_sha256=input_sha256(programme),
        version=__version__,
    )


_CUT_WORDS = {
    "candidates": "during the candidate pass: the matching is the greedy one over the "
                  "partners found so far, completed with any free allowed partner",
    "completion": "while completing the greedy matching: the rows left are placed on any "
                  "free allowed partner",
    "solve": "during a sparse solve: the matching is the last complete one (the previous "
             "sparse optimum, else the greedy one)",
    "pricing": "while pricing: the matching is the last sparse optimum",
}


def _stopped_note(cut: str, time_limit: float | None, bound: float) -> str:
    """The note of a search the time limit stopped: where, what the matching is, the bound."""
    return (f"stopped by the time limit ({time_limit} s) {_CUT_WORDS.get(cut, '')}; "
            f"not proven optimal; best proven upper bound {bound:.6g} (weak duality); "
            "runner-ups not computed (they need one more full pass)")


def large_violations(programme: Programme, result: Result) -> list[str]:
    """Independent checks of a large-path result, without any n² matrix.

    Every id is known, no pair repeats and every enterprise's partners fit its capacity (the
    checks of :mod:`pairing.diagnostics.check`); no pair is forbidden or below ``min_score``;
    each claimed score and gain equals the recomputed one; the objective value is the sum of
    the scores.
    """
    found: list[str] = []
    pairs = result.pairs
    left, right = pair_indices(programme, result, found)
    if len(left) != len(pairs):
        return found  # unknown ids: the pairs cannot be recomputed one by one
    found += capacity_problems(programme, left, right)
    forbidden = {tuple(p) for p in programme.rules.forbidden}
    for p in pairs:
        if (p.left, p.right) in forbidden:
            found.append(f"pair ({p.left}, {p.right}) is forbidden")
    blocks = TagBlocks(programme)
    scores, gains_left, gains_right = blocks.pair_values(left, right)
    claimed = np.array([[p.score, p.gain_left, p.gain_right] for p in pairs]).reshape(-1, 3)
    actual = np.stack([scores, gains_left, gains_right], axis=1).astype(np.float64)
    bad = np.flatnonzero(np.abs(claimed - actual).max(axis=1, initial=0.0) > 2e-6)
    for k in bad[:5]:
        found.append(f"pair ({pairs[k].left}, {pairs[k].right}) claims score/gains "
                     f"{claimed[k].tolist()}, recomputed {np.round(actual[k], 6).tolist()}")
    below = np.flatnonzero(scores < np.float32(programme.rules.min_score))
    for k in below[:5]:
        found.append(f"pair ({pairs[k].left}, {pairs[k].right}) scores below min_score")
    total = float(np.round(actual[:, 0], _DECIMALS).sum())
    if abs(total - result.objective_value) > 1e-6 * max(1.0, len(pairs)):
        found.append(f"objective_value {result.objective_value} but the pairs' scores sum to "
                     f"{total:.6f}")
    return found
