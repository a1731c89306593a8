r"""Free-text complementarity: how well one enterprise's ``offers_text`` meets another's
``needs_text``, in any language.

Every text is turned into a TF-IDF vector over character n-grams (2 to 4 characters, within
words; scikit-learn's ``TfidfVectorizer``), L2-normalised, so no language needs a tokenizer:
Chinese and Urdu are read the same way as English. Before that, texts are NFKC-normalised
(full-width forms become ASCII), lower-cased, and punctuation — including ``-`` and ``_`` —
becomes a space, so that "cold-chain" and "cold chain" share their n-grams. The vocabulary and
the IDF weights are fitted on all texts of both sides at once, and n-grams found in more than
half of them ("stop n-grams", such as "we " or "offer") are dropped, like stop words.

The term
--------
With :math:`N^L, O^L` the left enterprises' needs and offers vectors and :math:`N^R, O^R` the
right ones' (sparse, rows of unit length or zero):

.. math::  t^L_{ij} = N^L_i \cdot O^R_j, \qquad t^R_{ij} = N^R_j \cdot O^L_i, \qquad
           text_{ij} = \sqrt{t^L_{ij}\, t^R_{ij}}

:math:`t^L_{ij}` (cosine similarity, in [0, 1]) is how well j's offers meet i's needs, so it is
part of left i's gain; :math:`t^R` part of right j's. Like the mutual tag benefit, the text term
is 0 for a pair that helps only one side. An enterprise without a text has a zero vector.

The products go one block of left rows at a time, each block written straight into the dense
(n_left, n_right) matrices it updates: no dense intermediate beyond a block. Within a block the
few hundred most frequent n-grams (which touch nearly every pair) are one dense BLAS product and
the long tail is sparse × sparse.
scikit-learn is imported here only, when a programme has texts.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from pairing.model import Programme

__all__ = ["TextProfiles", "normalise", "shared_phrase", "text_blocks", "text_profiles", "tfidf"]

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
#: How many of the most frequent n-grams go through a dense matrix product (10,000 × 512 float32
#: per side and direction: 20 MB).
_DENSE_COLUMNS = 512


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

    words: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for row, text in enumerate(texts):
        for word in text.split():
            rows.append(row)
            cols.append(words.setdefault(word, len(words)))
    occurrences = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(len(texts), len(words))
    )  # repeated (row, word) entries are summed: a word used twice counts twice
    counter = CountVectorizer(analyzer="char_wb", ngram_range=_NGRAMS, lowercase=False)
    per_word = counter.fit_transform(list(words)).astype(np.float64)
    return sp.csr_matrix(occurrences @ per_word), counter.get_feature_names_out()


def text_profiles(programme: Programme) -> TextProfiles | None:
    """TF-IDF profiles of every enterprise's texts, or ``None`` when no enterprise has one.

    One vocabulary and one set of IDF weights for every text of both sides (:func:`tfidf`).
    """
    raw = tuple(
        tuple(getattr(e, field) or "" for e in programme.side(side).enterprises)
        for side in ("left", "right")
        for field in ("needs_text", "offers_text")
    )
    texts = [normalise(text) for column in raw for text in column]
    found = tfidf(texts)
    if found is None:
        return None
    vectors, names = found
    bounds = np.cumsum([0, *(len(column) for column in raw)])
    needs_l, offers_l, needs_r, offers_r = (vectors[bounds[k] : bounds[k + 1]] for k in range(4))
    return TextProfiles(needs_l, offers_l, needs_r, offers_r, raw, names)


def tfidf(texts: list[str]) -> tuple[sp.csr_matrix, tuple[str, ...]] | None:
    """L2-normalised TF-IDF rows (``float32`` CSR) of normalised ``texts`` over character
    n-grams, stop n-grams dropped, and the n-gram of each column; ``None`` when all are empty.

    The IDF weights count every non-empty text, exactly as a ``TfidfVectorizer`` would.
    """
    present = np.fromiter((bool(t.strip()) for t in texts), bool, len(texts))
    if not present.any():
        return None
    from sklearn.feature_extraction.text import TfidfTransformer

    counts, names = _ngram_counts(texts)
    frequency = np.bincount(counts.indices, minlength=counts.shape[1])
    keep = frequency <= _stop_frequency(int(present.sum()))
    counts = counts[:, keep]
    weights = TfidfTransformer(sublinear_tf=True).fit(counts[present])
    vectors = sp.csr_matrix(weights.transform(counts), dtype=np.float32)
    return vectors, tuple(names[keep].tolist())


def _split_product(
    a: sp.csr_matrix, b: sp.csr_matrix, common: np.ndarray, rare: np.ndarray
) -> Callable[[slice], np.ndarray]:
    """``rows ↦ (a[rows] @ b.T)`` as a dense block: the common n-grams' columns through one
    dense BLAS product, the rest sparse × sparse — the same sum, split where each is fastest."""
    a_common = a[:, common].toarray()
    b_common_t = np.ascontiguousarray(b[:, common].toarray().T)
    a_rare = sp.csr_matrix(a[:, rare])
    b_rare_t = sp.csr_matrix(b[:, rare].T)  # csr @ csr: no conversion per block

    def block(rows: slice) -> np.ndarray:
        out = a_common[rows] @ b_common_t
        out += (a_rare[rows] @ b_rare_t).toarray()
        return np.clip(out, 0, 1, out=out)

    return block


def text_blocks(
    profiles: TextProfiles,
) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Yield ``(rows, t_left[rows], t_right[rows])`` as dense ``float32`` blocks of left rows.

    The most frequent n-grams (at most :data:`_DENSE_COLUMNS`) fill most of each product's
    output, so their part is one dense matrix product; the long tail stays sparse.
    """
    n_left, n_features = profiles.needs_left.shape
    matrices = (
        profiles.needs_left,
        profiles.offers_left,
        profiles.needs_right,
        profiles.offers_right,
    )
    frequency = sum(np.bincount(m.indices, minlength=n_features) for m in matrices)
    order = np.argsort(-np.asarray(frequency), kind="stable")
    common, rare = np.sort(order[:_DENSE_COLUMNS]), np.sort(order[_DENSE_COLUMNS:])
    left = _split_product(profiles.needs_left, profiles.offers_right, common, rare)
    right = _split_product(profiles.offers_left, profiles.needs_right, common, rare)
    for start in range(0, n_left, _BLOCK_ROWS):
        rows = slice(start, min(start + _BLOCK_ROWS, n_left))
        yield rows, left(rows), right(rows)


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
