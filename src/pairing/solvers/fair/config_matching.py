"""A matching among the configuration LP's partner sets: a cheap proof that levels are kept.

The configuration rounds (:mod:`.config_rounds`) find levels on LPs, and a matching that keeps
them proves them. One feasibility MILP over the cells does that
(:func:`.keeping.keep_levels`), 4–15 s each on the rules programme counting PK. But by
then the LP has generated thousands of partner sets, and the textbook *restricted master*
heuristic of column generation, the same LP over those sets with each member's choice made
integral, finds such a matching in a fraction of the time: counting PK, it proves the first
32 rounds (all that any matching keeps), at 0.03–0.2 s a MILP.

Each member picks one of its sets that reaches its level (a loose member of the forced zeros:
any set, counted short of each of the group's levels and of the round's, at most ``count + j``
short of the ``j``-th), and the first side's sets obey the rules (the other side's are linked to
them cell by cell, as in the LP). The first side's sets, put together, are the matching. It is
checked against the rules and the levels before it is trusted. No matching among the sets
proves nothing about the others: the caller then branches on the LP
(:mod:`.config_branching`) or asks the MILP over the cells.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from pairing.solvers._highs import HighsModel
from pairing.solvers.fair.config_lp import ConfigLP
from pairing.solvers.fair.config_pricing import reaches
from pairing.solvers.fair.milp import Clock
from pairing.solvers.fair.zeros import Zeros

__all__ = ["holds", "matching_among_sets", "thresholds"]

#: Most seconds one restricted MILP may take (it is a heuristic: the MILP over the cells is the
#: fallback). At 100 × 100 they take 0.03–0.2 s.
RESTRICTED_LIMIT = 2.0
#: Rows a matching found must hold to within this (the MILPs' own tolerance is looser).
SLACK = 1e-9


def matching_among_sets(lp: ConfigLP, levels: np.ndarray, zeros: Zeros | None,
                        clock: Clock, share: float = 1.0) -> tuple[np.ndarray | None, bool]:
    """A matching (0/1 per cell) among the partner sets ``lp`` has found where every member
    reaches ``levels[e]`` (``≤ 0``: no level) — a loose member of ``zeros``: all but
    ``zeros.count + j`` of them reach the group's ``j``-th level, and all but
    ``zeros.count + len(zeros.levels)`` the round's (``levels`` at a loose member) — or
    ``None``; and whether the MILP proved that the sets hold none (not a time limit: no
    matching among the sets still proves nothing about the others)."""
    if clock.expired(share):
        return None, False
    time_left = min(RESTRICTED_LIMIT, clock.left(share) or RESTRICTED_LIMIT)
    loose = np.zeros(lp.m, dtype=bool) if zeros is None else zeros.loose
    keys = list(lp.sets)
    members = np.fromiter((e for e, _ in keys), dtype=np.int64, count=len(keys))
    gains = np.fromiter((lp.sets[k][0] for k in keys), dtype=np.float64, count=len(keys))
    valid = loose[members] | (levels[members] <= 0) | reaches(gains, levels[members])
    picked = np.flatnonzero(valid)
    if not len(picked) or not np.all(np.isin(np.arange(lp.m), members[picked])):
        return None, True  # a member with no set that reaches its level
    counting = thresholds(levels, zeros)
    n_base = len(lp.base_bounds[0])
    rows, cols, vals = [], [], []
    for k, s in enumerate(picked):
        _, r, v = lp.sets[keys[s]]
        counted = [n_base + j for j, (at, _) in enumerate(counting)
                   if loose[members[s]] and not reaches(gains[s], at)]
        rows += [r, np.asarray(counted, dtype=np.int64)]
        vals += [v, np.ones(len(counted))]
        cols.append(np.full(len(r) + len(counted), k))
    n_rows = n_base + len(counting)
    matrix = sp.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n_rows, len(picked)))
    lower = np.concatenate([lp.base_bounds[0], np.full(len(counting), -np.inf)])
    upper = np.concatenate([lp.base_bounds[1],
                            np.array([allowed for _, allowed in counting], dtype=np.float64)])
    model = HighsModel(matrix, lower, upper, np.zeros(len(picked)), np.zeros(len(picked)),
                       np.ones(len(picked)), maximize=False, threads=lp.options.threads,
                       seed=lp.options.seed)
    model.set_integer()
    out = model.run(time_left)
    if out.x is None:
        return None, out.status == "infeasible"
    x = np.zeros(lp.n)
    for s in picked[out.x > 0.5]:
        e, chosen = keys[s]
        if lp.first_side[e]:
            x[lp.cells[e][list(chosen)]] = 1.0
    return (x, False) if holds(lp, x, levels, counting, loose) else (None, False)


def thresholds(levels: np.ndarray, zeros: Zeros | None) -> list[tuple[float, int]]:
    """The loose group's counting rows: each of its levels and the round's, with how many loose
    members may fall short of it."""
    if zeros is None or not zeros.loose.any():
        return []
    out = [(a, zeros.count + j) for j, a in enumerate(zeros.levels)]
    round_level = float(levels[zeros.loose].max())
    if round_level > 0:
        out.append((round_level, zeros.count + len(zeros.levels)))
    return out


def holds(lp: ConfigLP, x: np.ndarray, levels: np.ndarray, counting: list[tuple[float, int]],
          loose: np.ndarray) -> bool:
    """Whether ``x`` obeys the rules and reaches the levels (checked on the cells, not the
    sets: the other side's members gain at least their sets' gains)."""
    rules = lp.rules
    activity = rules.A @ x
    if np.any(activity < rules.lower - SLACK) or np.any(activity > rules.upper + SLACK):
        return False
    if np.any(x < rules.var_lower - SLACK) or np.any(x > rules.var_upper + SLACK):
        return False
    gains = lp.gain_rows @ x
    named = ~loose & (levels > 0)
    if not np.all(reaches(gains[named], levels[named])):
        return False
    return all(int((~reaches(gains[loose], at)).sum()) <= allowed
               for at, allowed in counting)
