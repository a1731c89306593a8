"""Why a pair scores what it scores: the tags that contribute most to its gains.

For pair (i, j) the contribution of tag t to the left gain is
``N^L[i, t] * C^R[j, t] / sum_t N^L[i, t]`` and to the right gain
``N^R[j, t] * C^L[i, t] / sum_t N^R[j, t]`` (see :mod:`pairing.features.scoring`). The reasons
are the tags with the largest contributions, as short sentences naming who offers and who
needs. Computed for the selected pairs only, as one (k, T) array operation.

The other terms of the score that add to a pair (see :mod:`pairing.features.terms`) follow, the
largest contribution first, each naming its term: "stated interest: both high (+0.25 score)",
"past-cooperation 0.9 (+0.10 score)", "text: CN needs 'cold chain' ~ PK offers 'cold-chain
logistics' (+0.08 score)", "sector affinity 0.82 (+0.05 score)".
"""

from __future__ import annotations

import numpy as np

from pairing.features.scoring import ScoreMatrices, ScoreTerms
from pairing.features.terms import TermValues, term_values
from pairing.model.programme import INTEREST_LEVELS

__all__ = ["pair_reasons"]


def _contributions(needs: np.ndarray, caps: np.ndarray) -> np.ndarray:
    total = needs.sum(axis=1, keepdims=True)
    return needs * caps / np.where(total > 0, total, 1)


def pair_reasons(
    matrices: ScoreMatrices,
    left_index: np.ndarray,
    right_index: np.ndarray,
    labels: tuple[str, str] = ("left", "right"),
    top: int = 3,
) -> list[list[str]]:
    """For each pair (left_index[k], right_index[k]), up to ``top`` reasons, strongest first."""
    count = len(left_index)
    if count == 0:
        return []
    extra = _term_reasons(matrices, left_index, right_index, labels)
    if matrices.needs_left is None or matrices.caps_right is None:
        scores = matrices.terms.organisers if matrices.terms is not None else None
        base = matrices.score if scores is None else scores
        word, fmt, own = "score", ".3f", matrices.scale
        if own is not None and not own.identity:  # the user's own value (score_scale)
            base, word, fmt = own.raw, own.sense, ".6g"
        return [
            [f"organisers' {word} {float(s):{fmt}}", *more]
            for s, more in zip(base[left_index, right_index], extra, strict=True)
        ]
    assert matrices.needs_right is not None and matrices.caps_left is not None
    to_left = _contributions(matrices.needs_left[left_index], matrices.caps_right[right_index])
    to_right = _contributions(matrices.needs_right[right_index], matrices.caps_left[left_index])
    terms = matrices.terms
    if terms is not None and len(terms.gain_terms) > 1:  # the tags' share of blended gains
        scale = terms.weights[terms.gain_terms[0]] / terms.gain_weight
        to_left, to_right = to_left * scale, to_right * scale
    combined = to_left + to_right
    k = min(top, combined.shape[1])
    order = np.argsort(-combined, axis=1, kind="stable")[:, :k]
    tags = matrices.vocabulary.tags
    left_label, right_label = labels
    reasons: list[list[str]] = []
    for row in range(count):
        items = []
        for t in order[row]:
            gl, gr = float(to_left[row, t]), float(to_right[row, t])
            if gl <= 0 and gr <= 0:
                break
            parts = []
            if gl > 0:
                parts.append(
                    f"{right_label} offers, {left_label} needs (+{gl:.2f} {left_label} gain)"
                )
            if gr > 0:
                parts.append(
                    f"{left_label} offers, {right_label} needs (+{gr:.2f} {right_label} gain)"
                )
            items.append(f"{tags[t]}: " + "; ".join(parts))
        if not items and not extra[row]:
            items.append("no complementary tags; paired to satisfy capacities or rules")
        reasons.append(items + extra[row])
    return reasons


_NAMED = {value: name for name, value in INTEREST_LEVELS.items()}


def _level(value: float) -> str:
    named = _NAMED.get(round(float(value), 6))
    return named or ("none" if value <= 0 else f"{value:.2f}")


def _interest_text(p_left: float, p_right: float, labels: tuple[str, str]) -> str:
    if p_left == p_right:
        return f"stated interest: both {_level(p_left)}"
    return f"stated interest: {labels[0]} {_level(p_left)}, {labels[1]} {_level(p_right)}"


def _text_reason(terms: ScoreTerms, i: int, j: int, labels: tuple[str, str]) -> str:
    from pairing.features.text import shared_phrase

    text = terms.text
    assert text is not None
    needs_l, offers_l, needs_r, offers_r = text.raw
    parts = []
    for needer, need, offerer, offer, anchor in (
        (
            labels[0],
            needs_l[i],
            labels[1],
            offers_r[j],
            text.anchors(text.needs_left, i, text.offers_right, j, 5),
        ),
        (
            labels[1],
            needs_r[j],
            labels[0],
            offers_l[i],
            text.anchors(text.needs_right, j, text.offers_left, i, 5),
        ),
    ):
        phrase = shared_phrase(need, offer, anchor)
        if phrase is not None:
            parts.append(f"{needer} needs {phrase[0]!r} ~ {offerer} offers {phrase[1]!r}")
    return "text: " + ("; ".join(parts) if parts else "similar wording")


def _term_reasons(
    matrices: ScoreMatrices,
    left_index: np.ndarray,
    right_index: np.ndarray,
    labels: tuple[str, str],
) -> list[list[str]]:
    """For each pair, the non-tag terms that add to its score, largest contribution first."""
    terms = matrices.terms
    count = len(left_index)
    if terms is None or len(terms.weights) == 1:
        return [[] for _ in range(count)]
    values: TermValues = term_values(matrices, left_index, right_index)
    total = terms.total_weight
    names = [n for n in terms.weights if n not in ("mutual", "scores")]
    shares = np.stack([values[n] * terms.weights[n] / total for n in names], axis=1)
    reasons: list[list[str]] = []
    for row in range(count):
        items = []
        for k in np.argsort(-shares[row], kind="stable").tolist():
            share = float(shares[row, k])
            if share <= 5e-4:
                break
            name, value = names[k], float(values[names[k]][row])
            i, j = int(left_index[row]), int(right_index[row])
            if name == "preference":
                text = _interest_text(
                    float(values["gain_left:preference"][row]),
                    float(values["gain_right:preference"][row]),
                    labels,
                )
            elif name == "text":
                text = _text_reason(terms, i, j, labels)
            elif name in ("sector", "region"):
                text = f"{name} affinity {value:.2f}"
            elif name == "size":
                text = f"size similarity {value:.2f}"
            else:
                text = f"{name.removeprefix('source:')} {value:.2f}"
            items.append(f"{text} (+{share:.2f} score)")
        reasons.append(items)
    return reasons
