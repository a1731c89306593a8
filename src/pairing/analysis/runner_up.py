"""Why this partner and not the next one: each pair's runner-up, for both enterprises.

For a chosen pair (i, j), i's *runner-up* is the allowed partner j' that i is not already paired
with and that gives i the largest gain; the pair reports who that is and how much less i would
gain with it (``less = gain_left[i, j] − gain_left[i, j']``), and the same for j. That is the
question a matchmaking meeting asks ("why PK-017 and not PK-040?"). A negative ``less`` means
the runner-up would give more: it was kept away by the rules or by better pairs elsewhere.
Computed blockwise over the pairs' rows and columns (no Python loop over pairs, memory bounded
by the block); ties go to the enterprise listed first. Capacities and quotas are not
re-checked: a runner-up is a partner the rules allow for this pair, not necessarily one a
feasible matching could give (``--alternates`` looks at room too).
"""

from __future__ import annotations

import numpy as np

from pairing.core.problem import Problem
from pairing.model.result import RunnerUp

__all__ = ["runner_ups"]

_BLOCK = 512


def _best_other(gains: np.ndarray, allowed: np.ndarray, owners: np.ndarray,
                chosen_owner: np.ndarray, chosen_partner: np.ndarray) -> tuple[np.ndarray, ...]:
    """For each owner row, the best allowed partner outside the owner's chosen partners."""
    best = np.full(len(owners), -1, dtype=np.intp)
    value = np.full(len(owners), np.nan)
    # each owner's chosen partners, found by binary search in the pairs sorted by owner
    order = np.argsort(chosen_owner, kind="stable")
    owner_sorted, partner_sorted = chosen_owner[order], chosen_partner[order]
    for start in range(0, len(owners), _BLOCK):
        rows = owners[start:start + _BLOCK]
        block = np.where(allowed[rows], gains[rows].astype(np.float64), -np.inf)
        # every chosen partner of these owners is excluded (an owner may have several)
        first = np.searchsorted(owner_sorted, rows, side="left")
        counts = np.searchsorted(owner_sorted, rows, side="right") - first
        at = np.repeat(np.arange(len(rows)), counts)
        offsets = np.arange(len(at)) - np.repeat(np.cumsum(counts) - counts, counts)
        block[at, partner_sorted[np.repeat(first, counts) + offsets]] = -np.inf
        pick = np.argmax(block, axis=1)
        found = np.isfinite(block[np.arange(len(rows)), pick])
        best[start:start + _BLOCK] = np.where(found, pick, -1)
        value[start:start + _BLOCK] = np.where(found, block[np.arange(len(rows)), pick], np.nan)
    return best, value


def runner_ups(problem: Problem, left: np.ndarray, right: np.ndarray) -> list[RunnerUp]:
    """The runner-up of both ends of each pair ``(left[k], right[k])``."""
    if not len(left):
        return []
    usable = problem.usable
    left_best, left_value = _best_other(problem.gain_left, usable, left, left, right)
    right_best, right_value = _best_other(problem.gain_right.T, usable.T, right, right, left)
    own_left = problem.gain_left[left, right].astype(np.float64)
    own_right = problem.gain_right[left, right].astype(np.float64)
    out = []
    for k in range(len(left)):
        out.append(RunnerUp(
            left=None if left_best[k] < 0 else problem.right_ids[left_best[k]],
            left_less=None if left_best[k] < 0 else round(float(own_left[k] - left_value[k]), 6),
            right=None if right_best[k] < 0 else problem.left_ids[right_best[k]],
            right_less=None if right_best[k] < 0 else round(float(own_right[k] - right_value[k]),
                                                           6),
        ))
    return out
