"""Backup partners: for each enterprise, the best partners that could replace its current ones.

Definition — what "could replace" means. For an enterprise ``e`` on one side and an enterprise
``q`` on the other, ``q`` is an *alternate* of ``e`` when all of these hold:

1. the pair (``e``, ``q``) is allowed: not in ``rules.forbidden``, it has a score (not an empty
   cell of the organisers' matrix) and the score is at least ``min_score``;
2. ``q`` is not already a partner of ``e``;
3. ``q`` can take ``e``: its capacity max is at least 1 and either it has spare capacity (fewer
   partners than its max; ``spare=True``), or at least one of its current pairs is not required,
   so it could swap that partner for ``e`` (``spare=False``);
4. ``e`` can take ``q``: it has spare capacity, or at least one of its current pairs is not
   required (it would give that partner up). An enterprise whose pairs are all required and who
   is full has no alternates.

This is a one-pair local move checked against the pair-level and capacity-max rules. Quotas and
the capacity minimum of a partner that would be given up are *not* re-checked: the alternates are
a shortlist for a conversation; :func:`pairing.analysis.whynot.why_not` re-solves for the full
answer.
Alternates are ranked by pair score (highest first; ties by listing order), up to ``k`` each,
with the score and ``e``'s own gain each would bring. An organisers' matrix given as costs or on
its own scale ranks by the normalised score (lowest cost first) and reports its own values.

Vectorised: one masked score block per chunk of rows (or columns) and ``argpartition`` for the
top ``k``; no Python loop over pairs. Memory stays bounded by the chunk size at 10,000 × 10,000.
"""

from __future__ import annotations

import numpy as np

from pairing.core.prepare import Prepared, prepared_for
from pairing.core.problem import Problem
from pairing.features import ScoreMatrices
from pairing.model.programme import Programme
from pairing.model.result import Alternate, Result

__all__ = ["alternates", "compute_alternates"]

_CHUNK = 2048


