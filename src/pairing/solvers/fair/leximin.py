"""``leximin-milp``: lexicographically maximise the sorted vector of counted gains, any rules.

The worst-off counted enterprise first, then the second worst, and so on — by the
ordered-outcomes method (Ogryczak): round ``k`` maximises the sum of the ``k`` smallest gains,
``θ_k = max_r k·r − Σ_e (r − gain_e)⁺``, linear with one variable per counted enterprise; the
value fixes the ``k``-th entry ``v_k`` of the leximin vector. Positions already fixed are kept by
one *shortfall* row per distinct level ``a``: ``Σ_e (a − gain_e)⁺ ≤ (p − 1)·a − (v_1 + … +
v_{p−1})``, ``p`` the first position at ``a`` (for an enterprise with at most one partner
``(a − gain_e)⁺`` is linear in the cells; others get one auxiliary variable per level). Ties cost
no new rows. A final round maximises the total score among leximin-optimal matchings.

When a counted enterprise may have several partners, its gain is a sum and the
ordered-outcomes relaxation is weak: a quota that leaves some of a group alone lets the LP spread
the group's few pairs over all of it (measured: no proof of position 9 in 105 s on the brief's
rules programme). Those positions are found by *counting brackets* instead
(:func:`_counting_round`): starting from the best matching's ``k``-th gain ``low``, one MILP
maximises ``s ∈ [0, w]`` such that at least ``m − k + 1`` members reach ``low + s``, with binary
indicators, a big-M of only ``w`` and rows clipped at ``low`` (the position is proven when the
optimum lies inside the bracket; else the bracket moves up and widens). Position 9 of that
programme: 0.2853 proven in about 5 s, where the ordered-outcomes round had reached 0.222.

When some counted member has several partners, the *level rounds* of :mod:`.level_rounds` go
first (one LP-level round per distinct level, saturation by duals): when the relaxation is
integral they prove the whole vector and one MILP picks the best total; otherwise the longest
run of their rounds that a matching keeps is found by bisection and fixes those positions at
once (the brief's rules programme counting CN: 13 positions in 12 s, where the position rounds
had fixed 9 in 57 s), and the position rounds go on from there. With at most three partners
each, the rounds run on the configuration LP (:mod:`.config_rounds`), which matchings keep far
more often: that programme, counting CN, is proven whole in about 9 s.
When some members must gain 0
(a quota leaves 8 of the 23 PK textile firms alone on that programme), one LP shows which
members are never among the zeros (:mod:`.zeros`); the rounds fix those by name (the loose
ones are served or not in their models) and the loose group's levels whoever holds them (the
rules programme: positions 9–19 in 38 s, five of them the group's).

When every counted enterprise has at most one partner the first level comes from the fast
level search (:func:`.levels.single_level`) and prunes every cell below it. One-to-one
programmes without quotas go to the combinatorial ``leximin-matching`` under ``auto``. When the
time limit stops the rounds, the status is ``feasible`` and the note says how many positions were
fixed; the best total is then sought with the fixed prefix kept, with no more zeros than the
fewest possible, and with the best matching's next position kept as well (so the answer is never
lexicographically worse than a matching the rounds found). When that last round leaves time
over, the rounds resume and the total is sought again; the answer is the lexicographically best
of those last rounds' matchings (the larger total among equally fair ones). In the time left,
moves of one or two pairs (a pair added, alone or for one other, or two pairs' partners
swapped) then raise its lowest gains past the proven positions (:mod:`.exchanges`), each
making the sorted gains lexicographically larger.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import LinearConstraint

from pairing.core.objectives import counted
from pairing.core.problem import Problem
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.fair.config_lp import ConfigLP
from pairing.solvers.fair.config_pricing import warm_up
from pairing.solvers.fair.exchanges import raise_lowest
from pairing.solvers.fair.level_rounds import STOPPED_TOTAL_UNTIL, level_rounds
from pairing.solvers.fair.levels import single_level
from pairing.solvers.fair.milp import (
    LEVEL_SLACK,
    TIE,
    Clock,
    FairModel,
    Outcome,
    all_single,
    best_total,
    build_model,
    run_milp,
    timeout_error,
    to_assignment,
)
from pairing.solvers.fair.zeros import (
    Zeros,
    fewest_zeros,
    loose_members,
    positive_partners,
    served_rows,
)

__all__ = ["solve"]

OBJECTIVE = "leximin"

#: Share of a time limit spent on rounds; the rest goes to the final total round (and, when
#: that round leaves at least RESUME of the limit, back to the rounds for the same share of
#: what is left, then to the total again).
ROUNDS_SHARE = 0.7
RESUME = 0.1
#: A stopped run seeks the best total only with at least this share of the limit left, and as
#: long as the last MILP over the pairs took: HiGHS does not look at its clock during a MIP's
#: first round of cuts, and at 300 × 300 that round took 9.6 s of a final round given 4.9 s
#: (the run returned after 67 s of 60).
FINAL_LEAST = 0.1
#: ... and at least this many seconds per cell: a MILP's first round of cuts, which HiGHS does
#: not interrupt, grows with the model, and the last MILP over the pairs may have been an easy
#: one (a position round's, or one whose first matching came at the root). At 300 × 300
#: (30,228 cells) the final round's root LP and first round of cuts took 6.4 s, and one given
#: 5.9 s ran 9.6 s after a 2.7 s MILP.
ROOT_PER_CELL = 2.5e-4

#: Share of a time limit the LP rounds (:mod:`.lp_levels`) may use.
LP_SHARE = 0.4

#: A stopped run's exchanges and swaps (:mod:`.exchanges`) end by this share of the limit, so
#: that the answer, checked and written, is in before it; its last MILP, for the best total,
#: ends by :data:`.level_rounds.STOPPED_TOTAL_UNTIL` to leave them the time between.
EXCHANGES_UNTIL = 0.97

#: A counting round's first bracket above the incumbent's gain, as a share of that gain.
BRACKET = 0.02

#: How much wider the next bracket is when the optimum sat on the last one's upper end (a wide
#: bracket is a weak big-M: on the rules programme, 16 positions took 47 s with 2, 58 s with 4).
WIDEN = 2.0


class _Shortfalls:
    """The rows ``Σ_e (a − gain_e)⁺ ≤ budget`` that keep the leximin prefix fixed so far."""

    def __init__(self, model: FairModel) -> None:
        self.model = model
        self.levels: list[tuple[float, float]] = []  # (a, budget)
        problem, rules = model.problem, model.rules
        counted_left, counted_right = counted(problem)
        # cells whose left / right end is a counted member with at most one partner
        self.left_single = (counted_left & (problem.cap_max_left <= 1))[rules.cells_left]
        self.right_single = (counted_right & (problem.cap_max_right <= 1))[rules.cells_right]
        self.gain_left = rules.cell_values(problem.gain_left)
        self.gain_right = rules.cell_values(problem.gain_right)
        self.n_single = int(model.single.sum())
        self.multi = np.flatnonzero(~model.single)

    @property
    def extra(self) -> int:
        """Auxiliary columns: one per level for every member with two or more partners."""
        return len(self.levels) * len(self.multi)

    def add(self, level: float, budget: float) -> None:
        self.levels.append((level, budget))

    def rows(self, total_cols: int) -> list[LinearConstraint]:
        """The shortfall rows, with auxiliary columns placed from ``n_cells`` on.

        A member with at most one partner falls short of ``a`` by ``a`` when alone and by
        ``(a − g)⁺`` when on a cell of gain ``g``: ``a + Σ_cells ((a − g)⁺ − a)·x``.
        """
        model = self.model
        n, n_multi = model.n, len(self.multi)
        out: list[LinearConstraint] = []
        for k, (a, budget) in enumerate(self.levels):
            row = np.zeros(total_cols)
            row[:n] = (
                np.where(self.left_single, np.maximum(a - self.gain_left, 0.0) - a, 0.0)
                + np.where(self.right_single, np.maximum(a - self.gain_right, 0.0) - a, 0.0)
            )
            aux_start = n + k * n_multi
            row[aux_start:aux_start + n_multi] = 1.0
            upper = budget - a * self.n_single + LEVEL_SLACK * max(1.0, abs(budget))
            out.append(LinearConstraint(sp.csr_array(row[None, :]), -np.inf, upper))
            if n_multi:
                # d_e + gain_e(x) >= a for each member with several partners
                block = sp.hstack([
                    model.gain_rows[self.multi],
                    sp.csr_array((n_multi, aux_start - n)),
                    sp.eye_array(n_multi),
                    sp.csr_array((n_multi, total_cols - aux_start - n_multi)),
                ], format="csr")
                out.append(LinearConstraint(block, a, np.inf))
        return out


def _lex_worse(model: FairModel, x: np.ndarray, than: np.ndarray) -> bool:
    """Whether matching ``x``'s sorted counted gains are lexicographically below ``than``'s
    (gains within :data:`TIE` are equal)."""
    a, b = np.sort(model.gains(x)), np.sort(model.gains(than))
    differ = np.flatnonzero(np.abs(a - b) > TIE)
    return bool(len(differ)) and a[differ[0]] < b[differ[0]]


def _kth(model: FairModel, x: np.ndarray, k: int) -> float:
    """The ``k``-th smallest counted gain of matching ``x`` (1-based)."""
    return float(np.sort(model.gains(x))[k - 1])


def _aux_start(model: FairModel, shortfalls: _Shortfalls, x: np.ndarray) -> list[np.ndarray]:
    """The shortfall rows' auxiliary columns for matching ``x`` (a feasible starting point)."""
    gains = model.gain_rows @ x
    return [np.maximum(a - gains[shortfalls.multi], 0.0) for a, _ in shortfalls.levels]


