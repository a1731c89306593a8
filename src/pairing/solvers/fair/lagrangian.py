"""A Lagrangian search for the balanced objective of a bi-objective assignment.

When every enterprise has at most one partner, there are no quotas, and the feasible matchings
are the perfect matchings of the allowed pairs once the matrix is squared with dummies
(:func:`perfect_sides`), each side's mean gain is a linear function ``A(x)``, ``B(x)`` of the
matching and ``max min(A, B)`` has the Lagrangian dual ``min_λ max_x λA + (1 − λ)B``: one LAPJV
run per ``λ`` (:func:`balanced_parametric`). The runs give a good matching, the LP bound, and per
pair a proven bound on any matching through it, which lets :mod:`.balanced` hand the MILPs only
the pairs that can reach the level found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from lapjv import lapjv

from pairing.core.objectives import counted
from pairing.core.problem import Problem
from pairing.solvers.fair.milp import Clock

__all__ = ["Parametric", "balanced_parametric", "perfect_sides"]


@dataclass
class Parametric:
    """What the Lagrangian search of :func:`balanced_parametric` found."""

    left: np.ndarray  # the best matching found, as pairs (left[k], right[k])
    right: np.ndarray
    value: float  # its balanced value min(A, B)
    bound: float  # a proven upper bound on the balanced optimum
    cell_bound: np.ndarray  # (n_left, n_right): upper bound on min(A, B) through each pair
    solves: int  # LAPJV runs
    done: bool  # the search converged: ``bound`` is the LP bound


def perfect_sides(problem: Problem) -> tuple[np.ndarray, np.ndarray] | None:
    """The per-pair weights ``(a, b)`` of the two side means when the balanced objective is a
    bi-objective assignment, else None.

    That is the case without quotas when every enterprise has exactly one partner at most,
    the smaller side (either side when equal) must be matched in full and the other side is
    either matched in full too (equal sizes) or entirely optional: the feasible matchings are
    the perfect matchings of the allowed pairs once the matrix is squared with dummies.
    ``a[i, j]`` is pair (i, j)'s share of the left side's mean gain, ``b`` of the right's.
    """
    if problem.quotas or problem.partner_quotas:
        return None
    if (problem.cap_max_left != 1).any() or (problem.cap_max_right != 1).any():
        return None
    n_left, n_right = problem.shape
    full_left, full_right = (problem.cap_min_left == 1).all(), (problem.cap_min_right == 1).all()
    free_left, free_right = (problem.cap_min_left == 0).all(), (problem.cap_min_right == 0).all()
    if not (
        (full_left and full_right and n_left == n_right)
        or (full_left and free_right and n_left <= n_right)
        or (full_right and free_left and n_right <= n_left)
    ):
        return None
    counted_left, counted_right = counted(problem)
    a = np.zeros(problem.shape)
    b = np.zeros(problem.shape)
    if counted_left.any():
        a[counted_left] = problem.gain_left[counted_left] / int(counted_left.sum())
    if counted_right.any():
        b[:, counted_right] = problem.gain_right[:, counted_right] / int(counted_right.sum())
    if not counted_right.any():
        b = a  # one counted side: min(A, A) is that side's mean
    elif not counted_left.any():
        a = b
    return np.nan_to_num(a), np.nan_to_num(b)


def _swap_search(cols: np.ndarray, a: np.ndarray, b: np.ndarray, allowed: np.ndarray,
                 clock: Clock, rounds: int = 200) -> tuple[float, np.ndarray]:
    """Improve ``min(A, B)`` of a perfect matching by exchanging partners of two rows.

    Best exchange first, until none improves (or ``rounds``, or half of the time left).
    ``cols`` covers every row of the square matrix (dummy rows have zero weights).
    """
    n_rows = a.shape[0]
    cols = cols.copy()
    rows = np.arange(n_rows)
    size = len(cols)
    pa = np.zeros((size, size))
    pb = np.zeros((size, size))
    pa[:n_rows], pb[:n_rows] = a, b
    ok = np.ones((size, size), dtype=bool)
    ok[:n_rows] = allowed
    value_a, value_b = float(a[rows, cols[:n_rows]].sum()), float(b[rows, cols[:n_rows]].sum())
    deadline = None if clock.deadline is None else time.perf_counter() + 0.5 * (
        clock.deadline - time.perf_counter())
    for _ in range(rounds):
        if deadline is not None and time.perf_counter() > deadline:
            break
        # row i takes cols[k] and row k takes cols[i]
        cur_a = pa[np.arange(size), cols]
        cur_b = pb[np.arange(size), cols]
        cross_a = pa[:, cols]  # [i, k] = a[i, cols[k]]
        cross_b = pb[:, cols]
        delta_a = cross_a + cross_a.T - cur_a[:, None] - cur_a[None, :]
        delta_b = cross_b + cross_b.T - cur_b[:, None] - cur_b[None, :]
        fits = ok[:, cols]
        gain = np.minimum(value_a + delta_a, value_b + delta_b)
        gain[~(fits & fits.T)] = -np.inf
        flat = int(np.argmax(gain))
        i, k = divmod(flat, size)
        if not gain[i, k] > min(value_a, value_b) + 1e-15:
            break
        cols[i], cols[k] = cols[k], cols[i]
        value_a += float(delta_a[i, k])
        value_b += float(delta_b[i, k])
    value_a, value_b = float(a[rows, cols[:n_rows]].sum()), float(b[rows, cols[:n_rows]].sum())
    return min(value_a, value_b), cols


def _mix_cycles(hi: tuple[float, float, np.ndarray], lo: tuple[float, float, np.ndarray],
                a: np.ndarray, b: np.ndarray) -> tuple[float, float, np.ndarray]:
    """The best mix of two perfect matchings for ``min(A, B)``.

    Their symmetric difference is a set of alternating cycles; switching any subset of them
    from ``hi`` to ``lo`` gives a perfect matching. With few cycles every subset is tried,
    otherwise cycles are switched greedily, best trade of ``A`` for ``B`` first.
    """
    cols_hi, cols_lo = hi[2], lo[2]
    size = len(cols_hi)
    n_rows = a.shape[0]
    row_of_col = np.empty(size, dtype=np.intp)
    row_of_col[cols_hi] = np.arange(size)
    seen = cols_hi == cols_lo
    cycles: list[np.ndarray] = []
    for start in np.flatnonzero(~seen):
        if seen[start]:
            continue
        members = []
        r = int(start)
        while not seen[r]:
            seen[r] = True
            members.append(r)
            r = int(row_of_col[cols_lo[r]])
        cycles.append(np.asarray(members, dtype=np.intp))
    if not cycles:
        return hi
    real = [c[c < n_rows] for c in cycles]
    d_a = np.array([a[c, cols_lo[c]].sum() - a[c, cols_hi[c]].sum() for c in real])
    d_b = np.array([b[c, cols_lo[c]].sum() - b[c, cols_hi[c]].sum() for c in real])
    k = len(cycles)
    if k <= 16:
        choice = ((np.arange(2**k)[:, None] >> np.arange(k)[None, :]) & 1).astype(bool)
        values = np.minimum(hi[0] + choice @ d_a, hi[1] + choice @ d_b)
        chosen = choice[int(np.argmax(values))]
    else:
        chosen = np.zeros(k, dtype=bool)
        order = np.argsort(-(d_b / np.maximum(-d_a, 1e-300)))
        current = min(hi[0], hi[1])
        for c in order:
            trial = chosen.copy()
            trial[c] = True
            value = min(hi[0] + d_a[trial].sum(), hi[1] + d_b[trial].sum())
            if value > current:
                chosen, current = trial, value
    cols = cols_hi.copy()
    for c in np.flatnonzero(chosen):
        cols[cycles[c]] = cols_lo[cycles[c]]
    rows = np.arange(n_rows)
    return float(a[rows, cols[:n_rows]].sum()), float(b[rows, cols[:n_rows]].sum()), cols


def balanced_parametric(problem: Problem, a: np.ndarray, b: np.ndarray,
                         clock: Clock) -> Parametric | None:
    """Maximise ``min(A(x), B(x))`` (``A = Σ a·x``, ``B = Σ b·x``) over the perfect matchings
    through its Lagrangian dual ``min_λ max_x λA + (1 − λ)B``, one LAPJV run per ``λ``.

    The dual is convex and piecewise linear in ``λ``, its minimum is the LP bound; ``λ`` moves
    to the intersection of the lines of the two matchings bracketing it until no matching lies
    above that point. Each run also gives LAP duals ``u, v`` (``u`` recomputed from ``v`` so
    that every reduced cost is ≥ 0 in floating point), hence for every pair a proven upper bound
    on ``λA + (1 − λ)B ≥ min(A, B)`` over the matchings that use it; ``cell_bound`` is the
    smallest over the runs. None when the allowed pairs admit no perfect matching.
    """
    allowed = problem.allowed.copy()
    for i, j in problem.required:  # a required pair is the only option of its two ends
        keep = bool(allowed[i, j])
        allowed[i, :] = False
        allowed[:, j] = False
        allowed[i, j] = keep
    transposed = problem.shape[0] > problem.shape[1]
    if transposed:
        a, b, allowed = a.T, b.T, allowed.T
    n_rows, size = a.shape
    span = float(max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0)))
    big = (2.0 * span + 1.0) * (size + 1)
    cost = np.zeros((size, size))
    real = cost[:n_rows]
    forbidden = ~allowed
    cell_bound = np.full((n_rows, size), np.inf)
    rows = np.arange(n_rows)
    upper = np.inf
    solves = 0

    def run(lam: float) -> tuple[float, float, np.ndarray] | None:
        """LAPJV at ``lam``: (A, B, columns) of its matching; tightens the bounds."""
        nonlocal solves, upper
        np.multiply(a, -lam, out=real)
        np.subtract(real, (1.0 - lam) * b, out=real)
        real[forbidden] = big
        row_to_col, _, (_, _, v) = lapjv(cost, force_doubles=True)
        solves += 1
        cols = np.asarray(row_to_col[:n_rows], dtype=np.intp)
        if not allowed[rows, cols].all():
            return None
        # any v gives a valid bound with u the row minima (lapjv's v is degenerate at 1×1)
        v = np.asarray(v, dtype=np.float64)
        v = np.where(np.abs(v) < 1e100, v, 0.0)
        reduced = cost - v[None, :]
        u = reduced.min(axis=1)
        reduced -= u[:, None]
        # every perfect matching costs ≥ Σu + Σv + (reduced costs of its cells)
        dual = -(float(u.sum()) + float(v.sum()))
        upper = min(upper, dual)
        np.minimum(cell_bound, dual - reduced[:n_rows], out=cell_bound)
        return float(a[rows, cols].sum()), float(b[rows, cols].sum()), np.asarray(row_to_col)

    best: tuple[float, np.ndarray] | None = None

    def consider(found: tuple[float, float, np.ndarray]) -> None:
        nonlocal best
        value = min(found[0], found[1])
        if best is None or value > best[0]:
            best = (value, found[2].astype(np.intp))

    hi = run(1.0)  # the best left mean
    if hi is None:
        return None
    consider(hi)
    done = hi[0] <= hi[1]  # the best left mean is the smaller mean: optimal
    if not done:
        lo = run(0.0)  # the best right mean
        assert lo is not None
        consider(lo)
        done = lo[1] <= lo[0]
        while not done and not clock.expired() and solves < 200:
            slope_hi, slope_lo = hi[0] - hi[1], lo[0] - lo[1]  # > 0 and < 0
            lam = min(1.0, max(0.0, (lo[1] - hi[1]) / (slope_hi - slope_lo)))
            line = hi[1] + lam * slope_hi
            new = run(lam)
            assert new is not None
            consider(new)
            if lam * new[0] + (1.0 - lam) * new[1] <= line + 1e-12 * max(1.0, abs(line)):
                done = True  # nothing above the intersection: it is the dual's minimum
            elif new[0] >= new[1]:
                hi = new
            else:
                lo = new
        consider(_mix_cycles(hi, lo, a, b))
    assert best is not None
    if best[0] < upper - 1e-9 * max(1.0, abs(upper)):
        value, cols = _swap_search(best[1], a, b, allowed, clock)
        if value > best[0]:
            best = (value, cols)
    value, cols = best[0], best[1][:n_rows]
    left, right = rows, cols
    bounds = cell_bound
    if transposed:
        left, right, bounds = cols, rows, cell_bound.T
    return Parametric(np.asarray(left, dtype=np.intp), np.asarray(right, dtype=np.intp),
                       value, max(upper, value), bounds, solves, done)


