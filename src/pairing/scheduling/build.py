"""``pairing.schedule``: validate, start greedily, solve exactly, explain, check, assemble.

This is the one entry point the CLI and backends share. It never prints. Every schedule it
returns has passed the independent checker (:mod:`pairing.scheduling.checker`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pairing.errors import Infeasible, InvalidProgramme, Issue, SolverError, SolverTimeout
from pairing.model.programme import Programme
from pairing.model.result import Result
from pairing.scheduling.event import Event
from pairing.scheduling.event_toml import event_from_data, load_event
from pairing.scheduling.explain import counting_lower_bound, counting_reasons
from pairing.scheduling.greedy import greedy_schedule
from pairing.scheduling.instance import Instance, build_instance
from pairing.scheduling.tables import assign_tables
from pairing.scheduling.timetable import (
    BusiestSlot,
    Schedule,
    ScheduledMeeting,
    ScheduleMetrics,
    ScheduleSolver,
    StageReport,
    UnscheduledMeeting,
    WorstIdle,
    idle_slots,
)

__all__ = ["DEFAULT_TIME_LIMIT", "UnplaceableMeetings", "schedule"]

#: Seconds for all CP-SAT stages together when the caller gives no limit.
DEFAULT_TIME_LIMIT = 60.0
#: Seconds for finding minimal conflicting sets, for all left-out meetings together.
EXPLAIN_SECONDS = 10.0


class UnplaceableMeetings(Infeasible):
    """Not every meeting can be placed; ``reasons`` names each meeting left out and why.

    ``partial`` is the best partial schedule, for callers that want it anyway (``--partial``).
    """

    def __init__(self, reasons: Sequence[str], partial: Schedule) -> None:
        self.reasons = tuple(reasons)
        self.partial = partial
        Exception.__init__(
            self, "not every meeting can be placed:\n" + "\n".join(f"  - {r}" for r in reasons)
        )


def _event(
    event: Event | str | os.PathLike[str] | Mapping[str, Any], programme: Programme
) -> Event:
    if isinstance(event, Event):
        return event
    if isinstance(event, str | os.PathLike):
        return load_event(Path(event), programme)
    return event_from_data(event, programme)


def _old_slots(
    instance: Instance, keep: Schedule | None
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Old global slot and table per meeting (-1 / 0 where the meeting is new or its slot gone)."""
    if keep is None:
        return None, None
    sessions = instance.event.sessions
    index = {(sessions[s.session].name, s.number): s.index for s in instance.event.slots}
    lookup = {
        (m.left, m.right): (index.get((m.session, m.slot), -1), m.table or 0) for m in keep.meetings
    }
    slot = np.full(len(instance.meetings), -1, dtype=np.intp)
    table = np.zeros(len(instance.meetings), dtype=np.intp)
    for k, meeting in enumerate(instance.meetings):
        slot[k], table[k] = lookup.get((meeting.left, meeting.right), (-1, 0))
    return slot, table


def _idle_metrics(instance: Instance, slot: np.ndarray) -> tuple[int, WorstIdle | None, np.ndarray]:
    per = np.zeros(len(instance.enterprises), dtype=np.intp)
    for e in range(len(instance.enterprises)):
        mine = slot[((instance.ends[:, 0] == e) | (instance.ends[:, 1] == e)) & (slot >= 0)]
        for s in range(len(instance.event.sessions)):
            here = instance.session_of == s
            per[e] += idle_slots(
                [int(t) for t in mine if here[t]], np.flatnonzero(here & instance.free[e]).tolist()
            )
    worst = None
    if per.size and per.max() > 0:
        e = int(np.argmax(per))
        side, ident = instance.enterprises[e]
        worst = WorstIdle(side=side, id=ident, idle_slots=int(per[e]))
    return int(per.sum()), worst, per


