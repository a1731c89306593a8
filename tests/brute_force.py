"""A deliberately naive reference: enumerate every set of allowed pairs of a tiny programme.

Independent of the library's solvers, feasibility checks and objective code: it reads the
programme's rules directly, so agreement with it means something.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from pairing.model.programme import Programme


def _feasible(programme: Programme, chosen: list[tuple[int, int]]) -> bool:
    left, right = programme.left.enterprises, programme.right.enterprises
    count_l = [0] * len(left)
    count_r = [0] * len(right)
    for i, j in chosen:
        count_l[i] += 1
        count_r[j] += 1
    for ents, counts in ((left, count_l), (right, count_r)):
        for e, c in zip(ents, counts, strict=True):
            if not e.capacity.min <= c <= e.capacity.max:
                return False
    ids = {(left[i].id, right[j].id) for i, j in chosen}
    rules = programme.rules
    if any(tuple(p) not in ids for p in rules.required):
        return False
    for q in rules.quotas:
        ents = left if q.side == "left" else right
        n = sum(
            1 for i, j in chosen if getattr(ents[i if q.side == "left" else j], q.by) == q.group
        )
        if (q.min is not None and n < q.min) or (q.max is not None and n > q.max):
            return False
    for pq in rules.pair_quotas:
        n = sum(
            1
            for i, j in chosen
            if left[i].sector == pq.left_sector and right[j].sector == pq.right_sector
        )
        if (pq.min is not None and n < pq.min) or (pq.max is not None and n > pq.max):
            return False
    for mix in rules.partner_quotas:
        owners, partners = (left, right) if mix.side == "left" else (right, left)
        values = {str(getattr(e, mix.by) or "") for e in partners} - {""}
        groups = sorted(values) if mix.group == "*" else [mix.group]
        for k in range(len(owners)):
            mine = [j if mix.side == "left" else i for i, j in chosen
                    if (i if mix.side == "left" else j) == k]
            for group in groups:
                n = sum(1 for p in mine if str(getattr(partners[p], mix.by) or "") == group)
                if (mix.min is not None and n < mix.min) or (mix.max is not None and n > mix.max):
                    return False
    return True


def allowed_cells(programme: Programme, score: np.ndarray) -> list[tuple[int, int]]:
    rules = programme.rules
    forbidden = {tuple(p) for p in rules.forbidden}
    left, right = programme.left.enterprises, programme.right.enterprises
    cells = []
    for i in range(score.shape[0]):
        for j in range(score.shape[1]):
            s = float(score[i, j])
            if math.isnan(s) or (left[i].id, right[j].id) in forbidden:
                continue
            if s < score.dtype.type(rules.min_score):
                continue
            cells.append((i, j))
    return cells


def best_total(programme: Programme, score: np.ndarray) -> float | None:
    """The maximum total score over every feasible matching, or None if there is none.

    Enumerates, row by row, every set of allowed partners within the row's capacity, pruning
    only on the columns' capacity max; every complete candidate is checked by ``_feasible``.
    """
    cells = allowed_cells(programme, score)
    by_row: dict[int, list[int]] = {}
    for i, j in cells:
        by_row.setdefault(i, []).append(j)
    left, right = programme.left.enterprises, programme.right.enterprises
    room = [e.capacity.max for e in right]
    best: list[float | None] = [None]
    chosen: list[tuple[int, int]] = []

    def visit(i: int) -> None:
        if i == len(left):
            if _feasible(programme, chosen):
                value = float(sum(float(score[a, b]) for a, b in chosen))
                if best[0] is None or value > best[0] + 1e-12:
                    best[0] = value
            return
        cap = left[i].capacity
        options = by_row.get(i, [])
        for size in range(cap.min, min(cap.max, len(options)) + 1):
            for cols in itertools.combinations(options, size):
                if any(room[j] <= 0 for j in cols):
                    continue
                for j in cols:
                    room[j] -= 1
                    chosen.append((i, j))
                visit(i + 1)
                for j in cols:
                    room[j] += 1
                    chosen.pop()

    visit(0)
    return best[0]
