"""Why a pair scores what it scores: structured reasons, each with its share of the score.

Every reason is a :class:`~pairing.model.result.Reason` — ``term``, ``tag``, ``direction``,
``contribution`` (what it adds to the pair's **score**) and ``text``, a sentence rendered from
those fields by :func:`make_reason`.

**Tags.** For pair (i, j) tag t adds ``a_t = N^L[i, t] · C^R[j, t] / Σ_t N^L[i, t]`` to the
left enterprise's tag gain ``g_L = Σ_t a_t`` (the right one offers, the left one needs:
``right_to_left``) and ``b_t = N^R[j, t] · C^L[i, t] / Σ_t N^R[j, t]`` to the right one's
``g_R = Σ_t b_t`` (``left_to_right``); see :mod:`pairing.features.scoring`. The tags term of the
score is ``w_mutual / Σ w · m`` with ``m = sqrt(g_L · g_R)``; since ``dm/m = (dg_L/g_L + dg_R/g_R)
/ 2``, it splits exactly over the tags as

    ``contribution_t = w_mutual / Σ w · m / 2 · (a_t / g_L + b_t / g_R)``

(the contributions of all tags add up to the term; a pair that helps only one side has m = 0, so
its one-sided tags are listed with contribution 0). The reasons are the ``top`` tags ranked by
``Σ_direction contribution × idf`` — the score never changes, only which tags are named first:
``idf = 1 + ln((1 + n) / (1 + df))``, where ``df`` is the number of enterprises of the
*offering* side that list the tag as a capability and ``n`` that side's size. A tag nearly every
enterprise offers (``market-access-pakistan``) has idf ≈ 1 and a tag one firm offers a few
times more, so a generic tag is named before a distinctive one only when it contributes several
times as much. Computed for the selected pairs only, as (k, T) array operations.

**Other terms** (see :mod:`pairing.features.terms`) follow, largest contribution first, each
naming its term: "stated interest: both high (+0.25 score)", "past-cooperation 0.90 (+0.10
score)", "text: CN needs 'cold chain' ~ PK offers 'cold-chain logistics' (+0.08 score)", "sector
affinity 0.82 (+0.05 score)". With the organisers' score matrix its term comes first.
"""

from __future__ import annotations

import numpy as np

from pairing.features.scoring import ScoreMatrices, ScoreTerms
from pairing.features.terms import TermValues, term_values
from pairing.model.programme import INTEREST_LEVELS
from pairing.model.result import Reason, ReasonDirection

__all__ = ["make_reason", "pair_reasons", "tag_rarity"]

#: The reason a pair gets when nothing in its score explains it.
NOTHING = "no complementary tags; paired to satisfy capacities or rules"


def make_reason(
    term: str,
    *,
    tag: str | None = None,
    direction: ReasonDirection | None = None,
    contribution: float = 0.0,
    labels: tuple[str, str] = ("left", "right"),
    detail: str | None = None,
) -> Reason:
    """A :class:`Reason` whose ``text`` is rendered from its fields.

    ``labels`` name the sides in the sentence (``CN``, ``PK``); ``detail`` is the value that
    qualifies a term (the stated levels ``both high``, an affinity ``0.82``, the text phrases).
    """
    contribution = round(float(contribution), 6)
    left, right = labels
    amount = f"(+{contribution:.2f} score)"
    if term == "tags":
        if tag is None:
            text = NOTHING
        else:
            parts = []
            if direction in ("left_to_right", "both"):
                parts.append(f"{left} offers, {right} needs")
            if direction in ("right_to_left", "both"):
                parts.append(f"{right} offers, {left} needs")
            if contribution == 0:
                amount = "(one-sided: adds nothing to the score)"
            text = f"{tag}: {'; '.join(parts)} {amount}"
    else:
        what = {
            "scores": "organisers'",  # the detail says "score 0.812" or "cost -403.02"
            "preference": "stated interest:",
            "text": "text:",
            "sector": "sector affinity",
            "region": "region affinity",
            "size": "size similarity",
        }.get(term, term.removeprefix("source:"))
        text = " ".join(part for part in (what, detail, amount) if part)
    return Reason(term=term, tag=tag, direction=direction, contribution=contribution, text=text)


def _contributions(needs: np.ndarray, caps: np.ndarray) -> np.ndarray:
    needs = needs.astype(np.float64)
    total = needs.sum(axis=1, keepdims=True)
    return needs * caps / np.where(total > 0, total, 1)


