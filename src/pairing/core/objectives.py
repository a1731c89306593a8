"""Enterprise gains and objective values of a matching, one definition for everyone.

An enterprise's gain is the sum of its gains over its partners (0 when it has none).

**Who counts.** The fair objectives (``maxmin``, ``leximin``, ``balanced``) count *every*
enterprise of the sides named by ``rules.fair_to`` — ``both`` (the default), ``left`` or
``right`` — matched or not, and nobody else (:func:`counted`). When a counted enterprise cannot
have a partner in any matching (no allowed pair, capacity max 0, or its side is larger than the
other side can serve), the worst gain is 0 in every matching; :func:`unservable` says who and
why, and the result carries that sentence.

Objective values:

- ``total``, ``stable``: the sum of the pairs' scores, on the user's scale (for an organisers'
  cost matrix, the total cost);
- ``maxmin``, ``leximin``: the smallest counted gain (leximin's full sorted vector is
  ``metrics.sorted_gains``);
- ``balanced``: the smaller of the counted sides' mean gains (with ``fair_to`` one side, that
  side's mean gain).
"""

from __future__ import annotations

import numpy as np

from pairing.core.problem import Problem

__all__ = ["FAIR_OBJECTIVES", "counted", "enterprise_gains", "objective_value", "unservable"]

FAIR_OBJECTIVES: tuple[str, ...] = ("maxmin", "leximin", "balanced")


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


def counted(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Boolean masks of the left and right enterprises the fair objectives count.

    Every enterprise of a side named by ``problem.fair_to`` (``both``, ``left`` or ``right``).
    """
    n_left, n_right = problem.shape
    return (
        np.full(n_left, problem.fair_to in ("both", "left")),
        np.full(n_right, problem.fair_to in ("both", "right")),
    )


def unservable(problem: Problem) -> list[str]:
    """Why some counted enterprise must stay at gain 0 in every matching (empty when none must).

    Counting arguments: the enterprises with no possible partner (capacity max 0, or every pair
    forbidden, unscored or below ``min_score``), a counted side larger than the other side's
    total capacity, and a side quota whose ``max`` is below the number of counted enterprises in
    its group. Other rule combinations can still force a zero, which the solvers then prove.
    """
    counted_left, counted_right = counted(problem)
    usable = problem.usable
    sentences = []
    sides = (
        (0, counted_left, usable.any(axis=1), problem.left_ids, problem.cap_max_right),
        (1, counted_right, usable.any(axis=0), problem.right_ids, problem.cap_max_left),
    )
    for index, members, has_pair, ids, other_capacity in sides:
        label = problem.labels[index]
        alone = np.flatnonzero(members & ~has_pair)
        if len(alone):
            names = ", ".join(_name(ids, k) for k in alone[:8])
            more = f" and {len(alone) - 8} more" if len(alone) > 8 else ""
            sentences.append(
                f"{len(alone)} {label} enterprise(s) have no allowed partner ({names}{more}): "
                "capacity max 0, or every pair forbidden, unscored or below min_score"
            )
        n_members, room = int(members.sum()), int(other_capacity.sum())
        if n_members > room:
            other = problem.labels[1 - index]
            sentences.append(
                f"the {n_members} {label} enterprises cannot all be matched: the {other} side "
                f"can take at most {room} partners in all, so at least {n_members - room} "
                f"{label} enterprise(s) stay alone in every matching"
            )
    for quota in problem.quotas:
        if quota.kind != "side" or quota.max is None:
            continue
        group = quota.left_mask & counted_left if quota.side == "left" else (
            quota.right_mask & counted_right)
        in_group = int(group.sum())
        if in_group > quota.max:
            label = problem.labels[0 if quota.side == "left" else 1]
            sentences.append(
                f"{quota.rule} ({quota.label}) allows {quota.max} pair(s) for its {in_group} "
                f"counted {label} enterprises, so at least {in_group - quota.max} of them stay "
                "alone in every matching"
            )
    return sentences


def _name(ids: tuple[str, ...], k: int) -> str:
    return ids[k] if ids else f"#{k}"


def objective_value(
    problem: Problem, objective: str, left: np.ndarray, right: np.ndarray, *,
    user_scale: bool = True,
) -> float:
    """The value of ``objective`` for the matching (left[k], right[k]).

    ``total`` and ``stable`` are on the user's scale (the raw cells of an organisers' matrix
    given as costs or on its own scale; :mod:`pairing.features.score_scale`), or with
    ``user_scale=False`` on the normalised scale the solvers optimise (their bounds' scale).
    """
    if objective in ("total", "stable"):
        if user_scale:
            return float(problem.user_scores(left, right).sum())
        return float(np.nan_to_num(problem.score[left, right], nan=0.0).astype(np.float64).sum())
    gains_left, gains_right = enterprise_gains(problem.gain_left, problem.gain_right, left, right)
    counted_left, counted_right = counted(problem)
    if objective in ("maxmin", "leximin"):
        values = np.concatenate([gains_left[counted_left], gains_right[counted_right]])
        return float(values.min()) if values.size else 0.0
    if objective == "balanced":
        means = [
            g[m].mean() for g, m in ((gains_left, counted_left), (gains_right, counted_right))
            if m.any()
        ]
        return float(min(means)) if means else 0.0
    msg = f"unknown objective {objective!r}"
    raise ValueError(msg)
