"""The configuration LP for leximin's level rounds, by column generation.

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
the rounds apply when every counted member has ``cap ≤ 3``.

Both sides counted: the rules' rows hold one side's sets, that with fewer partners a member
(:func:`_first_side`), and one linking row per cell lets the other side's sets hold a cell at
most as much as the first side's do (first side's sets less the other's: at least 0; every
matching holds it equally), added when the other side's first set holding the cell is: on the
rules programme 2,065 of 3,289 cells had one at the end of a run, and the 10th round came in
0.74 of the time (3 interleaved pairs; on a 50 × 50 programme the whole run took 1.11 times as
long). Each side's members alone, over the same rules with no linking rows, are then a
relaxation (:attr:`ConfigLP.sides`): a level either side cannot reach alone is refuted. Those
LPs are small (about 4 ms on the rules programme, where a joint LP that moves to a new level
takes 0.03-6 s), and the PK side alone refuted 48 of the 81 levels the joint LP refuted in one
run there, so :meth:`ConfigLP.reachable` asks them first. A joint test then takes up the partner
sets each side uses there (columns the joint LP would otherwise price one round at a time): the
rules programme's 19th round came in 0.76 of the time, and at 300 × 300 the first joint test,
455 members short at the start, converged in 29 s where it had not in 35. The loose members of
forced zeros stay loose on their own side (:func:`_side_zeros`).

Counting both sides, a member a round fixes is *pinned* (:meth:`ConfigLP.pin`): no matching
that keeps the rounds' levels gives it more than its level, so its partners are a set whose
gain lies in a window 10⁻⁶ wide, usually one set, and its other cells (about 30 of a CN firm's
33 on the rules programme) leave the LP, here and in each side alone. Each side alone then
bounds the joint LP more closely, and the joint LP has fewer sets to weigh: the rules
programme's 23rd round came in about 0.7 of the time, and a 50 × 50 programme was proven in
about half. Counting one side, pins made the rules programme 1.2-1.5 times as slow (more
pricing: 951 LPs against 749), so the rounds pin only when both sides count.

Forced zeros (:class:`~.zeros.Zeros`): a loose member's set is a column twice, once as a
*rising* set that must reach the round's level like anyone's (it reaches every level of the
group so far), once in its *natural mode*, at no cost but counted in the counting rows of the
group's levels it falls short of — all but ``count + j`` loose members reach the group's
``j``-th level and the round's after them, as in
:func:`.zeros.reach_levels`. Pricing a loose member weighs both kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from pairing.solvers._highs import HighsModel
from pairing.solvers.base import SolveOptions
from pairing.solvers.fair.config_pricing import Pricer, reaches
from pairing.solvers.fair.milp import Clock, FairModel
from pairing.solvers.fair.windows import member_cells, member_gains, window_cells
from pairing.solvers.fair.zeros import Zeros

__all__ = ["Aims", "ConfigLP", "LPStopped"]

#: Most partners a counted member may have for exact pricing (see the module docstring).
MOST_PARTNERS = 3
#: A phase-1 cost (or Lagrangian bound) above this refutes a level; at or below
#: :data:`FEASIBLE` the level is reachable. Between the two (HiGHS's tolerances), the level
#: counts as reachable: a wrong "reachable" only makes a round fail its MILP check, while a
#: wrong refutation would fix a member too low.
PROOF = 1e-6
FEASIBLE = 1e-7
#: The LPs' primal feasibility tolerance (HiGHS's default; see :meth:`ConfigLP._build`).
PRIMAL_TOLERANCE = 1e-7
#: Reduced costs below this are negative (a column worth adding).
NEGATIVE = -1e-9
#: HiGHS's simplex strategies: primal for the level tests (new columns and costs keep the
#: basis primal feasible), dual for branching (:meth:`ConfigLP.branching`).
PRIMAL_SIMPLEX, DUAL_SIMPLEX = 4, 1
#: Counting both sides: after this many refuted tests in a row at the level the sides alone
#: reach, that test waits a round, then two, four … (:class:`Aims`).
MISSES = 2


class LPStopped(Exception):
    """An LP stopped on the time limit (or Ctrl-C): the rounds end where they are."""


def _one_side(model: FairModel, side: str) -> FairModel:
    """The same rules with only one ``side``'s members counted (``left`` or ``right``; the
    model counts both: its left members' rows come first)."""
    left, right = model.side_rows
    empty = sp.csr_array((0, model.n))
    n_left = left.shape[0]
    return replace(model, problem=replace(model.problem, fair_to=side),
                   gain_rows=left if side == "left" else right,
                   caps=model.caps[:n_left] if side == "left" else model.caps[n_left:],
                   side_rows=(left, empty) if side == "left" else (empty, right))


