"""Leximin by levels: one saturation round per distinct level, on LPs where they are tight.

The position-by-position rounds of :mod:`.leximin` need one MILP per sorted position, and with
partner sums those MILPs are slow (the brief's rules programme, counting one side: 9 positions
in 57 s). These rounds find the leximin vector on linear programs where the relaxation is
tight and prove it with a single MILP, in the way of Ogryczak's saturation algorithm:

* **The relaxation.** The LP of round ``r`` maximises ``t`` over fractional matchings under the
  rules, where every *free* counted member gains at least ``t`` and every member already *fixed*
  at a level ``ℓ_e`` keeps it. Each member also gets the reach rows (:mod:`.reach`) of its
  level: ``ℓ_e`` once fixed, a trial level ``τ`` while free. Those rows hold in every matching
  where the member reaches that level, so the LP bounds every such matching.
* **The round's level.** ``g(τ)`` — the LP's best ``t`` with the free members' rows built at
  ``τ`` — does not increase with ``τ``. When ``g(τ) ≥ τ``, ``τ`` is a lower bound on the
  round's level ``b`` and ``g(τ)`` an upper one; when ``g(τ) < τ``, ``τ`` is refuted and
  ``g(τ)`` is a lower bound. A safeguarded secant search on ``g(τ) − τ`` closes the bracket;
  it is exact in one step on a linear stretch and jumps straight to a plateau. An infeasible
  LP means a reach row jumped: the search then bisects over the rows' breakpoints.
* **Who cannot rise (saturation).** An LP dual ``λ_e > 0`` on member ``e``'s row
  ``gain_e − t ≥ 0`` in the LP at ``τ`` proves that ``e`` cannot gain more than
  ``(g(τ) − τ) / λ_e`` above ``τ`` while the others reach ``τ``. With ``τ`` :data:`SLIP` below
  ``b`` (the others are at ``b`` down to that), members that cannot reach :data:`~.milp.TIE`
  above ``b`` are fixed at ``b``, all in the same round. When ``g`` jumps down across ``b``
  (a reach row tightens there) the duals say nothing, and members are tested one LP each —
  those whose rows change at ``b`` first, then those an elastic LP finds short of their rows
  just above ``b``: "``e`` above ``b``, the others at ``b``" infeasible means ``e`` is fixed.
  "Above" is
  :data:`~.milp.TIE` above (gains closer are one level); "at ``b``" is down to :data:`SLIP`
  below it, and HiGHS's tolerance is held to :data:`KEEP`.
* **The proof.** The vector of fixed levels is lexicographically at least the sorted gains of
  every matching (each round's LP is a relaxation of the matchings that keep the rounds
  before), and every leximin-optimal matching gives each member at least its level. So one
  MILP (:func:`.keeping.keep_levels`) — every member at its level, reach rows at those
  levels, maximise the total score — returns a leximin-optimal matching with the best total.

The LP is not always tight: its level can lie above every matching's. :mod:`.level_rounds`
then keeps the longest run of rounds a matching reaches and proves the next level on
matchings. The LP rounds stop where a round finds nobody saturated (several members can each
rise, but not together) or their time share runs out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from highspy._core import HighsBasis

from pairing.solvers._highs import HighsModel, HighsOutcome
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.milp import LEVEL_SLACK, TIE, Clock, FairModel, level_cap
from pairing.solvers.fair.zeros import Zeros

__all__ = ["LevelRounds", "lp_levels", "slipped"]

#: A round's level is bracketed to this width (relative, at least 1).
WIDTH = 1e-9
#: The round LPs' feasibility tolerance (HiGHS's default is 1e-7): tolerances summed over the
#: members that share partners with a tested one stay far below the test's lift (TIE).
KEEP = 1e-9
#: How far below its level (relative, at least 1) a member counts as at that level: gains are
#: sums of float32 scores, so one level reached along two sums can differ by this much
#: (0.9 + 0.05 and 0.95 differ by 1.1e-8), and an LP level can lie a little above the
#: matchings' (7e-10 was seen). Fixed members' rows, and the others' in a saturation test,
#: are built this much below their level; a member is saturated when it cannot rise
#: :data:`~.milp.TIE` above.
SLIP = 2e-7
#: What a member costs the rounds, in first-LP times, for judging whether they fit in their
#: share of a time limit: the next LPs start from the last basis, and a round fixes one member
#: or more (measured with 60 s: the rules programme counting CN, first LP 0.02 s, 193 LPs in
#: 6.7 s; counting both sides, 0.09 s, 3 rounds in 4.5 s; 150 × 150, 0.19 s, 47 LPs in 25 s
#: for 6 rounds; 300 × 300, 1.2 s, no round in 24 s).
LPS_PER_MEMBER = 0.1
#: Most LPs one round may take before the stage gives up.
MAX_LPS = 60
#: Smallest LP dual believed to be non-zero.
DUAL = 1e-6
#: Most one-LP saturation tests in a round where the LP value jumps.
MAX_TESTS = 20


@dataclass(frozen=True)
class LevelRounds:
    """How far the LP rounds got."""

    levels: np.ndarray  # (m,) each counted member's level, nan where no round fixed it
    round_of: np.ndarray  # (m,) the round that fixed each member (1-based; 0: none)
    last: float  # the last round's level (0 before the first): the free members reach it
    rounds: int
    lps: int  # LPs solved so far
    next_bound: float = np.inf  # a proven upper bound on the next round's level, when known

    @staticmethod
    def empty(m: int) -> LevelRounds:
        """Nobody fixed yet."""
        return LevelRounds(np.full(m, np.nan), np.zeros(m, dtype=np.int64), 0.0, 0, 0)

    def upto(self, rounds: int) -> LevelRounds:
        """What the first ``rounds`` rounds fixed."""
        kept = (self.round_of > 0) & (self.round_of <= rounds)
        levels = np.where(kept, self.levels, np.nan)
        last = float(np.nanmax(levels)) if kept.any() else 0.0
        levels_next = self.levels[self.round_of == rounds + 1]
        bound = float(levels_next.max()) + TIE * max(1.0, float(levels_next.max())) if len(
            levels_next) else self.next_bound
        return LevelRounds(levels, np.where(kept, self.round_of, 0), last, rounds, self.lps,
                           bound)

    @property
    def complete(self) -> bool:
        return not np.isnan(self.levels).any()

    @property
    def rounds_fixed(self) -> int:
        """How many members the rounds fixed."""
        return int((~np.isnan(self.levels)).sum())


class _Stopped(Exception):
    """An LP stopped on the time limit (or Ctrl-C): the rounds end where they are."""


def slipped(levels: np.ndarray) -> np.ndarray:
    """Levels a relative :data:`SLIP` lower (``nan`` stays ``nan``)."""
    return levels - SLIP * np.maximum(1.0, np.abs(levels))


class _LevelLP:
    """The round LP of the module docstring, rebuilt for each trial level."""

    def __init__(self, model: FairModel, options: SolveOptions, clock: Clock,
                 share: float, zeros: Zeros | None = None) -> None:
        self.model = model
        # members that may be one of the forced zeros: never fixed by a round, and served or
        # not in the LP (see :func:`lp_levels`)
        self.loose = np.zeros(model.m, dtype=bool) if zeros is None else zeros.loose
        self.n_loose = int(self.loose.sum())
        # (the group's own levels are left out: a relaxation of them)
        self.served = 0 if zeros is None else zeros.rising
        self.options = options
        self.clock, self.share = clock, share
        self.table = model.reach
        self.top = level_cap(model.gain_rows)
        rules = model.rules
        self.rule_block = sp.hstack([rules.A, sp.csr_array((rules.n_rows, 1))], format="csr")
        self.count = 0
        # The last optimal LP's simplex basis. Every round LP has the same rows and columns
        # (only coefficients and bounds move with the levels), so the next one starts from it:
        # the rules programme's 193 LPs took 34.6 s from scratch and 6.7 s this way.
        self.basis: HighsBasis | None = None

    def free(self, fixed: np.ndarray) -> np.ndarray:
        """The members a round may fix: not fixed yet, and not loose."""
        return np.isnan(fixed) & ~self.loose

    def run(self, fixed: np.ndarray, tau: float, *, raise_member: int | None = None,
            raise_level: float = 0.0) -> tuple[float | None, HighsOutcome | None]:
        """``g(tau)`` and the LP outcome (``None, None`` when the LP is infeasible).

        ``fixed``: each member's level, ``nan`` while free. ``raise_member``: a free member that
        must gain ``raise_level`` (rows at that level) instead of ``t`` (a saturation test).
        """
        fixed = slipped(fixed)
        if raise_member is not None:
            fixed[raise_member] = raise_level
        out = self._solve(fixed, tau, elastic=None)
        if out is None or out.x is None:
            return None, None
        return float(out.x[self.model.n]), out

    def short(self, fixed: np.ndarray, tau: float, floor: float) -> np.ndarray:
        """How far each free member falls short of its rows at ``tau`` when every free member
        gains at least ``floor`` and the rows are made elastic (the least total shortfall): the
        members that may be what makes ``tau`` infeasible."""
        out = self._solve(slipped(fixed), tau, elastic=floor)
        if out is None or out.x is None:
            return np.zeros(self.model.m)
        return np.asarray(out.x[self.model.n + 1:self.model.n + 1 + self.model.m])

    def _solve(self, fixed: np.ndarray, tau: float, elastic: float | None) -> HighsOutcome | None:
        model, rules, m, n = self.model, self.model.rules, self.model.m, self.model.n
        self.count += 1
        free = self.free(fixed)
        loose = self.loose
        levels = np.where(free | loose, tau, fixed)
        floor = np.where(free | loose, 0.0, levels - KEEP * np.maximum(1.0, np.abs(levels)))
        reach = self.table.at(levels).constraints(n)
        t_col = sp.csr_array(-free.astype(np.float64)[:, None])
        none = sp.csr_array((m, m))
        slack = sp.diags_array(free.astype(np.float64)) if elastic is not None else none
        fewest = sp.diags_array(np.where(free & np.isfinite(reach[1].lb), reach[1].lb, 0.0))
        # a loose member e is served (y_e) or may stay alone: its gain and reach rows times
        # y_e, at least ``served`` of them; y comes after t and the elastic slacks
        pick = sp.csr_array((np.ones(self.n_loose), (np.flatnonzero(loose),
                                                    np.arange(self.n_loose))),
                            shape=(m, self.n_loose))
        need = [np.where(loose & np.isfinite(c.lb), c.lb, 0.0) for c in reach]
        matrix = sp.vstack(
            [sp.hstack([self.rule_block, sp.csr_array((rules.n_rows, m + self.n_loose))]),
             sp.hstack([model.gain_rows, t_col, none, -tau * pick]),
             sp.hstack([reach[0].A, sp.csr_array((m, 1)), slack,
                        -sp.diags_array(need[0]) @ pick]),
             sp.hstack([reach[1].A, sp.csr_array((m, 1)), fewest @ slack,
                        -sp.diags_array(need[1]) @ pick]),
             sp.hstack([reach[2].A, sp.csr_array((m, 1)), slack,
                        -sp.diags_array(need[2]) @ pick]),
             sp.hstack([sp.csr_array((1, n + 1 + m)),
                        sp.csr_array(np.ones((1, self.n_loose)))])],
            format="csc",
        )
        lower = np.concatenate([rules.lower, floor,
                                *(np.where(loose, 0.0, np.broadcast_to(c.lb, m)) for c in reach),
                                [self.served]])
        upper = np.concatenate([rules.upper, np.full(m * 4 + 1, np.inf)])
        cost = np.zeros(n + 1 + m + self.n_loose)
        if elastic is None:
            cost[n] = 1.0
            t_bounds = (0.0, self.top)
        else:
            cost[n + 1:n + 1 + m] = -1.0
            t_bounds = (elastic, elastic)
        lp = HighsModel(matrix, lower, upper, cost,
                        np.concatenate([rules.var_lower, [t_bounds[0]],
                                        np.zeros(m + self.n_loose)]),
                        np.concatenate([rules.var_upper, [t_bounds[1]],
                                        np.ones(m) * (elastic is not None),
                                        np.ones(self.n_loose)]),
                        threads=self.options.threads, seed=self.options.seed)
        lp.set_option("primal_feasibility_tolerance", KEEP)
        if self.basis is not None:
            lp.set_basis(self.basis)
        out = lp.run(self.clock.left(self.share))
        if out.status == "infeasible":
            return None
        if out.status == "optimal":
            self.basis = lp.basis()
        if out.status != "optimal" or out.x is None:
            raise _Stopped
        return out

    def duals(self, out: HighsOutcome) -> np.ndarray:
        """``|λ_e|`` of each member's ``gain_e − t ≥ 0`` row."""
        start = self.model.rules.n_rows
        assert out.row_dual is not None
        return np.abs(out.row_dual[start:start + self.model.m])


