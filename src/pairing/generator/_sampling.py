"""Vectorised sampling helpers shared by the generator's profiles.

Every helper takes an explicit :class:`numpy.random.Generator` and draws whole arrays at once:
one call per attribute and side, never one per enterprise, so 10,000 enterprises per side cost
a handful of NumPy calls. Only the final conversion to Python dicts and strings loops over
enterprises (once each, never over pairs).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence

import numpy as np

from pairing.model.programme import SIZES, Enterprise

__all__ = [
    "build_enterprises",
    "draw_rows",
    "enterprise_ids",
    "level_dicts",
    "unique_names",
]


def draw_rows(rng: np.random.Generator, weights: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Draw one category per item from the weight row each item points to.

    Parameters
    ----------
    rng
        The random generator.
    weights
        (K, C) non-negative weights; row ``k`` is a categorical distribution over C categories
        (rows need not sum to 1).
    rows
        (n,) row index of each item in ``weights``.

    Returns
    -------
    numpy.ndarray
        (n,) category codes in ``0..C-1``, drawn by inverse CDF with one uniform per item.
    """
    cdf = np.cumsum(weights, axis=1, dtype=np.float64)
    cdf /= cdf[:, -1:]
    u = rng.random(len(rows))
    codes = (u[:, None] >= cdf[rows]).sum(axis=1)
    return np.minimum(codes, weights.shape[1] - 1)


def enterprise_ids(prefix: str, n: int) -> list[str]:
    """``PREFIX-001`` … zero-padded to the width of ``n`` (at least three digits)."""
    width = max(3, len(str(n)))
    return [f"{prefix}-{k:0{width}d}" for k in range(1, n + 1)]


def level_dicts(levels: np.ndarray, tags: Sequence[str]) -> list[dict[str, float]]:
    """Turn an (n, T) level matrix into one ``{tag: level}`` dict per row (zeros left out).

    The non-zero cells are gathered in one vectorised pass and split by row, so the Python work
    is proportional to the number of tags enterprises actually hold, not to n × T.
    """
    rows, cols = np.nonzero(levels)
    values = levels[rows, cols].tolist()
    names = np.asarray(tags, dtype=object)[cols].tolist()
    bounds = np.searchsorted(rows, np.arange(levels.shape[0] + 1)).tolist()
    return [
        dict(zip(names[start:stop], values[start:stop], strict=True))
        for start, stop in itertools.pairwise(bounds)
    ]


def unique_names(names: list[str]) -> list[str]:
    """Make repeated names distinct by numbering later copies (``… – Unit 2``)."""
    seen: Counter[str] = Counter()
    out = []
    for name in names:
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} – Unit {seen[name]}")
    return out


def build_enterprises(
    ids: Sequence[str],
    names: Sequence[str],
    sectors: Sequence[str],
    regions: Sequence[str],
    size_codes: np.ndarray,
    capabilities: Sequence[dict[str, float]],
    needs: Sequence[dict[str, float]],
    descriptions: Sequence[str | None],
) -> list[Enterprise]:
    """Assemble validated :class:`~pairing.model.Enterprise` objects from per-row columns."""
    sizes = [SIZES[k] for k in size_codes.tolist()]
    return [
        Enterprise(
            id=id_,
            name=name,
            sector=sector,
            region=region,
            size=size,
            capabilities=caps,
            needs=need,
            description=description,
        )
        for id_, name, sector, region, size, caps, need, description in zip(
            ids, names, sectors, regions, sizes, capabilities, needs, descriptions, strict=True
        )
    ]
