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

*Score sources* (optional, see :mod:`pairing.features.preferences`,
:mod:`pairing.features.text` and ``rules.sources``), each in [0, 1]:

- stated interest :math:`p_{ij} = (p^L_{ij} + p^R_{ij}) / 2`, the mean of i's stated interest in
  j and j's in i (an unstated direction counts 0);
- text complementarity :math:`x_{ij} = \sqrt{t^L_{ij}\, t^R_{ij}}` of the free-text profiles;
- each extra matrix :math:`src_s` of ``rules.sources`` (an empty cell counts 0).

*Score*: the weighted mean of every term present

.. math::  score_{ij} = \frac{w_m m_{ij} + w_{sec} a^{sec}_{ij} + w_{reg} a^{reg}_{ij}
           + w_{size} s_{ij} + w_p p_{ij} + w_x x_{ij} + \sum_s w_s src_{s,ij}}{\sum w}

with the weights of ``rules.weights`` and of each source (default: mutual 1, the others 0). A
term is present when its weight is positive and the programme holds its data: the mutual term
always; ``preference`` when some enterprise stated a positive interest; ``text`` when some pair
has texts on both ends; a source when its weight is positive. A weight without data therefore
does not dilute the other terms.

*Gains*: the terms with a direction enter each side's gain, weighted as in the score:

.. math::  gain^L_{ij} = \frac{w_m g^L_{ij} + w_x t^L_{ij} + w_p p^L_{ij}}{w_m + w_x + w_p}

(symmetrically for the right side; an absent term drops out). Sector, region, size and the
extra matrices are properties of the pair, not of what one side gets from the other, so they
enter the score only — the fair objectives, which compare the sides' gains, are not moved by
them.

When the programme carries the organisers' own ``scores`` — on any scale and in either sense,
mapped onto [0, 1] (higher better) by :func:`pairing.features.score_scale.normalise` — they
take the place of the mutual
term and of both tag gains (weight ``w_m``), and the sector, region and size terms are not
computed; an empty cell forbids the pair. With no other term present the score is that matrix.

Dtypes: gains are always ``float32``, and so are computed scores (three 10,000 × 10,000
matrices take 1.2 GB); an organisers' score matrix stays the ``float64`` array it came in
(shared, not copied). Sums over pairs are accumulated in ``float64`` downstream.

With score sources present, everything after the tag products and the mutual term — the
blended gains, each source's term, the division and the clipping — is one compiled pass per row
(:mod:`pairing.features.combine`), bit for bit the same as those steps taken one NumPy operation
at a time.

