"""Enterprise gains and objective values of a matching, one definition for everyone.

An enterprise's gain is the sum of its gains over its partners (0 when it has none). The
fairness objectives look at the *population* of enterprises that a matching can be asked to
serve, side by side: those guaranteed a partner (capacity min ≥ 1); on a side where nobody is
guaranteed one, every enterprise that may have a partner (capacity max ≥ 1), provided the other
side has room for all of them. Under the linear-assignment convention of a rectangular
programme this is the smaller side and nobody from the larger one — the larger side's surplus
necessarily stays alone and would otherwise pin every worst gain to 0; when one side hosts
several partners and the other may stay alone (1..3 × 0..2), both sides count.

Objective values:

- ``total``, ``stable``: the sum of the pairs' scores;
- ``maxmin``, ``leximin``: the smallest gain in the population (leximin's full sorted vector is
  in the metrics);
- ``balanced``: the smaller of the two sides' mean gains over each side's population members.
"""

from __future__ import annotations

import numpy as np

from pairing.problem import Problem

__all__ = ["enterprise_gains", "fairness_population", "objective_value"]


def enterprise_gains(
    gain_left: np.ndarray, gain_right: np.ndarray, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-enterprise total gains (float64) of the matching given by index arrays."""
    n_left, n_right = gain_left.shape
    totals_left = np.bincount(
        left, weights=gain_left[left, right].astype(np.float64), minlength=n_left
    )
    totals_right = np.bincount(
        right, weights=gain_right[left, right].astype(np.float64), minlength=n_right
    )
    return totals_left, totals_right


def _side_population(
    cap_min: np.ndarray, cap_max: np.ndarray, other_cap_max: np.ndarray
) -> np.ndarray:
    must = cap_min >= 1
    could = cap_max >= 1
    if must.any() or int(could.sum()) > int(other_cap_max.sum()):
        return must
    return could


def fairness_population(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the left and right enterprises the fairness objectives count.

    Per side: the enterprises guaranteed a partner (capacity min ≥ 1) if there are any; else
    every enterprise that may have one (capacity max ≥ 1), as long as the other side's
    capacity could give each of them a partner — otherwise (the surplus side of a rectangular
    programme) nobody on that side, whose worst gain is 0 in every matching.
    """
    return (
        _side_population(problem.cap_min_left, problem.cap_max_left, problem.cap_max_right),
        _side_population(problem.cap_min_right, problem.cap_max_right, problem.cap_max_left),
    )


def objective_value(problem: Problem, objective: str, left: np.ndarray, right: np.ndarray) -> float:
    """The value of ``objective`` for the matching (left[k], right[k])."""
    if objective in ("total", "stable"):
        return float(np.nan_to_num(problem.score[left, right], nan=0.0).astype(np.float64).sum())
    gains_left, gains_right = enterprise_gains(problem.gain_left, problem.gain_right, left, right)
    pop_left, pop_right = fairness_population(problem)
    if objective in ("maxmin", "leximin"):
        counted = np.concatenate([gains_left[pop_left], gains_right[pop_right]])
        return float(counted.min()) if counted.size else 0.0
    if objective == "balanced":
        means = [
            g[m].mean() for g, m in ((gains_left, pop_left), (gains_right, pop_right)) if m.any()
        ]
        return float(min(means)) if means else 0.0
    msg = f"unknown objective {objective!r}"
    raise ValueError(msg)
