"""Forced zeros: counted enterprises that gain nothing in every leximin-optimal matching.

When the rules cannot serve everyone (the brief's rules programme: textiles max 15 pairs for 23
PK textile firms), the leximin vector starts with the fewest zeros any matching has
(:func:`fewest_zeros`, one MILP). Which enterprises those are is a choice; leximin's level
rounds only need to know who is never among them (:func:`loose_members`, one LP, and
:func:`alone_at_fewest`, one MILP for a single enterprise), so that they can fix the others by name
while the *loose* ones are served or not (:class:`Zeros`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.optimize import LinearConstraint

from pairing.errors import Infeasible
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.milp import Clock, FairModel, Outcome, run_milp

__all__ = ["Zeros", "alone_at_fewest", "fewest_zeros", "loose_members", "positive",
           "positive_partners", "reach_levels", "served_rows"]


@dataclass(frozen=True)
class Zeros:
    """Forced zeros the level rounds leave open: ``count`` members gain 0 in every
    leximin-optimal matching, each of them one of ``loose`` (which ones is a choice)."""

    loose: np.ndarray  # (m,) bool
    count: int
    #: loose members a matching with the fewest zeros leaves alone (no use testing them)
    seen: np.ndarray | None = None
    #: the loose group's levels proven so far, lowest first: after the ``count`` zeros, one
    #: loose member at each of them (which one is a choice too), the rest at least at the level
    #: of the round under way
    levels: tuple[float, ...] = ()
    #: the level round that proved each of ``levels`` (so that a run of rounds can be cut back)
    proven_in: tuple[int, ...] = ()

    @property
    def rising(self) -> int:
        """How many loose members reach the level of the round under way."""
        return int(self.loose.sum()) - self.count - len(self.levels)

    def rising_level(self, gains: np.ndarray) -> float:
        """The level the rising loose members reach in a matching with these ``gains``: the
        lowest of the ``rising`` best loose gains (``inf`` when none rise)."""
        if self.rising <= 0:
            return np.inf
        return float(np.sort(gains[self.loose])[-self.rising])

    def left(self, levels: np.ndarray) -> int:
        """Members still to fix, given the members' own ``levels`` (``nan``: not fixed): the
        others by name, and the rising loose members."""
        return int((np.isnan(levels) & ~self.loose).sum()) + max(self.rising, 0)

    def without(self, member: int) -> Zeros:
        """The same zeros, ``member`` known never to be one of them (only before the group
        has a level: it might hold one)."""
        assert not self.levels
        loose = self.loose.copy()
        loose[member] = False
        return Zeros(loose, self.count, self.seen)

    def seen_alone(self, alone: np.ndarray) -> Zeros:
        """The same zeros, the members ``alone`` (bool) seen gaining 0 in such a matching."""
        seen = alone if self.seen is None else self.seen | alone
        return Zeros(self.loose, self.count, seen, self.levels, self.proven_in)

    def with_level(self, level: float, round_: int) -> Zeros:
        """The same zeros, one more loose member proven to be at ``level`` (anonymously) by
        level round ``round_``."""
        return Zeros(self.loose, self.count, self.seen, (*self.levels, level),
                     (*self.proven_in, round_))

    def upto(self, rounds: int) -> Zeros:
        """The same zeros with the group's levels that the first ``rounds`` rounds proved."""
        keep = [k for k, r in enumerate(self.proven_in) if r <= rounds]
        return Zeros(self.loose, self.count, self.seen, tuple(self.levels[k] for k in keep),
                     tuple(self.proven_in[k] for k in keep))

    def done(self, levels: np.ndarray) -> bool:
        """Whether every member is fixed: the others by name (``levels``, ``nan``: not
        fixed), and every loose member a zero or at one of the group's levels."""
        return self.left(levels) == 0


