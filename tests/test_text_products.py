"""The free-text products computed the fast way (distinct texts, merged n-gram columns, a dense
part and a sparse tail, blocks read from a grid of distinct texts) equal the plain products of
the enterprises' TF-IDF rows, and repeated texts weigh as often as they are written."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pairing.features import text as text_module
from pairing.features.text import TextProfiles, normalise, text_parts, text_profiles, tfidf
from pairing.generator import generate


def _plain(profiles: TextProfiles) -> tuple[np.ndarray, np.ndarray]:
    """``t_left`` and ``t_right`` straight from the definition, one sparse product each."""
    t_left = (profiles.needs_left @ profiles.offers_right.T).toarray()
    t_right = (profiles.offers_left @ profiles.needs_right.T).toarray()
    return np.clip(t_left, 0, 1), np.clip(t_right, 0, 1)


def _assembled(profiles: TextProfiles) -> tuple[np.ndarray, np.ndarray]:
    n_left, n_right = profiles.needs_left.shape[0], profiles.offers_right.shape[0]
    t_left = np.full((n_left, n_right), np.nan, np.float32)
    t_right = np.full((n_left, n_right), np.nan, np.float32)
    for rows, (grid_l, at_rows_l, at_cols_l), (grid_r, at_rows_r, at_cols_r) in text_parts(
        profiles
    ):
        t_left[rows] = grid_l[np.ix_(at_rows_l, at_cols_l)]
        t_right[rows] = grid_r[np.ix_(at_rows_r, at_cols_r)]
    return t_left, t_right


@pytest.mark.parametrize("distinct_share", [0.5, 0.0])  # grid of distinct texts / block by block
@pytest.mark.parametrize("sparse_cost", [300.0, 0.0, 1e12])  # split / all sparse / all dense
def test_blocks_equal_the_plain_products(
    monkeypatch: pytest.MonkeyPatch, distinct_share: float, sparse_cost: float
) -> None:
    """More left rows than one block (512); generated texts repeat, so columns get gathered."""
    monkeypatch.setattr(text_module, "_DISTINCT_SHARE", distinct_share)
    monkeypatch.setattr(text_module, "_SPARSE_COST", sparse_cost)
    programme = generate(700, 150, seed=3, text=True)
    profiles = text_profiles(programme)
    assert profiles is not None and profiles.distinct is not None
    assert profiles.distinct.shape[0] < 2 * (700 + 150)  # texts are repeated
    t_left, t_right = _assembled(profiles)
    plain_left, plain_right = _plain(profiles)
    np.testing.assert_allclose(t_left, plain_left, atol=2e-6)
    np.testing.assert_allclose(t_right, plain_right, atol=2e-6)
    # equal texts tie exactly, also in different blocks: each cell's sum has a fixed order
    needs = profiles.which[0]
    first = {text: i for i, text in reversed(list(enumerate(needs.tolist())))}
    twins = [(i, first[text]) for i, text in enumerate(needs.tolist()) if first[text] < i - 512]
    assert twins  # texts repeated more than a block apart
    for i, j in twins:
        np.testing.assert_array_equal(t_left[i], t_left[j])


def test_profiles_built_by_hand_use_their_own_rows() -> None:
    """TextProfiles without ``distinct`` (every text its own row) give the same blocks."""
    profiles = text_profiles(generate(40, 30, seed=1, text=True))
    assert profiles is not None
    by_hand = TextProfiles(
        profiles.needs_left, profiles.offers_left, profiles.needs_right, profiles.offers_right
    )
    t_left, t_right = _assembled(by_hand)
    plain_left, plain_right = _plain(profiles)
    np.testing.assert_allclose(t_left, plain_left, atol=2e-6)
    np.testing.assert_allclose(t_right, plain_right, atol=2e-6)


def test_equal_ngram_columns_merge_into_one_counted_as_often() -> None:
    """"abcde" always occurs whole: its n-grams are equal columns, one after merging."""
    found = tfidf([normalise(t) for t in ("abcde xy", "abcde zw", "xy", "zw qq")])
    assert found is not None
    vectors, _ = found
    a, b = vectors[[0, 2]], vectors[[1, 3]]
    merged_a, merged_b = text_module._merged(a, b)
    assert merged_a.shape[1] < a.shape[1]
    np.testing.assert_allclose(
        (merged_a @ merged_b.T).toarray(), (a @ b.T).toarray(), rtol=1e-6, atol=1e-7
    )


def test_copies_weigh_like_repeated_texts() -> None:
    """``copies`` gives the IDF weights (and the stop n-grams) of the texts written out that many
    times: 25 copies of the first text make its n-grams stop n-grams (more than half of 45)."""
    texts = [normalise(t) for t in ("cold chain logistics", "solar inverters", "冷链物流", "")]
    copies = np.array([25, 10, 10, 3])
    repeated = [t for t, c in zip(texts, copies, strict=True) for _ in range(c)]
    short, long = tfidf(texts, copies=copies), tfidf(repeated)
    assert short is not None and long is not None
    assert short[1] == long[1]
    first = np.cumsum([0, *copies[:-1]])
    np.testing.assert_allclose(short[0].toarray(), long[0][first].toarray(), atol=1e-7)
    once = tfidf(texts)
    assert once is not None
    assert sp.csr_matrix(short[0][0]).nnz < sp.csr_matrix(once[0][0]).nnz  # its n-grams dropped