Memory (computed scores): the three (n_left, n_right) matrices are made first, before the
stated interest and the texts are read, and no other matrix of that size is made (the score is
built in place of the mutual term; table terms are added a block of rows at a time). Their first
writes, which is when the operating system provides the memory, thus come at the start of the
call, as in the tag terms' path. Calls repeated in one process (a sweep, a benchmark) then reuse
the memory the previous call freed while it is still mapped: memory left free for a couple of
seconds may be taken back (by a virtual machine's free page reporting, for one), and its first
write then costs 1.5–2.5 s per GB instead of about 0.06 s.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from pairing.core.arguments import require_instance
from pairing.features.preferences import StatedInterest, stated_interest
from pairing.features.score_scale import ScoreScale, normalise
from pairing.features.vocabulary import Vocabulary, build_vocabulary, level_matrix
from pairing.model.programme import SIZES, Enterprise, Programme, Source

if TYPE_CHECKING:
    import scipy.sparse as sp

    from pairing.features.text import TextProfiles

__all__ = ["ScoreMatrices", "ScoreTerms", "need_shares", "score_matrix", "source_key"]

_DTYPE = np.float32
#: Rows per block when a table term is added to the score (512 × 10,000 columns: 20 MB).
_TABLE_ROWS = 512


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
    terms: ScoreTerms | None = None
    #: How the organisers' matrix was mapped onto [0, 1] (None: the scores were computed);
    #: see :mod:`pairing.features.score_scale`.
    scale: ScoreScale | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.score.shape


def source_key(name: str) -> str:
    """The key of source ``name`` among the terms (apart from the built-in terms' names)."""
    return f"source:{name}"


#: A group affinity in compact form: the (groups_left, groups_right) table and each side's codes.
GroupTable = tuple[np.ndarray, np.ndarray, np.ndarray]


@dataclass(frozen=True)
class ScoreTerms:
    """Everything needed to evaluate each term of the score at any pair (reasons, explain).

    Attributes
    ----------
    weights
        Each present term's weight, in the formula's order: ``mutual`` (or ``scores`` for an
        organisers' matrix), ``sector``, ``region``, ``size``, ``preference``, ``text``, then
        each source as :func:`source_key`. The score is ``Σ weight·term / Σ weight``.
    gain_terms
        The present terms that enter the gains (``mutual``/``scores``, ``text``,
        ``preference``).
    interest, text
        Stated interest (also when its weight is 0: its vetoes always apply) and text profiles.
    """

    weights: dict[str, float]
    gain_terms: tuple[str, ...]
    groups: dict[str, GroupTable] = field(default_factory=dict)
    size_ranks: tuple[np.ndarray, np.ndarray] | None = None
    interest: StatedInterest | None = None
    text: TextProfiles | None = None
    sources: tuple[Source, ...] = ()
    organisers: np.ndarray | None = None

    @property
    def total_weight(self) -> float:
        return float(sum(self.weights.values()))

    @property
    def gain_weight(self) -> float:
        return float(sum(self.weights[t] for t in self.gain_terms))


def need_shares(needs: np.ndarray) -> np.ndarray:
    """Each enterprise's needs divided by its total need (rows of zeros stay zero).

    Normalising the small (n, T) matrix before the product saves a pass over the (n, n) one.
    """
    total = needs.sum(axis=1, dtype=np.float64)
    scale = np.divide(1.0, total, out=np.zeros_like(total), where=total > 0)
    return (needs * scale[:, None]).astype(_DTYPE)


#: Pairs up to which the coverage products run in NumPy's own loops instead of BLAS (at most
#: a few milliseconds): waking BLAS's threads for a programme-office-sized product costs more
#: CPU than the product (measured: about 90 ms per 100 × 100 solve), and small results then do
#: not depend on the machine's BLAS thread count.
SMALL_PRODUCT = 250_000


def _coverage(shares: np.ndarray, caps: np.ndarray, *, transposed: bool = False) -> np.ndarray:
    """Share of each a's needs that each b's capabilities cover: (n_a, n_b), or (n_b, n_a)
    when ``transposed`` (computed in that orientation directly, with no transposed copy)."""
    a, b = (caps, shares) if transposed else (shares, caps)
    small = a.shape[0] * b.shape[0] <= SMALL_PRODUCT
    covered = np.einsum("ik,jk->ij", a, b) if small else a @ b.T
    np.clip(covered, 0, 1, out=covered)  # only rounding can leave [0, 1]
    return covered


def _codes(values: list[str]) -> tuple[np.ndarray, int]:
    uniques, codes = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return codes.astype(np.intp), len(uniques)


def _group_affinity(
    mutual: np.ndarray, left_groups: list[str], right_groups: list[str]
) -> GroupTable:
    """Mean mutual benefit between each left group and right group (normalised by the largest),
    with each enterprise's group code; ``table[codes_l[i], codes_r[j]]`` is pair (i, j)'s."""
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
    return means.astype(_DTYPE), codes_l, codes_r


def _size_ranks(left: list[Enterprise], right: list[Enterprise]) -> tuple[np.ndarray, np.ndarray]:
    rank = {size: k for k, size in enumerate(SIZES)}
    rank_l = np.array([rank.get(e.size or "", -1) for e in left], dtype=np.int8)
    rank_r = np.array([rank.get(e.size or "", -1) for e in right], dtype=np.int8)
    return rank_l, rank_r


def _size_similarity(rank_l: np.ndarray, rank_r: np.ndarray) -> np.ndarray:
    """``1 − |rank_i − rank_j| / 3`` (0.5 when a size is unknown), for all pairs given as
    (n, 1) and (1, m) rank arrays, or elementwise for equal-length ones."""
    diff = np.abs(rank_l.astype(_DTYPE) - rank_r.astype(_DTYPE))
    similarity = 1 - diff / 3
    similarity[(rank_l < 0) | (rank_r < 0)] = 0.5
    return similarity.astype(_DTYPE)


def _add_table(
    score: np.ndarray, table: np.ndarray, codes_l: np.ndarray, codes_r: np.ndarray
) -> None:
    """``score[i, j] += table[codes_l[i], codes_r[j]]`` for every pair, a block of rows at a
    time: the same sums as adding the whole gathered matrix, without that (n_left, n_right)
    temporary (a term that is a small table of group or size pairs needs none)."""
    for start in range(0, score.shape[0], _TABLE_ROWS):
        rows = slice(start, start + _TABLE_ROWS)
        score[rows] += table[codes_l[rows, None], codes_r[None, :]]


def _present_terms(
    programme: Programme,
    interest: StatedInterest | None,
    text: TextProfiles | None,
    base: str,
) -> dict[str, float]:
    """Each term that enters the score and its weight (see the module docstring)."""
    weights = programme.rules.weights
    present = {base: weights.mutual}
    if base == "mutual":
        present.update({k: getattr(weights, k) for k in ("sector", "region", "size")})
    if interest is not None and interest.stated:
        present["preference"] = weights.preference
    if text is not None and text.usable:
        present["text"] = weights.text
    for source in programme.rules.sources:
        present[source_key(source.name)] = source.weight
    return {k: w for k, w in present.items() if w > 0}


def _tag_gains(
    programme: Programme, vocabulary: Vocabulary
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, ...]]:
    """Both sides' tag gains and the level matrices they came from."""
    left, right = programme.left.enterprises, programme.right.enterprises
    needs_l = level_matrix(left, "needs", vocabulary)
    caps_l = level_matrix(left, "capabilities", vocabulary)
    needs_r = level_matrix(right, "needs", vocabulary)
    caps_r = level_matrix(right, "capabilities", vocabulary)
    gain_left = _coverage(need_shares(needs_l), caps_r)
    gain_right = _coverage(need_shares(needs_r), caps_l, transposed=True)
    return gain_left, gain_right, (needs_l, caps_l, needs_r, caps_r)


