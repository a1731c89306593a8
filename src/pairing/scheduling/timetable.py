"""The typed, immutable schedule: what ``pairing schedule`` writes and the library returns.

:class:`Schedule` serialises to ``schedule.json``: ``meetings`` (left, right, session, slot,
ISO 8601 start and end with the event timezone's UTC offset, table or booth), ``unscheduled``
(each with the reasons it could not be placed), ``metrics`` and ``solver``. Two runs with the
same input and seed give identical JSON apart from the timings (``solver.runtime_s`` and each
stage's ``seconds``) when no time limit is hit. :func:`idle_slots` is the one definition of
idle slots the metrics use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "BusiestSlot",
    "Schedule",
    "ScheduleMetrics",
    "ScheduleSolver",
    "ScheduledMeeting",
    "StageReport",
    "UnscheduledMeeting",
    "WorstIdle",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScheduledMeeting(_Frozen):
    """One placed meeting: the pair, when (session, 1-based slot, start, end) and where."""

    left: str
    right: str
    left_name: str = ""
    right_name: str = ""
    score: float
    session: str
    slot: int
    start: str
    end: str
    table: int | None = None
    booth: str | None = None


class UnscheduledMeeting(_Frozen):
    """A meeting of the result that the schedule leaves out, with why."""

    left: str
    right: str
    score: float
    reasons: list[str] = Field(default_factory=list)


class WorstIdle(_Frozen):
    side: str
    id: str
    idle_slots: int


class BusiestSlot(_Frozen):
    session: str
    slot: int
    tables: int


class ScheduleMetrics(_Frozen):
    """Headline figures; ``moved`` counts kept meetings that changed slot when re-scheduling."""

    meetings: int
    scheduled: int
    unscheduled: int
    idle_slots_total: int
    idle_slots_worst: WorstIdle | None = None
    busiest_slot: BusiestSlot | None = None
    tables: int
    moved: int | None = None


class StageReport(_Frozen):
    """One lexicographic stage of the CP-SAT solve: value reached and proven bound."""

    name: str
    status: str
    value: int
    bound: int
    seconds: float = 0.0


class ScheduleSolver(_Frozen):
    name: str = "cpsat"
    runtime_s: float
    time_limit: float | None = None
    seed: int = 0
    workers: int = 1
    gap: float = 0.0
    stages: list[StageReport] = Field(default_factory=list)
    greedy_scheduled: int = 0
    greedy_idle_slots: int = 0


class Schedule(_Frozen):
    """A meeting timetable for an event (see the module docstring)."""

    event: str
    timezone: str
    status: Literal["optimal", "feasible"]
    meetings: list[ScheduledMeeting]
    unscheduled: list[UnscheduledMeeting] = Field(default_factory=list)
    metrics: ScheduleMetrics
    solver: ScheduleSolver
    version: str

    def to_json(self, indent: int | None = 1) -> str:
        return self.model_dump_json(indent=indent)

    def without_runtime(self) -> dict[str, Any]:
        data = self.model_dump()
        data["solver"].pop("runtime_s")
        for stage in data["solver"]["stages"]:
            stage.pop("seconds")
        return data


def idle_slots(busy: Iterable[int], available: Iterable[int]) -> int:
    """Idle slots of one enterprise in one session.

    ``busy`` are the slot numbers of its meetings there, ``available`` the slot numbers where it
    is available: the idle ones are the available slots strictly between its first and last
    meeting that hold none of its meetings (an unavailable slot is not idle: it is elsewhere).
    """
    taken = set(busy)
    if len(taken) < 2:
        return 0
    low, high = min(taken), max(taken)
    return sum(1 for t in set(available) if low < t < high and t not in taken)
