"""Stated interest: who wants to meet whom, and who will not (``preferences``).

Each entry says that enterprise ``from`` (of either side) wants to meet ``to`` (of the other
side) with an interest in [0, 1] (``high`` 1.0, ``medium`` 0.6, ``low`` 0.3) — or vetoes the
meeting. Two sparse (n_left, n_right) matrices hold the two directions: ``left[i, j]`` is left
i's interest in right j, ``right[i, j]`` is right j's interest in left i; an unstated direction
is 0. The ``preference`` term of the score is their mean, ``(left + right) / 2``; each direction
is also its own side's gain (an enterprise that asked for a partner gains by meeting it).

A veto from either side forbids the pair: the vetoed cells reach every solver through the
programme's forbidden-pair mask (:func:`pairing.core.problem.build_problem`), and explanations name
who vetoed. Built from index arrays with one scatter each; nothing loops over pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from pairing.model.programme import Programme

if TYPE_CHECKING:
    import scipy.sparse as sp

__all__ = ["StatedInterest", "stated_interest"]


@dataclass(frozen=True)
class StatedInterest:
    """Both directions of stated interest and the vetoes of one programme.

    Attributes
    ----------
    left, right
        ``float32`` CSR matrices (n_left, n_right): left i's interest in right j, and right
        j's interest in left i (vetoes are not in them).
    veto_left, veto_right
        (k, 2) index pairs (left index, right index) vetoed by the left enterprise and by the
        right enterprise.
    """

    left: sp.csr_matrix
    right: sp.csr_matrix
    veto_left: np.ndarray
    veto_right: np.ndarray

    @property
    def vetoes(self) -> np.ndarray:
        """Every vetoed pair, (k, 2) left/right indices, sorted and without repeats."""
        both = np.concatenate([self.veto_left, self.veto_right]).reshape(-1, 2)
        return np.unique(both, axis=0)

    @property
    def stated(self) -> bool:
        """Whether any enterprise stated a positive interest (the term has information)."""
        return bool(self.left.nnz or self.right.nnz)

    def at(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Both directions' interest at pairs ``(rows[k], cols[k])``."""
        return (
            np.asarray(self.left[rows, cols], dtype=np.float32).ravel(),
            np.asarray(self.right[rows, cols], dtype=np.float32).ravel(),
        )

    def vetoed_by(self, i: int, j: int) -> list[str]:
        """``"left"`` and/or ``"right"``: which ends of pair (i, j) vetoed it."""
        who = []
        for side, pairs in (("left", self.veto_left), ("right", self.veto_right)):
            if len(pairs) and bool(((pairs[:, 0] == i) & (pairs[:, 1] == j)).any()):
                who.append(side)
        return who


def _matrix(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """A CSR matrix from (possibly repeated, agreeing) entries; a repeat keeps one value."""
    import scipy.sparse as sp  # deferred: only programmes with preferences pay for it

    linear = rows.astype(np.int64) * shape[1] + cols
    _, first = np.unique(linear, return_index=True)
    return sp.csr_matrix(
        (values[first].astype(np.float32), (rows[first], cols[first])), shape=shape
    )


def stated_interest(programme: Programme) -> StatedInterest:
    """Build both directions' interest matrices and the vetoes from ``programme.preferences``.

    The programme is validated: every ``from``/``to`` is an enterprise of opposite sides and
    repeated entries agree (see :mod:`pairing.features.source_checks`).
    """
    shape = programme.shape
    left_pos = {ident: k for k, ident in enumerate(programme.left.ids)}
    right_pos = {ident: k for k, ident in enumerate(programme.right.ids)}
    prefs = programme.preferences
    from_left = np.fromiter(
        (p.from_ in left_pos and p.to in right_pos for p in prefs), bool, len(prefs)
    )
    li = np.fromiter(
        (left_pos[p.from_] if f else left_pos[p.to] for p, f in zip(prefs, from_left, strict=True)),
        np.intp,
        len(prefs),
    )
    ri = np.fromiter(
        (
            right_pos[p.to] if f else right_pos[p.from_]
            for p, f in zip(prefs, from_left, strict=True)
        ),
        np.intp,
        len(prefs),
    )
    levels = np.fromiter(
        (np.nan if p.level is None else p.level for p in prefs), np.float64, len(prefs)
    )
    veto = np.isnan(levels)
    matrices = []
    vetoes = []
    for direction in (from_left, ~from_left):
        keep = direction & ~veto & (levels > 0)
        matrices.append(_matrix(li[keep], ri[keep], levels[keep], shape))
        cut = direction & veto
        vetoes.append(np.unique(np.stack([li[cut], ri[cut]], axis=1), axis=0).reshape(-1, 2))
    return StatedInterest(matrices[0], matrices[1], vetoes[0], vetoes[1])