def _first_side(on_left: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Which members' sets the rules' rows hold: the only side counted, or, counting both, the
    side with fewer partners a member (the left one on a tie). Its sets' columns then hold
    fewer rules' entries, and the other side's only their linking rows: counting both sides
    of the rules programme (CN up to 3 partners, PK up to 2), the PK side first came to the
    19th round in 0.60-0.72 of the time (the 10th at the same time), and proved 30 positions
    within 60 s against 27-28."""
    if on_left.all() or not on_left.any():
        return np.ones(len(on_left), dtype=bool)
    if float(caps[~on_left].mean()) < float(caps[on_left].mean()):
        return ~on_left
    return on_left.copy()


def _side_zeros(zeros: Zeros | None, members: np.ndarray) -> Zeros | None:
    """The forced zeros as one side's members alone see them: at most ``count`` of its loose
    members alone, at most ``count + j`` short of the group's ``j``-th level, and none of the
    round's when the group's levels leave it no rising member (a relaxation).
    A side with no more loose members than ``count`` has none (:func:`_side_levels` lets them
    be alone)."""
    if zeros is None:
        return None
    # (the group's levels past the side's loose members, less count, hold no member of it)
    held = int(zeros.loose[members].sum()) - zeros.count
    if held <= 0:
        return None
    return replace(zeros, loose=zeros.loose[members],
                   seen=None if zeros.seen is None else zeros.seen[members],
                   levels=zeros.levels[:held], proven_in=zeros.proven_in[:held])


def _side_levels(levels: np.ndarray, members: np.ndarray, zeros: Zeros | None) -> np.ndarray:
    """One side's members' levels; a loose member whose side has no forced zeros of its own
    (:func:`_side_zeros`) need reach none."""
    side = levels[members]
    if zeros is not None and _side_zeros(zeros, members) is None:
        side = np.where(zeros.loose[members], 0.0, side)
    return side


#: A column's mode: a set that must reach its member's level (every member that is not
#: loose, and a loose member's "rising" sets); a loose member's other sets carry their
#: *natural* mode instead, the number of the group's levels they reach (0 and up).
REACH = -1


def _same_loose(a: Zeros, b: Zeros) -> bool:
    """Whether two forced zeros have the same loose members and count (their levels aside)."""
    return a.count == b.count and bool(np.array_equal(a.loose, b.loose))


@dataclass
class Aims:
    """Counting both sides, how the joint LP fared at the level each side alone reaches, where
    a round tests it first (:mod:`.config_rounds`): refuted so many rounds in a row, and the
    rounds since it was last tested."""

    misses: int = 0
    skipped: int = 0

    def worth(self) -> bool:
        """Whether this round tests it: unless the last :data:`MISSES` were refuted; then
        after 1 round, then 2, 4 … (a refuted test moves the joint LP far for nothing: on a
        50 × 50 programme, 87 of 95 such tests were refuted, and the run took 80 s against
        45 s)."""
        if self.misses < MISSES or self.skipped >= 2 ** (self.misses - MISSES):
            return True
        self.skipped += 1
        return False

    def record(self, reached: bool) -> None:
        """The outcome of a test."""
        self.misses = 0 if reached else self.misses + 1
        self.skipped = 0


class ConfigLP:
    """The configuration LP of the module docstring, grown by column generation.

    Rows: the rules' rows and one row per required pair (over the cells the first side's sets
    hold: :func:`_first_side`), one convexity row per counted member, when both sides are
    counted one linking row per cell the other side's sets hold (the first side's sets holding
    it less the other side's: at least 0; :meth:`_link`), with forced zeros one counting row per
    level of the loose group (see :meth:`use`), and one row per pair that branching has forced
    (:meth:`branch`, free once its branch ends). Columns: partner sets, each of one member, kept
    across levels (a set's cost is 0 or 1 by the levels asked) and across changes of the forced
    zeros.
    """

    def __init__(self, model: FairModel, options: SolveOptions, clock: Clock,
                 start: np.ndarray, zeros: Zeros | None = None) -> None:
        rules, m = model.rules, model.m
        self.clock, self.share, self.options = clock, 1.0, options
        incidence, self.on_left = member_cells(model)
        self.linked = bool(self.on_left.any() and not self.on_left.all())
        members = member_gains(model, incidence)
        self.cells: list[np.ndarray] = []
        self.gains: list[np.ndarray] = []
        for cells, gains, _ in members:
            order = np.argsort(-gains, kind="stable")
            self.cells.append(cells[order])
            self.gains.append(gains[order])
        self.caps = np.array([cap for _, _, cap in members], dtype=np.int64)
        #: the rules' rows hold this side's sets; the other side's are linked to them cell by
        #: cell (:func:`_first_side`)
        self.first_side = _first_side(self.on_left, self.caps)
        #: the most each member can gain: its ``cap`` best cells
        self.most = np.array([float(g[:c].sum()) for g, c in zip(self.gains, self.caps,
                                                                  strict=True)])
        self.pricer = Pricer(self.gains, self.caps)
        self.cells_padded = np.zeros((m, self.pricer.width), dtype=np.int64)
        for e, cells in enumerate(self.cells):
            self.cells_padded[e, :len(cells)] = cells
        self.rules_cols = sp.csc_array(rules.A)
        self.n_rules, self.m, self.n = rules.n_rows, m, model.n
        self.required = np.flatnonzero(rules.var_lower > 0.5)
        self.rules = rules
        self.gain_rows = model.gain_rows
        self.known: dict[tuple[int, tuple[int, ...], int], None] = {}
        #: the last LP point that reached its levels (all columns)
        self.point: np.ndarray = np.empty(0)
        #: every partner set found so far (whatever the forced zeros): its gain and its column
        #: in the base rows (:meth:`_base_column`)
        self.sets: dict[tuple[int, tuple[int, ...]], tuple[float, np.ndarray, np.ndarray]] = {}
        self.levels = np.zeros(m)
        self.lps = 0
        self.zeros: Zeros | None = None
        #: each fixed member's pin: its level, its round and the cells it pins (:meth:`pin`)
        self.pins: dict[int, tuple[float, int, np.ndarray]] = {}
        #: each round's last point that reached its levels, as cell values (by round number:
        #: a round found again after rounds were cut back replaces its point);
        #: :func:`.keeping.keep_levels` repairs one into a matching
        self.round_points: dict[int, np.ndarray] = {}
        #: the cells some pin holds: no matching that keeps the rounds' levels holds them
        self.pinned = np.zeros(self.n, dtype=bool)
        self._build(zeros)
        # the empty set of every member, and each member's set in the start matching (which
        # keeps the levels so far: the first LPs are feasible)
        self._add([(e, ()) for e in range(m)])
        #: counting both sides, each side's members alone (module docstring), the right side
        #: first (on the rules programme, the PK side refutes most)
        self.sides: list[tuple[np.ndarray, ConfigLP]] = []
        self.seed(start)
        if self.linked:
            self.sides = [(members, ConfigLP(_one_side(model, side), options, clock, start,
                                             _side_zeros(zeros, members)))
                          for members, side in ((~self.on_left, "right"),
                                                (self.on_left, "left"))]
        #: how the joint LP fared at the level the sides alone reach (:mod:`.config_rounds`)
        self.aims = Aims()

    def _build(self, zeros: Zeros | None) -> None:
        """A fresh restricted LP for these forced zeros, with no columns but the counting
        rows' slacks."""
        rules, m = self.rules, self.m
        self.zeros = zeros
        self.loose = np.zeros(m, dtype=bool) if zeros is None else zeros.loose.copy()
        #: the loose group's thresholds: its levels so far, then the round's (``levels``)
        self.group = () if zeros is None else zeros.levels
        # a counting row for each level the group can have, and the round's: rows past the
        # round's count the same sets with more room (they hold once the group has more
        # levels: see use)
        n_counting = (int(self.loose.sum()) - zeros.count + 1
                      if zeros is not None and self.loose.any() else 0)
        self.required_row = np.full(self.n, -1)
        self.required_row[self.required] = self.n_rules + m + np.arange(len(self.required))
        #: where the linking rows start in :attr:`sets`' columns and :attr:`base_bounds` (one
        #: row per cell, the layout the MILP among the sets uses)
        self.link_base = self.n_rules + m + len(self.required)
        #: each cell's linking row in the LP, added once the other side has a set holding it
        #: (-1 until then: the row would hold only the first side's sets, at no cost)
        self.link_row = np.full(self.n, -1)
        self.counting_row = self.link_base + np.arange(n_counting)
        # the j-th counting row: at most count + j loose members short of its threshold
        allowed = (zeros.count + np.arange(n_counting)) if zeros is not None else np.empty(0)
        links = self.n if self.linked else 0
        # linking: the other side's sets hold each cell at most as much as the first side's do
        # (every matching holds it equally; the rules' rows bound the first side's cells, gains
        # are never negative, and the inequality leaves the simplex room: half the time on the
        # rules programme, the same levels refuted)
        head_lower = [rules.lower, np.ones(m), np.ones(len(self.required))]
        head_upper = [rules.upper, np.ones(m), np.full(len(self.required), np.inf)]
        lower = np.concatenate([*head_lower, np.full(n_counting, -np.inf)])
        upper = np.concatenate([*head_upper, allowed.astype(np.float64)])
        self.n_rows = len(lower)
        #: the bounds of the rows that do not depend on the forced zeros, every cell's linking
        #: row among them (:attr:`link_base`)
        self.base_bounds = (np.concatenate([*head_lower, np.zeros(links)]),
                            np.concatenate([*head_upper, np.full(links, np.inf)]))
        self.lp = HighsModel(sp.csr_array((self.n_rows, 0)), lower, upper, np.empty(0),
                             np.empty(0), np.empty(0), maximize=False,
                             threads=self.options.threads, seed=self.options.seed)
        # (HiGHS's own primal feasibility tolerance, 10⁻⁷: a looser tolerance only relaxes the
        # LP, so a refuted level stays refuted, and a level wrongly called reachable fails its
        # round's MILP check; at 10⁻⁹, counting both sides of the rules programme, the 16th
        # round came 1.15 times as late)
        self.lp.set_option("primal_feasibility_tolerance", PRIMAL_TOLERANCE)
        # primal simplex: new columns and new costs leave the last basis primal feasible
        # (counting both sides of the rules programme, about 15 times faster than dual)
        self.lp.set_option("simplex_strategy", PRIMAL_SIMPLEX)
        #: each column's member, its set's gain and its mode (:data:`REACH` or the loose
        #: group's level it is counted from), as arrays extended once an :meth:`_add` (the
        #: whole lists converted for every LP were 0.3 s of a 9 s run counting CN)
        self.member_of = np.empty(0, dtype=np.int64)
        self.set_gain = np.empty(0)
        self.mode = np.empty(0, dtype=np.int64)
        #: each column's partner set: its member and cell positions
        self.col_set: list[tuple[int, tuple[int, ...]]] = []
        #: each column's cells (the matching's, for the first side's sets; none for the other's)
        self.col_cells: list[np.ndarray] = []
        #: every column's cells (either side's sets), flat, and each one's column
        #: (:meth:`_pinned_columns`)
        self.entry_cell = np.empty(0, dtype=np.int64)
        self.entry_col = np.empty(0, dtype=np.int64)
        #: the columns (from :attr:`first_col`) of the first side's sets holding each cell
        self.holders: dict[int, list[int]] = {}
        #: branching (:mod:`.config_branching`): how many branches forbid each cell, and the
        #: row of each cell some branch has forced ("the first side's sets hold it")
        self.forbidden = np.zeros(self.n, dtype=np.int64)
        self.forced_row: dict[int, int] = {}
        if n_counting:
            # each counting row's slack, at cost 1 (phase 1): the rows never make the LP
            # infeasible, only costly
            self.lp.add_columns(np.ones(n_counting), np.zeros(n_counting),
                                np.full(n_counting, np.inf),
                                sp.csc_array((-np.ones(n_counting), (self.counting_row,
                                                                     np.arange(n_counting))),
                                             shape=(self.n_rows, n_counting)))
        self.first_col = n_counting

    def use(self, zeros: Zeros | None) -> None:
        """Hold these forced zeros from now on.

        A new level of the loose group turns the round's counting row into the level's (the
        sets it counts are short of both), and the next row becomes the round's: the LP and
        its basis stay. Rising sets short of the new level remain, at cost 1 at the rounds'
        levels (never below the group's); sets counted from a lower level than they reach
        remain too, dominated by their proper columns, which pricing adds when they pay. Any
        other change rebuilds the LP with every partner set found so far."""
        for members, side in self.sides:
            side.use(_side_zeros(zeros, members))
        if zeros is None and self.zeros is None:
            return
        if (zeros is not None and self.zeros is not None and _same_loose(zeros, self.zeros)
                and zeros.levels[:len(self.group)] == self.group):
            self.zeros, self.group = zeros, zeros.levels  # the same, or more levels
            return
        self.known = {}
        self._build(zeros)
        self._add(list(self.sets))

    def seed(self, x: np.ndarray) -> None:
        """Add each member's partner set in matching ``x`` (one that keeps the levels asked
        next, so that their LPs are feasible from the start)."""
        for _, side in self.sides:
            side.seed(x)
        own = [(e, tuple(int(i) for i in np.flatnonzero(x[self.cells[e]] > 0.5)))
               for e in range(self.m)]
        self._add([s for s in own if s[1]])

    @staticmethod
    def applies(model: FairModel) -> bool:
        """Whether exact pricing covers this model (module docstring)."""
        return bool(model.m and np.all(model.caps <= MOST_PARTNERS))

    def _natural(self, gain: float) -> int:
        """How many of the loose group's levels a set of this gain reaches."""
        return int(np.sum(reaches(gain, np.asarray(self.group, dtype=np.float64))))

    def _costs(self, start: int = 0) -> np.ndarray:
        """Each set's phase-1 cost at the current levels (from column ``start``): 1 when it
        must reach its member's level and is short of it."""
        members, gains = self.member_of[start:], self.set_gain[start:]
        levels = self.levels[members]
        short = (levels > 0) & ~reaches(gains, levels)
        return np.where((short & (self.mode[start:] == REACH))
                        | self._pinned_columns()[start:], 1.0, 0.0)

    def _add(self, sets: list[tuple[int, tuple[int, ...]]]) -> None:
        """Append partner sets as columns: each once as a set that must reach its member's
        level, and a loose member's also in its natural mode (counted short of the group's
        higher levels); a loose member's set short of a group level only in that mode."""
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        # each new column's member, its set's gain and its mode
        new_members: list[int] = []
        new_gains: list[float] = []
        new_modes: list[int] = []
        new_cells: list[np.ndarray] = []
        k = 0
        if self.linked:
            self._link([self.cells[e][list(chosen)] for e, chosen in sets
                        if not self.first_side[e]])
        for e, chosen in sets:
            gain, base_rows, base_vals = self._in_lp(*self._base_column(e, chosen))
            modes = [REACH]
            if self.loose[e]:
                natural = self._natural(gain)
                modes = [natural] if natural < len(self.group) else [REACH, natural]
            for mode in modes:
                if (e, chosen, mode) in self.known:
                    continue
                parts = [(base_rows, base_vals)]
                if mode != REACH:
                    counted_in = self.counting_row[mode:]  # (and the rows past the round's)
                    parts.append((counted_in, np.ones(len(counted_in))))
                cells = self.cells[e][list(chosen)] if self.first_side[e] else np.empty(0, int)
                forced = [self.forced_row[int(c)] for c in cells if int(c) in self.forced_row]
                if forced:
                    parts.append((np.asarray(forced, dtype=np.int64), np.ones(len(forced))))
                for c in cells:
                    self.holders.setdefault(int(c), []).append(len(self.col_cells))
                new_cells.append(self.cells[e][list(chosen)])
                self.col_cells.append(cells)
                for r, v in parts:
                    rows.append(r)
                    vals.append(v)
                    cols.append(np.full(len(r), k))
                new_members.append(e)
                new_gains.append(gain)
                new_modes.append(mode)
                self.col_set.append((e, chosen))
                self.known[(e, chosen, mode)] = None
                k += 1
        if not k:
            return
        self.member_of = np.concatenate([self.member_of,
                                         np.asarray(new_members, dtype=np.int64)])
        self.set_gain = np.concatenate([self.set_gain, np.asarray(new_gains, dtype=np.float64)])
        self.mode = np.concatenate([self.mode, np.asarray(new_modes, dtype=np.int64)])
        matrix = sp.csc_array((np.concatenate(vals).astype(np.float64),
                               (np.concatenate(rows).astype(np.int64),
                                np.concatenate(cols).astype(np.int64))),
                              shape=(self.n_rows, k))
        n_sets = len(self.col_cells)
        self.entry_cell = np.concatenate([self.entry_cell, *new_cells]).astype(np.int64)
        self.entry_col = np.concatenate([self.entry_col, np.repeat(
            np.arange(n_sets - k, n_sets), [len(c) for c in new_cells])])
        self.lp.add_columns(self._costs(n_sets - k), np.zeros(k),
                            self._upper(np.arange(n_sets - k, n_sets)), matrix)

    def _link(self, cells: list[np.ndarray]) -> None:
        """Add the linking row of each of these cells that has none yet, over the first side's
        sets in the LP that hold it. (Counting both sides of the rules programme, 2,065 of its
        3,289 cells had one at the end of a run, and at 300 × 300 4,785 of 30,229: the LP's
        rows were 3,711 and 31,472 with every cell's.)"""
        if not cells:
            return
        new = np.unique(np.concatenate(cells))
        new = new[self.link_row[new] < 0]
        if not len(new):
            return
        holding = [np.asarray(self.holders.get(int(c), []), dtype=np.int64) for c in new]
        lengths = np.array([len(h) for h in holding], dtype=np.int64)
        rows = sp.csr_array((np.ones(int(lengths.sum())),
                             self.first_col + np.concatenate([np.empty(0, np.int64), *holding]),
                             np.concatenate([[0], np.cumsum(lengths)])),
                            shape=(len(new), self.first_col + len(self.col_cells)))
        self.lp.add_rows(np.zeros(len(new)), np.full(len(new), np.inf), rows)
        self.link_row[new] = self.n_rows + np.arange(len(new))
        self.n_rows += len(new)

    def _in_lp(self, gain: float, rows: np.ndarray, vals: np.ndarray
               ) -> tuple[float, np.ndarray, np.ndarray]:
        """A set's column of :attr:`sets` in the LP's rows: its linking entries moved to the
        cells' rows in the LP, those of cells with none dropped (first side's sets only)."""
        if not self.linked:
            return gain, rows, vals
        link = rows >= self.link_base
        moved = self.link_row[rows[link] - self.link_base]
        kept = moved >= 0
        return (gain, np.concatenate([rows[~link], moved[kept]]),
                np.concatenate([vals[~link], vals[link][kept]]))

    def _upper(self, columns: np.ndarray) -> np.ndarray:
        """The upper bounds of these sets (positions in :attr:`col_cells`): 0 for a set
        holding a cell some branch forbids, else 1."""
        return np.array([0.0 if self.forbidden[self.col_cells[j]].any() else 1.0
                         for j in columns])

    def _base_column(self, e: int, chosen: tuple[int, ...]) -> tuple[float, np.ndarray,
                                                                     np.ndarray]:
        """Member ``e``'s set at cell positions ``chosen``: its gain, and its column in the
        rows that do not depend on the forced zeros (its convexity row; the rules' and
        required pairs' rows for the first side; every cell's linking row, from
        :attr:`link_base`), kept in :attr:`sets`."""
        known = self.sets.get((e, chosen))
        if known is not None:
            return known
        cells = self.cells[e][list(chosen)]
        parts = [(np.array([self.n_rules + e]), np.ones(1))]
        if self.first_side[e]:
            # the cells' columns of the rules' rows (slices of the CSC arrays: a sparse
            # matrix's own column indexing cost 0.1 ms a set, 1.6 s of a 300 × 300 run)
            ptr, rules = self.rules_cols.indptr, self.rules_cols
            entries = np.concatenate([np.empty(0, dtype=np.int64),
                                      *[np.arange(ptr[c], ptr[c + 1]) for c in cells]])
            required = self.required_row[cells][self.required_row[cells] >= 0]
            parts += [(rules.indices[entries], rules.data[entries]),
                      (required, np.ones(len(required)))]
        if self.linked:
            parts.append((self.link_base + cells,
                          np.full(len(cells), 1.0 if self.first_side[e] else -1.0)))
        column = (float(self.gains[e][list(chosen)].sum()),
                  np.concatenate([r for r, _ in parts]).astype(np.int64),
                  np.concatenate([v for _, v in parts]).astype(np.float64))
        self.sets[(e, chosen)] = column
        return column

    def _cell_costs(self, duals: np.ndarray) -> np.ndarray:
        """``(m, width)``: each member's cells priced at the LP's duals (``w`` of the module
        docstring), padded like :attr:`cells_padded`."""
        first = -(self.rules_cols.T @ duals[:self.n_rules])
        has_row = self.required_row >= 0
        first[has_row] -= duals[self.required_row[has_row]]
        for cell, row in self.forced_row.items():
            first[cell] -= duals[row]
        if not self.linked:
            w = first[self.cells_padded]
        else:
            # a first side's set holds +1 in its cells' linking rows, the other side's -1
            link = np.where(self.link_row >= 0, duals[self.link_row], 0.0)
            w = np.where(self.first_side[:, None], (first - link)[self.cells_padded],
                         link[self.cells_padded])
        # (no set may hold a forbidden or pinned cell: pricing never offers one)
        blocked = (self.forbidden > 0) | self.pinned
        return np.where(blocked[self.cells_padded], np.inf, w) if blocked.any() else w

    @contextmanager
    def branching(self) -> Iterator[None]:
        """Solve with the dual simplex while a branch and price search runs
        (:mod:`.config_branching`), here and in each side alone, then the primal again: a
        branch bounds sets to 0 or adds a forced row, which leaves the last basis dual
        feasible, not primal (pricing within a node still adds columns, which the primal
        suits, but the branches' moves dominate). The rules programme counting PK is proven
        optimal within a 10 s limit in 8.7-9.7 s, where the primal simplex throughout
        stopped at 44-48 of 100 positions (docs/fairness.md)."""
        self._strategy(DUAL_SIMPLEX)
        try:
            yield
        finally:
            self._strategy(PRIMAL_SIMPLEX)

    def _strategy(self, strategy: int) -> None:
        """Set HiGHS's simplex strategy here and in each side alone (the models they hold now:
        a rebuild sets the primal again)."""
        for lp in [self.lp, *(side.lp for _, side in self.sides)]:
            lp.set_option("simplex_strategy", strategy)

    def branch(self, cell: int, *, force: bool, on: bool) -> None:
        """Start (``on``) or end a branch on ``cell``: *forbid* it (every set holding it is
        bounded to 0, and pricing offers none), or *force* it (a row: the first side's sets
        holding it, at least 1; its dual prices the cell, so pricing stays exact). Ended
        branches leave their rows free (no bounds) until the LP is rebuilt.

        Each side alone takes a forbidden cell, not a forced one: its sets may hold none of
        the cells the joint LP's do, and a forced row with no set in it makes its LP
        infeasible before pricing can add one (branching runs only when one side counts; in
        a trial of it counting both sides of the rules programme, the search stopped at its
        first forced branch). Without the row each side is still a relaxation of the
        branch's matchings, so its refutations stay proofs."""
        if not force:
            for _, side in self.sides:
                side.branch(cell, force=force, on=on)
        holding = np.asarray(self.holders.get(cell, []), dtype=np.int64)
        columns = self.first_col + holding
        if force:
            row = self.forced_row.get(cell)
            if row is None:
                row = self.n_rows
                self.lp.add_row(-np.inf, np.inf, columns, np.ones(len(columns)))
                self.forced_row[cell] = row
                self.n_rows += 1
            self.lp.set_row_bounds(np.array([1.0 if on else -np.inf]), np.array([np.inf]),
                                   np.array([row]))
            return
        self.forbidden[cell] += 1 if on else -1
        # the other side's sets holding the cell (not in col_cells) follow by their linking rows
        if len(columns):
            self.lp.set_bounds(columns, np.zeros(len(columns)), self._upper(holding))

    def pin(self, e: int, level: float, kept: float, lift: float, round_: int) -> None:
        """Member ``e`` was fixed at ``level`` (kept at ``kept``) by round ``round_``, which
        proved it cannot reach ``lift`` while the others keep theirs. Every later round asks at
        least as much of the others, so in every matching that keeps the rounds' levels ``e``'s
        partners are a set of gain in ``[kept, lift)``, and its cells that no such set holds are
        *pinned*: no such matching holds them, and the LP may leave them out (a relaxation of
        those matchings still; :meth:`keep_pins` drops a pin whose premise a later change of the
        rounds broke). Pricing offers no set holding a pinned cell, and the sets in the LP that
        hold one cost 1, as a short set does, so that the last basis stays primal feasible
        (bounding them to 0 made the next LPs start from an infeasible basis, and the 10th round
        came later). Each side alone pins them too (module docstring)."""
        allowed = window_cells(self.gains[e], int(self.caps[e]), kept, lift)
        if not allowed.any():  # (no set in the window: nothing to pin)
            return
        self.pins[e] = (level, round_, self.cells[e][~allowed])
        self._hold_pins()

    def keep_pins(self, levels: np.ndarray, round_of: np.ndarray, last: float) -> None:
        """Keep the pins whose premise still holds for rounds that go on from these ones
        (``levels``: each member's, ``nan`` when unfixed; ``round_of``: the round that fixed
        it; ``last``: the last round's level, where the next one's search begins): the member
        is fixed at the same level by the same round, and no member fixed later, nor the next
        round, lies below that level. Rounds a matching did not keep were cut back, and a round
        on matchings that followed may lie up to :data:`~.milp.TIE` lower than the last
        configuration round: their pins go."""
        stale = [e for e, (level, round_, _) in self.pins.items()
                 if levels[e] != level or round_of[e] != round_ or last < level
                 or bool(np.any(levels[round_of > round_] < level))]
        if stale:
            for e in stale:
                del self.pins[e]
            self._hold_pins()

    def _hold_pins(self) -> None:
        """Pin the cells the pins hold, here and in each side alone (whose cells are the same)."""
        pinned = np.zeros(self.n, dtype=bool)
        for _, _, cells in self.pins.values():
            pinned[cells] = True
        self.pinned = pinned
        for _, side in self.sides:
            side.pinned = pinned

    def _pinned_columns(self) -> np.ndarray:
        """Which columns hold a pinned cell (cost 1: see :meth:`pin`)."""
        n_sets = len(self.col_cells)
        if not self.pinned.any():
            return np.zeros(n_sets, dtype=bool)
        return np.bincount(self.entry_col, weights=self.pinned[self.entry_cell],
                           minlength=n_sets) > 0

    def cell_values(self, x: np.ndarray) -> np.ndarray:
        """The matching's value of each cell at an LP point ``x`` (its columns): the first
        side's sets holding the cell, added up."""
        values = np.zeros(self.n)
        used = np.flatnonzero(x[self.first_col:self.first_col + len(self.col_cells)] > 1e-12)
        for j in used:
            values[self.col_cells[j]] += x[self.first_col + j]
        return values

    def _price(self, duals: np.ndarray, levels: np.ndarray
               ) -> tuple[np.ndarray, Callable[[int], tuple[int, ...] | None]]:
        """Each member's least reduced cost over all its sets (exact), and a function that
        gives a set that has it (made only for the members asked)."""
        w = self._cell_costs(duals)
        convexity = duals[self.n_rules:self.n_rules + self.m]
        active = levels > 0
        loose = self.loose
        # any set, at cost 1 when it must reach a level (it is then short of it)
        any_total, any_sets, bound_valid = self.pricer.cheapest_any(
            w, np.where(active, levels, 0.0))
        reduced = any_total + np.where(active, 1.0, 0.0) - convexity
        chosen: dict[int, tuple[int, ...] | None] = {}  # where another kind is cheaper
        if loose.any():
            # a loose member's set in its natural mode pays the counting rows' duals (≤ 0:
            # its set is short of their thresholds)
            counting = duals[self.counting_row]
            pays = -np.cumsum(counting[::-1])[::-1]  # pays[j]: rows j and up
            for e in np.flatnonzero(loose):
                cost, best = self._loose_offer(int(e), w[e, :len(self.cells[e])],
                                               float(levels[e]), counting, pays,
                                               (float(any_total[e]), any_sets[int(e)]))
                reduced[e], chosen[int(e)] = cost - convexity[e], best
        # a set that reaches the level, at cost 0, for members the bound above does not
        # rule out
        members = np.flatnonzero(active & ~loose & (bound_valid - convexity < NEGATIVE))
        totals, sets = self.pricer.cheapest_many(members, w, levels)
        for e, total, best in zip(members, totals, sets, strict=True):
            if total - convexity[e] < reduced[e]:
                reduced[e], chosen[int(e)] = total - convexity[e], best
        return reduced, lambda e: chosen[e] if e in chosen else any_sets[e]

    def _loose_offer(self, e: int, w: np.ndarray, level: float, counting: np.ndarray,
                     pays: np.ndarray, cheapest_any: tuple[float, tuple[int, ...]]
                     ) -> tuple[float, tuple[int, ...] | None]:
        """Loose member ``e``'s cheapest set of any kind, and its cost before convexity (the
        first of the kinds below at that cost).

        In its natural mode, a set reaching the group's first ``q`` levels pays the counting
        rows from ``q`` on: only the ``q`` just after a row with a dual (and 0) can be
        cheapest. Rising, a set reaching the group's levels costs 0 when it reaches the
        round's ``level`` too, else 1. A kind whose lower bound
        (:meth:`~.config_pricing.Pricer.lower_bound`) cannot beat the best so far is not
        priced."""
        best: tuple[float, tuple[int, ...] | None] = (cheapest_any[0] + pays[0],
                                                      cheapest_any[1])
        asked = [(float(self.group[mode - 1]), float(pays[mode]))
                 for mode in np.flatnonzero(counting[:len(self.group)] != 0) + 1]
        top = self.group[-1] if self.group else 0.0
        asked.append((max(level, top), 0.0))
        if level > 0:
            asked.append((top, 1.0))
        for at, extra in asked:
            offer: tuple[float, tuple[int, ...] | None]
            if at <= 0:  # (no level: any set)
                offer = (cheapest_any[0] + extra, cheapest_any[1])
            elif self.pricer.lower_bound(e, at) + extra >= best[0]:
                continue
            else:
                total, chosen = self.pricer.cheapest(e, w, at)
                offer = (total + extra, chosen)
            if offer[0] < best[0]:
                best = offer
        return best

    def reachable(self, levels: np.ndarray, relaxed: bool = False) -> tuple[bool, np.ndarray]:
        """Whether every member can reach ``levels[e]`` (≤ 0: no level) in the LP — a loose
        member: all but the allowed number of them, with the group's levels kept — and, when
        it can, each member's least gain among its sets in use that must reach its level (the
        same point reaches that level too; a member above its level there can rise).

        ``relaxed``: counting both sides, each side alone only (:attr:`sides`), whose points
        show how far each side's sets reach there.

        Raises :class:`LPStopped` when the time limit stops an LP.
        """
        lowest = np.full(self.m, np.inf)
        for members, side in self.sides:
            # (each side alone is a relaxation: a level it refutes is refuted)
            side.share = self.share
            before = side.lps
            ok, lowest[members] = side.reachable(_side_levels(levels, members, self.zeros))
            self.lps += side.lps - before
            if not ok:
                return False, np.full(self.m, -np.inf)
        if relaxed and self.sides:
            return True, lowest
        self.levels = levels
        if self.sides:
            self._add(self._sides_sets())
        n_sets = len(self.member_of)
        first = self.first_col
        self.lp.set_costs(first + np.arange(n_sets), self._costs())
        while True:
            out = self.lp.run(self.clock.left(self.share))
            self.lps += 1
            if out.status != "optimal" or out.row_dual is None or out.x is None:
                raise LPStopped
            value = out.value or 0.0
            # (a point that reaches the levels needs no pricing)
            bound, new = (value, []) if value <= FEASIBLE else self._new_sets(out.row_dual,
                                                                             levels, value)
            if value <= FEASIBLE or (value <= PROOF and (bound <= PROOF and not new)):
                # (between FEASIBLE and PROOF: within tolerance, counts as reachable)
                self.point = out.x
                used = (out.x[first:first + n_sets] > FEASIBLE) & (self.mode[:n_sets] == REACH)
                members = self.member_of[:n_sets][used]
                gains = self.set_gain[:n_sets][used]
                lowest = np.full(self.m, np.inf)
                np.minimum.at(lowest, members, gains)
                return True, lowest
            if bound > PROOF or not new:
                return False, np.full(self.m, -np.inf)
            self._add(new)
            n_sets = len(self.member_of)

    def _sides_sets(self) -> list[tuple[int, tuple[int, ...]]]:
        """The partner sets in use at each side's last point that reached its levels, as the
        joint LP's sets not yet in it: each side alone reaches the levels with them, so they
        are likely columns of the joint point too (module docstring)."""
        found: list[tuple[int, tuple[int, ...]]] = []
        for members, side in self.sides:
            if not len(side.point):
                continue
            index = np.flatnonzero(members)
            used = np.flatnonzero(side.point[side.first_col:side.first_col
                                             + len(side.col_set)] > FEASIBLE)
            for j in used:
                e, chosen = side.col_set[j]
                if chosen and (int(index[e]), chosen) not in self.sets:
                    found.append((int(index[e]), chosen))
        return found

    def _new_sets(self, duals: np.ndarray, levels: np.ndarray, value: float
                  ) -> tuple[float, list[tuple[int, tuple[int, ...]]]]:
        """The Lagrangian bound at these duals (the LP's ``value`` plus each member's most
        negative reduced cost), and the sets with those costs not yet in the LP."""
        reduced, chosen = self._price(duals, levels)
        negative = reduced < NEGATIVE
        new: list[tuple[int, tuple[int, ...]]] = []
        for e in np.flatnonzero(negative):
            picked = chosen(int(e))
            if picked is not None and not self._known(int(e), picked):
                new.append((int(e), picked))
        return value + float(reduced[negative].sum()), new

    def _known(self, e: int, chosen: tuple[int, ...]) -> bool:
        """Whether every column of this set is in the LP already."""
        if not self.loose[e]:
            return (e, chosen, REACH) in self.known
        gain = float(self.gains[e][list(chosen)].sum())
        natural = self._natural(gain)
        return (e, chosen, natural) in self.known and (
            natural < len(self.group) or (e, chosen, REACH) in self.known)