def _ordered_round(model: FairModel, shortfalls: _Shortfalls, k: int, best: np.ndarray | None,
                   clock: Clock, options: SolveOptions, share: float) -> Outcome:
    """One ordered-outcomes round: maximise ``θ_k``, the sum of the ``k`` smallest gains."""
    m, n = model.m, model.n
    extra = shortfalls.extra
    total_cols = n + extra + 1 + m  # cells, shortfall aux, r, d'
    r_col = n + extra
    # d'_e + gain_e(x) - r >= 0
    theta = LinearConstraint(
        sp.hstack([
            model.gain_rows,
            sp.csr_array((m, extra)),
            sp.csr_array(-np.ones((m, 1))),
            sp.eye_array(m),
        ], format="csr"),
        0.0, np.inf,
    )
    objective = np.zeros(total_cols)
    objective[r_col] = k
    objective[r_col + 1:] = -1.0
    top = float(np.asarray(model.gain_rows.sum(axis=1)).max(initial=0.0)) + 1.0
    lower = np.zeros(extra + 1 + m)
    upper = np.concatenate([np.full(extra, np.inf), [top], np.full(m, np.inf)])
    start = None
    if best is not None:  # warm start: the previous round's matching
        gains = model.gain_rows @ best
        r = min(top, float(np.sort(gains)[k - 1]))
        start = np.concatenate([best, *_aux_start(model, shortfalls, best), [r],
                                np.maximum(r - gains, 0.0)])
    return run_milp(model, objective, extra + 1 + m, [theta, *shortfalls.rows(total_cols)],
                    (lower, upper), clock, options, start=start, share=share)


