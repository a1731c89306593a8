"""Why each unmatched enterprise stayed unmatched, computed from the rules and the matching.

For an enterprise with no partner, the explanation is the first of these that holds:

1. its capacity max is 0 (it takes no partner);
2. it has no allowed partner: every pair is forbidden by ``rules.forbidden``, has no score (an
   empty cell of the organisers' matrix) or scores below ``min_score`` — counted by cause;
3. some allowed partner still has spare capacity: adding that pair would break a quota's max
   (named), or adds nothing (score 0), or else the objective simply did not add it;
4. every allowed partner is at capacity: the best one (by score) is named with the weakest pair
   it would have to give up, and whether a direct swap would raise or lower the total score and
   which rule it would break (the displaced partner's capacity min, a quota).

The statements are checked facts about the result, not guesses: each names the partner and the
scores it compared. Vectorised over the unmatched enterprises' rows (a handful of
``(n_other,)`` array operations each).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pairing.core.prepare import Prepared, prepared_for
from pairing.core.problem import Problem
from pairing.diagnostics.metrics import quota_counts
from pairing.features import ScoreMatrices
from pairing.model.programme import Programme
from pairing.model.result import Result

__all__ = ["UnmatchedReason", "large_unmatched_reasons", "unmatched_reasons"]


@dataclass(frozen=True)
class UnmatchedReason:
    """Why one enterprise has no partner.

    Attributes
    ----------
    side
        ``left`` or ``right``.
    id
        The enterprise's id.
    kind
        ``capacity_zero``, ``no_allowed_partner``, ``spare_partner_not_used``,
        ``partners_taken`` or ``not_explained`` (above the dense size, where a reason needs
        the enterprise's whole row of scores: :func:`large_unmatched_reasons`).
    text
        One sentence for a person.
    """

    side: str
    id: str
    kind: str
    text: str


@dataclass(frozen=True)
class _View:
    """One side's view of the matching: rows are this side, columns the other."""

    side: str
    label: str
    other_label: str
    ids: tuple[str, ...]
    other_ids: tuple[str, ...]
    score: np.ndarray
    allowed: np.ndarray
    forbidden: np.ndarray
    cap_max: np.ndarray
    cap_min: np.ndarray
    counts: np.ndarray
    other_cap_min: np.ndarray
    other_cap_max: np.ndarray
    other_counts: np.ndarray
    other_worst_score: np.ndarray
    other_worst_partner: np.ndarray


def _indices(programme: Programme, result: Result) -> tuple[np.ndarray, np.ndarray]:
    left_pos = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    right_pos = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    left = np.asarray([left_pos[p.left] for p in result.pairs], dtype=np.intp)
    right = np.asarray([right_pos[p.right] for p in result.pairs], dtype=np.intp)
    return left, right


def _worst(
    n: int, owner: np.ndarray, partner: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per enterprise, the score and index of its weakest pair (inf / -1 when it has none)."""
    worst = np.full(n, np.inf)
    np.minimum.at(worst, owner, scores)
    who = np.full(n, -1, dtype=np.intp)
    hit = scores == worst[owner]
    who[owner[hit]] = partner[hit]
    return worst, who


def _views(problem: Problem, left: np.ndarray, right: np.ndarray) -> tuple[_View, _View]:
    n_left, n_right = problem.shape
    score = problem.score.astype(np.float64)
    pair_scores = np.nan_to_num(score[left, right], nan=0.0)
    forbidden = (
        problem.forbidden_by_rule
        if problem.forbidden_by_rule is not None
        else np.zeros(problem.shape, dtype=bool)
    )
    worst_l, who_l = _worst(n_left, left, right, pair_scores)
    worst_r, who_r = _worst(n_right, right, left, pair_scores)
    counts_l = np.bincount(left, minlength=n_left)
    counts_r = np.bincount(right, minlength=n_right)
    label_l, label_r = problem.labels
    as_left = _View(
        "left", label_l, label_r, problem.left_ids, problem.right_ids, score, problem.allowed,
        forbidden, problem.cap_max_left, problem.cap_min_left, counts_l, problem.cap_min_right,
        problem.cap_max_right, counts_r, worst_r, who_r,
    )  # fmt: skip
    as_right = _View(
        "right", label_r, label_l, problem.right_ids, problem.left_ids, score.T,
        problem.allowed.T, forbidden.T, problem.cap_max_right, problem.cap_min_right, counts_r,
        problem.cap_min_left, problem.cap_max_left, counts_l, worst_l, who_l,
    )  # fmt: skip
    return as_left, as_right


def _no_partner_text(view: _View, k: int, min_score: float) -> str:
    row = view.score[k]
    no_score = np.isnan(row)
    forbidden = view.forbidden[k] & ~no_score
    low = ~no_score & ~forbidden & (row < row.dtype.type(min_score))
    closed = ~no_score & ~forbidden & ~low & (view.other_cap_max == 0)
    parts = []
    for count, what in (
        (int(forbidden.sum()), "forbidden by rules.forbidden"),
        (int(no_score.sum()), "have no score (empty cell in the organisers' matrix)"),
        (int(low.sum()), f"score below min_score {min_score:g}"),
        (int(closed.sum()), "have capacity max 0"),
    ):
        if count:
            parts.append(f"{count} {what}")
    best = np.nanmax(row) if (~no_score).any() else None
    tail = f"; its best score is {best:.3f}" if best is not None else ""
    return (
        f"no allowed partner: of {len(row)} {view.other_label} enterprises, "
        f"{', '.join(parts) or 'none qualify'}{tail}"
    )


def _quota_blocks(problem: Problem, counts: list[int], side: str, k: int, q: int) -> list[str]:
    i, j = (k, q) if side == "left" else (q, k)
    return [
        bound.label
        for bound, count in zip(problem.quotas, counts, strict=True)
        if bound.max is not None
        and count >= bound.max
        and bound.left_mask[i]
        and bound.right_mask[j]
    ]


def _explain(
    view: _View, k: int, problem: Problem, counts: list[int], objective: str
) -> UnmatchedReason:
    ident = view.ids[k]
    if view.cap_max[k] == 0:
        return UnmatchedReason(
            view.side, ident, "capacity_zero", "capacity max is 0: it takes no partner"
        )
    candidates = view.allowed[k] & (view.other_cap_max > 0)
    if not candidates.any():
        return UnmatchedReason(
            view.side, ident, "no_allowed_partner", _no_partner_text(view, k, problem.min_score)
        )
    row = np.where(candidates, np.nan_to_num(view.score[k], nan=-np.inf), -np.inf)
    spare = candidates & (view.other_counts < view.other_cap_max)
    if spare.any():
        order = np.argsort(-np.where(spare, row, -np.inf), kind="stable")[: int(spare.sum())]
        blocked = {int(q): _quota_blocks(problem, counts, view.side, k, int(q)) for q in order}
        free = [q for q in order.tolist() if not blocked[q]]
        if not free:
            q = int(order[0])
            rules = "; ".join(sorted({rule for found in blocked.values() for rule in found}))
            text = (
                f"{int(spare.sum())} allowed partner(s) have spare capacity, but pairing with any "
                f"of them would exceed a quota's max ({rules}); the best, {view.other_ids[q]}, "
                f"scores {row[q]:.3f}"
            )
            return UnmatchedReason(view.side, ident, "spare_partner_not_used", text)
        q = free[0]
        if row[q] <= 0:
            text = (
                f"its allowed partners with spare capacity (best {view.other_ids[q]}) all score 0: "
                "a pair would add nothing"
            )
        else:
            text = (
                f"{view.other_ids[q]} has spare capacity and would score {row[q]:.3f}, but the "
                f"'{objective}' objective is not improved by adding the pair (its capacity min "
                "is 0, so it may stay alone)"
            )
        return UnmatchedReason(view.side, ident, "spare_partner_not_used", text)
    q = int(np.argmax(row))
    taken_by = int(view.other_worst_partner[q])
    kept = float(view.other_worst_score[q])
    other_id, partner_id = view.other_ids[q], view.ids[taken_by]
    n_allowed = int(candidates.sum())
    head = f"all {n_allowed} allowed partner(s) are at capacity; the best, {other_id}"
    if row[q] <= kept:
        text = (
            f"{head} (score {row[q]:.3f}), is taken by {partner_id} with a pair scoring "
            f"{kept:.3f}, at least as good"
        )
        return UnmatchedReason(view.side, ident, "partners_taken", text)
    text = (
        f"{head} (score {row[q]:.3f}), is taken by {partner_id} (score {kept:.3f}); a direct "
        f"swap would add {row[q] - kept:.3f} to the total score"
    )
    breaks = _swap_breaks(view, k, q, taken_by, problem, counts)
    if breaks:
        text += f" but would break {'; '.join(breaks)}"
    else:
        text += f", yet the '{objective}' optimum keeps the current pairs"
    return UnmatchedReason(view.side, ident, "partners_taken", text)


def _swap_breaks(
    view: _View, k: int, q: int, displaced: int, problem: Problem, counts: list[int]
) -> list[str]:
    """Rules a direct swap (displaced leaves q, k joins q) would break."""
    found = []
    displaced_count, displaced_min = view.counts[displaced], view.cap_min[displaced]
    if displaced_count - 1 < displaced_min:
        found.append(f"{view.ids[displaced]}'s capacity min {int(displaced_min)}")
    i_new, j_new = (k, q) if view.side == "left" else (q, k)
    i_old, j_old = (displaced, q) if view.side == "left" else (q, displaced)
    for bound, count in zip(problem.quotas, counts, strict=True):
        change = int(bound.left_mask[i_new] and bound.right_mask[j_new]) - int(
            bound.left_mask[i_old] and bound.right_mask[j_old]
        )
        after = count + change
        if (bound.max is not None and after > bound.max) or (
            bound.min is not None and after < bound.min
        ):
            found.append(bound.label)
    required = {(int(a), int(b)) for a, b in problem.required.tolist()}
    if (i_old, j_old) in required:
        found.append(f"required pair {problem.left_ids[i_old]}–{problem.right_ids[j_old]}")
    return found


def unmatched_reasons(
    programme: Programme, result: Result, matrices: ScoreMatrices | None = None, *,
    prepared: Prepared | None = None,
) -> list[UnmatchedReason]:
    """Explain every unmatched enterprise of ``result`` (left side first, then right).

    Parameters
    ----------
    programme
        The programme the result solves.
    result
        A valid result of it.
    matrices
        Precomputed score matrices, to avoid recomputing them.
    prepared
        :func:`pairing.core.prepare.prepare` of ``programme`` (then nothing is compiled again).

    Returns
    -------
    list of UnmatchedReason
        One per unmatched enterprise, in the sides' listing order.
    """
    problem = prepared_for(programme, prepared, objective=result.objective,
                           matrices=matrices).problem
    left, right = _indices(programme, result)
    counts = quota_counts(problem, left, right)
    reasons = []
    for view, unmatched in zip(
        _views(problem, left, right), (result.unmatched.left, result.unmatched.right), strict=True
    ):
        position = {ident: k for k, ident in enumerate(view.ids)}
        for ident in unmatched:
            reasons.append(_explain(view, position[ident], problem, counts, result.objective))
    return reasons


def large_unmatched_reasons(programme: Programme, result: Result) -> list[UnmatchedReason]:
    """:func:`unmatched_reasons` above the dense size, from capacities and pairs alone: an
    enterprise with capacity max 0 takes no partner; when every enterprise of the other side
    is at its capacity max, no partner is left (a side with more enterprises than the other
    has seats). Any other reason needs the enterprise's whole row of scores, which the report
    does not build above :data:`~pairing.core.large_route.LARGE_CELLS` pairs: it says so."""
    from pairing.diagnostics.large_check import LARGE_CELLS

    left, right = _indices(programme, result)
    reasons = []
    for side, unmatched, other, owners in (
        ("left", result.unmatched.left, programme.right, right),
        ("right", result.unmatched.right, programme.left, left),
    ):
        cap_max = np.array([e.capacity.max for e in other.enterprises], dtype=np.int64)
        full = bool((np.bincount(owners, minlength=len(cap_max)) >= cap_max).all())
        own = {e.id: e for e in programme.side(side).enterprises}
        for ident in unmatched:
            if own[ident].capacity.max == 0:
                reasons.append(UnmatchedReason(side, ident, "capacity_zero",
                                               "capacity max is 0: it takes no partner"))
            elif full:
                reasons.append(UnmatchedReason(
                    side, ident, "partners_taken",
                    f"every {other.label} enterprise ({len(cap_max):,}) is at its capacity "
                    "max: no partner is left for it"))
            else:
                reasons.append(UnmatchedReason(
                    side, ident, "not_explained",
                    f"not explained above {LARGE_CELLS:,} pairs: the reason needs its whole "
                    "row of scores, which the report does not build at this size"))
    return reasons
