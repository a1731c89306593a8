"""Leximin's configuration rounds: level rounds on the configuration LP, by column generation.

The round LP of :mod:`.lp_levels` lets a member reach its level with a fraction of each of
several partner sets, some of them short of the level. On the brief's rules programme counting
CN, its 14th level is 0.6302 where the best matching's is 0.6246, and the rounds on matchings
that follow cost 2–8 s each. The *configuration LP* closes that gap: each counted member ``e``
picks a distribution ``λ_e`` over its partner sets ``C`` (at most ``cap_e`` of its cells) *each
of which* reaches its level, and the matching ``x = Σ_C λ_C·1_C`` obeys the rules. Every
matching where each member reaches its level is such a point (``λ`` = its own partner set), so
the LP is a relaxation, and it is the strongest one built from per-member convexity: measured on
the six rounds above, its boundary matched the matchings' level to 2·10⁻⁶ every time.

The partner sets are far too many to list (about 10⁶ on the rules programme), so the LP is
solved by column generation (the textbook way for configuration LPs): a restricted LP over the
sets found so far, with the rules' rows and one convexity row per member, prices every member's
sets against its duals, and adds the cheapest one until none has a negative reduced cost.
Feasibility at a level is a phase-1 LP: a set short of its member's level costs 1, and the level
is reachable when the least cost is 0. A level is refuted when that cost, or the Lagrangian
bound (the restricted LP's value plus each member's most negative reduced cost), is above
:data:`PROOF` — a proof, since pricing (:mod:`.config_pricing`) is exact for at most three
partners (one, two, or a pair plus the cheapest third among the cells that complete it), so
the rounds apply when every counted member has ``cap ≤ 3`` and the counted side's members cover
every cell (``fair_to`` one side, no forced zeros).

A round gallops and bisects to its level over these LPs, warm-started (about 6 of 10 ms each
on the rules programme: a reachable level's point shows how far the free members' sets reach,
so the next test is a probe just above that), then tests the free members whose sets in use sit
at the level: member ``e`` is *saturated* when no point lifts it :data:`~.milp.TIE` above the
level while the other free members keep it (less :data:`~.lp_levels.SLIP`). Like the LP
rounds, the rounds' levels bound every matching lexicographically, and
:func:`.level_rounds.keep_levels` proves with one MILP how many of them a matching keeps.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from pairing.core.objectives import counted
from pairing.solvers._highs import HighsModel
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.config_pricing import ROUNDING, Pricer, reaches
from pairing.solvers.fair.lp_levels import LevelRounds, slipped
from pairing.solvers.fair.milp import TIE, Clock, FairModel, level_cap

__all__ = ["ConfigLP", "config_rounds"]

#: Most partners a counted member may have for exact pricing (see the module docstring).
MOST_PARTNERS = 3
#: A phase-1 cost (or Lagrangian bound) above this refutes a level; at or below
#: :data:`FEASIBLE` the level is reachable. Between the two (HiGHS's tolerances), the level
#: counts as reachable: a wrong "reachable" only makes a round fail its MILP check, while a
#: wrong refutation would fix a member too low.
PROOF = 1e-6
FEASIBLE = 1e-7
#: Reduced costs below this are negative (a column worth adding).
NEGATIVE = -1e-9
#: A round's level is bisected to this width (relative, at least 1): above
#: :data:`~.config_pricing.ROUNDING`, within which a set counts as reaching a level.
WIDTH = 4e-9
#: Most members tested for saturation in one round.
MAX_TESTS = 20


class _Stopped(Exception):
    """An LP stopped on the time limit (or Ctrl-C): the rounds end where they are."""


def _counted_side(model: FairModel) -> sp.csr_array:
    """``(m, n_cells)``: the cells of each counted member, all on one side (left when any
    left member is counted, as :meth:`ConfigLP.applies` requires)."""
    counted_left, counted_right = counted(model.problem)
    rules = model.rules
    if counted_left.any():
        return sp.csr_array(rules.left_incidence[np.flatnonzero(counted_left)])
    return sp.csr_array(rules.right_incidence[np.flatnonzero(counted_right)])


class ConfigLP:
    """The configuration LP of the module docstring, grown by column generation.

    Rows: the rules' rows (over the cells each set holds), one row per required pair, one
    convexity row per counted member. Columns: partner sets, each of one member, kept across
    levels (a set's cost is 0 or 1 by the levels asked).
    """

    def __init__(self, model: FairModel, options: SolveOptions, clock: Clock,
                 start: np.ndarray) -> None:
        rules, m = model.rules, model.m
        self.clock, self.share = clock, 1.0
        incidence = _counted_side(model)
        open_cells = rules.var_upper > 0.5
        self.cells: list[np.ndarray] = []
        self.gains: list[np.ndarray] = []
        for e in range(m):
            cells = incidence.indices[incidence.indptr[e]:incidence.indptr[e + 1]]
            cells = cells[open_cells[cells]]
            gains = np.asarray(model.gain_rows[[e]].toarray().ravel()[cells], dtype=np.float64)
            order = np.argsort(-gains, kind="stable")
            self.cells.append(cells[order])
            self.gains.append(gains[order])
        self.caps = np.minimum(model.caps, [len(c) for c in self.cells])
        #: the most each member can gain: its ``cap`` best cells
        self.most = np.array([float(g[:c].sum()) for g, c in zip(self.gains, self.caps,
                                                                  strict=True)])
        self.pricer = Pricer(self.gains, self.caps)
        self.cells_padded = np.zeros((m, self.pricer.width), dtype=np.int64)
        for e, cells in enumerate(self.cells):
            self.cells_padded[e, :len(cells)] = cells
        self.rules_cols = sp.csc_array(rules.A)
        self.n_rules, self.m = rules.n_rows, m
        required = np.flatnonzero(rules.var_lower > 0.5)
        self.required_row = np.full(model.n, -1)
        self.required_row[required] = self.n_rules + m + np.arange(len(required))
        lower = np.concatenate([rules.lower, np.ones(m), np.ones(len(required))])
        upper = np.concatenate([rules.upper, np.ones(m), np.full(len(required), np.inf)])
        self.n_rows = len(lower)
        self.lp = HighsModel(sp.csr_array((self.n_rows, 0)), lower, upper, np.empty(0),
                             np.empty(0), np.empty(0), maximize=False, threads=options.threads,
                             seed=options.seed)
        self.lp.set_option("primal_feasibility_tolerance", 1e-9)
        self.member_of: list[int] = []
        self.set_gain: list[float] = []
        self.known: set[tuple[int, tuple[int, ...]]] = set()
        self.levels = np.zeros(m)
        self.lps = 0
        # the empty set of every member, and each member's set in the start matching (which
        # keeps the levels so far: the first LPs are feasible)
        self._add([(e, ()) for e in range(m)])
        self.seed(start)

    def seed(self, x: np.ndarray) -> None:
        """Add each member's partner set in matching ``x`` (one that keeps the levels asked
        next, so that their LPs are feasible from the start)."""
        own = [(e, tuple(int(i) for i in np.flatnonzero(x[self.cells[e]] > 0.5)))
               for e in range(self.m)]
        new = [s for s in own if s[1] and s not in self.known]
        if new:
            self._add(new)

    @staticmethod
    def applies(model: FairModel) -> bool:
        """Whether exact pricing covers this model (module docstring)."""
        counted_left, counted_right = counted(model.problem)
        if counted_left.any() == counted_right.any() or not model.m:
            return False
        covered = np.asarray(_counted_side(model).sum(axis=0)).ravel()
        return bool(np.all(covered == 1) and np.all(model.caps <= MOST_PARTNERS))

    def _costs(self, members: np.ndarray, gains: np.ndarray) -> np.ndarray:
        """Each set's phase-1 cost at the current levels: 1 when short of its member's."""
        levels = self.levels[members]
        return np.where((levels <= 0) | reaches(gains, levels), 0.0, 1.0)

    def _add(self, sets: list[tuple[int, tuple[int, ...]]]) -> None:
        """Append partner sets as columns."""
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for k, (e, chosen) in enumerate(sets):
            cells = self.cells[e][list(chosen)]
            block = self.rules_cols[:, cells]
            required = self.required_row[cells][self.required_row[cells] >= 0]
            rows += [block.indices, np.array([self.n_rules + e]), required]
            cols += [np.full(block.nnz, k), np.array([k]), np.full(len(required), k)]
            vals += [block.data, np.ones(1), np.ones(len(required))]
            self.member_of.append(e)
            self.set_gain.append(float(self.gains[e][list(chosen)].sum()))
            self.known.add((e, chosen))
        matrix = sp.csc_array((np.concatenate(vals).astype(np.float64),
                               (np.concatenate(rows).astype(np.int64),
                                np.concatenate(cols).astype(np.int64))),
                              shape=(self.n_rows, len(sets)))
        members = np.asarray(self.member_of[-len(sets):])
        costs = self._costs(members, np.asarray(self.set_gain[-len(sets):]))
        self.lp.add_columns(costs, np.zeros(len(sets)), np.ones(len(sets)), matrix)

    def reachable(self, levels: np.ndarray) -> tuple[bool, np.ndarray]:
        """Whether every member can reach ``levels[e]`` (≤ 0: no level) in the LP, and, when
        it can, each member's least gain among its sets in use (the same point reaches that
        level too; a member above its level there can rise).

        Raises :class:`_Stopped` when the time limit stops an LP.
        """
        self.levels = levels
        n_sets = len(self.member_of)
        self.lp.set_costs(np.arange(n_sets),
                          self._costs(np.asarray(self.member_of), np.asarray(self.set_gain)))
        while True:
            out = self.lp.run(self.clock.left(self.share))
            self.lps += 1
            if out.status != "optimal" or out.row_dual is None or out.x is None:
                raise _Stopped
            duals = out.row_dual
            cell_w = -(self.rules_cols.T @ duals[:self.n_rules])
            has_row = self.required_row >= 0
            cell_w[has_row] -= duals[self.required_row[has_row]]
            convexity = duals[self.n_rules:self.n_rules + self.m]
            # any set, at cost 1 when the member has a level (it is then short of it)
            active = levels > 0
            any_total, any_sets, bound_valid = self.pricer.cheapest_any(
                cell_w[self.cells_padded], np.where(active, levels, 0.0))
            reduced = any_total + np.where(active, 1.0, 0.0) - convexity
            chosen: list[tuple[int, ...] | None] = list(any_sets)
            # a set that reaches the level, at cost 0, for members the bound above does not
            # rule out
            for e in np.flatnonzero(active & (bound_valid - convexity < NEGATIVE)):
                total, best = self.pricer.cheapest(int(e), cell_w[self.cells[e]], levels[e])
                if total - convexity[e] < reduced[e]:
                    reduced[e], chosen[e] = total - convexity[e], best
            value = out.value or 0.0
            negative = reduced < NEGATIVE
            bound = value + float(reduced[negative].sum())
            new: list[tuple[int, tuple[int, ...]]] = []
            for e in np.flatnonzero(negative):
                picked = chosen[e]
                if picked is not None and (int(e), picked) not in self.known:
                    new.append((int(e), picked))
            if value <= FEASIBLE or (value <= PROOF and (bound <= PROOF and not new)):
                # (between FEASIBLE and PROOF: within tolerance, counts as reachable)
                used = out.x[:n_sets] > FEASIBLE
                members, gains = np.asarray(self.member_of)[used], np.asarray(self.set_gain)[used]
                lowest = np.full(self.m, np.inf)
                np.minimum.at(lowest, members, gains)
                return True, lowest
            if bound > PROOF or not new:
                return False, np.full(self.m, -np.inf)
            self._add(new)
            n_sets = len(self.member_of)


def _on_course(clock: Clock, finish: float, began: float, done: int, left: int) -> bool:
    """Whether ``done`` rounds since ``began`` say the ``left`` members fit in ``finish`` of
    the time limit with half as much again to spare (always, without a limit)."""
    if clock.limit is None:
        return True
    if done == 0:
        return False
    now = time.perf_counter()
    return now - clock.start + 1.5 * (now - began) / done * left <= finish * clock.limit


def config_rounds(model: FairModel, lp: ConfigLP, start: LevelRounds, x: np.ndarray,
                  clock: Clock, options: SolveOptions, share: float,
                  most: int | None = None, finish: float = 1.0) -> LevelRounds:
    """Level rounds on the configuration LP ``lp`` from ``start`` (whose levels ``x``
    keeps), as far as they get within ``share`` of the time limit (module docstring), ``most``
    rounds at most — unless their pace says all the members left fit in ``finish`` of the
    limit with half as much again to spare: then they all run, and one MILP proves them at
    the end (cheaper than several: the rules programme counting CN, 0.6 s against 4 s). The
    LP keeps its partner sets from call to call."""
    lp.seed(x)
    lp.share = share
    lps = lp.lps
    began = time.perf_counter()
    fixed, round_of = start.levels.copy(), start.round_of.copy()
    lo, rounds = start.last, start.rounds
    cap = level_cap(model.gain_rows)
    top = min(start.next_bound, cap)
    try:
        while np.isnan(fixed).any() and not clock.expired(share) and (
                most is None or rounds - start.rounds < most or _on_course(
                    clock, finish, began, rounds - start.rounds, int(np.isnan(fixed).sum()))):
            free = np.isnan(fixed)
            kept = slipped(np.where(free, 0.0, fixed))

            def reachable(level: float, kept: np.ndarray = kept,
                          free: np.ndarray = free) -> tuple[bool, np.ndarray]:
                return lp.reachable(np.where(free, level, kept))

            # the level: gallop up from the last one, then bisect. A reachable level moves the
            # lower end up to the least gain of the free members' sets in use (the same point
            # reaches it), which is often the level itself: so after a refuted test, the next
            # one is just above the lower end (a probe)
            # (no free member can gain more than its best cells: neither can the level)
            ceiling = lp.most[free].min(initial=np.inf)
            low, high = lo, min(top, ceiling + 2 * ROUNDING * max(1.0, ceiling))
            lowest: np.ndarray | None = None
            step, probe = 1e-3 * max(1.0, low), False
            while high - low > WIDTH * max(1.0, high):
                if probe:
                    mid = low + WIDTH / 2 * max(1.0, low)  # (2 ROUNDING above low)
                else:
                    mid = min(low + step, (low + high) / 2) if step else (low + high) / 2
                ok, where = reachable(mid)
                if ok:
                    lowest, step = where, 2 * step if step else 0.0
                    low = min(max(mid, float(where[free].min(initial=np.inf))), high)
                else:
                    high, step = mid, 0.0
                probe = not ok and not probe
            if lowest is None:  # the level is the last round's
                lowest = reachable(low)[1]
            # who cannot rise TIE above it while the other free members keep it: the free
            # members whose sets in use are at the level (any other can rise: that point
            # shows it), the lowest first
            lift = low + TIE * max(1.0, low)
            others = np.where(free, slipped(np.asarray(low)), kept)
            candidates = np.flatnonzero(free & (lowest < lift))
            candidates = candidates[np.argsort(lowest[candidates], kind="stable")][:MAX_TESTS]
            saturated = []
            for e in candidates:
                lifted = others.copy()
                lifted[e] = lift
                if not lp.reachable(lifted)[0]:
                    saturated.append(int(e))
            if not saturated:
                break
            rounds += 1
            fixed[saturated] = low
            round_of[saturated] = rounds
            lo, top = low, cap
            options.report(f"leximin: configuration round {rounds}, level {lo:.4f}, "
                           f"{int(np.isnan(fixed).sum())} of {model.m} member(s) left")
    except _Stopped:
        pass
    return LevelRounds(fixed, round_of, lo, rounds, start.lps + lp.lps - lps)
