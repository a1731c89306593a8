"""The independent schedule checker: does a schedule obey its event's hard rules?

It reads the schedule as written (ids, session names, slot numbers, ISO times, tables, booths),
recomputes every slot's time from the event's sessions with its own arithmetic, and lists every
violation: meetings that are not pairs of the result, pairs missing or given twice, a slot
outside its session, times that do not match the slot, an enterprise in two meetings at once or
in a slot where it is unavailable, more than ``max_per_session`` meetings in a session, a booth
meeting not at its host's booth (or a table meeting at a booth), two meetings at one table or
booth in one slot, a table number outside 1..tables, more than ``tables`` table meetings in a
slot, and metrics that do not match the meetings. It shares no code with the solver, so a
solver bug cannot hide behind it; every schedule goes through it before it is returned, and
``pairing check --schedule`` runs it on a file.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

from pairing.errors import InvalidProgramme, Issue
from pairing.model.programme import Programme
from pairing.model.result import Result
from pairing.scheduling.event import Event
from pairing.scheduling.timetable import Schedule

__all__ = ["schedule_file_violations", "schedule_violations"]


def _slot_times(event: Event) -> dict[tuple[str, int], tuple[dt.datetime, dt.datetime]]:
    zone = ZoneInfo(event.timezone)
    out = {}
    for session in event.sessions:
        first = dt.datetime(
            session.date.year,
            session.date.month,
            session.date.day,
            session.start.hour,
            session.start.minute,
            tzinfo=zone,
        ).timestamp()
        for k in range(session.slots):
            begin = first + 60 * event.meeting_minutes * k
            out[session.name, k + 1] = (
                dt.datetime.fromtimestamp(begin, zone),
                dt.datetime.fromtimestamp(begin + 60 * event.meeting_minutes, zone),
            )
    return out


def _away(event: Event) -> set[tuple[str, str, str, int]]:
    """``(side, id, session, slot)`` where an enterprise is unavailable."""
    sizes = {s.name: s.slots for s in event.sessions}
    out = set()
    for entry in event.unavailable:
        for k in entry.slots or range(1, sizes[entry.session] + 1):
            out.add((entry.side, entry.id, entry.session, k))
    return out


def _idle(slots: list[int], session: str, side: str, ident: str, away: set) -> int:
    """Available slots strictly between the first and last meeting that hold no meeting."""
    if len(slots) < 2:
        return 0
    return sum(
        1
        for k in range(min(slots) + 1, max(slots))
        if k not in slots and (side, ident, session, k) not in away
    )


def schedule_violations(
    programme: Programme, result: Result, event: Event, schedule: Schedule
) -> list[str]:
    """Every hard rule the schedule breaks, and every metric that does not match (empty: valid)."""
    problems: list[str] = []
    times = _slot_times(event)
    away = _away(event)
    booths = {(b.side, b.id): b.name for b in event.booths}
    pairs = Counter((p.left, p.right) for p in result.pairs)
    seen: Counter[tuple[str, str]] = Counter()
    who_when: dict[tuple[str, str, str, int], list[str]] = defaultdict(list)
    per_session: Counter[tuple[str, str, str]] = Counter()
    place: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    tables_in: Counter[tuple[str, int]] = Counter()
    busy: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for k, m in enumerate(schedule.meetings, start=1):
        name = f"meeting #{k} {m.left}–{m.right}"
        seen[m.left, m.right] += 1
        if (m.left, m.right) not in pairs:
            problems.append(f"{name}: not a pair of the result")
        when = times.get((m.session, m.slot))
        if when is None:
            problems.append(f"{name}: session {m.session!r} has no slot {m.slot}")
            continue
        try:
            start, end = dt.datetime.fromisoformat(m.start), dt.datetime.fromisoformat(m.end)
        except ValueError:
            problems.append(f"{name}: start/end are not ISO 8601 times")
        else:
            if start.utcoffset() is None or start != when[0] or end != when[1]:
                problems.append(
                    f"{name}: start/end {m.start}..{m.end} do not match "
                    f"slot {m.slot} of {m.session!r}"
                )
            elif start.utcoffset() != when[0].utcoffset():
                problems.append(
                    f"{name}: start {m.start} does not carry the event timezone's UTC offset"
                )
        for side, ident in (("left", m.left), ("right", m.right)):
            who_when[side, ident, m.session, m.slot].append(name)
            per_session[side, ident, m.session] += 1
            busy[side, ident, m.session].append(m.slot)
            if (side, ident, m.session, m.slot) in away:
                problems.append(f"{name}: {ident} is unavailable in slot {m.slot} of {m.session!r}")
        host = booths.get(("left", m.left)) or booths.get(("right", m.right))
        if host is not None:
            if m.booth != host or m.table is not None:
                problems.append(
                    f"{name}: should be at booth {host!r}, found booth {m.booth!r} table {m.table}"
                )
            place[m.session, m.slot, f"booth {host!r}"].append(name)
        else:
            if m.booth is not None or m.table is None or not 1 <= m.table <= event.tables:
                problems.append(
                    f"{name}: needs a table 1..{event.tables}, "
                    f"found table {m.table} booth {m.booth!r}"
                )
            else:
                place[m.session, m.slot, f"table {m.table}"].append(name)
            tables_in[m.session, m.slot] += 1
    for (a, b), n in pairs.items():
        listed = seen[a, b] + sum(1 for u in schedule.unscheduled if (u.left, u.right) == (a, b))
        if listed != n:
            problems.append(
                f"pair {a}–{b}: listed {listed} times in meetings and unscheduled, expected once"
            )
    for (_, ident, session, slot), names in who_when.items():
        if len(names) > 1:
            problems.append(
                f"{ident} is in {len(names)} meetings at once (slot {slot} of {session!r}): "
                + ", ".join(names)
            )
    if event.max_per_session is not None:
        for (_, ident, session), n in per_session.items():
            if n > event.max_per_session:
                problems.append(
                    f"{ident} has {n} meetings in {session!r}, "
                    f"max_per_session is {event.max_per_session}"
                )
    for (session, slot, where), names in place.items():
        if len(names) > 1:
            problems.append(f"{where} holds {len(names)} meetings in slot {slot} of {session!r}")
    for (session, slot), n in tables_in.items():
        if n > event.tables:
            problems.append(f"slot {slot} of {session!r} uses {n} tables, {event.tables} exist")
    idle = {key: _idle(slots, key[2], key[0], key[1], away) for key, slots in busy.items()}
    metrics = schedule.metrics
    per_enterprise: Counter[tuple[str, str]] = Counter()
    for (side, ident, _), n in idle.items():
        per_enterprise[side, ident] += n
    expected = {
        "meetings": len(result.pairs),
        "scheduled": len(schedule.meetings),
        "unscheduled": len(schedule.unscheduled),
        "idle_slots_total": sum(idle.values()),
        "tables": event.tables,
    }
    for key, value in expected.items():
        if getattr(metrics, key) != value:
            problems.append(f"metrics.{key} is {getattr(metrics, key)}, the meetings give {value}")
    worst = max(per_enterprise.values(), default=0)
    found = metrics.idle_slots_worst.idle_slots if metrics.idle_slots_worst else 0
    if found != worst:
        problems.append(f"metrics.idle_slots_worst is {found}, the meetings give {worst}")
    busiest = max(tables_in.values(), default=0)
    if (metrics.busiest_slot.tables if metrics.busiest_slot else 0) != busiest:
        problems.append(f"metrics.busiest_slot does not match the busiest slot's {busiest} tables")
    return problems


def schedule_file_violations(
    programme: Programme, result: Result, schedule_file: Path | None, event_file: Path | None
) -> list[str]:
    """:func:`schedule_violations` for files (``pairing check --schedule ... --event ...``).

    Raises
    ------
    InvalidProgramme
        When only one of the two files is given, or either is not valid.
    """
    from pairing.scheduling.event_toml import load_event
    from pairing.scheduling.stored import load_schedule

    if schedule_file is None or event_file is None:
        missing = "--event" if event_file is None else "--schedule"
        message = f"checking a schedule needs both --schedule and --event; add {missing}"
        raise InvalidProgramme([Issue("options", message)])
    event = load_event(event_file, programme)
    return [
        f"schedule: {p}"
        for p in schedule_violations(programme, result, event, load_schedule(schedule_file))
    ]
