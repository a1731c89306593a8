"""The score sources' compiled pass (one pass per row) gives, bit for bit, the weighted mean
computed step by step with NumPy over whole matrices: the same operations in the same order and
types, so no tie between two pairs is broken differently by the way it is computed."""

from __future__ import annotations

import numpy as np
import pytest

from pairing.features import score_matrix
from pairing.features.score_scale import normalise
from pairing.features.scoring import _mutual, _size_similarity, _tag_gains
from pairing.features.text import text_parts
from pairing.features.vocabulary import build_vocabulary
from pairing.generator import generate
from pairing.model import Programme
from pairing.model.programme import Side, Source

F32 = np.float32


def _step_by_step(programme: Programme) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score and gains with one NumPy operation at a time over the whole matrices."""
    m = score_matrix(programme)  # for the present terms, the texts and the stated interest
    terms = m.terms
    assert terms is not None
    present = terms.weights
    if programme.scores is not None:
        rules = programme.rules
        score, _ = normalise(programme.scores, rules.sense, rules.score_scale)
        gain_left = np.where(np.isnan(score), F32(0), score).astype(F32)
        gain_right = gain_left.copy()
        score = score * programme.rules.weights.mutual
    else:
        gain_left, gain_right, _ = _tag_gains(programme, build_vocabulary(programme))
        score = _mutual(gain_left, gain_right)
        score *= F32(present["mutual"])
        for by, (table, codes_l, codes_r) in terms.groups.items():  # tables of the same code
            score += F32(present[by]) * table[codes_l[:, None], codes_r[None, :]]
        if "size" in present:
            assert terms.size_ranks is not None
            ranks_l, ranks_r = terms.size_ranks
            score += F32(present["size"]) * _size_similarity(ranks_l[:, None], ranks_r[None, :])
    kind = score.dtype.type
    share = {t: present[t] / terms.gain_weight for t in terms.gain_terms}
    gain_left *= F32(share[terms.gain_terms[0]])
    gain_right *= F32(share[terms.gain_terms[0]])
    if "text" in present:
        assert terms.text is not None
        for rows, (grid_l, at_l, cols_l), (grid_r, at_r, cols_r) in text_parts(terms.text):
            t_left, t_right = grid_l[np.ix_(at_l, cols_l)], grid_r[np.ix_(at_r, cols_r)]
            gain_left[rows] += F32(share["text"]) * t_left
            gain_right[rows] += F32(share["text"]) * t_right
            score[rows] += kind(present["text"]) * np.sqrt(t_left * t_right)
    if "preference" in present:
        assert terms.interest is not None
        for matrix, gain in ((terms.interest.left, gain_left), (terms.interest.right, gain_right)):
            coo = matrix.tocoo()
            score[coo.row, coo.col] += kind(present["preference"] / 2) * coo.data.astype(kind)
            gain[coo.row, coo.col] += F32(share["preference"]) * coo.data
    for source in terms.sources:
        score += np.fmax(source.scores, 0.0) * source.weight  # float64, rounded on the way in
    score /= kind(terms.total_weight)
    return np.clip(score, 0, 1), np.clip(gain_left, 0, 1), np.clip(gain_right, 0, 1)


def _unsized(side: Side, every: int) -> Side:
    """``side`` with the size of every ``every``-th enterprise unknown (size similarity 0.5)."""
    enterprises = [
        e.model_copy(update={"size": None}) if k % every == 0 else e
        for k, e in enumerate(side.enterprises)
    ]
    return side.model_copy(update={"enterprises": enterprises})


def _programme(variant: str) -> Programme:
    base = generate(600, 260, seed=11, text=True, preferences=True)
    rng = np.random.default_rng(11)
    history = np.round(rng.random(base.shape), 2)
    history[rng.random(base.shape) < 0.4] = np.nan
    agency = rng.random(base.shape)
    agency[rng.random(base.shape) < 0.1] = np.nan
    sources = [Source(name="history", weight=0.7, scores=history)]
    update: dict[str, object] = {"text": 1.3, "preference": 0.8}
    if variant == "groups":
        update |= {"sector": 0.3, "region": 0.2, "size": 0.1}
        sources.append(Source(name="agency", weight=0.4, scores=agency))
        base = base.model_copy(
            update={"left": _unsized(base.left, 5), "right": _unsized(base.right, 7)}
        )
    weights = base.rules.weights.model_copy(update=update)
    rules = base.rules.model_copy(update={"weights": weights, "sources": sources})
    programme = base.model_copy(update={"rules": rules})
    if variant == "organisers":
        organisers = rng.random(base.shape)
        organisers[rng.random(base.shape) < 0.05] = np.nan  # forbidden pairs stay NaN
        programme = programme.model_copy(update={"scores": organisers})
    return programme


@pytest.mark.parametrize("variant", ["sources", "groups", "organisers"])
def test_the_compiled_pass_is_the_step_by_step_formula_bit_for_bit(variant: str) -> None:
    programme = _programme(variant)
    m = score_matrix(programme)
    assert m.terms is not None and {"text", "preference"} <= set(m.terms.weights)
    score, gain_left, gain_right = _step_by_step(programme)
    assert m.score.dtype == score.dtype
    np.testing.assert_array_equal(m.score, score)  # NaN where the organisers forbid a pair
    np.testing.assert_array_equal(m.gain_left, gain_left)
    np.testing.assert_array_equal(m.gain_right, gain_right)
