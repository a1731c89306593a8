r"""Free-text complementarity: how well one enterprise's ``offers_text`` meets another's
``needs_text``, in any language.

Every text is turned into a TF-IDF vector over character n-grams (2 to 4 characters, within
words; scikit-learn's ``TfidfVectorizer``), L2-normalised, so no language needs a tokenizer:
Chinese and Urdu are read the same way as English. Before that, texts are NFKC-normalised
(full-width forms become ASCII), lower-cased, and punctuation — including ``-`` and ``_`` —
becomes a space, so that "cold-chain" and "cold chain" share their n-grams. The vocabulary and
the IDF weights are fitted on all texts of both sides at once.

The term
--------
With :math:`N^L, O^L` the left enterprises' needs and offers vectors and :math:`N^R, O^R` the
right ones' (sparse, rows of unit length or zero):

.. math::  t^L_{ij} = N^L_i \cdot O^R_j, \qquad t^R_{ij} = N^R_j \cdot O^L_i, \qquad
           text_{ij} = \sqrt{t^L_{ij}\, t^R_{ij}}

:math:`t^L_{ij}` (cosine similarity, in [0, 1]) is how well j's offers meet i's needs, so it is
part of left i's gain; :math:`t^R` part of right j's. Like the mutual tag benefit, the text term
is 0 for a pair that helps only one side. An enterprise without a text has a zero vector.

The products are sparse × sparse, one block of left rows at a time, each block written straight
into the dense (n_left, n_right) matrices it updates: no dense intermediate beyond a block.
scikit-learn is imported here only, when a programme has texts.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np
import scipy.sparse as sp

from pairing.model import Programme

__all__ = ["TextProfiles", "normalise", "shared_phrase", "text_blocks", "text_profiles"]

_NGRAMS = (2, 4)
#: Left rows per block of the sparse products: 10,000 right columns × 512 rows × 4 bytes ≈ 20 MB.
_BLOCK_ROWS = 512


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


def text_profiles(programme: Programme) -> TextProfiles | None:
    """TF-IDF profiles of every enterprise's texts, or ``None`` when no enterprise has one."""
    raw = tuple(
        tuple(getattr(e, field) or "" for e in programme.side(side).enterprises)
        for side in ("left", "right")
        for field in ("needs_text", "offers_text")
    )
    columns = [[normalise(text) for text in column] for column in raw]
    corpus = [text for column in columns for text in column if text.strip()]
    if not corpus:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=_NGRAMS,
        lowercase=False,  # normalise() did it
        sublinear_tf=True,
        dtype=np.float32,
    )
    vectoriser.fit(corpus)
    needs_l, offers_l, needs_r, offers_r = (
        sp.csr_matrix(vectoriser.transform(column), dtype=np.float32) for column in columns
    )
    return TextProfiles(needs_l, offers_l, needs_r, offers_r, raw)


def text_blocks(
    profiles: TextProfiles,
) -> Iterator[tuple[slice, np.ndarray, np.ndarray]]:
    """Yield ``(rows, t_left[rows], t_right[rows])`` as dense ``float32`` blocks of left rows."""
    n_left = profiles.needs_left.shape[0]
    offers_r_t = profiles.offers_right.T.tocsc()
    needs_r_t = profiles.needs_right.T.tocsc()
    for start in range(0, n_left, _BLOCK_ROWS):
        rows = slice(start, min(start + _BLOCK_ROWS, n_left))
        t_left = (profiles.needs_left[rows] @ offers_r_t).toarray()
        t_right = (profiles.offers_left[rows] @ needs_r_t).toarray()
        np.clip(t_left, 0, 1, out=t_left)
        np.clip(t_right, 0, 1, out=t_right)
        yield rows, t_left.astype(np.float32, copy=False), t_right.astype(np.float32, copy=False)


def _widen(text: str, start: int, end: int) -> str:
    """The whole words of ``text`` that ``[start, end)`` touches (at most 40 characters)."""
    begin = start
    while begin > 0 and not text[begin - 1].isspace() and start - begin < 12:
        begin -= 1
    stop = end
    while stop < len(text) and not text[stop].isspace() and stop - end < 12:
        stop += 1
    return text[begin:stop].strip()[:40]


def shared_phrase(need: str | None, offer: str | None, minimum: int = 3) -> tuple[str, str] | None:
    """The longest stretch two texts share (compared normalised), as each text writes it.

    ``shared_phrase("we need cold chain storage", "Cold-chain logistics")`` is
    ``("cold chain", "Cold-chain")``; ``None`` when they share fewer than ``minimum`` characters.
    Used for the reasons of chosen pairs only (a few short texts), never over all pairs.
    """
    if not need or not offer:
        return None
    a = unicodedata.normalize("NFKC", need)
    b = unicodedata.normalize("NFKC", offer)
    norm_a, norm_b = normalise(a), normalise(b)
    if len(norm_a) != len(a) or len(norm_b) != len(b):  # case folding changed a length
        a, b = norm_a, norm_b
    match = SequenceMatcher(None, norm_a, norm_b, autojunk=False).find_longest_match()
    if match.size < minimum or not norm_a[match.a : match.a + match.size].strip():
        return None
    # trim spaces at the ends of the stretch so that widening does not swallow a neighbour
    lead = len(norm_a[match.a : match.a + match.size]) - len(
        norm_a[match.a : match.a + match.size].lstrip()
    )
    size = len(norm_a[match.a + lead : match.a + match.size].rstrip())
    if size < minimum:
        return None
    return (
        _widen(a, match.a + lead, match.a + lead + size),
        _widen(b, match.b + lead, match.b + lead + size),
    )
