"""Fast counting checks that prove a programme infeasible before any solver runs.

Each check names the rule that cannot be met and gives a witness, so the user learns *why*
(exit code 1) instead of "no solution". These are necessary conditions only: passing them does
not prove feasibility; the exact solvers do that.
"""

from __future__ import annotations

import numpy as np

from pairing.core.problem import GroupBound, Problem

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


def _members_text(problem: Problem, quota: GroupBound) -> tuple[str, np.ndarray, np.ndarray]:
    """How to name a quota's enterprises, and its left and right member masks."""
    if quota.kind == "pair":
        return "enterprise pairs", quota.left_mask, quota.right_mask
    if quota.side == "left":
        return f"{problem.labels[0]} enterprises", quota.left_mask, quota.right_mask
    return f"{problem.labels[1]} enterprises", quota.left_mask, quota.right_mask


def _where(quota: GroupBound) -> str:
    return f"{quota.label} ({quota.rule})" if quota.rule else quota.label


def _quota_reach(problem: Problem) -> list[str]:
    """A quota's min against how many pairs its enterprises can form at all."""
    reasons: list[str] = []
    if not any(quota.min for quota in problem.quotas):
        return reasons
    room_l = np.minimum(problem.cap_max_left, problem.allowed.sum(axis=1))
    room_r = np.minimum(problem.cap_max_right, problem.allowed.sum(axis=0))
    for quota in problem.quotas:
        if not quota.min:
            continue
        cells = problem.allowed & quota.left_mask[:, None] & quota.right_mask[None, :]
        reach = min(
            int(np.minimum(room_l, cells.sum(axis=1))[quota.left_mask].sum()),
            int(np.minimum(room_r, cells.sum(axis=0))[quota.right_mask].sum()),
        )
        if reach >= quota.min:
            continue
        what, left_mask, right_mask = _members_text(problem, quota)
        if quota.kind == "pair":
            witness = (
                f"only {int(cells.sum())} such pairs are allowed, between "
                f"{int(cells.any(axis=1).sum())} of its {int(left_mask.sum())} {problem.labels[0]} "
                f"and {int(cells.any(axis=0).sum())} of its {int(right_mask.sum())} "
                f"{problem.labels[1]} enterprises"
            )
        elif quota.side == "left":
            having = int((left_mask & cells.any(axis=1)).sum())
            witness = f"only {having} of its {int(left_mask.sum())} {what} have an allowed partner"
        else:
            having = int((right_mask & cells.any(axis=0)).sum())
            witness = f"only {having} of its {int(right_mask.sum())} {what} have an allowed partner"
        reasons.append(
            f"{_where(quota)}: min {quota.min} but at most {reach} such pairs are possible — "
            f"{witness} (within their capacity max); lower the min, raise capacities, or allow "
            "more pairs (forbidden pairs, min_score)"
        )
    return reasons


def _quota_max_conflicts(problem: Problem) -> list[str]:
    """A quota's max against required pairs and, for side quotas, its members' minimums."""
    reasons = []
    req_l = problem.required[:, 0] if len(problem.required) else np.empty(0, dtype=np.intp)
    req_r = problem.required[:, 1] if len(problem.required) else np.empty(0, dtype=np.intp)
    for quota in problem.quotas:
        if quota.max is None:
            continue
        inside = quota.left_mask[req_l] & quota.right_mask[req_r]
        if int(inside.sum()) > quota.max:
            pairs = ", ".join(
                f"{problem.left_ids[i]}–{problem.right_ids[j]}"
                for i, j in zip(req_l[inside][:_MAX_NAMED], req_r[inside][:_MAX_NAMED], strict=True)
            )
            reasons.append(
                f"{_where(quota)}: max {quota.max} but {int(inside.sum())} required pairs fall in "
                f"it ({pairs}); raise the max or drop a requirement"
            )
        if quota.kind != "side":
            continue
        if quota.side == "left":
            mins, mask, label, ids = (problem.cap_min_left, quota.left_mask, problem.labels[0],
                                      problem.left_ids)
        else:
            mins, mask, label, ids = (problem.cap_min_right, quota.right_mask, problem.labels[1],
                                      problem.right_ids)
        need = int(mins[mask].sum())
        if need > quota.max:
            needing = np.flatnonzero(mask & (mins > 0))
            reasons.append(
                f"{_where(quota)}: max {quota.max} but its {len(needing)} {label} enterprise(s) "
                f"with a capacity min need at least {need} pairs ({_names(ids, needing)}); raise "
                "the max or lower their capacity min"
            )
    return reasons