def served_rows(model: FairModel, offset: int, total_cols: int,
                 at_least: float = -np.inf) -> list[LinearConstraint]:
    """``y_e ≤ 1`` (its bound) and ``y_e ≤`` the number of e's partners with a positive gain,
    for ``m`` columns ``y`` from ``offset`` on; ``Σ_e y_e ≥ at_least`` when that is given.

    ``Σ_e y_e`` is then the number of counted enterprises that gain something (the cells are
    binary, so ``y`` needs no integrality).
    """
    m, n = model.m, model.n
    served_by = positive(model)
    before = sp.csr_array((m, offset - n))
    after = sp.csr_array((m, total_cols - offset - m))
    rows = [LinearConstraint(sp.hstack([-served_by, before, sp.eye_array(m), after],
                                       format="csr"), -np.inf, 0.0)]
    if np.isfinite(at_least):
        count = np.zeros(total_cols)
        count[offset:offset + m] = 1.0
        rows.append(LinearConstraint(sp.csr_array(count[None, :]), at_least, np.inf))
    return rows


#: The share of a time limit the best total among the most-served matchings may take.
TOTAL_SHARE = 0.05


def _most_served(model: FairModel, clock: Clock, options: SolveOptions, *,
                 relax: bool) -> Outcome:
    """Maximise the number of counted enterprises that gain something (:func:`served_rows`),
    as a MILP or its LP relaxation."""
    m, n = model.m, model.n
    return run_milp(model, np.concatenate([np.zeros(n), np.ones(m)]), m,
                    served_rows(model, n, n + m), (np.zeros(m), np.ones(m)), clock, options,
                    relax=relax)


def fewest_zeros(model: FairModel, clock: Clock, options: SolveOptions
                  ) -> tuple[int, np.ndarray | None]:
    """The fewest counted enterprises that gain nothing, in one MILP, and such a matching.

    Maximise ``Σ_e y_e`` (:func:`served_rows`): the leximin vector starts with exactly
    ``m − max`` zeros, so those positions are fixed at once instead of one ordered-outcomes
    round each (no shortfall row is needed for level 0). Returns (0, None) when the time limit
    stops it.
    """
    out = _most_served(model, clock, options, relax=False)
    if out.x is None or not out.optimal:
        return 0, out.x
    zeros = int((model.gains(out.x) <= 0).sum())
    return zeros, _best_total_served(model, model.m - zeros, out.x, clock, options)


def _best_total_served(model: FairModel, served: int, x: np.ndarray, clock: Clock,
                       options: SolveOptions) -> np.ndarray:
    """A matching with the best total score among those that serve ``served`` counted
    enterprises, from ``x`` (one that does) within :data:`TOTAL_SHARE` of the time limit: the
    answer a stopped leximin run falls back to when its rounds prove nothing more (the rules
    programme at 10 s: the most-served matching's total is 32.2, the best one's 72.7)."""
    m, n = model.m, model.n
    share = 1.0 if clock.limit is None else min(1.0, clock.used() + TOTAL_SHARE)
    start = np.concatenate([x, np.minimum(1.0, positive_partners(model, x))])
    out = run_milp(model, np.concatenate([model.weights, np.zeros(m)]), m,
                   served_rows(model, n, n + m, at_least=served), (np.zeros(m), np.ones(m)),
                   clock, options, start=start, share=share)
    return x if out.x is None else out.x


def loose_members(model: FairModel, zeros: int, clock: Clock, options: SolveOptions
                  ) -> np.ndarray | None:
    """The members that may gain 0 in a matching with the fewest (``zeros``) zeros — a
    superset, from one LP; ``None`` when the time limit stops it.

    The LP relaxation of :func:`fewest_zeros` serves ``f(1)`` members. Capping ``y_e`` at
    ``u`` instead of 1 serves ``f(u)``, concave in ``u``, so ``f(0) ≤ f(1) − d_e`` for the
    reduced cost ``d_e`` of a ``y_e`` at 1: when that is below ``m − zeros``, no matching with
    ``e`` alone (``y_e = 0``) serves ``m − zeros`` members, and ``e`` is never one of the
    zeros. (The brief's rules programme: 24 loose members, the 23 PK textile firms under the
    textiles quota and PK-045, which :func:`alone_at_fewest` clears.)
    """
    m, n = model.m, model.n
    out = _most_served(model, clock, options, relax=True)
    if out.x is None or out.col_dual is None or out.bound is None or not out.optimal:
        return None
    served, reduced = out.x[n:n + m], np.abs(out.col_dual[n:n + m])
    never = (served >= 1 - 1e-9) & (out.bound - reduced < m - zeros - 1e-6)
    return ~never