def _bracket(model: FairModel, shortfalls: _Shortfalls, k: int, low: float, width: float,
             best: np.ndarray, clock: Clock, options: SolveOptions, share: float) -> Outcome:
    """The best ``k``-th gain in ``[low, low + width]``, as ``low + s`` with ``s`` maximised.

    At least ``m − k + 1`` counted enterprises (binary ``y_e``) must reach ``low + s``:
    ``gain_e ≥ (low + width)·y_e + s − width``, a big-M of only ``width``, and the reach rows
    of :mod:`.reach` for ``low`` times ``y_e`` (clipped, fewest partners, a decisive partner):
    they hold for every matching and are far tighter in the LP relaxation than
    ``gain_e ≥ low·y_e``. ``best`` reaches ``low``: it is the start.
    """
    m, n = model.m, model.n
    extra = shortfalls.extra
    y_col = n + extra
    total_cols = y_col + m + 1  # cells, shortfall aux, y, s
    no_aux = sp.csr_array((m, extra))
    reach = model.reach.at_level(low).indicator_constraints(y_col, total_cols)
    level = LinearConstraint(sp.hstack([model.gain_rows, no_aux, -(low + width) * sp.eye_array(m),
                                        sp.csr_array(-np.ones((m, 1)))], format="csr"),
                             -width, np.inf)
    count = np.zeros(total_cols)
    count[y_col:y_col + m] = 1.0
    enough = LinearConstraint(sp.csr_array(count[None, :]), m - k + 1, np.inf)
    objective = np.zeros(total_cols)
    objective[-1] = 1.0
    gains = model.gain_rows @ best
    start = np.concatenate([best, *_aux_start(model, shortfalls, best),
                            (gains >= low).astype(np.float64), [0.0]])
    bounds = (np.zeros(total_cols - n),
              np.concatenate([np.full(extra, np.inf), np.ones(m), [width]]))
    return run_milp(model, objective, total_cols - n,
                    [*reach, level, enough, *shortfalls.rows(total_cols)], bounds, clock, options,
                    start=start, tight=True, share=share,
                    integer_extra=np.arange(extra, extra + m))


