"""The tag vocabulary and the enterprise × tag level matrices.

Tags are free-form names; the vocabulary is the sorted union of every tag either side offers
or needs, so column ``t`` means the same tag in every matrix. Levels are stored as ``float32``:
a 10,000 × 300 matrix is 12 MB, and the score matrices built from them stay within memory at
10,000 × 10,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from pairing.model.programme import Enterprise, Programme

__all__ = ["Vocabulary", "build_vocabulary", "level_matrix"]


@dataclass(frozen=True)
class Vocabulary:
    """The ordered tags and each tag's column index."""

    tags: tuple[str, ...]

    @property
    def index(self) -> dict[str, int]:
        return {tag: k for k, tag in enumerate(self.tags)}

    def __len__(self) -> int:
        return len(self.tags)


def build_vocabulary(programme: Programme) -> Vocabulary:
    """Every tag that any enterprise of either side offers or needs, sorted."""
    tags: set[str] = set(programme.vocabulary)
    for side in (programme.left, programme.right):
        for enterprise in side.enterprises:
            tags.update(enterprise.capabilities)
            tags.update(enterprise.needs)
    return Vocabulary(tuple(sorted(tags)))


def level_matrix(
    enterprises: Sequence[Enterprise],
    field: Literal["capabilities", "needs"],
    vocabulary: Vocabulary,
) -> np.ndarray:
    """An (n, T) ``float32`` matrix of the enterprises' levels for each vocabulary tag.

    Built with one vectorised scatter from flat (row, column, level) arrays; the only Python
    iteration is over each enterprise's own tags while flattening.
    """
    index = vocabulary.index
    rows: list[int] = []
    cols: list[int] = []
    levels: list[float] = []
    for row, enterprise in enumerate(enterprises):
        tags = getattr(enterprise, field)
        rows.extend([row] * len(tags))
        cols.extend(index[tag] for tag in tags)
        levels.extend(tags.values())
    matrix = np.zeros((len(enterprises), len(vocabulary)), dtype=np.float32)
    matrix[np.asarray(rows, dtype=np.intp), np.asarray(cols, dtype=np.intp)] = levels
    return matrix