def tag_rarity(caps: np.ndarray) -> np.ndarray:
    """Each tag's ranking factor on one offering side: ``1 + ln((1 + n) / (1 + df))``, where
    ``df`` counts the side's enterprises offering the tag (``caps`` is its (n, T) levels)."""
    offered = np.count_nonzero(caps > 0, axis=0)
    return 1.0 + np.log((1.0 + caps.shape[0]) / (1.0 + offered))


def _direction(gives_left: bool, gives_right: bool) -> ReasonDirection:
    if gives_left and gives_right:
        return "both"
    return "right_to_left" if gives_left else "left_to_right"


def pair_reasons(
    matrices: ScoreMatrices,
    left_index: np.ndarray,
    right_index: np.ndarray,
    labels: tuple[str, str] = ("left", "right"),
    top: int = 3,
) -> list[list[Reason]]:
    """For each pair (left_index[k], right_index[k]), up to ``top`` tag reasons (the tags
    ranked as in the module docstring), then every other term that adds to its score."""
    left_index = np.asarray(left_index, dtype=np.intp)
    right_index = np.asarray(right_index, dtype=np.intp)
    count = len(left_index)
    if count == 0:
        return []
    extra = _term_reasons(matrices, left_index, right_index, labels)
    terms = matrices.terms
    if matrices.needs_left is None or matrices.caps_right is None:
        if terms is not None and terms.organisers is not None:
            return extra  # the organisers' term leads them
        values = np.nan_to_num(matrices.score[left_index, right_index], nan=0.0)
        return [
            [make_reason("scores", contribution=v, labels=labels, detail=f"score {v:.3f}"),
             *more]
            for v, more in zip(values.tolist(), extra, strict=True)
        ]
    if terms is not None and "mutual" not in terms.weights:
        return extra  # tags do not enter the score (weight 0)
    return [
        (tags + more) or [make_reason("tags", labels=labels)]
        for tags, more in zip(
            _tag_reasons(matrices, left_index, right_index, labels, top), extra, strict=True
        )
    ]


#: Pairs whose (pairs × tags) arrays are built at once: bounds the memory of many pairs.
_BLOCK = 2048


def _ranked_tags(
    matrices: ScoreMatrices,
    left_index: np.ndarray,
    right_index: np.ndarray,
    rarity: tuple[np.ndarray, np.ndarray],
    top: int,
) -> tuple[list[list[int]], list[list[bool]], list[list[bool]], list[list[float]]]:
    """For each pair, its ``top`` tags in ranking order, whether each gives the left and the
    right end a gain, and each tag's contribution to the score (all as (pairs, top) lists)."""
    assert matrices.needs_left is not None and matrices.caps_right is not None
    assert matrices.needs_right is not None and matrices.caps_left is not None
    to_left = _contributions(matrices.needs_left[left_index], matrices.caps_right[right_index])
    to_right = _contributions(matrices.needs_right[right_index], matrices.caps_left[left_index])
    gain_l, gain_r = to_left.sum(axis=1), to_right.sum(axis=1)
    terms = matrices.terms
    share = 1.0 if terms is None else terms.weights["mutual"] / terms.total_weight
    half = share * np.sqrt(np.clip(gain_l, 0, 1) * np.clip(gain_r, 0, 1)) / 2
    per_l = np.divide(half, gain_l, out=np.zeros_like(half), where=gain_l > 0)
    per_r = np.divide(half, gain_r, out=np.zeros_like(half), where=gain_r > 0)
    from_right, from_left = to_left * per_l[:, None], to_right * per_r[:, None]
    rare_l, rare_r = rarity
    key = from_right * rare_r + from_left * rare_l
    one_sided = to_left * rare_r + to_right * rare_l  # orders the tags of an m = 0 pair
    order = np.lexsort((-one_sided, -key), axis=-1)[:, : min(top, key.shape[1])]
    rows = np.arange(len(left_index))[:, None]
    return (
        order.tolist(),
        (to_left[rows, order] > 0).tolist(),
        (to_right[rows, order] > 0).tolist(),
        (from_right[rows, order] + from_left[rows, order]).tolist(),
    )