def _counting_round(model: FairModel, shortfalls: _Shortfalls, k: int, best: np.ndarray,
                    clock: Clock, options: SolveOptions,
                    share: float) -> tuple[np.ndarray, bool, int, float]:
    """Position ``k`` when some counted member has several partners: brackets above ``best``.

    The bracket starts at ``best``'s ``k``-th gain and :data:`BRACKET` of it wide; when the
    optimum sits on its upper end, it restarts from the better matching, :data:`WIDEN` times as
    wide. Returns the best matching, whether its ``k``-th gain is proven, the MILPs run, and a
    proven upper bound on position ``k`` when the last bracket's MILP bound lies inside it
    (else infinity).
    """
    low = _kth(model, best, k)
    width = max(BRACKET * low, BRACKET)
    runs = 0
    while True:
        options.report(f"leximin: position {k}, level between {low:.4g} and {low + width:.4g}")
        out = _bracket(model, shortfalls, k, low, width, best, clock, options, share)
        runs += 1
        # (every leximin-optimal matching is a point of the bracket's model while its k-th
        # gain lies in the bracket, and one above it has s = width)
        bound = (low + out.bound + TIE * max(1.0, low) if out.bound is not None
                 and out.bound < width - LEVEL_SLACK else np.inf)
        if out.x is None:
            return best, False, runs, bound
        best = out.x
        if not out.optimal or out.bound is None:
            return best, False, runs, bound
        if out.bound < width - LEVEL_SLACK:
            return best, True, runs, bound
        low, width = _kth(model, best, k), WIDEN * width


@dataclass
class _Progress:
    """What the rounds have proven and found so far."""

    fixed: list[float]  # v_1 <= v_2 <= ... proven so far
    best: np.ndarray | None  # the best matching found (it keeps the fixed positions)
    rounds: int = 0  # MILPs run
    brackets: int = 0  # of them, counting brackets
    lp_rounds: int = 0  # level rounds (:mod:`.lp_levels`) kept: on LPs, on matchings
    config_rounds: int = 0  # of the LP rounds, those on the configuration LP
    milp_rounds: int = 0  # rounds on matchings: by MILPs over the pairs
    branched_rounds: int = 0  # rounds on matchings: by branching on the configuration LP
    lps: int = 0  # LPs the LP rounds solved
    answer: np.ndarray | None = None  # the best of the final rounds' matchings
    sought_total: bool = True  # the last final round ran (not skipped for want of time)
    answer_total_proven: bool = False  # the answer came from a final round proven optimal
    #: the level rounds' last matching whose total they sought, and whether it is proven
    rounds_total: tuple[np.ndarray, bool] | None = None
    #: proven upper bounds on positions not fixed (1-based), from the rounds' searches: every
    #: leximin-optimal matching's gain there is at most this (a position fixed later keeps
    #: its entry, unused)
    bounds: dict[int, float] = field(default_factory=dict)

    def bound(self, position: int, value: float) -> None:
        """Record a proven upper bound on ``position`` (infinity: none)."""
        if np.isfinite(value):
            self.bounds[position] = min(value, self.bounds.get(position, np.inf))

    def next_bound(self) -> float | None:
        """The proven upper bound on the first position not fixed, when one is known."""
        return self.bounds.get(len(self.fixed) + 1)

    def offer(self, model: FairModel, x: np.ndarray, total_proven: bool = False) -> None:
        """Keep ``x`` as the answer unless the answer so far is lexicographically better, or
        as fair with a larger total score; ``total_proven``: a final round proved ``x``'s
        total the largest among the matchings it kept to."""
        old = self.answer
        if old is None or _lex_worse(model, old, x) or (
                not _lex_worse(model, x, old) and model.weights @ x > model.weights @ old):
            self.answer, self.answer_total_proven = x, total_proven


