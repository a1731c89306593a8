"""The "uniform" profile: a neutral benchmark instance with no domain structure.

Both sides are drawn alike from a small generic vocabulary (16 tags in 4 groups): each
enterprise offers a few random tags and needs a few others (about four of each, at least one),
at levels uniform in [0.05, 1]; sectors, regions and sizes are uniform. Useful to time
solvers on instances whose score matrix has no planted pattern.
"""

from __future__ import annotations

import numpy as np

from pairing.generator._sampling import build_enterprises, enterprise_ids, level_dicts
from pairing.model.programme import SIZES, Enterprise, Programme, Side

__all__ = ["generate_uniform"]

_TAGS: tuple[str, ...] = tuple(f"tag-{k:02d}" for k in range(1, 17))
_VOCABULARY: dict[str, str] = {tag: f"group-{k // 4 + 1}" for k, tag in enumerate(_TAGS)}
_SECTORS: tuple[str, ...] = ("sector-1", "sector-2", "sector-3", "sector-4")
_REGIONS: tuple[str, ...] = ("region-1", "region-2", "region-3")
_P_TAG = 0.45


def _roles(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(n, T) capability and need levels: a few random tags each, never the same tag twice.

    Each row ranks the tags in a random order; its first ``c`` tags are capabilities and the
    next ``d`` are needs, with ``c`` and ``d`` each 1 + Binomial(7, 0.45) (4.15 on average,
    about a quarter of the 16 tags), so every enterprise offers and needs at least one tag.
    """
    n_tags = len(_TAGS)
    rank = np.argsort(np.argsort(rng.random((n, n_tags)), axis=1), axis=1)
    half = n_tags // 2 - 1
    n_caps = 1 + rng.binomial(half, _P_TAG, size=(n, 1))
    n_needs = 1 + rng.binomial(half, _P_TAG, size=(n, 1))
    levels = np.round(rng.uniform(0.05, 1.0, (2, n, n_tags)), 2)
    caps = np.where(rank < n_caps, levels[0], 0.0)
    needs = np.where((rank >= n_caps) & (rank < n_caps + n_needs), levels[1], 0.0)
    return caps, needs


def _draw_side(rng: np.random.Generator, n: int, label: str) -> list[Enterprise]:
    ids = enterprise_ids(label, n)
    sector = rng.integers(len(_SECTORS), size=n).tolist()
    region = rng.integers(len(_REGIONS), size=n).tolist()
    size = rng.integers(len(SIZES), size=n)
    caps, needs = _roles(rng, n)
    return build_enterprises(
        ids,
        [f"Enterprise {id_}" for id_ in ids],
        [_SECTORS[k] for k in sector],
        [_REGIONS[k] for k in region],
        size,
        level_dicts(caps, _TAGS),
        level_dicts(needs, _TAGS),
        [None] * n,
    )


def generate_uniform(n_left: int, n_right: int, seed: int) -> Programme:
    """A neutral random programme: sides ``L`` and ``R`` drawn alike (see the module docstring).

    Parameters
    ----------
    n_left, n_right
        Number of enterprises per side (already validated).
    seed
        Seed of the one :func:`numpy.random.default_rng` used for every draw.

    Returns
    -------
    Programme
        Default capacities (1..1) and default rules.
    """
    rng = np.random.default_rng(seed)
    left = _draw_side(rng, n_left, "L")
    right = _draw_side(rng, n_right, "R")
    return Programme(
        name=f"uniform {n_left}x{n_right} (seed {seed})",
        left=Side(label="L", enterprises=left),
        right=Side(label="R", enterprises=right),
        vocabulary=dict(_VOCABULARY),
    )