def _tag_reasons(
    matrices: ScoreMatrices,
    left_index: np.ndarray,
    right_index: np.ndarray,
    labels: tuple[str, str],
    top: int,
) -> list[list[Reason]]:
    assert matrices.caps_left is not None and matrices.caps_right is not None
    rarity = (tag_rarity(matrices.caps_left), tag_rarity(matrices.caps_right))
    tags = matrices.vocabulary.tags
    reasons: list[list[Reason]] = []
    for start in range(0, len(left_index), _BLOCK):
        block = slice(start, start + _BLOCK)
        ranked = _ranked_tags(matrices, left_index[block], right_index[block], rarity, top)
        for order, gives_left, gives_right, amounts in zip(*ranked, strict=True):
            items = []
            for t, g_l, g_r, amount in zip(order, gives_left, gives_right, amounts, strict=True):
                if not (g_l or g_r):
                    break
                items.append(
                    make_reason(
                        "tags",
                        tag=tags[t],
                        direction=_direction(g_l, g_r),
                        contribution=amount,
                        labels=labels,
                    )
                )
            reasons.append(items)
    return reasons


_NAMED = {value: name for name, value in INTEREST_LEVELS.items()}


def _level(value: float) -> str:
    named = _NAMED.get(round(float(value), 6))
    return named or ("none" if value <= 0 else f"{value:.2f}")


def _interest_text(p_left: float, p_right: float, labels: tuple[str, str]) -> str:
    if p_left == p_right:
        return f"both {_level(p_left)}"
    return f"{labels[0]} {_level(p_left)}, {labels[1]} {_level(p_right)}"


def _text_detail(
    terms: ScoreTerms, i: int, j: int, labels: tuple[str, str]
) -> tuple[str | None, str]:
    """The first shared phrase (the needed one) and the phrases of both directions in words."""
    from pairing.features.text import shared_phrase

    text = terms.text
    assert text is not None
    needs_l, offers_l, needs_r, offers_r = text.raw
    parts, first = [], None
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
            first = first if first is not None else phrase[0]
            parts.append(f"{needer} needs {phrase[0]!r} ~ {offerer} offers {phrase[1]!r}")
    return first, ("; ".join(parts) if parts else "similar wording")


def _directed(p_left: float, p_right: float) -> ReasonDirection | None:
    """The direction of a directed term from its two parts (``p_left``: the left end's)."""
    if p_left > 0 and p_right > 0:
        return "both"
    if p_left > 0:
        return "left_to_right"
    return "right_to_left" if p_right > 0 else None


def _term_reasons(
    matrices: ScoreMatrices,
    left_index: np.ndarray,
    right_index: np.ndarray,
    labels: tuple[str, str],
) -> list[list[Reason]]:
    """For each pair, the non-tag terms that add to its score, the organisers' score first,
    then the others by contribution, largest first."""
    terms = matrices.terms
    count = len(left_index)
    if terms is None or (len(terms.weights) == 1 and "scores" not in terms.weights):
        return [[] for _ in range(count)]
    values: TermValues = term_values(matrices, left_index, right_index)
    total = terms.total_weight
    names = [n for n in terms.weights if n != "mutual"]
    shares = np.stack([values[n] * terms.weights[n] / total for n in names], axis=1)
    # the organisers' score first (it takes the tags' place), then by share
    first = np.array([n == "scores" for n in names])
    order = np.lexsort((-shares, np.broadcast_to(~first, shares.shape)), axis=-1)
    reasons: list[list[Reason]] = []
    for row in range(count):
        items = []
        for k in order[row].tolist():
            name, share = names[k], float(shares[row, k])
            if share <= 5e-4 and name != "scores":
                continue
            value = float(values[name][row])
            i, j = int(left_index[row]), int(right_index[row])
            tag, direction, detail = None, None, f"{value:.2f}"
            if name == "scores":
                own = matrices.scale
                detail = f"score {value:.3f}"
                if own is not None and not own.identity:  # the user's own value and sense
                    detail = f"{own.sense} {float(own.raw[i, j]):.6g}"
            elif name == "preference":
                p_l = float(values["gain_left:preference"][row])
                p_r = float(values["gain_right:preference"][row])
                direction, detail = _directed(p_l, p_r), _interest_text(p_l, p_r, labels)
            elif name == "text":
                tag, detail = _text_detail(terms, i, j, labels)
                direction = "both"  # sqrt(t_left · t_right) > 0: each end's text meets the other's
            items.append(
                make_reason(
                    name,
                    tag=tag,
                    direction=direction,
                    contribution=share,
                    labels=labels,
                    detail=detail,
                )
            )
        reasons.append(items)
    return reasons