def _mutual(gain_left: np.ndarray, gain_right: np.ndarray) -> np.ndarray:
    """The mutual benefit ``√(g^L · g^R)``, a new matrix."""
    mutual = np.multiply(gain_left, gain_right)
    np.sqrt(mutual, out=mutual)
    return mutual


def score_matrix(programme: Programme) -> ScoreMatrices:
    """Build ``score``, ``gain_left`` and ``gain_right`` for every (left, right) pair.

    Parameters
    ----------
    programme
        A validated programme.

    Returns
    -------
    ScoreMatrices
        ``float32`` matrices of shape (n_left, n_right) (an organisers' score stays ``float64``);
        see the module docstring for the formula. ``terms`` holds what each term needs to be
        evaluated again at any pair.
    """
    require_instance(programme, Programme, "programme", "build one with pairing.load(path)")
    vocabulary = build_vocabulary(programme)
    weights = programme.rules.weights
    if programme.scores is None:
        # The (n_left, n_right) matrices first, before the score sources' work: their memory
        # is then provided right after the call starts (see "Memory" in the module docstring).
        gain_left, gain_right, levels = _tag_gains(programme, vocabulary)
        mutual = _mutual(gain_left, gain_right)
    interest = stated_interest(programme) if programme.preferences else None
    text = None
    if weights.text > 0:
        from pairing.features.text import text_profiles

        text = text_profiles(programme)
    base = "scores" if programme.scores is not None else "mutual"
    present = _present_terms(programme, interest, text, base)
    gain_terms = tuple(t for t in (base, "text", "preference") if t in present)
    organisers, scale = None, None
    if programme.scores is not None:
        # On any scale, in either sense, mapped onto [0, 1] in one place (score_scale).
        rules = programme.rules
        organisers, scale = normalise(programme.scores, rules.sense, rules.score_scale)
    terms = ScoreTerms(
        present,
        gain_terms,
        interest=interest,
        text=text,
        sources=tuple(s for s in programme.rules.sources if s.weight > 0),
        organisers=organisers,
    )

    if organisers is not None:
        # The organisers' float64 matrix is the score as is (shared, never mutated downstream):
        # the total-score solvers want float64 anyway. Gains stay float32 like every gain.
        gains = organisers.astype(_DTYPE)  # no float64 temporary: NaN is NaN in either type
        gains[np.isnan(gains)] = 0
        if len(present) == 1:
            return ScoreMatrices(organisers, gains, gains, vocabulary, terms=terms, scale=scale)
        score = organisers * weights.mutual  # NaN stays NaN: the pair stays forbidden
        matrices = _with_sources(score, gains, gains.copy(), vocabulary, terms, (None,) * 4)
        return dataclasses.replace(matrices, scale=scale)

    if len(present) == 1:
        return _matrices(mutual, gain_left, gain_right, vocabulary, levels, terms)
    left, right = programme.left.enterprises, programme.right.enterprises
    ranks = _size_ranks(left, right)
    terms = dataclasses.replace(terms, size_ranks=ranks)
    groups: dict[str, GroupTable] = {
        by: _group_affinity(
            mutual, [getattr(e, by) for e in left], [getattr(e, by) for e in right]
        )
        for by in ("sector", "region")
        if by in present
    }
    score = mutual  # ours and no longer needed: the weighted sum is built in place
    if weights.mutual != 1:  # × 1 changes no value: spare the pass
        score *= _DTYPE(weights.mutual)
    for by, (table, codes_l, codes_r) in groups.items():
        _add_table(score, _DTYPE(present[by]) * table, codes_l, codes_r)
    if "size" in present:
        every = np.arange(-1, len(SIZES), dtype=np.int8)  # -1: unknown
        table = _DTYPE(present["size"]) * _size_similarity(every[:, None], every[None, :])
        _add_table(score, table, ranks[0].astype(np.intp) + 1, ranks[1].astype(np.intp) + 1)
    terms = dataclasses.replace(terms, groups=groups)
    return _with_sources(score, gain_left, gain_right, vocabulary, terms, levels)