def positive(model: FairModel) -> sp.csr_array:
    """``(m, n_cells)``: 1 where a cell gives the counted enterprise of that row a positive
    gain."""
    return sp.csr_array((model.gain_rows > 0).astype(np.float64))


def positive_partners(model: FairModel, x: np.ndarray) -> np.ndarray:
    """For each counted enterprise, how many of its partners in ``x`` give it a positive gain."""
    return np.asarray(positive(model) @ x)


def reach_levels(model: FairModel, objective: np.ndarray, levels: np.ndarray,
                 zeros: Zeros | None, clock: Clock, options: SolveOptions,
                 **run: Any) -> Outcome:
    """:func:`.milp.run_milp` of ``objective`` (over the cells) where every member reaches
    ``levels[e]`` (its gain row and its reach rows), a loose member of ``zeros`` either reaching
    it or staying out of it (binary ``y_e``, its rows multiplied by ``y_e``), ``zeros.rising``
    of them reaching it. Each of the group's levels ``a_j`` (``zeros.levels``) has binaries
    ``z_e`` of its own ("``e`` reaches ``a_j``", rows multiplied by ``z_e``), all but
    ``count + j − 1`` loose members reaching it: the group's sorted gains then hold its
    levels, whoever holds them. ``run``: :func:`.milp.run_milp`'s keywords."""
    m, n = model.m, model.n
    if zeros is None or not zeros.loose.any():
        plain = [LinearConstraint(model.gain_rows, levels, np.inf),
                 *model.reach.at(levels).constraints(n)]
        return run_milp(model, objective, 0, plain, (np.empty(0), np.empty(0)), clock, options,
                        **run)
    loose = zeros.loose.astype(np.float64)
    group = [(np.maximum(levels, 0.0), zeros.rising)]  # the round's level, then the group's
    group += [(np.where(zeros.loose, a, 0.0), int(loose.sum()) - zeros.count - j)
              for j, a in enumerate(zeros.levels)]
    blocks = len(group)
    total = n + blocks * m
    rows: list[LinearConstraint] = []
    for b, (at, need) in enumerate(group):
        offset = n + b * m
        gain = sp.hstack([model.gain_rows, sp.csr_array((m, b * m)), -sp.diags_array(at),
                          sp.csr_array((m, total - offset - m))], format="csr")
        rows.append(LinearConstraint(gain, 0.0, np.inf))
        rows += model.reach.at(at).indicator_constraints(offset, total)
        count = np.zeros(total)
        count[offset:offset + m] = loose
        rows.append(LinearConstraint(sp.csr_array(count[None, :]), need, np.inf))
    # y_e: the round's level, binary for the loose members and 1 for the others; z_e: the
    # group's levels, only for loose members (others' z fixed at 0)
    lower = np.concatenate([np.where(zeros.loose, 0.0, 1.0), np.zeros((blocks - 1) * m)])
    upper = np.concatenate([np.ones(m), np.tile(loose, blocks - 1)])
    return run_milp(model, np.concatenate([objective, np.zeros(blocks * m)]), blocks * m, rows,
                    (lower, upper), clock, options, integer_extra=np.arange(blocks * m), **run)


def alone_at_fewest(model: FairModel, zeros: Zeros, member: int, clock: Clock,
                    options: SolveOptions, share: float = 1.0) -> Outcome | None:
    """A matching with the fewest zeros that leaves ``member`` alone (one feasibility MILP,
    stopped at its first matching); ``None`` when there is none: ``member`` is never a zero.
    The outcome's ``x`` is ``None`` when the time limit stops the test.

    The LP of :func:`loose_members` cannot always tell (the rules programme: PK-045, whose one
    allowed partner the textile firms need; the MILP refutes it in 0.3 s).
    """
    m, n = model.m, model.n
    alone = np.concatenate([(model.gain_rows[[member]].toarray().ravel() > 0)
                            .astype(np.float64), np.zeros(m)])
    rows = [*served_rows(model, n, n + m, at_least=m - zeros.count),
            LinearConstraint(sp.csr_array(alone[None, :]), 0.0, 0.0)]
    upper = np.ones(m)
    upper[member] = 0.0
    try:
        return run_milp(model, np.zeros(n + m), m, rows, (np.zeros(m), upper), clock, options,
                        first=True, share=share)
    except Infeasible:
        return None
