r"""Free-text complementarity: how well one enterprise's ``offers_text`` meets another's
``needs_text``, in any language.

Every text is turned into a TF-IDF vector over character n-grams (2 to 4 characters, within
words; the weights of scikit-learn's ``TfidfVectorizer`` with smooth IDF and sublinear TF),
L2-normalised, so no language needs a tokenizer:
Chinese and Urdu are read the same way as English. Before that, texts are NFKC-normalised
(full-width forms become ASCII), lower-cased, and punctuation — including ``-`` and ``_`` —
becomes a space, so that "cold-chain" and "cold chain" share their n-grams. The vocabulary and
the IDF weights are fitted on all texts of both sides at once, and n-grams found in more than
half of them ("stop n-grams", such as "we " or "offer") are dropped, like stop words. The
weight of n-gram k in a text is :math:`(1 + \ln count) \cdot (\ln((1 + N) / (1 + df_k)) + 1)`
over the N non-empty texts (df_k of them contain k), and each vector is then scaled to length 1.

The term
--------
With :math:`N^L, O^L` the left enterprises' needs and offers vectors and :math:`N^R, O^R` the
right ones' (sparse, rows of unit length or zero):

.. math::  t^L_{ij} = N^L_i \cdot O^R_j, \qquad t^R_{ij} = N^R_j \cdot O^L_i, \qquad
           text_{ij} = \sqrt{t^L_{ij}\, t^R_{ij}}

:math:`t^L_{ij}` (cosine similarity, in [0, 1]) is how well j's offers meet i's needs, so it is
part of left i's gain; :math:`t^R` part of right j's. Like the mutual tag benefit, the text term
is 0 for a pair that helps only one side. An enterprise without a text has a zero vector.

How it is computed
------------------
The same numbers, with less work (text products of generated programmes are nearly dense):

- each distinct text is analysed once, and counts in the IDF weights as often as it is written;
- a product uses only the n-grams found on both of its sides, and n-grams whose columns are equal
  (the same weight in the same texts: the n-grams inside a word or phrase that only ever occurs
  whole) as one column counted that many times;
- products are taken between distinct texts, in compiled loops
  (:func:`pairing.features.combine.text_rows`): each n-gram a left text holds adds its weight
  times the n-gram's row over the column texts — a dense row for the n-grams in many texts of
  both sides, the stored entries only for the long tail; a cell's sum has a fixed order, so
  equal texts give equal products;
- when repeated texts make the grid of distinct texts at most half the score matrix it
  is computed once and each block of left rows is read from it; otherwise each block's distinct
  texts are one product. No dense intermediate beyond a block and that grid: the score reads
  each pair's products from there (:func:`text_parts`), never from a gathered copy.

Only stop n-grams are dropped. An n-gram of a single text joins no two texts, but it counts in
its text's length (the L2 norm), so dropping it — or lowering the stop share — would change
every cosine; measured on generated programmes it would save little (the work is in the n-grams
common to many texts, and even dropping those in more than a tenth of the texts removes only a
quarter of the dense product).

scikit-learn is imported here only, when a programme has texts.
"""

from __future__ import annotations

import functools
import itertools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pairing.model import Programme

__all__ = [
    "TextProfiles",
    "normalise",
    "shared_phrase",
    "text_parts",
    "text_profiles",
    "tfidf",
]

_NGRAMS = (2, 4)
#: An n-gram in more than half of the texts (and more than _STOP_MIN_DOCUMENTS of them) is a
#: "stop n-gram" ("we ", "offer"), dropped like a stop word: it tells nobody apart, and dropping
#: it saves much of the work of the sparse products. Below 40 texts nothing is dropped.
_STOP_SHARE = 0.5
_STOP_MIN_DOCUMENTS = 20
#: Longest stretch a reason quotes, and the shortest shared stretch worth quoting (Latin and
#: other spaced scripts / Chinese, Japanese, Korean), in characters.
_LONGEST = 40
_SHORTEST, _SHORTEST_CJK = 5, 2
#: Left rows per block of the sparse products: 10,000 right columns × 512 rows × 4 bytes ≈ 20 MB.
_BLOCK_ROWS = 512
#: An n-gram goes through a dense row when its multiply-adds as sparse entries, times this (how
#: much slower one is there than along a dense row), exceed a dense column's.
_SPARSE_COST = 300.0
#: The products of distinct texts are computed once when that grid is at most this share of the
#: score matrix (programmes that repeat their texts); otherwise block by block.
_DISTINCT_SHARE = 0.5