def _matrices(
    score: np.ndarray,
    gain_left: np.ndarray,
    gain_right: np.ndarray,
    vocabulary: Vocabulary,
    levels: tuple[np.ndarray | None, ...],
    terms: ScoreTerms,
) -> ScoreMatrices:
    needs_l, caps_l, needs_r, caps_r = levels
    return ScoreMatrices(
        score, gain_left, gain_right, vocabulary, needs_l, caps_l, needs_r, caps_r, terms
    )


def _with_sources(
    score: np.ndarray,
    gain_left: np.ndarray,
    gain_right: np.ndarray,
    vocabulary: Vocabulary,
    terms: ScoreTerms,
    levels: tuple[np.ndarray | None, ...],
) -> ScoreMatrices:
    """Add the score sources to a weighted sum that holds the tag terms, then divide.

    ``gain_left``/``gain_right`` hold the base gains and are blended in place.
    The score sources are added in one compiled pass per row (:mod:`pairing.features.combine`).
    """
    present = terms.weights
    if not terms.sources and "text" not in present and "preference" not in present:
        score /= score.dtype.type(terms.total_weight)  # the tag terms alone: no gain to blend
        np.clip(score, 0, 1, out=score)
        return _matrices(score, gain_left, gain_right, vocabulary, levels, terms)
    from pairing.features.combine import combine_rows

    share = {t: present[t] / terms.gain_weight for t in terms.gain_terms}
    interest = (_NO_INDEX, _NO_INDEX, _NO_VALUES) * 2
    if "preference" in present:
        assert terms.interest is not None
        interest = _csr(terms.interest.left) + _csr(terms.interest.right)
    sources = tuple(np.ascontiguousarray(s.scores, dtype=np.float64) for s in terms.sources)
    source_weights = np.array([s.weight for s in terms.sources], dtype=np.float64)

    def combine(start: int, text: tuple[np.ndarray, ...]) -> None:
        combine_rows(
            score,
            gain_left,
            gain_right,
            start,
            share[terms.gain_terms[0]],
            text,
            present.get("text", 0.0),
            share.get("text", 0.0),
            interest,
            present.get("preference", 0.0) / 2,
            share.get("preference", 0.0),
            sources or (_NO_SOURCE,),
            source_weights,
            terms.total_weight,
        )

    if "text" not in present:
        combine(0, _NO_TEXT)
    else:
        assert terms.text is not None
        from pairing.features.text import text_parts

        for rows, t_left, t_right in text_parts(terms.text):
            combine(rows.start, (*_gathered(t_left), *_gathered(t_right)))
    return _matrices(score, gain_left, gain_right, vocabulary, levels, terms)


#: Placeholders for an absent text term, stated interest or extra matrix in the compiled pass.
_NO_INDEX = np.zeros(0, np.intp)
_NO_VALUES = np.zeros(0, np.float32)
_NO_TEXT = (np.zeros((1, 1), np.float32), _NO_INDEX, _NO_INDEX) * 2
_NO_SOURCE = np.zeros((1, 1), np.float64)


def _gathered(part: tuple[np.ndarray, np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """A text block in gathered form with the index types the compiled pass takes."""
    grid, at_rows, at_cols = part
    return grid, np.asarray(at_rows, np.intp), np.asarray(at_cols, np.intp)


def _csr(matrix: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A CSR matrix's ``(indptr, indices, data)`` in the types the compiled pass takes."""
    return (
        np.asarray(matrix.indptr, np.intp),
        np.asarray(matrix.indices, np.intp),
        np.asarray(matrix.data, np.float32),
    )