def _fix_positions(model: FairModel, shortfalls: _Shortfalls, run: _Progress, clock: Clock,
                   options: SolveOptions, share: float) -> None:
    """Fix positions one round at a time until all are fixed, a round proves nothing, or
    ``share`` of the time limit is used."""
    m = model.m
    while len(run.fixed) < m and not clock.expired(share):
        k = len(run.fixed) + 1
        if run.best is not None and not model.single.all() and _kth(model, run.best, k) > TIE:
            run.best, proven, runs, bound = _counting_round(model, shortfalls, k, run.best,
                                                            clock, options, share)
            run.brackets += runs
            run.bound(k, bound)
        else:
            out = _ordered_round(model, shortfalls, k, run.best, clock, options, share)
            runs = 1
            if out.x is None and run.best is None:
                raise timeout_error(OBJECTIVE)
            run.best = out.x if out.x is not None else run.best
            proven = out.x is not None and out.optimal
            if out.bound is not None:
                # θ_k, the sum of the k smallest gains, is at most the bound
                theta = out.bound - float(np.sum(run.fixed))
                run.bound(k, theta + TIE * max(1.0, abs(theta)))
        run.rounds += runs
        if not proven or run.best is None:
            return
        value = _keep_position(run, shortfalls, _kth(model, run.best, k))
        options.report(f"leximin: {len(run.fixed)} of {m} positions fixed, level {value:.4g}")


def _keep_position(run: _Progress, shortfalls: _Shortfalls, value: float) -> float:
    """Fix the next position at ``value`` (a new shortfall row unless it ties the last)."""
    if run.fixed and abs(value - run.fixed[-1]) <= TIE:
        value = run.fixed[-1]  # same level: its shortfall row already holds
    else:
        shortfalls.add(value, len(run.fixed) * value - float(np.sum(run.fixed)))
    run.fixed.append(value)
    return value


def _lp_stage(model: FairModel, shortfalls: _Shortfalls, run: _Progress, clock: Clock,
              options: SolveOptions, zeros: int) -> bool:
    """Fix the positions the level rounds (:mod:`.level_rounds`) prove; whether the answer is
    complete (every level, and the best total among matchings that keep them).

    With forced ``zeros`` (already fixed) the rounds fix the members that are never one of
    them (:func:`.zeros.loose_members`) by name, and the loose group's levels whoever holds
    them, as far as a matching keeps their levels, and leave the rest to the position rounds.
    """
    forced = None
    if zeros:
        loose = loose_members(model, zeros, clock, options)
        if loose is None or loose.all():
            return False
        forced = Zeros(loose, zeros)
    found = level_rounds(model, clock, options, LP_SHARE, ROUNDS_SHARE, forced, start=run.best)
    run.rounds += found.milps
    run.lp_rounds, run.milp_rounds, run.lps = found.lp_rounds, found.milp_rounds, found.lps
    run.config_rounds, run.branched_rounds = found.config_rounds, found.branched_rounds
    run.rounds_total = found.best_total
    if found.x is None:
        return False
    # x's sorted gains: the zeros, the levels the rounds fixed (by name, or the loose group's),
    # then the others above them
    values = np.sort(model.gains(found.x))
    fixed = found.state.rounds_fixed + (len(found.zeros.levels) if found.zeros else 0)
    for value in values[zeros:] if found.complete else values[zeros:zeros + fixed]:
        _keep_position(run, shortfalls, float(value))
    # the next round's level bounds the next position of every leximin-optimal matching (it
    # keeps each fixed member at its level and the others at or above that position)
    run.bound(len(run.fixed) + 1, found.state.next_bound)
    run.best = found.x
    if found.next_level is not None and not found.complete:
        # the next position was proven too, though not whose it is
        level, run.best = found.next_level
        _keep_position(run, shortfalls, level)
    if not found.complete:
        options.report(f"leximin: {len(run.fixed)} of {model.m} positions fixed by level rounds")
    return found.complete