def _assemble(
    instance: Instance,
    slot: np.ndarray,
    tables: np.ndarray,
    reasons: dict[int, list[str]],
    solver: ScheduleSolver,
    status: str,
    moved: int | None,
) -> Schedule:
    from pairing import __version__

    event = instance.event
    meetings, unscheduled = [], []
    order = sorted(
        range(len(instance.meetings)), key=lambda m: (slot[m] < 0, slot[m], tables[m], m)
    )
    for m in order:
        spec = instance.meetings[m]
        if slot[m] < 0:
            unscheduled.append(
                UnscheduledMeeting(
                    left=spec.left, right=spec.right, score=spec.score, reasons=reasons.get(m, [])
                )
            )
            continue
        at = event.slots[int(slot[m])]
        meetings.append(
            ScheduledMeeting(
                left=spec.left,
                right=spec.right,
                left_name=instance.info["left", spec.left].name,
                right_name=instance.info["right", spec.right].name,
                score=spec.score,
                session=event.sessions[at.session].name,
                slot=at.number,
                start=at.start.isoformat(),
                end=at.end.isoformat(),
                table=int(tables[m]) if spec.booth is None else None,
                booth=spec.booth,
            )
        )
    total, worst, _ = _idle_metrics(instance, slot)
    busiest = None
    placed_tables = slot[(slot >= 0) & instance.at_table]
    if placed_tables.size:
        counts = np.bincount(placed_tables, minlength=instance.n_slots)
        t = int(np.argmax(counts))
        busiest = BusiestSlot(
            session=event.sessions[event.slots[t].session].name,
            slot=event.slots[t].number,
            tables=int(counts[t]),
        )
    metrics = ScheduleMetrics(
        meetings=len(instance.meetings),
        scheduled=len(meetings),
        unscheduled=len(unscheduled),
        idle_slots_total=total,
        idle_slots_worst=worst,
        busiest_slot=busiest,
        tables=event.tables,
        moved=moved,
    )
    return Schedule(
        event=event.name,
        timezone=event.timezone,
        status="optimal" if status == "optimal" else "feasible",
        meetings=meetings,
        unscheduled=unscheduled,
        metrics=metrics,
        solver=solver,
        version=__version__,
    )


def _order_key(instance: Instance, slot: np.ndarray,
               old_slot: np.ndarray | None) -> tuple[int, int, int, int, int]:
    """A schedule's place in the objective's order, smaller is better: placed meetings and
    their score, meetings kept (with --keep), idle slots, earliness."""
    weights = instance.score_weights()
    placed = slot >= 0
    kept = int((slot == old_slot).sum()) if old_slot is not None else 0
    idle = _idle_metrics(instance, slot)[0]
    return (
        -int(placed.sum()),
        -int(weights[placed].sum()),
        -kept,
        idle,
        int(slot[placed].sum()),
    )


def _best_start(instance: Instance, old_slot: np.ndarray | None) -> np.ndarray:
    """The better of the two greedy variants, by the objective's order (:func:`_order_key`)."""
    starts = [greedy_schedule(instance, old_slot, balance=b) for b in (True, False)]
    return min(starts, key=lambda slot: _order_key(instance, slot, old_slot))


def _left_out_reasons(
    instance: Instance, slot: np.ndarray, counting: dict[int, list[str]], proven: bool, bound: int
) -> dict[int, list[str]]:
    from pairing.scheduling.conflicts import ConflictModel, minimal_conflict

    n = len(instance.meetings)
    placed = int((slot >= 0).sum())
    out: dict[int, list[str]] = {}
    deadline = time.monotonic() + EXPLAIN_SECONDS
    model: ConflictModel | None = None
    for m in np.flatnonzero(slot < 0).tolist():
        if counting.get(m):
            out[m] = counting[m]
        elif proven:
            model = model or ConflictModel(instance)
            core = minimal_conflict(
                model, m, np.flatnonzero(slot >= 0).tolist(), deadline - time.monotonic()
            )
            text = (
                f"the rules allow at most {placed} of the {n} meetings together (proven by "
                "CP-SAT); the ones left out lose the least score"
            )
            if core:
                names = ", ".join(instance.label(k) for k in core[:8])
                more = f" and {len(core) - 8} more" if len(core) > 8 else ""
                text = (
                    f"cannot be placed together with {names}{more}: these {len(core) + 1} "
                    "meetings cannot all fit the rules, and without any one of the others it "
                    "would fit (a minimal conflicting set); " + text
                )
            out[m] = [text]
        else:
            out[int(m)] = [
                f"not placed within the time limit: the best schedule found places {placed} of "
                f"{n}, and the bound allows at most {bound}; give more time (--time-limit)"
            ]
    return out


