"""Which programmes take the large path (:mod:`pairing.core.large`), decided without loading it.

Kept apart from the path itself so that :func:`pairing.solve` can ask on every call without
importing the compiled sparse solver.
"""

from __future__ import annotations

import numpy as np

from pairing.model.programme import Programme

__all__ = ["LARGE_CELLS", "large_route", "mode_of", "scored_by_tags"]

#: Pairs above which an eligible programme takes this path: 12,000 × 12,000. Below it the dense
#: matrices (three float32 n² arrays, 1.7 GB at that size) fit and the dense pipeline measures
#: faster; above it they soon do not fit at all.
LARGE_CELLS = 144_000_000


def large_route(programme: Programme, objective: str, solver: str) -> str | None:
    """Why ``programme`` takes the large path, or ``None`` when it does not.

    It does when it has more than :data:`LARGE_CELLS` pairs, the objective is ``total``, the
    solver is ``auto`` or ``sparse``, every score comes from the tags alone (no organisers'
    matrix, sources, stated interest, text or sector/region/size terms), the rules are at most
    ``min_score`` and forbidden pairs, and the capacities are one-to-one in a form the sparse
    solver takes: everyone 0..1, or the smaller side 1..1 and the larger 0..1 (both 1..1 when
    square).
    """
    n_left, n_right = len(programme.left.enterprises), len(programme.right.enterprises)
    if n_left * n_right <= LARGE_CELLS or objective != "total" or solver not in ("auto", "sparse"):
        return None
    rules = programme.rules
    if (not scored_by_tags(programme)
            or rules.quotas or rules.pair_quotas or rules.partner_quotas or rules.required):
        return None
    if mode_of(programme) is None:
        return None
    return (
        f"{n_left:,} × {n_right:,} pairs is above the dense limit ({LARGE_CELLS:,}): scores are "
        "built in row blocks and the sparse assignment is proven optimal by pricing every pair"
    )


def scored_by_tags(programme: Programme) -> bool:
    """Whether every score comes from the tags alone (no organisers' matrix, score sources,
    stated interest, text, sector, region or size term): then one pair's score needs only
    the two enterprises' tag levels, and scores can be built by row blocks."""
    rules = programme.rules
    weights = rules.weights
    return not (programme.scores is not None or rules.sources or programme.preferences
                or any(getattr(weights, k, 0) > 0 for k in ("sector", "region", "size", "text")))


def _caps(programme: Programme) -> tuple[np.ndarray, ...]:
    return tuple(
        np.array([getattr(e.capacity, bound) for e in side.enterprises])
        for side in (programme.left, programme.right)
        for bound in ("min", "max")
    )


def mode_of(programme: Programme) -> tuple[str, bool] | None:
    """(sparse solver mode, rows are the right side) or ``None`` when not one-to-one."""
    min_l, max_l, min_r, max_r = _caps(programme)
    if not ((max_l == 1).all() and (max_r == 1).all()):
        return None
    if not min_l.any() and not min_r.any():
        return "optional", False
    n_left, n_right = len(min_l), len(min_r)
    if n_left <= n_right and (min_l == 1).all() and (n_left == n_right or not min_r.any()):
        return "saturate", False
    if n_right < n_left and (min_r == 1).all() and not min_l.any():
        return "saturate", True
    return None