def _final_round(model: FairModel, shortfalls: _Shortfalls, run: _Progress, zeros: int,
                 clock: Clock, options: SolveOptions) -> bool:
    """The best total score that keeps the fixed positions; whether the answer is complete.

    A stopped run also keeps the best matching's next position, so the total is sought among
    matchings at least that fair (and none of them lexicographically worse), and no more zeros
    than the fewest possible (the next position is known to be positive). The next position's
    row is for this round only: the shortfalls are left as they were.
    """
    m, n = model.m, model.n
    complete = len(run.fixed) == m
    kept = list(shortfalls.levels)
    if not complete and run.best is not None:
        nxt = float(np.sort(model.gains(run.best))[len(run.fixed)])
        if nxt > run.fixed[-1] + TIE:
            shortfalls.add(nxt, len(run.fixed) * nxt - float(np.sum(run.fixed)))
    extra = shortfalls.extra
    served = m - zeros if 0 < zeros < m and not complete else None
    cols = extra + (m if served is not None else 0)
    start = None
    if run.best is not None:
        aux = _aux_start(model, shortfalls, run.best)
        if served is not None:
            aux.append(np.minimum(1.0, positive_partners(model, run.best)))
        start = np.concatenate([run.best, *aux])
    rows = shortfalls.rows(n + cols)
    if served is not None:
        rows += served_rows(model, n + extra, n + cols, at_least=served)
    shortfalls.levels = kept
    upper = np.concatenate([np.full(extra, np.inf), np.ones(cols - extra)])
    out = run_milp(model, np.concatenate([model.weights, np.zeros(cols)]), cols,
                   rows, (np.zeros(cols), upper), clock, options, start=start,
                   share=1.0 if complete else STOPPED_TOTAL_UNTIL)
    run.rounds += 1
    if out.x is None:
        return False
    if complete or run.best is None or not _lex_worse(model, out.x, run.best):
        run.best = out.x
        run.offer(model, out.x, total_proven=out.optimal)
    else:
        run.offer(model, run.best)
    return complete and out.optimal


def _stopped_total(run: _Progress, best: np.ndarray) -> str:
    """What a stopped run's matching ``best`` is, past the positions it keeps, for its note."""
    if run.answer is not None and run.answer is best:
        return ("keeps them, is as fair as the best matching found at the next position, and "
                + _best_total_words(run.answer_total_proven))
    if run.rounds_total is not None and run.rounds_total[0] is best:
        return "keeps them, and " + _best_total_words(run.rounds_total[1])
    if run.sought_total:
        return ("keeps them; the limit stopped the search for a larger total among such "
                "matchings before it found one")
    return ("keeps them; too little of the limit was left to seek a larger total among such "
            "matchings")


def _best_total_words(proven: bool) -> str:
    """How a stopped run's matching stands on the total score: proven the largest among
    the matchings it was sought among, or the largest found."""
    return ("maximises the total score among such matchings" if proven else
            "has the largest total score found among such matchings before the limit; a "
            "larger one was not ruled out")


def _total_fits(clock: Clock, complete: bool, cells: int) -> bool:
    """Whether the final round (the best total over ``cells`` pairs) runs: always before the
    limit when every position is fixed (it completes the answer), else only with
    :data:`FINAL_LEAST` of the limit left, and, before the share it may use
    (:data:`.level_rounds.STOPPED_TOTAL_UNTIL`), at least as long as the last MILP over the pairs
    took and :data:`ROOT_PER_CELL` a cell."""
    if clock.expired():
        return False
    return complete or (not clock.expired(1 - FINAL_LEAST)
                        and (clock.left(STOPPED_TOTAL_UNTIL) or np.inf)
                        >= max(clock.last_milp, ROOT_PER_CELL * cells))


#: The thread that loads the compiled pricing, once a process (:func:`_warm_pricing`).
_WARMING: list[threading.Thread] = []


