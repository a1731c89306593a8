"""Why a pair scores what it scores: the tags that contribute most to its gains.

For pair (i, j) the contribution of tag t to the left gain is
``N^L[i, t] * C^R[j, t] / sum_t N^L[i, t]`` and to the right gain
``N^R[j, t] * C^L[i, t] / sum_t N^R[j, t]`` (see :mod:`pairing.features.scoring`). The reasons
are the tags with the largest contributions, as short sentences naming who offers and who
needs. Computed for the selected pairs only, as one (k, T) array operation.
"""

from __future__ import annotations

import numpy as np

from pairing.features.scoring import ScoreMatrices

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
    if matrices.needs_left is None or matrices.caps_right is None:
        scores = matrices.score[left_index, right_index]
        return [[f"organisers' score {float(s):.3f}"] for s in scores]
    assert matrices.needs_right is not None and matrices.caps_left is not None
    to_left = _contributions(matrices.needs_left[left_index], matrices.caps_right[right_index])
    to_right = _contributions(matrices.needs_right[right_index], matrices.caps_left[left_index])
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
        if not items:
            items.append("no complementary tags; paired to satisfy capacities or rules")
        reasons.append(items)
    return reasons