@dataclass
class _Round:
    lo: float  # a level the LP reaches with the free members' rows built at it
    value: float  # g(lo)
    hi: float  # an upper bound on the round's level
    jump: bool = False  # g jumps down across the level (a reach row tightens there)


def _jump_width(level: float) -> float:
    """How far past a breakpoint the rows have surely tightened (two row slacks)."""
    return 2 * LEVEL_SLACK * max(1.0, abs(level))


def _round_level(lp: _LevelLP, fixed: np.ndarray, lo: float) -> _Round | None:
    """Bracket the round's level ``b`` (module docstring).

    Steps, cheapest first: a refuted ``τ``'s ``g`` (a proven lower bound); ``τ = g(lo)`` (``g``
    is often flat); after an infeasible LP, bisection over the breakpoints of the free members'
    rows (the LP turns infeasible where a row jumps); otherwise a secant step on
    ``g(τ) − τ``, or bisection when the secant misses twice.
    """
    value, _ = lp.run(fixed, lo)
    if value is None or value < lo - WIDTH * max(1.0, lo):
        return None
    free = lp.free(fixed)
    # no free member gains more than its best cells allow: a bound that needs no LP
    alone = float(lp.table.most[free].min()) if free.any() else value
    best = _Round(lo, value, value if alone <= lo else min(value, alone))
    points, owners = lp.table.breakpoints
    points = points[free[owners]]
    hi_refuted = False  # whether an LP refuted best.hi (else it is g(lo) or a member's most)
    known = lo  # a proven lower bound on b, maybe above best.lo (from a refuted τ's g)
    refuted: tuple[float, float] | None = None  # the last refuted τ and g(τ), for the secant
    misses = 0  # refuted steps in a row
    plateau_tried = False  # whether τ = g(best.lo) was tried
    infeasible_seen = False
    for _ in range(MAX_LPS):
        width = WIDTH * max(1.0, best.hi)
        if best.hi - best.lo <= width or best.value - best.lo <= width:
            return best
        if best.jump and best.hi - best.lo <= _jump_width(best.hi) * 2:
            return best
        inside = points[(points > best.lo) & (points + _jump_width(best.hi) < best.hi)]
        if known > best.lo + width:
            tau = known
        elif not plateau_tried and (best.value < best.hi or not hi_refuted):
            # is g flat from lo to g(lo), or is the level the most some member can gain?
            tau, plateau_tried = min(best.value, best.hi), True
        elif infeasible_seen and len(inside):
            tau = float(inside[len(inside) // 2]) + _jump_width(float(inside[len(inside) // 2]))
        elif infeasible_seen and not best.jump:
            # no breakpoint left inside: is the jump at the one just below hi?
            below = points[points < best.hi]
            edge = float(below[-1]) if len(below) else -1.0
            tau = edge if best.lo < edge < best.hi else (best.lo + best.hi) / 2
            best.jump = best.lo < edge < best.hi
        elif refuted is not None and misses < 2:
            rise_lo, rise_hi = best.value - best.lo, refuted[1] - refuted[0]
            tau = best.lo + rise_lo * (refuted[0] - best.lo) / (rise_lo - rise_hi)
            tau -= width / 2  # just below the root: feasible, with g(τ) ≈ b
        else:
            tau = (best.lo + best.hi) / 2
        if not best.lo < tau <= best.hi:
            tau = (best.lo + best.hi) / 2
        value, _ = lp.run(fixed, tau)
        if value is not None and value >= tau - width / 10:
            jump = best.jump
            hi_refuted = hi_refuted and best.hi <= value
            best = _Round(tau, value, min(best.hi, value), jump)
            plateau_tried, misses = False, 0
        else:
            best.hi, hi_refuted = tau, True
            best.jump = False
            misses += 1
            if value is None:
                infeasible_seen = True
            else:
                refuted = (tau, value)
                if value < tau - width:
                    known = max(known, value)
            if tau == known:
                known = best.lo  # numerically not reached after all: bisect from here
    return None


def _saturated(lp: _LevelLP, fixed: np.ndarray, level: _Round) -> np.ndarray:
    """The free members that cannot gain more than ``level.lo`` (within TIE) in this round."""
    free = lp.free(fixed)
    # λ_e bounds how far e can rise above τ while the others reach τ: (g(τ) − τ) / λ_e (module
    # docstring). The others are at the level down to SLIP below it, and a reach row can jump
    # in between (the float32 sum 0.5 + 0.15 lies 3e-8 above 0.65: rows at the first call a
    # member at 0.65 short), so the duals are taken at τ = lo − SLIP; e is saturated when it
    # cannot reach lo + TIE
    tau = level.lo - SLIP * max(1.0, level.lo)
    value, out = lp.run(fixed, tau)
    if value is not None and out is not None:
        duals = lp.duals(out)
        reach = level.lo + TIE * max(1.0, level.lo) - tau
        sure = free & (duals >= DUAL) & (duals * reach > max(value - tau, 0.0))
        if sure.any():
            return np.flatnonzero(sure)
    # g jumps down across the level: test the members whose rows change there, then those
    # that fall short of their rows just above it
    points, owners = lp.table.breakpoints
    near = np.abs(points - level.lo) <= level.hi - level.lo + 2 * _jump_width(level.hi)
    first = np.unique(owners[near & free[owners]])
    short = lp.short(fixed, level.lo + TIE / 2, level.lo)
    short[~free] = 0.0
    short[first] = 0.0
    rest = np.argsort(-short, kind="stable")[: int((short > 0).sum())]
    found = []
    for e in [*first, *rest][:MAX_TESTS]:
        # the others at the round's level, less SLIP (they are still at it)
        others = level.lo - SLIP * max(1.0, level.lo)
        value, _ = lp.run(fixed, others, raise_member=int(e), raise_level=level.lo + TIE)
        if value is None or value < others - WIDTH * max(1.0, others):
            found.append(int(e))
        elif found and e not in first:
            break
    return np.asarray(found, dtype=np.int64)


def lp_levels(model: FairModel, clock: Clock, options: SolveOptions, share: float,
              start: LevelRounds | None = None, zeros: Zeros | None = None) -> LevelRounds:
    """Each member's level by LP rounds, from ``start`` (nobody fixed when ``None``), as far as
    the rounds get within ``share`` of the time limit (module docstring).

    ``zeros``: forced zeros, each of them one of ``zeros.loose`` (which ones is a choice). A
    loose member is served (``y_e`` in [0, 1]) or not, and at least all but ``zeros.count`` of
    them are; its gain and reach rows at ``τ`` are multiplied by ``y_e`` (fixed ``τ``
    instead of ``t``: still a relaxation of "the others reach ``t ≥ τ``"). No round fixes a
    loose member (its level belongs to no member in particular); whether a matching keeps the
    rounds' levels is for :func:`.keeping.keep_levels` to say.
    """
    lp = _LevelLP(model, options, clock, share, zeros)
    state = start if start is not None else LevelRounds.empty(model.m)
    fixed, round_of = state.levels.copy(), state.round_of.copy()
    lo, rounds, bound = state.last, state.rounds, state.next_bound
    if state.rounds == 0 and clock.limit is not None:
        # A round takes a few LPs and usually fixes one member: when one LP takes so long
        # that the rounds cannot fix most members within their share, leave the time to the
        # position rounds (300 × 300 with sums: 1.2 s for the first LP, 1–6 s for each next one
        # even from the last basis; 24 s went by without a round).
        started = time.perf_counter()
        try:
            lp.run(fixed, 0.0)
        except _Stopped:
            return state
        if (time.perf_counter() - started) * LPS_PER_MEMBER * model.m > share * clock.limit:
            return state
    while lp.free(fixed).any() and not clock.expired(share):
        try:
            level = _round_level(lp, fixed, lo)
            saturated = np.empty(0, np.int64) if level is None else _saturated(lp, fixed, level)
        except _Stopped:
            break
        if level is not None:
            bound = min(bound, level.hi + TIE * max(1.0, level.hi))
        if level is None or not len(saturated):
            break
        rounds += 1
        fixed[saturated] = level.lo
        round_of[saturated] = rounds
        lo, bound = level.lo, np.inf
        options.report(f"leximin: LP round {rounds}, level {lo:.4f}, "
                       f"{int(lp.free(fixed).sum())} of {model.m} member(s) left")
    return LevelRounds(fixed, round_of, lo, rounds, state.lps + lp.count, bound)