def _warm_pricing(model: FairModel) -> None:
    """Start loading the compiled pricing of the configuration rounds in a thread beside the
    forced-zeros MILPs, once a process, when those rounds will run
    (:func:`.config_pricing.warm_up`). A failure there is left to the rounds, which load it
    themselves."""
    if _WARMING or not model.m or model.single.all() or not ConfigLP.applies(model):
        return

    def load() -> None:
        with contextlib.suppress(Exception):
            warm_up()

    thread = threading.Thread(target=load, name="pairing-warm-up", daemon=True)
    _WARMING.append(thread)
    thread.start()


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Leximin over the counted enterprises, position by position, then the total."""
    clock = Clock(options.time_limit, options.started)
    run = _Progress(fixed=[], best=None)
    floor = 0.0
    counted_left, counted_right = counted(problem)
    if (counted_left.any() or counted_right.any()) and all_single(problem):
        # the first level is the max-min level: found fast, and it prunes every cell below it
        floor, runs, proven = single_level(problem, clock, options)
        run.rounds += runs
        if proven:
            run.fixed.append(floor)
    model = build_model(problem, floor=floor)
    _warm_pricing(model)
    m = model.m
    shortfalls = _Shortfalls(model)
    zeros = 0
    if run.fixed and floor > 0:
        shortfalls.add(floor, 0.0)
    elif m:
        zeros, run.best = fewest_zeros(model, clock, options)
        run.rounds += 1
        run.fixed = [0.0] * zeros  # positions 1..zeros are 0 in every leximin-optimal matching
        options.report(f"leximin: {zeros} counted enterprise(s) must gain 0")
    by_levels = False  # the level rounds found the whole answer
    if m and len(run.fixed) == zeros < m and not model.single.all():
        by_levels = _lp_stage(model, shortfalls, run, clock, options, zeros)
    complete = by_levels
    share = ROUNDS_SHARE
    while not complete:
        _fix_positions(model, shortfalls, run, clock, options, share)
        complete = len(run.fixed) == m
        run.sought_total = bool(run.fixed) and _total_fits(clock, complete, model.n)
        if run.sought_total:
            complete = _final_round(model, shortfalls, run, zeros, clock, options)
        # A stopped run whose last round left time over goes back to the positions (the
        # last round is often fast), then looks for the best total again.
        later = 1 - (1 - share) * (1 - ROUNDS_SHARE)
        if complete or clock.expired(1 - RESUME) or later <= share + RESUME / 10:
            break
        share = later
    if not complete and run.answer is not None and run.best is not None:
        # the rounds may have proven more positions after the last final round, which was
        # then skipped for want of time: the best matching keeps them, that round's may not
        run.offer(model, run.best)
    best, fixed = (run.best if complete or run.answer is None else run.answer), run.fixed
    if best is None:
        if m == 0:
            return best_total(model, clock, options, OBJECTIVE,
                              "leximin: nobody is counted; best total")
        raise timeout_error(OBJECTIVE)
    method = "ordered outcomes" + (f", {run.brackets} counting bracket(s)" if run.brackets else "")
    if run.lp_rounds or run.milp_rounds or run.branched_rounds:
        on_configs = (f", {run.config_rounds} of them on the configuration LP"
                      if run.config_rounds else "")
        lp_part = f"{run.lp_rounds} LP round(s) ({run.lps} LPs{on_configs})"
        on_matchings = []
        if run.milp_rounds:
            on_matchings.append(f"{run.milp_rounds} by MILPs over the pairs")
        if run.branched_rounds:
            on_matchings.append(f"{run.branched_rounds} by branching on the configuration LP")
        if on_matchings:
            lp_part += (f" and {run.milp_rounds + run.branched_rounds} round(s) on matchings "
                        f"({', '.join(on_matchings)})")
        method = lp_part if by_levels else f"{lp_part}, then {method}"
    note = (f"leximin by {run.rounds} MILP round(s) (HiGHS, {method}): {m} gain(s), "
            f"{len(shortfalls.levels)} level(s)")
    if not complete:
        how = _stopped_total(run, best)
        best, moves = raise_lowest(model, best, clock, EXCHANGES_UNTIL)
        if moves:
            how += (f"; {moves} move(s) (a pair added, alone or for one other, or two pairs' "
                    "partners swapped) then raised the gains past them, "
                    "the lowest first, each leaving the sorted gains lexicographically larger, "
                    "at some cost to that total")
        note += (f"; time limit reached after fixing {len(fixed)} of {m} positions (the "
                 f"matching {how})")
    # the objective value is the smallest gain: proven once the first position is fixed
    return to_assignment(model, best, complete, note, bound=fixed[0] if fixed else None,
                         positions=(len(fixed), run.next_bound()))
