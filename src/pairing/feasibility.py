"""Fast counting checks that prove a programme infeasible before any solver runs.

Each check names the rule that cannot be met and gives a witness, so the user learns *why*
(exit code 1) instead of "no solution". These are necessary conditions only: passing them does
not prove feasibility; the exact solvers do that.
"""

from __future__ import annotations

import numpy as np

from pairing.problem import Problem

__all__ = ["counting_conflicts"]

_MAX_NAMED = 5


def _names(ids: tuple[str, ...], index: np.ndarray) -> str:
    shown = [ids[k] for k in index[:_MAX_NAMED]]
    more = f" and {len(index) - _MAX_NAMED} more" if len(index) > _MAX_NAMED else ""
    return ", ".join(shown) + more


def _capacity_sums(problem: Problem) -> list[str]:
    reasons = []
    label_l, label_r = problem.labels
    need_l, room_l = int(problem.cap_min_left.sum()), int(problem.cap_max_left.sum())
    need_r, room_r = int(problem.cap_min_right.sum()), int(problem.cap_max_right.sum())
    if need_l > room_r:
        reasons.append(
            f"capacity: the {label_l} side needs at least {need_l} pairs (sum of capacity min) but "
            f"the {label_r} side can take at most {room_r} (sum of capacity max); lower some "
            f"{label_l} minimums or raise {label_r} maximums"
        )
    if need_r > room_l:
        reasons.append(
            f"capacity: the {label_r} side needs at least {need_r} pairs (sum of capacity min) but "
            f"the {label_l} side can take at most {room_l} (sum of capacity max); lower some "
            f"{label_r} minimums or raise {label_l} maximums"
        )
    return reasons


def _partners_available(problem: Problem) -> list[str]:
    reasons = []
    for side, label, mins, allowed_count, ids in (
        (
            "left",
            problem.labels[0],
            problem.cap_min_left,
            problem.allowed.sum(axis=1),
            problem.left_ids,
        ),
        (
            "right",
            problem.labels[1],
            problem.cap_min_right,
            problem.allowed.sum(axis=0),
            problem.right_ids,
        ),
    ):
        short = np.flatnonzero(allowed_count < mins)
        if len(short):
            reasons.append(
                f"capacity min: {len(short)} {label} enterprise(s) need more partners than they "
                f"have allowed pairs ({_names(ids, short)}); forbidden pairs and min_score "
                f"{problem.min_score} leave too few — allow more pairs or lower capacity min"
            )
        del side
    return reasons


def _required_pairs(problem: Problem) -> list[str]:
    reasons: list[str] = []
    if not len(problem.required):
        return reasons
    req_l, req_r = problem.required[:, 0], problem.required[:, 1]
    not_allowed = np.flatnonzero(~problem.allowed[req_l, req_r])
    for k in not_allowed[:_MAX_NAMED]:
        i, j = req_l[k], req_r[k]
        score = float(np.nan_to_num(problem.score[i, j], nan=-1.0))
        why = (
            "has no score"
            if score < 0
            else f"scores {score:.3f}, below min_score {problem.min_score}"
        )
        reasons.append(
            f"required pair {problem.left_ids[i]}–{problem.right_ids[j]} {why}; lower min_score "
            "or drop the requirement"
        )
    for side_index, caps, label, ids in (
        (req_l, problem.cap_max_left, problem.labels[0], problem.left_ids),
        (req_r, problem.cap_max_right, problem.labels[1], problem.right_ids),
    ):
        counts = np.bincount(side_index, minlength=len(caps))
        over = np.flatnonzero(counts > caps)
        for k in over[:_MAX_NAMED]:
            reasons.append(
                f"required pairs: {label} {ids[k]} is in {counts[k]} required pairs but its "
                f"capacity max is {caps[k]}; raise its capacity or drop a requirement"
            )
    return reasons


def _quota_reach(problem: Problem) -> list[str]:
    reasons = []
    room_l = np.minimum(problem.cap_max_left, problem.allowed.sum(axis=1))
    room_r = np.minimum(problem.cap_max_right, problem.allowed.sum(axis=0))
    for quota in problem.quotas:
        if quota.min is None:
            continue
        cells = problem.allowed & quota.left_mask[:, None] & quota.right_mask[None, :]
        reach = min(
            int(np.minimum(room_l, cells.sum(axis=1))[quota.left_mask].sum()),
            int(np.minimum(room_r, cells.sum(axis=0))[quota.right_mask].sum()),
        )
        if reach < quota.min:
            members_l = int((quota.left_mask & cells.any(axis=1)).sum())
            members_r = int((quota.right_mask & cells.any(axis=0)).sum())
            reasons.append(
                f"{quota.rule} ({quota.label}): needs at least {quota.min} pairs but at most "
                f"{reach} are possible — only {members_l} {problem.labels[0]} and {members_r} "
                f"{problem.labels[1]} enterprise(s) in it have an allowed partner; lower the "
                "min, raise capacities, or allow more pairs"
            )
    return reasons


def counting_conflicts(problem: Problem) -> list[str]:
    """Every counting argument that shows the problem has no feasible matching."""
    return (
        _capacity_sums(problem)
        + _partners_available(problem)
        + _required_pairs(problem)
        + _quota_reach(problem)
    )
