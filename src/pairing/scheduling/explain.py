"""Why meetings cannot be placed: counting arguments, each naming the meetings it concerns.

Each argument is a necessary condition that fails, so its reason is a proof that at least one
of the meetings it names cannot be placed:

- a meeting whose two enterprises have no free slot in common;
- an enterprise with more meetings than free slots (after unavailability and
  ``max_per_session``): "CN-005 has 5 meetings but 4 free slots (unavailable: 5 Sep morning)";
- more table meetings that can only happen in a set of slots (one slot, one session, the whole
  event) than the tables there hold: "slot 3 of 5 Sep morning needs 31 tables, 24 exist".

The CP-SAT stage that maximises placed meetings says how many cannot be placed and which; these
reasons are attached to those meetings. A meeting that no counting argument covers is left out
because the rules conflict as a whole; its reason says so and gives the proven maximum.
"""

from __future__ import annotations

import numpy as np

from pairing.scheduling.instance import Instance

__all__ = ["counting_lower_bound", "counting_reasons", "unavailability_text"]


def unavailability_text(instance: Instance, side: str, ident: str) -> str:
    """``"5 Sep morning; 5 Sep afternoon slots 1, 2"``: when an enterprise is unavailable."""
    parts = []
    for entry in instance.event.unavailable:
        if entry.side == side and entry.id == ident:
            slots = (
                f" slot{'s' if len(entry.slots) > 1 else ''} {', '.join(map(str, entry.slots))}"
                if entry.slots
                else ""
            )
            parts.append(f"{entry.session}{slots}")
    return "; ".join(parts)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


def _enterprise_reasons(instance: Instance) -> dict[int, list[str]]:
    event = instance.event
    out: dict[int, list[str]] = {}
    ends = instance.ends
    for e, (side, ident) in enumerate(instance.enterprises):
        mine = np.flatnonzero((ends[:, 0] == e) | (ends[:, 1] == e))
        free = instance.free[e]
        per_session = [
            int(free[instance.session_of == s].sum()) for s in range(len(event.sessions))
        ]
        usable = sum(
            min(n, event.max_per_session) if event.max_per_session is not None else n
            for n in per_session
        )
        if mine.size <= usable:
            continue
        notes = []
        away = unavailability_text(instance, side, ident)
        if away:
            notes.append(f"unavailable: {away}")
        if event.max_per_session is not None and usable < int(free.sum()):
            notes.append(f"max_per_session {event.max_per_session}")
        note = f" ({'; '.join(notes)})" if notes else ""
        reason = f"{ident} has {mine.size} meetings but {usable} free slot{_s(usable)}{note}"
        for m in mine:
            out.setdefault(int(m), []).append(reason)
    return out


def _table_reasons(instance: Instance, allowed: np.ndarray) -> dict[int, list[str]]:
    event = instance.event
    out: dict[int, list[str]] = {}
    table = instance.at_table & allowed.any(axis=1)
    windows: list[tuple[str, np.ndarray]] = []
    for slot in event.slots:
        name = f"slot {slot.number} of {event.sessions[slot.session].name}"
        windows.append((name, np.arange(instance.n_slots) == slot.index))
    for s, session in enumerate(event.sessions):
        windows.append((f"session {session.name}", instance.session_of == s))
    windows.append(("the event", np.ones(instance.n_slots, dtype=bool)))
    seen: set[bytes] = set()
    for name, inside in windows:
        if inside.tobytes() in seen:  # the same slots as a narrower window already checked
            continue
        seen.add(inside.tobytes())
        confined = np.flatnonzero(table & ~(allowed & ~inside[None, :]).any(axis=1))
        room = event.tables * int(inside.sum())
        if confined.size > room:
            what = "tables" if inside.sum() == 1 else "table-slots"
            reason = f"{name} needs {confined.size} {what}, {room} exist"
            if inside.sum() > 1:
                plural = "" if event.tables == 1 else "s"
                reason += f" ({event.tables} table{plural} × {int(inside.sum())} slots)"
            for m in confined:
                out.setdefault(int(m), []).append(reason)
    return out


def counting_reasons(instance: Instance) -> dict[int, list[str]]:
    """Reasons per meeting index, from every counting argument that fails."""
    allowed = instance.allowed
    out: dict[int, list[str]] = {}
    for m in np.flatnonzero(~allowed.any(axis=1)) if len(instance.meetings) else []:
        meeting = instance.meetings[m]
        notes = [
            f"{ident} unavailable: {text}"
            for side, ident in (("left", meeting.left), ("right", meeting.right))
            if (text := unavailability_text(instance, side, ident))
        ]
        out[int(m)] = [
            f"{meeting.left} and {meeting.right} have no free slot in common ({'; '.join(notes)})"
        ]
    for part in (_enterprise_reasons(instance), _table_reasons(instance, allowed)):
        for k, reasons in part.items():
            out.setdefault(k, []).extend(reasons)
    return out


def _usable_slots(instance: Instance, e: int) -> int:
    event = instance.event
    free = instance.free[e]
    per_session = [int(free[instance.session_of == s].sum()) for s in range(len(event.sessions))]
    cap = event.max_per_session
    return sum(min(n, cap) if cap is not None else n for n in per_session)


def counting_lower_bound(instance: Instance) -> int:
    """How many meetings at least cannot be placed, by the same counting arguments.

    The largest of: meetings with no common free slot; on each side, the sum over enterprises
    of meetings beyond their free slots (each meeting has one enterprise per side, so these
    sets are disjoint); and the largest excess of table meetings over a window's table-slots.
    """
    allowed = instance.allowed
    if not len(instance.meetings):
        return 0
    bounds = [int((~allowed.any(axis=1)).sum())]
    degree = np.bincount(instance.ends.ravel(), minlength=len(instance.enterprises))
    for side in ("left", "right"):
        bounds.append(
            sum(
                max(0, int(degree[e]) - _usable_slots(instance, e))
                for e, (s, _) in enumerate(instance.enterprises)
                if s == side
            )
        )
    table = instance.at_table & allowed.any(axis=1)
    event = instance.event
    windows = [np.arange(instance.n_slots) == t for t in range(instance.n_slots)]
    windows += [instance.session_of == s for s in range(len(event.sessions))]
    windows.append(np.ones(instance.n_slots, dtype=bool))
    for inside in windows:
        confined = int((table & ~(allowed & ~inside[None, :]).any(axis=1)).sum())
        bounds.append(confined - event.tables * int(inside.sum()))
    return max(bounds)