@functools.cache
def _punctuation_table() -> dict[int, str]:
    """Every Unicode punctuation or symbol code point (and ``_``) → a space."""
    table = {
        code: " "
        for code in range(0x30000)  # every script in use; the rest are unassigned or private
        if unicodedata.category(chr(code))[0] in "PSZ"
    }
    table[ord("_")] = " "
    return table


def normalise(text: str) -> str:
    """NFKC, lower case, punctuation/symbols as spaces; the same length-agnostic text the
    vectoriser reads."""
    return unicodedata.normalize("NFKC", text).lower().translate(_punctuation_table())


@dataclass(frozen=True)
class TextProfiles:
    """L2-normalised TF-IDF rows (``float32`` CSR) of each side's needs and offers texts."""

    needs_left: sp.csr_matrix
    offers_left: sp.csr_matrix
    needs_right: sp.csr_matrix
    offers_right: sp.csr_matrix
    #: The texts as written (left needs, left offers, right needs, right offers), for reasons.
    raw: tuple[tuple[str, ...], ...] = ()
    #: The n-gram of each column.
    features: tuple[str, ...] = ()
    #: The vectors of the distinct texts, and for each of the four columns above the row of
    #: ``distinct`` each enterprise's text is (the products are computed once per distinct text).
    distinct: sp.csr_matrix | None = None
    which: tuple[np.ndarray, ...] = ()

    def anchors(
        self, vectors: sp.csr_matrix, i: int, others: sp.csr_matrix, j: int, top: int = 3
    ) -> list[str]:
        """The n-grams that add most to the similarity of row i of ``vectors`` and row j of
        ``others``, strongest first (what a reason quotes from); empty when they share none.

        Read straight from the CSR arrays: this runs once per chosen pair."""
        a = slice(vectors.indptr[i], vectors.indptr[i + 1])
        b = slice(others.indptr[j], others.indptr[j + 1])
        shared, at_a, at_b = np.intersect1d(
            vectors.indices[a], others.indices[b], assume_unique=True, return_indices=True
        )
        weight = vectors.data[a][at_a] * others.data[b][at_b]
        order = np.argsort(-weight, kind="stable")[:top]
        return [self.features[int(k)] for k in shared[order]]

    @property
    def usable(self) -> bool:
        """Whether some pair has text on both ends in either direction."""
        return bool(
            (self.needs_left.nnz and self.offers_right.nnz)
            or (self.needs_right.nnz and self.offers_left.nnz)
        )

    def at(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``t_left`` and ``t_right`` at pairs ``(rows[k], cols[k])`` (row-wise sparse dots)."""

        def dots(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
            values = np.asarray(a.multiply(b).sum(axis=1), dtype=np.float32).ravel()
            return np.clip(values, 0, 1)

        return (
            dots(self.needs_left[rows], self.offers_right[cols]),
            dots(self.offers_left[rows], self.needs_right[cols]),
        )


def _stop_frequency(documents: int) -> int:
    """Most documents an n-gram may appear in before it is dropped as a "stop n-gram"."""
    return max(int(_STOP_SHARE * documents), _STOP_MIN_DOCUMENTS)


def _ngram_counts(texts: list[str]) -> tuple[sp.csr_matrix, np.ndarray]:
    """Character n-gram counts of each text (rows) and the n-grams (columns).

    The n-grams are taken within words, so a text's counts are the sum of its words' counts:
    each distinct word is analysed once by scikit-learn's ``char_wb`` analyser and a sparse
    (texts × words) @ (words × n-grams) product adds them up — the same counts as analysing
    every text, at a fraction of the cost (programmes repeat their words).
    """
    from sklearn.feature_extraction.text import CountVectorizer

    split = [text.split() for text in texts]
    every = list(itertools.chain.from_iterable(split))
    words = {word: k for k, word in enumerate(dict.fromkeys(every))}  # first-seen order
    rows = np.repeat(np.arange(len(texts)), [len(w) for w in split])
    cols = np.fromiter(map(words.__getitem__, every), np.intp, len(every))
    occurrences = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(texts), len(words))
    )  # repeated (row, word) entries are summed: a word used twice counts twice
    counter = CountVectorizer(analyzer="char_wb", ngram_range=_NGRAMS, lowercase=False)
    per_word = counter.fit_transform(list(words)).astype(np.float64)
    return sp.csr_matrix(occurrences @ per_word), counter.get_feature_names_out()


def text_profiles(programme: Programme) -> TextProfiles | None:
    """TF-IDF profiles of every enterprise's texts, or ``None`` when no enterprise has one.

    One vocabulary and one set of IDF weights for every text of both sides (:func:`tfidf`).
    A text written by several enterprises (or in both columns) is analysed once and counts as
    often as it is written.
    """
    raw = tuple(
        tuple(getattr(e, field) or "" for e in programme.side(side).enterprises)
        for side in ("left", "right")
        for field in ("needs_text", "offers_text")
    )
    distinct: dict[str, int] = {}
    rows = np.fromiter(
        (distinct.setdefault(text, len(distinct)) for column in raw for text in column),
        np.intp,
        sum(map(len, raw)),
    )
    found = tfidf(
        [normalise(text) for text in distinct],
        copies=np.bincount(rows, minlength=len(distinct)),
    )
    if found is None:
        return None
    vectors, names = found
    bounds = np.cumsum([0, *(len(column) for column in raw)])
    which = tuple(rows[bounds[k] : bounds[k + 1]] for k in range(4))
    needs_l, offers_l, needs_r, offers_r = (sp.csr_matrix(vectors[w]) for w in which)
    return TextProfiles(needs_l, offers_l, needs_r, offers_r, raw, names, vectors, which)


def tfidf(
    texts: list[str], copies: np.ndarray | None = None
) -> tuple[sp.csr_matrix, tuple[str, ...]] | None:
    """L2-normalised TF-IDF rows (``float32`` CSR) of normalised ``texts`` over character
    n-grams, stop n-grams dropped, and the n-gram of each column; ``None`` when all are empty.

    ``copies[k]`` is how many documents text k stands for (1 each by default). The IDF weights
    count every non-empty document, exactly as scikit-learn's ``TfidfVectorizer`` (smooth IDF,
    sublinear TF) would on the texts repeated that many times.
    """
    weight = np.ones(len(texts), np.int64) if copies is None else np.asarray(copies, np.int64)
    present = np.fromiter((bool(t.strip()) for t in texts), bool, len(texts))
    if not present.any():
        return None
    counts, names = _ngram_counts(texts)
    # documents each n-gram is in (a row's columns are distinct: counts is canonical CSR)
    frequency = np.bincount(
        counts.indices,
        weights=np.repeat(weight, np.diff(counts.indptr)),
        minlength=counts.shape[1],
    )
    documents = int(weight[present].sum())
    keep = frequency <= _stop_frequency(documents)
    counts = sp.csr_matrix(counts[:, keep])
    idf = np.log((1 + documents) / (1 + frequency[keep])) + 1
    counts.data = (1 + np.log(counts.data)) * idf[counts.indices]  # sublinear TF × IDF
    row = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    norms = np.sqrt(np.bincount(row, weights=counts.data**2, minlength=counts.shape[0]))
    counts.data /= norms[row]  # L2: a row with an entry has a positive norm
    return sp.csr_matrix(counts, dtype=np.float32), tuple(names[keep].tolist())


def _merged(a: sp.csr_matrix, b: sp.csr_matrix) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """``a`` and ``b`` with the same products ``a @ b.T`` in fewer columns: the n-grams found on
    one side only are dropped (they add nothing), and n-grams whose columns are equal — the same
    weight in the same texts of both, as the n-grams of a word or phrase that only ever occurs
    whole — become one column, multiplied in ``a`` by how many they are:
    ``Σ_k a_ik b_jk = m · a_ik b_jk`` over m equal columns."""
    n_features = a.shape[1]
    both = np.flatnonzero(
        (np.bincount(a.indices, minlength=n_features) > 0)
        & (np.bincount(b.indices, minlength=n_features) > 0)
    )
    stacked = sp.csc_matrix(sp.vstack([a[:, both], b[:, both]]))
    stacked.sort_indices()
    indptr, indices, data = stacked.indptr, stacked.indices, stacked.data
    groups: dict[tuple[bytes, bytes], int] = {}
    first = np.empty(len(both), np.intp)
    for k in range(len(both)):
        cells = slice(indptr[k], indptr[k + 1])
        key = (indices[cells].tobytes(), data[cells].tobytes())
        first[k] = groups.setdefault(key, k)
    kept, copies = np.unique(first, return_counts=True)
    a = sp.csr_matrix(a[:, both[kept]])
    a.data *= copies[a.indices].astype(a.dtype)
    return a, sp.csr_matrix(b[:, both[kept]])


class _Product:
    """``t[i, j] = a_i · b_j`` for the texts ``rows`` (one per left enterprise) and ``cols``
    (one per right enterprise), both rows of ``vectors``, clipped to [0, 1], in gathered form.

    Only n-grams on both sides can add to a product. Among them, the n-grams in many texts of
    both sides (their share of a sparse product's work, ``a_k · b_k`` multiply-adds, would outweigh
    their column of a dense one) are dense rows over the column texts, the long tail stays
    sparse: the same sum, split where each is fastest. Each distinct text is one row (or
    column) of the products; when duplicates make that grid small (at most
    :data:`_DISTINCT_SHARE` of the score matrix), it is computed once and every block is read
    from it; otherwise each block's distinct texts are multiplied once.
    """

    def __init__(self, vectors: sp.csr_matrix, rows: np.ndarray, cols: np.ndarray) -> None:
        distinct_rows, self.rows = np.unique(rows, return_inverse=True)
        distinct_cols, self.cols = np.unique(cols, return_inverse=True)
        a, b = _merged(vectors[distinct_rows], vectors[distinct_cols])
        in_a = np.bincount(a.indices, minlength=a.shape[1]).astype(np.float64)
        in_b = np.bincount(b.indices, minlength=b.shape[1]).astype(np.float64)
        work = in_a * in_b
        size = a.shape[0] * b.shape[0]
        dense = np.flatnonzero(work * _SPARSE_COST > size)
        tail = np.flatnonzero((work > 0) & (work * _SPARSE_COST <= size))
        self.a_dense = _csr_arrays(a[:, dense])
        self.b_dense_t = np.ascontiguousarray(b[:, dense].toarray().T)
        self.a_tail = _csr_arrays(a[:, tail])
        self.b_tail_t = _csr_arrays(b[:, tail].T)
        self.buffer: np.ndarray | None = None
        self.grid: np.ndarray | None = None
        if size <= _DISTINCT_SHARE * len(rows) * len(cols):
            self.grid = np.empty((a.shape[0], b.shape[0]), np.float32)
            self._distinct(np.arange(a.shape[0]), self.grid)

    def _distinct(self, rows: np.ndarray, out: np.ndarray) -> np.ndarray:
        """The products of the distinct texts ``rows`` with every distinct column text, into
        ``out`` (compiled: :func:`pairing.features.combine.text_rows`)."""
        from pairing.features.combine import text_rows

        text_rows(
            np.asarray(rows, np.intp), self.a_dense, self.b_dense_t, self.a_tail, self.b_tail_t, out
        )
        return out

    def parts(self, rows: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``t[rows]`` in gathered form ``(grid, at_rows, at_cols)``: its row k, column j is
        ``grid[at_rows[k], at_cols[j]]``. ``grid`` is the products of the distinct texts, or of
        the distinct texts of these rows (each computed once), with every distinct column text.
        """
        which = self.rows[rows]
        if self.grid is not None:
            return self.grid, which, self.cols
        distinct, at_rows = np.unique(which, return_inverse=True)
        return self._distinct(distinct, self._buffer(len(distinct))), at_rows, self.cols

    def _buffer(self, rows: int) -> np.ndarray:
        """A block's products for ``rows`` distinct texts, reused from block to block: a fresh
        20 MB array each time costs as much again in page faults."""
        if self.buffer is None or self.buffer.shape[0] < rows:
            self.buffer = np.empty((rows, self.b_dense_t.shape[1]), np.float32)
        return self.buffer[:rows]