def schedule(
    programme: Programme,
    result: Result,
    event: Event | str | os.PathLike[str] | Mapping[str, Any],
    *,
    time_limit: float | None = None,
    seed: int = 0,
    partial: bool = False,
    keep: Schedule | None = None,
    workers: int = 1,
) -> Schedule:
    """Schedule every pair of ``result`` as a meeting at ``event``.

    Parameters
    ----------
    programme, result
        The programme and a result of it (every pair is one meeting).
    event
        An :class:`Event`, the path of an ``event.toml``, or its parsed mapping.
    time_limit
        Seconds for the exact solve (all stages); default :data:`DEFAULT_TIME_LIMIT`.
    seed
        CP-SAT's random seed (one worker: same input and seed give the same schedule).
    partial
        Return the best partial schedule when not every meeting can be placed, instead of
        raising :class:`UnplaceableMeetings`.
    keep
        An earlier schedule: move as few of its meetings as possible (after placing the most).
    workers
        CP-SAT search workers. 1 (the default) is deterministic; more search faster on large
        events, but ties between equally good schedules may then be broken differently.

    Returns
    -------
    Schedule
        Checked by the independent checker; ``status`` is ``optimal`` when every stage was
        proven optimal, else ``feasible`` with ``solver.gap``.

    Raises
    ------
    InvalidProgramme
        The event (or the result against the programme) is not valid; every problem listed.
    UnplaceableMeetings
        Not every meeting can be placed (an :class:`~pairing.Infeasible`), with a reason each;
        its ``partial`` schedule places the most meetings, but idle slots and earliness are not
        optimised (ask with ``partial=True`` for that).
    SolverTimeout
        The time limit ran out before it was known whether every meeting fits.
    """
    from pairing.scheduling.checker import schedule_violations
    from pairing.scheduling.cpsat import solve_cpsat

    began = time.perf_counter()
    ev = _event(event, programme)
    instance = build_instance(programme, result, ev)
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    if not limit > 0 or workers < 1:
        message = f"expected time_limit > 0 and workers ≥ 1, found {time_limit!r} and {workers!r}"
        raise InvalidProgramme([Issue("options", message)])
    old_slot, old_table = _old_slots(instance, keep)
    start = _best_start(instance, old_slot)
    greedy_idle, _, _ = _idle_metrics(instance, start)
    counting = counting_reasons(instance)
    solution = solve_cpsat(
        instance,
        start,
        time_limit=limit,
        seed=seed,
        keep=old_slot,
        workers=workers,
        full_possible=not counting,
        stop_if_short=not partial,
    )
    slot = solution.slot
    if _order_key(instance, start, old_slot) < _order_key(instance, slot, old_slot):
        slot = start  # the time limit stopped CP-SAT short of its own greedy start
    first = solution.stages[0]
    reasons: dict[int, list[str]] = {}
    if (slot < 0).any():
        reasons = _left_out_reasons(
            instance, slot, counting, first.status == "optimal", first.bound
        )
    tables = assign_tables(instance, slot, old_table)
    moved = None
    if old_slot is not None:
        kept = old_slot >= 0
        moved = int((kept & (slot != old_slot)).sum())
    info = ScheduleSolver(
        runtime_s=round(time.perf_counter() - began, 3),
        time_limit=limit,
        seed=seed,
        workers=workers,
        gap=round(solution.gap, 6),
        stages=[
            StageReport(
                name=s.name, status=s.status, value=s.value, bound=s.bound, seconds=s.seconds
            )
            for s in solution.stages
        ],
        greedy_scheduled=int((start >= 0).sum()),
        greedy_idle_slots=greedy_idle,
    )
    status = "optimal" if solution.optimal else "feasible"
    result_schedule = _assemble(instance, slot, tables, reasons, info, status, moved)
    problems = schedule_violations(programme, result, ev, result_schedule)
    if problems:
        raise SolverError(
            "the schedule failed the independent check (a bug): " + "; ".join(problems[:5])
        )
    if (slot < 0).any() and not partial:
        # each counting reason is a failed necessary condition: proof that one cannot be placed
        proven = first.status == "optimal" or bool(counting)
        lines = [
            f"{u.left}–{u.right} (score {u.score:.3f}): {'; '.join(u.reasons)}"
            for u in result_schedule.unscheduled
        ]
        if not proven:
            message = (
                f"time limit {limit:g} s reached before every meeting was placed ({first.value} of "
                f"{len(instance.meetings)} placed, at most {first.bound} possible); give more time "
                "with --time-limit, or write the best partial schedule with --partial"
            )
            raise SolverTimeout(message)
        n = len(instance.meetings)
        head = f"{len(lines)} of {n} meetings cannot be placed (use --partial to write the rest):"
        lower = max(1, n - first.bound, counting_lower_bound(instance))
        if first.status != "optimal" and lower < len(lines):  # the most that fit is not proven
            head = (
                f"at least {lower} of {n} meetings cannot be placed; the best "
                f"schedule found within the time limit leaves out {len(lines)} (use --partial "
                "to write it, or --time-limit to search longer):"
            )
        raise UnplaceableMeetings([head, *lines], result_schedule)
    return result_schedule
