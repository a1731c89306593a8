"""Each term of the score, evaluated at chosen pairs: for reasons, ``explain`` and tests.

:func:`pairing.features.score_matrix` builds the (n_left, n_right) score in one pass and keeps
no per-term matrix (at 10,000 × 10,000 each would cost 400 MB). What it keeps instead
(:class:`~pairing.features.scoring.ScoreTerms`) is enough to evaluate any term at any k pairs
with (k, ·) array operations: the level matrices for the tag gains, the small sector/region
tables, the size ranks, the sparse stated interest and text profiles, the source matrices.
``Σ weight·term / Σ weight`` over :func:`term_values` is the pair's score (tested).
"""

from __future__ import annotations

import numpy as np

from pairing.features.scoring import ScoreMatrices, _size_similarity, source_key

__all__ = ["TermValues", "describe_terms", "term_shares", "term_values"]

#: Term name → (k,) values at the pairs; also ``gain_left:TERM`` / ``gain_right:TERM`` for the
#: directed parts of the gain terms.
TermValues = dict[str, np.ndarray]


def _tag_gains(
    matrices: ScoreMatrices, rows: np.ndarray, cols: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    assert matrices.needs_left is not None and matrices.caps_right is not None
    assert matrices.needs_right is not None and matrices.caps_left is not None

    def share(needs: np.ndarray, caps: np.ndarray) -> np.ndarray:
        needs = needs.astype(np.float64)
        total = needs.sum(axis=1)
        covered = (needs * caps).sum(axis=1)
        return np.clip(np.divide(covered, total, out=np.zeros_like(total), where=total > 0), 0, 1)

    return (
        share(matrices.needs_left[rows], matrices.caps_right[cols]),
        share(matrices.needs_right[cols], matrices.caps_left[rows]),
    )


def term_values(matrices: ScoreMatrices, rows: np.ndarray, cols: np.ndarray) -> TermValues:
    """Every present term of the score at pairs ``(rows[k], cols[k])``.

    Parameters
    ----------
    matrices
        :func:`pairing.features.score_matrix` output.
    rows, cols
        Left and right indices of the pairs.

    Returns
    -------
    dict
        Term name (as in ``ScoreTerms.weights``) → ``float64`` values; gain terms also give
        their two directions as ``gain_left:NAME`` and ``gain_right:NAME``.
    """
    terms = matrices.terms
    rows, cols = np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)
    out: TermValues = {}
    if terms is None:
        return out
    for name in terms.weights:
        if name == "scores":
            assert terms.organisers is not None
            value = np.nan_to_num(terms.organisers[rows, cols], nan=0.0)
            out.update({name: value, f"gain_left:{name}": value, f"gain_right:{name}": value})
        elif name == "mutual":
            gain_l, gain_r = _tag_gains(matrices, rows, cols)
            out.update(
                {
                    name: np.sqrt(gain_l * gain_r),
                    "gain_left:mutual": gain_l,
                    "gain_right:mutual": gain_r,
                }
            )
        elif name in terms.groups:
            table, codes_l, codes_r = terms.groups[name]
            out[name] = table[codes_l[rows], codes_r[cols]].astype(np.float64)
        elif name == "size":
            assert terms.size_ranks is not None
            ranks_l, ranks_r = terms.size_ranks
            out[name] = _size_similarity(ranks_l[rows], ranks_r[cols]).astype(np.float64)
        elif name == "preference":
            assert terms.interest is not None
            p_l, p_r = terms.interest.at(rows, cols)
            out.update(
                {
                    name: (p_l.astype(np.float64) + p_r) / 2,
                    "gain_left:preference": p_l,
                    "gain_right:preference": p_r,
                }
            )
        elif name == "text":
            assert terms.text is not None
            t_l, t_r = terms.text.at(rows, cols)
            out.update(
                {
                    name: np.sqrt(t_l.astype(np.float64) * t_r),
                    "gain_left:text": t_l,
                    "gain_right:text": t_r,
                }
            )
    for source in terms.sources:
        key = source_key(source.name)
        if key in terms.weights:
            out[key] = np.nan_to_num(source.scores[rows, cols], nan=0.0)
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}


_LABELS = {
    "mutual": "mutual tag benefit",
    "scores": "organisers' score",
    "sector": "sector affinity",
    "region": "region affinity",
    "size": "size similarity",
    "preference": "stated interest",
    "text": "text complementarity",
}


def describe_terms(matrices: ScoreMatrices, i: int, j: int, labels: tuple[str, str]) -> list[str]:
    """One line per present term of pair (i, j): its value, weight and share of the score.

    ``term text: 0.412 × weight 1 / 2.5 = +0.165 (CN 0.31, PK 0.55)`` — the directed parts
    of a gain term are given per side. The shares add up to the pair's score.
    """
    terms = matrices.terms
    if terms is None:
        return []
    values = term_values(matrices, np.array([i]), np.array([j]))
    total = terms.total_weight
    lines = []
    for name, weight in terms.weights.items():
        value = float(values[name][0])
        shown = name.removeprefix("source:")
        what = _LABELS.get(name, f"source {shown!r}")
        line = (
            f"term {shown} ({what}): {value:.3f} × weight {weight:g} / {total:g} "
            f"= +{value * weight / total:.3f}"
        )
        if f"gain_left:{name}" in values:
            left, right = values[f"gain_left:{name}"][0], values[f"gain_right:{name}"][0]
            line += f" ({labels[0]} {left:.3f}, {labels[1]} {right:.3f})"
        lines.append(line)
    return lines


def term_shares(matrices: ScoreMatrices, rows: np.ndarray, cols: np.ndarray) -> dict[str, float]:
    """Each present term's share of the total score of pairs ``(rows[k], cols[k])``.

    ``Σ_k weight·term[k] / Σ weight``, divided by the pairs' total score, per term: what the
    report shows as "where the total comes from". The shares add up to 1 (an empty set of pairs,
    or a total of 0, gives no shares).
    """
    terms = matrices.terms
    if terms is None or len(rows) == 0:
        return {}
    values = term_values(matrices, rows, cols)
    parts = {name: float(values[name].sum()) * w for name, w in terms.weights.items()}
    total = sum(parts.values())
    if total <= 0:
        return {}
    return {name.removeprefix("source:"): part / total for name, part in parts.items()}