def _hall_groups(problem: Problem) -> list[str]:
    """Hall's condition per group: a group's minimums against its possible partners' maximums.

    For each side and each group of that side (the whole side and every side-quota group), the
    enterprises that need partners must find them among the other side's enterprises allowed
    to at least one of them, whose capacity max bounds how many pairs they can take.
    """
    reasons = []
    n_left, n_right = problem.shape
    groups: list[tuple[str, str, np.ndarray]] = [
        ("left", f"all {problem.labels[0]} enterprises", np.ones(n_left, dtype=bool)),
        ("right", f"all {problem.labels[1]} enterprises", np.ones(n_right, dtype=bool)),
    ]
    for quota in problem.quotas:
        if quota.kind != "side":
            continue
        side = quota.side
        members = quota.left_mask if side == "left" else quota.right_mask
        groups.append((side, _where(quota), members))
    seen: set[tuple[str, bytes]] = set()
    for side, name, mask in groups:
        key = (side, np.packbits(mask).tobytes())
        if key in seen:
            continue
        seen.add(key)
        if side == "left":
            mins, other_max, allowed = problem.cap_min_left, problem.cap_max_right, problem.allowed
            label, other = problem.labels
        else:
            mins, other_max = problem.cap_min_right, problem.cap_max_left
            allowed = problem.allowed.T
            other, label = problem.labels
        needing = mask & (mins > 0)
        if not needing.any():
            continue
        if needing.all():  # the whole side: reduce without copying the matrix
            partners = problem.allowed.any(axis=1 if side == "right" else 0)
        else:
            partners = allowed[needing].any(axis=0)
        need, room = int(mins[needing].sum()), int(other_max[partners].sum())
        if need > room:
            reasons.append(
                f"capacity min of {name}: its {int(needing.sum())} {label} enterprise(s) that "
                f"need partners need at least {need} pairs, but the {int(partners.sum())} {other} "
                f"enterprise(s) allowed to pair with them can take at most {room} (their "
                f"capacity max); lower those minimums, raise {other} maximums, or allow more pairs"
            )
    return reasons


def _partner_mix(problem: Problem) -> list[str]:
    """Enterprises whose allowed partners cannot meet a partner quota's min, or whose capacity
    cannot hold the partners every group's min asks for."""
    reasons = []
    for bound in problem.partner_quotas:
        if not bound.min or bound.n_groups == 0:
            continue
        left = bound.side == "left"
        allowed = problem.allowed if left else problem.allowed.T
        cap_max = problem.cap_max_left if left else problem.cap_max_right
        ids = problem.left_ids if left else problem.right_ids
        label = problem.labels[0 if left else 1]
        in_group = bound.codes[:, None] == np.arange(bound.n_groups)[None, :]  # (n_other, G)
        available = allowed.astype(np.int64) @ in_group.astype(np.int64)  # (n_owner, G)
        short = np.flatnonzero((available < bound.min).any(axis=1))
        where = f"{bound.rule} ({bound.label})" if bound.rule else bound.label
        if len(short):
            reasons.append(
                f"{where}: {len(short)} {label} enterprise(s) have fewer than {bound.min} "
                f"allowed partner(s) in a group it names ({_names(ids, short)}); allow more "
                "pairs, lower min_score or lower the partner quota's min"
            )
        full = np.flatnonzero(cap_max < bound.min * bound.n_groups)
        if len(full):
            reasons.append(
                f"{where}: {len(full)} {label} enterprise(s) may take at most "
                f"{int(cap_max[full].min())} partner(s) but the rule asks for "
                f"{bound.min * bound.n_groups} ({_names(ids, full)}); raise their capacity "
                "max or lower the partner quota's min"
            )
    return reasons


#: Where a problem keeps its counting arguments once computed (as ``functools.cached_property``
#: keeps its values: in the instance's ``__dict__``; a problem is immutable).
_COUNTED = "_counting_conflicts"


def counting_conflicts(problem: Problem) -> list[str]:
    """Every counting argument that shows the problem has no feasible matching.

    Computed once per problem: the pre-check of a solve and the explanation of an infeasible
    result (:func:`pairing.diagnostics.conflicts.explain_infeasibility`) share it.
    """
    found = problem.__dict__.get(_COUNTED)
    if found is None:
        found = (
            _capacity_sums(problem)
            + _partners_available(problem)
            + _required_pairs(problem)
            + _quota_reach(problem)
            + _quota_max_conflicts(problem)
            + _hall_groups(problem)
            + _partner_mix(problem)
        )
        problem.__dict__[_COUNTED] = tuple(found)
    return list(found)
