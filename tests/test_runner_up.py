"""Each pair's runner-up, against plain loops over a capacitated programme."""

from __future__ import annotations

import dataclasses
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pairing
from pairing.analysis import runner_up
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


def _loop_runner_up(gains: np.ndarray, usable: np.ndarray, partners: set[int],
                    ids: tuple[str, ...]) -> tuple[str | None, float | None]:
    """The definition read plainly: the best usable non-partner, ties to the first listed."""
    others = [(float(gains[b]), b) for b in range(len(gains))
              if usable[b] and b not in partners]
    if not others:
        return None, None
    value, best = max(others, key=lambda o: (o[0], -o[1]))
    return ids[best], value


@settings(max_examples=60)
@given(st.integers(1, 9), st.integers(1, 9), st.integers(0, 2**32 - 1), st.booleans(),
       st.sampled_from([1, 7, 1 << 21]))
def test_runner_ups_match_the_definition(n_left: int, n_right: int, seed: int, same: bool,
                                         cells: int) -> None:
    """Gains with ties (one matrix for both sides, or two), unusable cells, owners with several
    chosen partners, and row blocks of one row up to the whole matrix."""
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 4, size=(n_left, n_right)) / 4.0
    scores[rng.random(scores.shape) < 0.2] = np.nan
    programme = programme_from_matrix(scores, [(0, 2)] * n_left, [(0, 2)] * n_right)
    problem = pairing.prepare(programme).problem
    gain_left = (rng.integers(0, 3, size=problem.shape) / 2.0).astype(np.float32)
    gain_right = gain_left if same else (rng.integers(0, 3, size=problem.shape) / 2.0
                                         ).astype(np.float32)
    problem = dataclasses.replace(problem, gain_left=gain_left, gain_right=gain_right)
    cells_chosen = np.flatnonzero(rng.random(n_left * n_right) < 0.3)
    left, right = np.divmod(cells_chosen, n_right)
    with patch.object(runner_up, "_CELLS_PER_BLOCK", cells):
        found = runner_up.runner_ups(problem, left, right)
    usable = problem.usable
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        mine = {int(b) for a, b in zip(left, right, strict=True) if a == i}
        theirs = {int(a) for a, b in zip(left, right, strict=True) if b == j}
        other, value = _loop_runner_up(gain_left[i], usable[i], mine, problem.right_ids)
        assert found[k].left == other
        assert found[k].left_less == (None if value is None
                                      else pytest.approx(gain_left[i, j] - value, abs=1e-6))
        other, value = _loop_runner_up(gain_right[:, j], usable[:, j], theirs,
                                       problem.left_ids)
        assert found[k].right == other
        assert found[k].right_less == (None if value is None
                                       else pytest.approx(gain_right[i, j] - value, abs=1e-6))
