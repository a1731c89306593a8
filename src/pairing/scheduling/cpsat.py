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

1. placed meetings: maximise ``Σ placed[m] · (BIG + w[m])`` with ``w`` the scores mapped onto
   0..10⁶ and ``BIG`` larger than ``Σ w`` — the most meetings first, then the largest total
   score (skipped when the greedy start places every meeting: that is the upper bound);
2. (re-scheduling only) meetings kept in their old slot: maximise;
3. idle slots: minimise;
4. earliness: minimise ``Σ t · x[m, t]`` (slot indices in chronological order).

One search worker and a fixed seed make the result deterministic when no time limit is hit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pairing.scheduling.instance import Instance

__all__ = ["Solution", "StageInfo", "solve_cpsat"]


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

    def __init__(self, instance: Instance, all_placed: bool) -> None:
        from ortools.sat.python import cp_model

        self.cp = cp_model
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
        self.model.clear_hints()
        for (m, t), var in self.x.items():
            self.model.add_hint(var, bool(hint[m] == t))
        solver = cp.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        code = solver.solve(self.model)
        seconds = round(solver.wall_time, 3)
        if code not in (cp.OPTIMAL, cp.FEASIBLE):
            status = "time_limit" if code == cp.UNKNOWN else solver.status_name(code).lower()
            return StageInfo(name, status, 0, int(solver.best_objective_bound), seconds), None
        slot = np.full(len(self.instance.meetings), -1, dtype=np.intp)
        for (m, t), var in self.x.items():
            if solver.boolean_value(var):
                slot[m] = t
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
    keep
        Optional old slot per meeting (-1 for none): adds the "keep old slots" stage.
    """
    deadline = time.monotonic() + time_limit
    all_placed = bool((start >= 0).all())
    model = _Model(instance, all_placed)
    best = start.copy()
    stages: list[StageInfo] = []
    n = len(instance.meetings)
    if all_placed:
        stages.append(StageInfo("placed meetings", "optimal", n, n))
    else:
        weights = instance.score_weights()
        big = int(weights.sum()) + 1
        objective = sum(int(big + w) * p for w, p in zip(weights, model.placed, strict=True))
        info, found = model.run(
            "placed meetings", objective, True, best, deadline - time.monotonic(), seed
        )
        best = found if found is not None else best
        stages.append(_counted(info, best, n, big))
        if found is None:
            # Keep the start's value so that later stages never lose a placed meeting.
            model.model.add(
                objective >= int(sum(big + weights[m] for m in np.flatnonzero(best >= 0)))
            )
    plan: list[tuple[str, Any, bool]] = []
    if keep is not None and (keep >= 0).any():
        kept = [
            model.x[m, int(keep[m])]
            for m in np.flatnonzero(keep >= 0).tolist()
            if (m, int(keep[m])) in model.x
        ]
        plan.append(("meetings kept in their slot", sum(kept), True))
    plan.append(("idle slots", sum(model.idle_terms), False))
    plan.append(("earliness", model.earliness, False))
    for name, objective, maximise in plan:
        remaining = deadline - time.monotonic()
        if remaining <= 0.01:
            stages.append(StageInfo(name, "time_limit", 0, 0))
            continue
        info, found = model.run(name, objective, maximise, best, remaining, seed)
        if found is not None:
            best = found
        stages.append(info)
    return Solution(best, stages)


def _counted(info: StageInfo, slot: np.ndarray, n: int, big: int) -> StageInfo:
    """Stage 1 reported in meetings (placed, and the most that the bound allows)."""
    placed = int((slot >= 0).sum())
    if info.status == "optimal":
        return StageInfo(info.name, "optimal", placed, placed)
    return StageInfo(info.name, info.status, placed, min(n, max(placed, info.bound // big)))