def _open_ends(
    n: int, owner: np.ndarray, cap_max: np.ndarray, optional: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(spare capacity, can give up a non-required partner) per enterprise of one side."""
    counts = np.bincount(owner, minlength=n)
    swappable = np.bincount(owner[optional], minlength=n) > 0
    return counts < cap_max, swappable


def _top_k(
    score: np.ndarray,
    allowed: np.ndarray,
    rows_ok: np.ndarray,
    cols_ok: np.ndarray,
    own_rows: np.ndarray,
    own_cols: np.ndarray,
    k: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the column indices of the ``k`` best candidates (-1 pads) and their scores.

    ``score``/``allowed`` are (rows, cols) views with rows the enterprises asked about;
    ``own_rows``/``own_cols`` index the current pairs inside this block (to exclude them).
    """
    n_rows, n_cols = score.shape
    values = np.where(allowed & cols_ok[None, :], score.astype(np.float64), -np.inf)
    values[~rows_ok] = -np.inf
    values[own_rows, own_cols] = -np.inf
    np.nan_to_num(values, copy=False, nan=-np.inf, neginf=-np.inf)
    width = min(k, n_cols)
    if width == 0:
        return np.full((n_rows, 0), -1, dtype=np.intp), np.zeros((n_rows, 0))
    part = np.argpartition(-values, width - 1, axis=1)[:, :width]
    part_values = np.take_along_axis(values, part, axis=1)
    # Stable order: by score descending, then by column index.
    order = np.lexsort((part, -part_values), axis=1)
    best = np.take_along_axis(part, order, axis=1)
    best_values = np.take_along_axis(part_values, order, axis=1)
    best[~np.isfinite(best_values)] = -1
    return best, best_values


def compute_alternates(
    problem: Problem, left: np.ndarray, right: np.ndarray, k: int
) -> dict[str, dict[str, tuple[Alternate, ...]]]:
    """The ``k`` best alternates of every enterprise of a matching (see the module docstring).

    Parameters
    ----------
    problem
        The compiled programme.
    left, right
        Index arrays of the chosen pairs.
    k
        How many alternates per enterprise (at most).

    Returns
    -------
    dict
        ``{"left": {id: [Alternate, ...]}, "right": {...}}``, every enterprise listed (an empty
        list when it has no alternate).
    """
    if k < 1:
        msg = f"alternates: expected k ≥ 1, got {k}"
        raise ValueError(msg)
    n_left, n_right = problem.shape
    left = np.asarray(left, dtype=np.intp)
    right = np.asarray(right, dtype=np.intp)
    required = np.zeros(len(left), dtype=bool)
    if len(problem.required):
        req = {(int(a), int(b)) for a, b in problem.required.tolist()}
        required = np.asarray(
            [(a, b) in req for a, b in zip(left.tolist(), right.tolist(), strict=True)],
            dtype=bool,
        )
    spare_l, swap_l = _open_ends(n_left, left, problem.cap_max_left, ~required)
    spare_r, swap_r = _open_ends(n_right, right, problem.cap_max_right, ~required)
    takes_l = (problem.cap_max_left > 0) & (spare_l | swap_l)
    takes_r = (problem.cap_max_right > 0) & (spare_r | swap_r)

    out: dict[str, dict[str, tuple[Alternate, ...]]] = {"left": {}, "right": {}}
    sides = (
        ("left", n_left, problem.left_ids, problem.right_ids, left, right, takes_l, takes_r,
         spare_r, False),
        ("right", n_right, problem.right_ids, problem.left_ids, right, left, takes_r, takes_l,
         spare_l, True),
    )  # fmt: skip
    for name, n, ids, other_ids, own, other, rows_ok, cols_ok, other_spare, transpose in sides:
        gain_matrix = problem.gain_right if transpose else problem.gain_left
        for start in range(0, n, _CHUNK):
            stop = min(n, start + _CHUNK)
            if transpose:
                score = problem.score[:, start:stop].T
                gain = gain_matrix[:, start:stop].T
                allowed = problem.allowed[:, start:stop].T
            else:
                score = problem.score[start:stop]
                gain = gain_matrix[start:stop]
                allowed = problem.allowed[start:stop]
            inside = (own >= start) & (own < stop)
            best, values = _top_k(
                score, allowed, rows_ok[start:stop], cols_ok, own[inside] - start,
                other[inside], k,
            )  # fmt: skip
            safe = np.where(best >= 0, best, 0)
            gains = np.take_along_axis(np.asarray(gain, dtype=np.float64), safe, axis=1)
            own_scale = problem.scale
            if own_scale is not None and not own_scale.identity:  # report the user's values
                raw = own_scale.raw
                block = raw[:, start:stop].T if transpose else raw[start:stop]
                values = np.take_along_axis(np.asarray(block, dtype=np.float64), safe, axis=1)
            for row in range(stop - start):
                picks = best[row]
                valid = picks >= 0
                out[name][ids[start + row]] = tuple(
                    Alternate(
                        id=other_ids[q],
                        score=round(float(s), 6),
                        gain=round(float(g), 6),
                        spare=bool(other_spare[q]),
                    )
                    for q, s, g in zip(
                        picks[valid].tolist(),
                        values[row][valid].tolist(),
                        gains[row][valid].tolist(),
                        strict=True,
                    )
                )
    return out


def alternates(
    programme: Programme, result: Result, k: int, matrices: ScoreMatrices | None = None, *,
    prepared: Prepared | None = None,
) -> dict[str, dict[str, tuple[Alternate, ...]]]:
    """The ``k`` best alternates of every enterprise of an existing result.

    Parameters
    ----------
    programme
        The programme ``result`` solves.
    result
        A valid result of it.
    k
        Alternates per enterprise (at most).
    matrices
        Precomputed score matrices.
    prepared
        :func:`pairing.core.prepare.prepare` of ``programme`` (then nothing is compiled again).

    Returns
    -------
    dict
        As :func:`compute_alternates`; use ``result.model_copy(update={"alternates": ...})``
        to attach it.
    """
    problem = prepared_for(programme, prepared, objective=result.objective,
                           matrices=matrices).problem
    left_pos = {ident: i for i, ident in enumerate(problem.left_ids)}
    right_pos = {ident: j for j, ident in enumerate(problem.right_ids)}
    left = np.asarray([left_pos[p.left] for p in result.pairs], dtype=np.intp)
    right = np.asarray([right_pos[p.right] for p in result.pairs], dtype=np.intp)
    return compute_alternates(problem, left, right, k)
