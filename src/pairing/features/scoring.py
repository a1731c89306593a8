r"""Gains and pair scores, vectorised with NumPy (no Python loop over pairs).

The formula
-----------
Let :math:`N^L` (n_left × T) be the left enterprises' need levels and :math:`C^R` (n_right × T)
the right enterprises' capability levels over the shared tag vocabulary (levels in [0, 1]);
likewise :math:`N^R`, :math:`C^L`.

*Gain of left i from right j* — the share of i's needs that j's capabilities cover, weighted by
how much i needs each tag:

.. math::  g^L_{ij} = \frac{\sum_t N^L_{it}\, C^R_{jt}}{\sum_t N^L_{it}}

(0 when i needs nothing), and symmetrically :math:`g^R_{ij} = \sum_t N^R_{jt} C^L_{it} /
\sum_t N^R_{jt}`. Both are one matrix product each and lie in [0, 1].

*Mutual benefit* is the geometric mean :math:`m_{ij} = \sqrt{g^L_{ij}\, g^R_{ij}}`: a pair
that helps only one side scores 0.

*Optional terms*, each in [0, 1]:

- sector affinity :math:`a^{sec}_{ij}`: the mean mutual benefit between i's sector and j's
  sector over all such pairs, divided by the largest such mean — how well the two sectors
  complement each other as a whole;
- region affinity :math:`a^{reg}_{ij}`: the same for regions;
- size similarity :math:`s_{ij} = 1 - |r_i - r_j| / 3` with ranks micro=0 … large=3
  (0.5 when either size is unknown).

*Score*: the weighted mean

.. math::  score_{ij} = \frac{w_m m_{ij} + w_{sec} a^{sec}_{ij} + w_{reg} a^{reg}_{ij}
           + w_{size} s_{ij}}{w_m + w_{sec} + w_{reg} + w_{size}}

with the weights of ``rules.weights`` (default: mutual 1, the others 0).

When the programme carries the organisers' own ``scores``, they replace this: score = the
given cell, and both gains equal the score; an empty cell forbids the pair.

Dtypes: gains are always ``float32``, and so are computed scores (three 10,000 × 10,000
matrices take 1.2 GB); an organisers' score matrix stays the ``float64`` array it came in
(shared, not copied). Sums over pairs are accumulated in ``float64`` downstream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pairing.arguments import require_instance
from pairing.features.vocabulary import Vocabulary, build_vocabulary, level_matrix
from pairing.model import SIZES, Enterprise, Programme

__all__ = ["ScoreMatrices", "score_matrix"]

_DTYPE = np.float32


@dataclass(frozen=True)
class ScoreMatrices:
    """The pair matrices of one programme, each of shape (n_left, n_right).

    ``score`` is NaN where the organisers' matrix forbids a pair; the gains are 0 there.
    """

    score: np.ndarray
    gain_left: np.ndarray
    gain_right: np.ndarray
    vocabulary: Vocabulary
    needs_left: np.ndarray | None = None
    caps_left: np.ndarray | None = None
    needs_right: np.ndarray | None = None
    caps_right: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.score.shape


def _need_shares(needs: np.ndarray) -> np.ndarray:
    """Each enterprise's needs divided by its total need (rows of zeros stay zero).

    Normalising the small (n, T) matrix before the product saves a pass over the (n, n) one.
    """
    total = needs.sum(axis=1, dtype=np.float64)
    scale = np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)
    return (needs * scale[:, None]).astype(_DTYPE)


def _coverage(shares: np.ndarray, caps: np.ndarray, *, transposed: bool = False) -> np.ndarray:
    """Share of each a's needs that each b's capabilities cover: (n_a, n_b), or (n_b, n_a)
    when ``transposed`` (computed in that orientation directly, with no transposed copy)."""
    covered = caps @ shares.T if transposed else shares @ caps.T
    np.clip(covered, 0, 1, out=covered)  # only rounding can leave [0, 1]
    return covered


def _codes(values: list[str]) -> tuple[np.ndarray, int]:
    uniques, codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return codes.astype(np.intp), len(uniques)


def _group_affinity(
    mutual: np.ndarray, left_groups: list[str], right_groups: list[str]
) -> np.ndarray:
    """Mean mutual benefit between each left group and right group, broadcast to pairs."""
    codes_l, n_l = _codes(left_groups)
    codes_r, n_r = _codes(right_groups)
    onehot_l = np.zeros((mutual.shape[0], n_l), dtype=_DTYPE)
    onehot_l[np.arange(mutual.shape[0]), codes_l] = 1
    onehot_r = np.zeros((mutual.shape[1], n_r), dtype=_DTYPE)
    onehot_r[np.arange(mutual.shape[1]), codes_r] = 1
    sums = onehot_l.T @ mutual @ onehot_r
    counts = np.outer(onehot_l.sum(axis=0), onehot_r.sum(axis=0))
    means = sums / np.maximum(counts, 1)
    top = means.max()
    if top > 0:
        means /= top
    return means.astype(_DTYPE)[codes_l[:, None], codes_r[None, :]]


def _size_similarity(left: list[Enterprise], right: list[Enterprise]) -> np.ndarray:
    rank = {size: k for k, size in enumerate(SIZES)}
    rank_l = np.array([rank.get(e.size or "", -1) for e in left], dtype=np.int8)
    rank_r = np.array([rank.get(e.size or "", -1) for e in right], dtype=np.int8)
    diff = np.abs(rank_l[:, None].astype(_DTYPE) - rank_r[None, :].astype(_DTYPE))
    similarity = 1 - diff / 3
    unknown = (rank_l < 0)[:, None] | (rank_r < 0)[None, :]
    similarity[unknown] = 0.5
    return similarity.astype(_DTYPE)


def score_matrix(programme: Programme) -> ScoreMatrices:
    """Build ``score``, ``gain_left`` and ``gain_right`` for every (left, right) pair.

    Parameters
    ----------
    programme
        A validated programme.

    Returns
    -------
    ScoreMatrices
        ``float32`` matrices of shape (n_left, n_right); see the module docstring for the formula.
    """
    require_instance(programme, Programme, "programme", "build one with pairing.load(path)")
    vocabulary = build_vocabulary(programme)
    if programme.scores is not None:
        # The organisers' float64 matrix is the score as is (shared, never mutated downstream):
        # the total-score solvers want float64 anyway. Gains stay float32 like every gain.
        score = programme.scores
        gains = np.where(np.isnan(score), _DTYPE(0), score).astype(_DTYPE)
        return ScoreMatrices(score, gains, gains, vocabulary)

    left, right = programme.left.enterprises, programme.right.enterprises
    needs_l = level_matrix(left, "needs", vocabulary)
    caps_l = level_matrix(left, "capabilities", vocabulary)
    needs_r = level_matrix(right, "needs", vocabulary)
    caps_r = level_matrix(right, "capabilities", vocabulary)

    gain_left = _coverage(_need_shares(needs_l), caps_r)
    gain_right = _coverage(_need_shares(needs_r), caps_l, transposed=True)

    mutual = np.multiply(gain_left, gain_right)
    np.sqrt(mutual, out=mutual)

    weights = programme.rules.weights
    total_weight = weights.mutual + weights.sector + weights.region + weights.size
    score = mutual
    if total_weight != weights.mutual:
        score = mutual * _DTYPE(weights.mutual)
        if weights.sector:
            score += _DTYPE(weights.sector) * _group_affinity(
                mutual, [e.sector for e in left], [e.sector for e in right]
            )
        if weights.region:
            score += _DTYPE(weights.region) * _group_affinity(
                mutual, [e.region for e in left], [e.region for e in right]
            )
        if weights.size:
            score += _DTYPE(weights.size) * _size_similarity(left, right)
        score /= _DTYPE(total_weight)
        np.clip(score, 0, 1, out=score)
    return ScoreMatrices(score, gain_left, gain_right, vocabulary, needs_l, caps_l, needs_r, caps_r)
