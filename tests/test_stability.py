"""Blocking pairs: the vectorised count agrees with a plain loop over every pair."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pairing.core.problem import Problem
from pairing.diagnostics.stability import blocking_pairs


def _naive_blocking(problem: Problem, left: np.ndarray, right: np.ndarray) -> set[tuple[int, int]]:
    n_left, n_right = problem.shape
    partners_l: dict[int, list[int]] = {i: [] for i in range(n_left)}
    partners_r: dict[int, list[int]] = {j: [] for j in range(n_right)}
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        partners_l[i].append(j)
        partners_r[j].append(i)

    def left_prefers(i: int, a: int, b: int) -> bool:  # does i prefer right a over right b?
        ga, gb = problem.gain_left[i, a], problem.gain_left[i, b]
        return bool(ga > gb or (ga == gb and a < b))

    def right_prefers(j: int, a: int, b: int) -> bool:
        ga, gb = problem.gain_right[a, j], problem.gain_right[b, j]
        return bool(ga > gb or (ga == gb and a < b))

    found = set()
    for i in range(n_left):
        for j in range(n_right):
            if not problem.allowed[i, j] or j in partners_l[i]:
                continue
            wants_l = len(partners_l[i]) < problem.cap_max_left[i] or any(
                left_prefers(i, j, b) for b in partners_l[i]
            )
            wants_r = len(partners_r[j]) < problem.cap_max_right[j] or any(
                right_prefers(j, i, a) for a in partners_r[j]
            )
            if wants_l and wants_r:
                found.add((i, j))
    return found


@given(st.integers(0, 2**32 - 1), st.integers(1, 7), st.integers(1, 7))
def test_vectorised_blocking_pairs_equal_the_naive_loop(
    seed: int, n_left: int, n_right: int
) -> None:
    rng = np.random.default_rng(seed)
    gains_l = (rng.integers(0, 4, size=(n_left, n_right)) / 4).astype(np.float32)  # many ties
    gains_r = (rng.integers(0, 4, size=(n_left, n_right)) / 4).astype(np.float32)
    cap_l = rng.integers(1, 3, size=n_left)
    cap_r = rng.integers(1, 3, size=n_right)
    allowed = rng.random((n_left, n_right)) < 0.8
    # a random matching within capacities, on allowed cells
    room_l, room_r = cap_l.copy(), cap_r.copy()
    left, right = [], []
    for i, j in zip(*np.nonzero(allowed & (rng.random(allowed.shape) < 0.4)), strict=True):
        if room_l[i] and room_r[j]:
            left.append(i)
            right.append(j)
            room_l[i] -= 1
            room_r[j] -= 1
    problem = Problem(
        score=(gains_l + gains_r) / 2,
        gain_left=gains_l,
        gain_right=gains_r,
        allowed=allowed,
        cap_min_left=np.zeros(n_left, dtype=np.int64),
        cap_max_left=cap_l,
        cap_min_right=np.zeros(n_right, dtype=np.int64),
        cap_max_right=cap_r,
        required=np.empty((0, 2), dtype=np.intp),
    )
    li, ri = np.asarray(left, dtype=np.intp), np.asarray(right, dtype=np.intp)
    got = {tuple(p) for p in blocking_pairs(problem, li, ri).tolist()}
    assert got == _naive_blocking(problem, li, ri)
