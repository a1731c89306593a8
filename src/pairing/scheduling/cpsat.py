"""The exact schedule: a CP-SAT model solved lexicographically, one stage per objective.

Variables are ``x[m, t]`` (meeting ``m`` in slot ``t``), created only where both enterprises are
available. Tables are not variables: tables are interchangeable, so only how many meetings run
at shared tables in each slot matters (``≤ tables``); table numbers are given afterwards
(:mod:`pairing.scheduling.tables`), which removes the tables' symmetry from the search. A booth
holds one meeting per slot because its host is in at most one meeting per slot.

Idle slots use three kinds of booleans per enterprise and available slot of a session:
``before[t]`` ≥ "a meeting earlier in the session", ``after[t]`` ≥ "a meeting later", and
``idle[t] ≥ before[t] + after[t] − 1 − busy[t]``. Only lower bounds are needed because idle
slots are minimised, so the sum of ``idle`` equals the true number of idle slots at an optimum
and bounds it from above everywhere. A slot where the enterprise is unavailable is not idle (the
delegation is elsewhere).

Stages, each solved to optimality (or to the time limit) with the previous stage's value fixed
and its solution as the hint:

1. placed meetings: when the greedy start misses some, first ask whether a full schedule
   exists (the all-placed model without an objective, with part of the time); if not found,
   maximise ``Σ placed[m] · (BIG + w[m])`` with ``w`` the scores mapped onto
   0..10⁶ and ``BIG`` larger than ``Σ w`` — the most meetings first, then the largest total
   score (skipped when the greedy start places every meeting: that is the upper bound);
2. (re-scheduling only) meetings kept in their old slot: maximise;
3. idle slots: minimise;
4. earliness: minimise ``Σ t · x[m, t]`` (slot indices in chronological order).

One search worker (the default) and a fixed seed make the result deterministic when no time
limit is hit. More workers run CP-SAT's portfolio, large-neighbourhood search included, which
closes gaps far faster on large events, but equally good schedules may then differ between runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pairing.scheduling.greedy import greedy_schedule
from pairing.scheduling.instance import Instance

__all__ = [
    "FEASIBILITY_SHARE",
    "LATER_STAGE_SHARE",
    "STAGE_ONE_SHARE",
    "Solution",
    "StageInfo",
    "solve_cpsat",
]

#: Share of the time limit for stage 1 (placed meetings), when the greedy start misses some.
STAGE_ONE_SHARE = 0.5
#: Share of stage 1's time for "is there a full schedule?" before maximising placed meetings.
FEASIBILITY_SHARE = 0.4
#: Share of the remaining time for each stage that has a later one (the last gets the rest).
LATER_STAGE_SHARE = 0.6


@dataclass(frozen=True)
class StageInfo:
    """One lexicographic stage: its name, CP-SAT status, value reached and proven bound."""

    name: str
    status: str
    value: int
    bound: int
    seconds: float = 0.0


@dataclass
class Solution:
    """Slots per meeting (-1 unplaced) and how each stage ended."""

    slot: np.ndarray
    stages: list[StageInfo] = field(default_factory=list)

    @property
    def optimal(self) -> bool:
        return all(s.status == "optimal" for s in self.stages)

    @property
    def gap(self) -> float:
        """Relative gap of the first stage not proven optimal (0 when all are)."""
        for s in self.stages:
            if s.status != "optimal":
                return abs(s.value - s.bound) / max(1, abs(s.value))
        return 0.0


class _Model:
    """The CP-SAT model of one instance, with the expressions each stage optimises."""

    def __init__(self, instance: Instance, all_placed: bool, workers: int = 1) -> None:
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.workers = workers
        self.model = cp_model.CpModel()
        self.instance = instance
        event = instance.event
        allowed = instance.allowed
        ends = instance.ends
        n_ent = len(instance.enterprises)
        self.x: dict[tuple[int, int], Any] = {}
        for m, t in zip(*np.nonzero(allowed), strict=True):
            self.x[int(m), int(t)] = self.model.new_bool_var(f"x{m}_{t}")
        by_meeting: list[list[tuple[int, Any]]] = [[] for _ in instance.meetings]
        by_ent_slot: dict[tuple[int, int], list[Any]] = {}
        by_slot_table: dict[int, list[Any]] = {}
        table = instance.at_table
        for (m, t), var in self.x.items():
            by_meeting[m].append((t, var))
            for e in ends[m]:
                by_ent_slot.setdefault((int(e), t), []).append(var)
            if table[m]:
                by_slot_table.setdefault(t, []).append(var)
        self.placed: list[Any] = []
        for options in by_meeting:
            total = sum(v for _, v in options)
            if all_placed:
                self.model.add_exactly_one(v for _, v in options)
            else:
                self.model.add_at_most_one(v for _, v in options)
            self.placed.append(total)
        for variables in by_ent_slot.values():
            if len(variables) > 1:
                self.model.add_at_most_one(variables)
        for variables in by_slot_table.values():
            if len(variables) > event.tables:
                self.model.add(sum(variables) <= event.tables)
        session = instance.session_of
        if event.max_per_session is not None:
            for e in range(n_ent):
                for s in range(len(event.sessions)):
                    terms = [
                        v
                        for t in np.flatnonzero(session == s).tolist()
                        for v in by_ent_slot.get((e, t), [])
                    ]
                    if len(terms) > event.max_per_session:
                        self.model.add(sum(terms) <= event.max_per_session)
        self.idle_terms: list[Any] = []
        self.aux: list[tuple[int, list[int], list[Any], list[Any], list[Any]]] = []
        degree = np.bincount(ends.ravel(), minlength=n_ent)
        for e in np.flatnonzero(degree >= 2):
            for s in range(len(event.sessions)):
                slots = [t for t in np.flatnonzero(session == s) if instance.free[e, t]]
                self._idle(int(e), [int(t) for t in slots], by_ent_slot)
        self.earliness: Any = sum(t * v for (_, t), v in self.x.items())

    def _idle(
        self, e: int, slots: list[int], by_ent_slot: dict[tuple[int, int], list[Any]]
    ) -> None:
        busy = [sum(by_ent_slot.get((e, t), [])) for t in slots]
        if len(slots) < 3 or sum(len(by_ent_slot.get((e, t), [])) for t in slots) < 2:
            return
        new = self.model.new_bool_var
        before: list[Any] = [None] + [new(f"b{e}_{t}") for t in slots[1:]]
        after: list[Any] = [new(f"a{e}_{t}") for t in slots[:-1]] + [None]
        for k in range(1, len(slots)):
            self.model.add(before[k] >= busy[k - 1])
            if k >= 2:
                self.model.add(before[k] >= before[k - 1])
        for k in range(len(slots) - 2, -1, -1):
            self.model.add(after[k] >= busy[k + 1])
            if k <= len(slots) - 3:
                self.model.add(after[k] >= after[k + 1])
        for k in range(1, len(slots) - 1):
            idle = new(f"i{e}_{slots[k]}")
            self.model.add(idle >= before[k] + after[k] - 1 - busy[k])
            self.idle_terms.append(idle)
        self.aux.append((e, slots, before, after, self.idle_terms[-(len(slots) - 2) :]))

    def feasible(
        self, hint: np.ndarray, seconds: float, seed: int
    ) -> tuple[str, np.ndarray | None]:
        """Solve without an objective (the all-placed model: is there a full schedule?)."""
        cp = self.cp
        self.model.clear_objective()
        self._hint(hint)
        solver = self._solver(seconds, seed)
        code = solver.solve(self.model)
        if code not in (cp.OPTIMAL, cp.FEASIBLE):
            return ("infeasible" if code == cp.INFEASIBLE else "unknown"), None
        return "feasible", self._slots(solver)

    def _hint(self, slot: np.ndarray) -> None:
        """Hint every variable from ``slot``, auxiliary ones included, so the hint is complete
        and CP-SAT starts from a feasible solution instead of having to repair one."""
        self.model.clear_hints()
        for (m, t), var in self.x.items():
            self.model.add_hint(var, bool(slot[m] == t))
        busy = {
            (int(e), int(slot[m])) for m in np.flatnonzero(slot >= 0) for e in self.instance.ends[m]
        }
        for e, slots, before, after, idle in self.aux:
            taken = [(e, t) in busy for t in slots]
            for k in range(len(slots)):
                early, late = any(taken[:k]), any(taken[k + 1 :])
                if before[k] is not None:
                    self.model.add_hint(before[k], early)
                if after[k] is not None:
                    self.model.add_hint(after[k], late)
                if 0 < k < len(slots) - 1:
                    self.model.add_hint(idle[k - 1], early and late and not taken[k])

    def idle_of(self, slot: np.ndarray) -> int:
        """Idle slots of ``slot`` as this model counts them."""
        busy = {
            (int(e), int(slot[m])) for m in np.flatnonzero(slot >= 0) for e in self.instance.ends[m]
        }
        total = 0
        for e, slots, *_ in self.aux:
            taken = [k for k, t in enumerate(slots) if (e, t) in busy]
            if taken:
                total += taken[-1] - taken[0] + 1 - len(taken)
        return total

    def _solver(self, seconds: float, seed: int) -> Any:
        solver = self.cp.CpSolver()
        solver.parameters.num_workers = self.workers
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        return solver

    def _slots(self, solver: Any) -> np.ndarray:
        slot = np.full(len(self.instance.meetings), -1, dtype=np.intp)
        for (m, t), var in self.x.items():
            if solver.boolean_value(var):
                slot[m] = t
        return slot

    def run(
        self,
        name: str,
        objective: Any,
        maximise: bool,
        hint: np.ndarray,
        seconds: float,
        seed: int,
    ) -> tuple[StageInfo, np.ndarray | None]:
        cp = self.cp
        if isinstance(objective, int):  # nothing to optimise: a constant is its own optimum
            return StageInfo(name, "optimal", objective, objective), hint.copy()
        if maximise:
            self.model.maximize(objective)
        else:
            self.model.minimize(objective)
        self._hint(hint)
        solver = self._solver(seconds, seed)
        code = solver.solve(self.model)
        seconds = round(solver.wall_time, 3)
        if code not in (cp.OPTIMAL, cp.FEASIBLE):
            status = "time_limit" if code == cp.UNKNOWN else solver.status_name(code).lower()
            return StageInfo(name, status, 0, int(solver.best_objective_bound), seconds), None
        slot = self._slots(solver)
        status = "optimal" if code == cp.OPTIMAL else "feasible"
        value = round(solver.objective_value)
        bound = round(solver.best_objective_bound)
        if maximise:
            self.model.add(objective >= value)
        else:
            self.model.add(objective <= value)
        return StageInfo(name, status, value, bound, seconds), slot


def solve_cpsat(
    instance: Instance,
    start: np.ndarray,
    *,
    time_limit: float,
    seed: int = 0,
    keep: np.ndarray | None = None,
    workers: int = 1,
    full_possible: bool = True,
    stop_if_short: bool = False,
) -> Solution:
    """Solve the lexicographic schedule exactly (see the module docstring).

    Parameters
    ----------
    instance
        The problem.
    start
        A feasible schedule (slot per meeting, -1 unplaced), e.g. the greedy one: the first hint
        and the fallback when a stage finds nothing better in its time.
    time_limit
        Seconds for all stages together.
    seed
        CP-SAT's random seed.
    workers
        CP-SAT search workers (1: deterministic; see the module docstring).
    keep
        Optional old slot per meeting (-1 for none): adds the "keep old slots" stage.
    full_possible
        ``False`` when a counting argument already proves that not every meeting fits: the
        "is there a full schedule?" attempt is skipped.
    stop_if_short
        Stop after stage 1 when not every meeting is placed (the caller reports the failure and
        needs no timetable), instead of optimising idle slots and earliness of a partial one.
    """
    began = time.monotonic()
    deadline = began + time_limit
    placement_deadline = began + STAGE_ONE_SHARE * time_limit
    all_placed = bool((start >= 0).all())
    best = start.copy()
    if not all_placed and full_possible:
        # Is there a full schedule? Pure feasibility propagates far better than the weighted
        # objective, so ask first, with part of the time; a proof of "no" goes on to stage 1.
        seconds = FEASIBILITY_SHARE * (placement_deadline - time.monotonic())
        _, found = _Model(instance, True, workers).feasible(best, seconds, seed)
        if found is not None:
            best, all_placed = found, True
    model = _Model(instance, all_placed, workers)
    stages: list[StageInfo] = []
    n = len(instance.meetings)
    if all_placed:
        stages.append(StageInfo("placed meetings", "optimal", n, n))
    else:
        weights = instance.score_weights()
        big = int(weights.sum()) + 1
        objective = sum(int(big + w) * p for w, p in zip(weights, model.placed, strict=True))
        stop = deadline if stop_if_short else placement_deadline
        info, found = model.run(
            "placed meetings", objective, True, best, stop - time.monotonic(), seed
        )
        best = found if found is not None else best
        stages.append(_counted(info, best, n, big))
        if stop_if_short and (best < 0).any():
            stages.append(StageInfo("idle slots", "skipped", model.idle_of(best), 0))
            stages.append(StageInfo("earliness", "skipped", int(best[best >= 0].sum()), 0))
            return Solution(best, stages)
        if found is None:
            # Keep the start's value so that later stages never lose a placed meeting.
            model.model.add(
                objective >= int(sum(big + weights[m] for m in np.flatnonzero(best >= 0)))
            )
    if not all_placed:
        # Stage 1 picks which meetings to place; the greedy, asked to place exactly those, often
        # gives a far more compact agenda than stage 1's own solution: a better hint for stage 2.
        again = greedy_schedule(instance, only=best >= 0)
        if (again >= 0).sum() == (best >= 0).sum() and model.idle_of(again) < model.idle_of(best):
            best = again
    plan: list[tuple[str, Any, bool, Any]] = []
    if keep is not None and (keep >= 0).any():
        kept = [
            model.x[m, int(keep[m])]
            for m in np.flatnonzero(keep >= 0).tolist()
            if (m, int(keep[m])) in model.x
        ]
        plan.append(
            ("meetings kept in their slot", sum(kept), True, lambda s: int((s == keep).sum()))
        )
    plan.append(("idle slots", sum(model.idle_terms), False, model.idle_of))
    plan.append(("earliness", model.earliness, False, lambda s: int(s[s >= 0].sum())))
    for k, (name, objective, maximise, value_of) in enumerate(plan):
        current = value_of(best)
        remaining = deadline - time.monotonic()
        if k < len(plan) - 1:  # leave the later stages a share of the time
            remaining *= LATER_STAGE_SHARE
        if name == "idle slots" and current == 0:  # no idle slot: 0 is the trivial bound
            model.model.add(objective <= 0)
            stages.append(StageInfo(name, "optimal", 0, 0))
            continue
        if remaining <= 0.01:
            stages.append(StageInfo(name, "time_limit", current, current if maximise else 0))
            continue
        info, found = model.run(name, objective, maximise, best, remaining, seed)
        if found is not None:
            best = found
            # The model's idle variables only bound idle slots from above: report the true count.
            info = StageInfo(name, info.status, value_of(found), info.bound, info.seconds)
        else:
            info = StageInfo(name, info.status, current, info.bound, info.seconds)
            model.model.add(objective >= current if maximise else objective <= current)
        stages.append(info)
    return Solution(best, stages)


def _counted(info: StageInfo, slot: np.ndarray, n: int, big: int) -> StageInfo:
    """Stage 1 reported in meetings (placed, and the most that the bound allows)."""
    placed = int((slot >= 0).sum())
    if info.status == "optimal":
        return StageInfo(info.name, "optimal", placed, placed, info.seconds)
    bound = min(n, max(placed, info.bound // big))
    return StageInfo(info.name, info.status, placed, bound, info.seconds)
