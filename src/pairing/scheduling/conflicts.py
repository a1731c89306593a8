"""Minimal conflicting sets: which meetings a left-out meeting cannot be placed together with.

When no counting argument explains why a meeting ``u`` is left out, the stage-1 optimum still
proves that ``u`` cannot join the meetings that were placed (``P``): otherwise the optimum would
have placed one more. A deletion filter then shrinks ``P`` to a minimal ``S ⊆ P`` such that
``S ∪ {u}`` cannot all be placed — dropping any one meeting of ``S`` would make room for ``u``.
Each test is a small CP-SAT feasibility model with one assumption literal per meeting ("this
meeting is placed"); the first set comes from CP-SAT's sufficient assumptions for
infeasibility, so most deletions start from a small core.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from pairing.scheduling.instance import Instance

__all__ = ["ConflictModel", "minimal_conflict"]


class ConflictModel:
    """Hard rules only, with ``placed[m]`` assumption literals."""

    def __init__(self, instance: Instance) -> None:
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.model = cp_model.CpModel()
        event = instance.event
        options: list[list[Any]] = [[] for _ in instance.meetings]
        by_ent_slot: dict[tuple[int, int], list[Any]] = {}
        by_slot_table: dict[int, list[Any]] = {}
        per_session: dict[tuple[int, int], list[Any]] = {}
        for m, t in zip(*np.nonzero(instance.allowed), strict=True):
            var = self.model.new_bool_var(f"x{m}_{t}")
            options[int(m)].append(var)
            for e in instance.ends[m]:
                by_ent_slot.setdefault((int(e), int(t)), []).append(var)
                per_session.setdefault((int(e), int(instance.session_of[t])), []).append(var)
            if instance.at_table[m]:
                by_slot_table.setdefault(int(t), []).append(var)
        self.placed = [self.model.new_bool_var(f"p{m}") for m in range(len(options))]
        for m, variables in enumerate(options):
            self.model.add(sum(variables) == 1).only_enforce_if(self.placed[m])
            self.model.add_at_most_one(variables)
        for variables in by_ent_slot.values():
            self.model.add_at_most_one(variables)
        for variables in by_slot_table.values():
            self.model.add(sum(variables) <= event.tables)
        if event.max_per_session is not None:
            for variables in per_session.values():
                self.model.add(sum(variables) <= event.max_per_session)

    def fits(self, meetings: list[int], seconds: float) -> tuple[bool | None, list[int]]:
        """Can ``meetings`` all be placed? ``None`` when unknown in time; with a core if not."""
        self.model.clear_assumptions()
        self.model.add_assumptions([self.placed[m] for m in meetings])
        solver = self.cp.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(0.01, seconds)
        code = solver.solve(self.model)
        if code in (self.cp.OPTIMAL, self.cp.FEASIBLE):
            return True, []
        if code != self.cp.INFEASIBLE:
            return None, []
        index = {self.placed[m].index: m for m in meetings}
        core = [index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in index]
        return False, core


def minimal_conflict(
    model: ConflictModel, left_out: int, placed: list[int], seconds: float
) -> list[int] | None:
    """A minimal set of ``placed`` meetings that ``left_out`` cannot be placed together with.

    ``model`` is built once per instance and reused for every left-out meeting. Returns
    ``None`` when the time runs out before the set is minimal (or proven at all).
    """
    deadline = time.monotonic() + seconds
    fits, core = model.fits([*placed, left_out], seconds)
    if fits is not False:
        return None
    members = [m for m in (core or placed) if m != left_out]
    if core and left_out not in core:  # the placed meetings alone never conflict; be safe
        members = list(placed)
    for m in list(members):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        trial = [x for x in members if x != m]
        fits, _ = model.fits([*trial, left_out], remaining)
        if fits is None:
            return None
        if fits is False:
            members = trial
    return sorted(members)