def _csr_arrays(matrix: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(indptr, indices, data)`` of ``matrix`` as CSR, in the types the compiled loops take."""
    csr = sp.csr_matrix(matrix)
    csr.sort_indices()
    return (
        np.asarray(csr.indptr, np.intp),
        np.asarray(csr.indices, np.intp),
        np.asarray(csr.data, np.float32),
    )


def _products(vectors: sp.csr_matrix, which: tuple[np.ndarray, ...]) -> tuple[_Product, _Product]:
    """``t_left`` (i's needs, j's offers) and ``t_right`` (i's offers, j's needs)."""
    return _Product(vectors, which[0], which[3]), _Product(vectors, which[1], which[2])


def _both_products(profiles: TextProfiles) -> tuple[_Product, _Product]:
    """The products ``t_left`` and ``t_right`` of ``profiles``."""
    vectors, which = profiles.distinct, profiles.which
    if vectors is None:  # profiles built by hand: every text its own row
        parts = (
            profiles.needs_left,
            profiles.offers_left,
            profiles.needs_right,
            profiles.offers_right,
        )
        vectors = sp.csr_matrix(sp.vstack(parts))
        bounds = np.cumsum([0, *(p.shape[0] for p in parts)])
        which = tuple(np.arange(bounds[k], bounds[k + 1]) for k in range(4))
    return _products(vectors, which)


#: One block of the text products in gathered form (see :meth:`_Product.parts`).
Gathered = tuple[np.ndarray, np.ndarray, np.ndarray]


def text_parts(profiles: TextProfiles) -> Iterator[tuple[slice, Gathered, Gathered]]:
    """Yield ``(rows, t_left[rows], t_right[rows])`` by blocks of left rows, each product in
    gathered form ``(grid, at_rows, at_cols)``: ``t[rows][k, j] = grid[at_rows[k], at_cols[j]]``
    (the score reads them so, without a dense block of every pair).

    The arrays may be reused for the next block: use them before asking for it.
    """
    left, right = _both_products(profiles)
    n_left = len(left.rows)
    for start in range(0, n_left, _BLOCK_ROWS):
        rows = slice(start, min(start + _BLOCK_ROWS, n_left))
        yield rows, left.parts(rows), right.parts(rows)


def _is_cjk(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def _stops(char: str) -> bool:
    """A phrase does not run across sentence punctuation, brackets or quotes (dashes join)."""
    return unicodedata.category(char) in ("Po", "Ps", "Pe", "Pi", "Pf")


def _word_char(char: str) -> bool:
    return (char.isalnum() or unicodedata.category(char) in ("Pd", "Mn", "Mc")) and not _is_cjk(
        char
    )


def _span(
    text: str, norm: str, start: int, end: int, other: str, other_start: int
) -> tuple[int, int] | None:
    """Grow ``[start, end)`` while ``norm`` and ``other`` agree around the anchor (None when the
    shared stretch is too short to quote), stopping at
    punctuation and at a space beside CJK text; then out to whole words (not across CJK)."""
    offset = other_start - start
    while (
        start > 0
        and start + offset > 0
        and norm[start - 1] == other[start + offset - 1]
        and not _stops(text[start - 1])
        and not (norm[start - 1] == " " and _is_cjk(text[start]))
        and end - start < _LONGEST
    ):
        start -= 1
    while (
        end < len(norm)
        and end + offset < len(other)
        and norm[end] == other[end + offset]
        and not _stops(text[end])
        and not (norm[end] == " " and _is_cjk(text[end - 1]))
        and end - start < _LONGEST
    ):
        end += 1
    shared = norm[start:end].strip()
    if len(shared) < (_SHORTEST_CJK if any(map(_is_cjk, shared)) else _SHORTEST):
        return None  # a few letters in common ("tan" in Pakistan and tanning) say nothing
    while start > 0 and _word_char(text[start - 1]) and _word_char(text[start]):
        start -= 1
    while end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]):
        end += 1
    return start, end


def shared_phrase(
    need: str | None, offer: str | None, anchors: list[str]
) -> tuple[str, str] | None:
    """The longest stretch two texts share around one of ``anchors`` (n-grams of both), as
    each text writes it.

    ``shared_phrase("We need cold chain storage", "Cold-chain logistics", ["chai"])`` is
    ``("cold chain", "Cold-chain")``: the texts are compared normalised, the stretch grows
    while they agree (not across sentence punctuation), then out to whole words. ``None`` when
    no anchor is in both. Used for the reasons of chosen pairs only, never over all pairs.
    """
    if not need or not offer:
        return None
    a = unicodedata.normalize("NFKC", need)
    b = unicodedata.normalize("NFKC", offer)
    norm_a, norm_b = normalise(a), normalise(b)
    if len(norm_a) != len(a) or len(norm_b) != len(b):  # case folding changed a length
        a, b = norm_a, norm_b
    best: tuple[int, str, str] | None = None
    for anchor in anchors:
        # n-grams are padded with a space at word edges: find them in a padded text
        at_a, at_b = f" {norm_a} ".find(anchor), f" {norm_b} ".find(anchor)
        gram = anchor.strip()
        if at_a < 0 or at_b < 0 or not gram:
            continue
        lead = len(anchor) - len(anchor.lstrip()) - 1
        at_a, at_b = at_a + lead, at_b + lead
        span_a = _span(a, norm_a, at_a, at_a + len(gram), norm_b, at_b)
        span_b = _span(b, norm_b, at_b, at_b + len(gram), norm_a, at_a)
        if span_a is None or span_b is None:
            continue
        found = (span_a[1] - span_a[0], a[slice(*span_a)].strip(), b[slice(*span_b)].strip())
        if best is None or found[0] > best[0]:
            best = found
    return None if best is None else (best[1], best[2])
