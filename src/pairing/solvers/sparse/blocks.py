"""Scores built in row blocks from a programme: the sparse solver's source when the dense
matrices would not fit (no ``n_left × n_right`` array is ever made).

:class:`ProgrammeRows` recomputes each block of rows of the score from the enterprises' tag
levels — the same formula and ``float32`` arithmetic as :func:`pairing.score_matrix` for a
programme whose score is the mutual tag benefit alone (``weights.mutual`` the only positive
weight, no organisers' matrix, stated interest, texts or extra sources) — plus the pairs the
rules forbid and ``min_score``. Other programmes raise :class:`NotImplementedError` (score them
densely). Each pass over the blocks costs two ``(rows × T) · (T × n_right)`` products; the
solver makes one pass for its candidates and one per pricing round.

:func:`solve_programme_sparse` runs the whole one-to-one ``total`` solve this way and returns
the pairs as indices, for the pipeline hooks listed in the module notes of
:mod:`pairing.solvers.sparse`.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from pairing.features.vocabulary import build_vocabulary, level_matrix
from pairing.model import Programme
from pairing.solvers.sparse.core import BLOCK_CELLS, Block, RowBlocks, SparseSolution, solve_sparse

__all__ = ["ProgrammeRows", "blockwise_supported", "solve_programme_sparse"]

_DTYPE = np.float32


def blockwise_supported(programme: Programme) -> str | None:
    """Why ``programme``'s scores cannot be built in blocks here (None when they can)."""
    weights = programme.rules.weights
    if programme.scores is not None:
        return "an organisers' score matrix is already dense"
    others = [name for name in ("sector", "region", "size", "preference", "text")
              if getattr(weights, name) > 0]
    if others:
        return f"score terms other than the mutual tag benefit ({', '.join(others)})"
    if any(source.weight > 0 for source in programme.rules.sources):
        return "extra score sources"
    if programme.preferences:
        return "stated interest (its vetoes forbid pairs)"
    if weights.mutual <= 0:
        return "no positive score weight"
    return None


def _shares(needs: np.ndarray) -> np.ndarray:
    total = needs.sum(axis=1, dtype=np.float64)
    scale = np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)
    return (needs * scale[:, None]).astype(_DTYPE)


class ProgrammeRows(RowBlocks):
    """Row blocks of a programme's mutual-benefit score (left = rows, right = columns)."""

    def __init__(self, programme: Programme, block_cells: int = BLOCK_CELLS) -> None:
        why = blockwise_supported(programme)
        if why:
            raise NotImplementedError(why)
        vocabulary = build_vocabulary(programme)
        left, right = programme.left.enterprises, programme.right.enterprises
        self.needs_l = _shares(level_matrix(left, "needs", vocabulary))
        self.caps_l = level_matrix(left, "capabilities", vocabulary)
        self.needs_r = _shares(level_matrix(right, "needs", vocabulary))
        self.caps_r = level_matrix(right, "capabilities", vocabulary)
        self.n_rows, self.n_cols = len(left), len(right)
        self.step = max(1, block_cells // max(1, self.n_cols))
        self.min_score = programme.rules.min_score
        left_pos = {e.id: k for k, e in enumerate(left)}
        right_pos = {e.id: k for k, e in enumerate(right)}
        pairs = [(left_pos[a], right_pos[b]) for a, b in programme.rules.forbidden]
        self.forbidden = np.asarray(pairs, dtype=np.intp).reshape(-1, 2)
        self.forbidden = self.forbidden[np.argsort(self.forbidden[:, 0], kind="stable")]

    def score_rows(self, start: int | np.ndarray, stop: int | None = None) -> np.ndarray:
        """``float32`` scores of left enterprises ``start .. stop-1`` (or of the indices
        ``start``) against every right one (the arithmetic of :func:`pairing.score_matrix`)."""
        rows = start if stop is None else slice(start, stop)
        gain_left = self.needs_l[rows] @ self.caps_r.T
        np.clip(gain_left, 0, 1, out=gain_left)
        gain_right = (self.caps_l[rows] @ self.needs_r.T)
        np.clip(gain_right, 0, 1, out=gain_right)
        np.multiply(gain_left, gain_right, out=gain_left)
        np.sqrt(gain_left, out=gain_left)
        return gain_left

    def _finish(self, rows: np.ndarray, score: np.ndarray) -> tuple[np.ndarray,
                                                                    np.ndarray | None]:
        """The block's mask (min_score, forbidden pairs) and its benefit (``float32``, as
        scored: the solver's kernels read it exactly; not-allowed cells 0)."""
        mask = None
        if self.min_score > 0:
            mask = score >= _DTYPE(self.min_score)
        hit = np.isin(self.forbidden[:, 0], rows) if len(self.forbidden) else np.zeros(0, bool)
        if hit.any():
            where = np.searchsorted(rows, self.forbidden[hit, 0])
            mask = np.ones(score.shape, dtype=bool) if mask is None else mask
            mask[where, self.forbidden[hit, 1]] = False
        if mask is not None:
            score[~mask] = 0.0
        return score, mask

    def blocks(self) -> Iterator[Block]:
        for start in range(0, self.n_rows, self.step):
            stop = min(self.n_rows, start + self.step)
            rows = np.arange(start, stop)
            benefit, mask = self._finish(rows, self.score_rows(start, stop))
            yield start, benefit, mask

    # ``blocks_of`` stays the default (whole blocks, then the rows asked for): every pass then
    # multiplies the same row blocks, so a pair's float32 score is bit-identical in every pass
    # (BLAS results can differ in the last bit with the shape of the product).


def solve_programme_sparse(programme: Programme) -> SparseSolution:
    """One-to-one ``total`` of a programme whose every enterprise has capacity exactly 1 on
    the smaller side and at most 1 on the other (the linear-assignment convention), or 0..1
    everywhere, with the scores built block by block. Rows are the left side; a left side
    larger than the right one is not handled here."""
    left, right = programme.left.enterprises, programme.right.enterprises
    mins_l = np.array([e.capacity.min for e in left])
    mins_r = np.array([e.capacity.min for e in right])
    maxs = np.array([e.capacity.max for e in (*left, *right)])
    if (maxs != 1).any() or programme.rules.required:
        msg = "blockwise sparse solve: capacities 1 and no required pairs only"
        raise NotImplementedError(msg)
    if not mins_l.any() and not mins_r.any():
        mode = "optional"
    elif mins_l.all() and (not mins_r.any() or len(right) == len(left)) and len(left) <= len(
            right):
        mode = "saturate"
    else:
        msg = "blockwise sparse solve: capacity minimums other than the assignment convention"
        raise NotImplementedError(msg)
    return solve_sparse(ProgrammeRows(programme), mode)
