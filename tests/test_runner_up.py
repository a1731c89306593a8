"""Each pair's runner-up, against plain loops over a capacitated programme."""

from __future__ import annotations

import numpy as np
import pytest

import pairing
from strategies import programme_from_matrix


def test_runner_up_matches_loops() -> None:
    rng = np.random.default_rng(4)
    scores = np.round(rng.random((6, 7)), 3)
    scores[rng.random(scores.shape) < 0.2] = np.nan
    programme = programme_from_matrix(scores, [(1, 2)] * 6, [(0, 2)] * 7)
    result = pairing.solve(programme)
    left = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    right = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    partners: dict[str, set[str]] = {}
    for p in result.pairs:
        partners.setdefault(p.left, set()).add(p.right)
        partners.setdefault(p.right, set()).add(p.left)
    for p in result.pairs:
        i, j = left[p.left], right[p.right]
        others = [(scores[i, b], rid) for rid, b in right.items()
                  if rid not in partners[p.left] and not np.isnan(scores[i, b])]
        best = max(others, key=lambda o: (o[0], -right[o[1]]), default=None)
        assert p.runner_up is not None
        if best is None:
            assert p.runner_up.left is None
        else:
            assert p.runner_up.left == best[1]
            assert p.runner_up.left_less == pytest.approx(scores[i, j] - best[0], abs=1e-6)
        others = [(scores[a, j], lid) for lid, a in left.items()
                  if lid not in partners[p.right] and not np.isnan(scores[a, j])]
        best = max(others, key=lambda o: (o[0], -left[o[1]]), default=None)
        if best is None:
            assert p.runner_up.right is None
        else:
            assert p.runner_up.right == best[1]
            assert p.runner_up.right_less == pytest.approx(scores[i, j] - best[0], abs=1e-6)
