"""Blocking pairs of a capacitated matching, vectorised.

Preferences are induced by the gains (design): left i ranks right enterprises by
``gain_left[i, :]`` descending, right j ranks left ones by ``gain_right[:, j]`` descending; ties
go to the enterprise listed earlier. Forbidden and below-``min_score`` pairs are unacceptable.

A pair (i, j), allowed and not matched, *blocks* when both would rather have each other: i has
a free seat or prefers j to its worst partner, and likewise j.
"""

from __future__ import annotations

import numpy as np

from pairing.problem import Problem

__all__ = ["blocking_mask", "count_blocking_pairs"]


def _worst_partner(
    owner: np.ndarray, other: np.ndarray, value: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each owner: the value and index of its least preferred partner (NaN/-1 if none)."""
    worst_value = np.full(n, np.nan)
    worst_index = np.full(n, -1, dtype=np.intp)
    if len(owner):
        # least preferred: smallest value, and among equal values the one listed last
        order = np.lexsort((-other, value, owner))
        owners_sorted = owner[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = owners_sorted[1:] != owners_sorted[:-1]
        picks = order[first]
        worst_value[owner[picks]] = value[picks]
        worst_index[owner[picks]] = other[picks]
    return worst_value, worst_index


def _would_accept(
    gains: np.ndarray, spare: np.ndarray, worst_value: np.ndarray, worst_index: np.ndarray
) -> np.ndarray:
    """(n_owner, n_other) True where the owner would take that partner (row-wise owner)."""
    n_other = gains.shape[1]
    candidates = np.arange(n_other)[None, :]
    threshold = np.nan_to_num(worst_value, nan=-np.inf)[:, None]
    better = (gains > threshold) | ((gains == threshold) & (candidates < worst_index[:, None]))
    return spare[:, None] | better


def blocking_mask(problem: Problem, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """(n_left, n_right) True where the pair blocks the matching (left[k], right[k])."""
    n_left, n_right = problem.shape
    gl = problem.gain_left
    gr = problem.gain_right
    count_left = np.bincount(left, minlength=n_left)
    count_right = np.bincount(right, minlength=n_right)
    wv_l, wi_l = _worst_partner(left, right, gl[left, right], n_left)
    wv_r, wi_r = _worst_partner(right, left, gr[left, right], n_right)
    accept_left = _would_accept(gl, count_left < problem.cap_max_left, wv_l, wi_l)
    accept_right = _would_accept(gr.T, count_right < problem.cap_max_right, wv_r, wi_r).T
    matched = np.zeros((n_left, n_right), dtype=bool)
    matched[left, right] = True
    return problem.allowed & ~matched & accept_left & accept_right


def count_blocking_pairs(problem: Problem, left: np.ndarray, right: np.ndarray) -> int:
    return int(blocking_mask(problem, left, right).sum())
