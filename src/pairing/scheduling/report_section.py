"""The timetable section of the HTML report (``pairing report ... --schedule schedule.json``).

A slot × table grid per session (booths as extra columns), the meetings left out with their
reasons, and each enterprise's agenda in a collapsible block. Plain HTML that uses the report's
own table styles; every text is escaped.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from pairing.errors import Issue
from pairing.model.result import Result
from pairing.scheduling.timetable import Schedule, ScheduledMeeting

__all__ = ["insert_timetable", "timetable_html", "timetable_mismatch"]


def _time(meeting: ScheduledMeeting) -> str:
    start, end = dt.datetime.fromisoformat(meeting.start), dt.datetime.fromisoformat(meeting.end)
    return f"{start:%a %d %b %H:%M}–{end:%H:%M}"


def _grid(schedule: Schedule, session: str, booths: list[str]) -> str:
    here = [m for m in schedule.meetings if m.session == session]
    slots = sorted({(m.slot, _time(m)) for m in here})
    cells = {(m.slot, f"t{m.table}" if m.table else f"b{m.booth}"): m for m in here}
    columns = [(f"t{k}", f"table {k}") for k in range(1, schedule.metrics.tables + 1)]
    columns += [(f"b{b}", f"booth {b}") for b in booths]
    head = "".join(f"<th>{escape(label)}</th>" for _, label in columns)
    rows = []
    for slot, when in slots:
        tds = []
        for key, _ in columns:
            m = cells.get((slot, key))
            tds.append(f"<td>{escape(f'{m.left}–{m.right}')}</td>" if m else "<td></td>")
        rows.append(f"<tr><th>{slot}</th><td>{escape(when)}</td>{''.join(tds)}</tr>")
    return (
        f"<h3>{escape(session)}</h3><div style='overflow-x:auto'><table class='timetable'>"
        f"<thead><tr><th>slot</th><th>time</th>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _agendas(schedule: Schedule) -> str:
    mine: dict[tuple[int, str], list[tuple[ScheduledMeeting, str, str]]] = {}
    for m in schedule.meetings:
        mine.setdefault((0, m.left), []).append((m, m.right, m.right_name))
        mine.setdefault((1, m.right), []).append((m, m.left, m.left_name))
    blocks = []
    for (_, ident), items in sorted(mine.items()):
        rows = "".join(
            f"<tr><td>{escape(_time(m))}</td><td>{escape(m.session)}</td><td>{m.slot}</td>"
            f"<td>{escape(pid)}</td><td>{escape(pname)}</td>"
            f"<td>{escape(f'booth {m.booth}' if m.booth else f'table {m.table}')}</td></tr>"
            for m, pid, pname in sorted(items, key=lambda x: x[0].start)
        )
        blocks.append(
            f"<details><summary>{escape(ident)} — {len(items)} meeting(s)</summary>"
            "<table><thead><tr><th>time</th><th>session</th><th>slot</th><th>partner</th>"
            f"<th>name</th><th>place</th></tr></thead><tbody>{rows}</tbody></table></details>"
        )
    return "".join(blocks)


def timetable_html(schedule: Schedule) -> str:
    """The ``<section id="timetable">`` for ``schedule``."""
    m = schedule.metrics
    sessions = list(dict.fromkeys(x.session for x in schedule.meetings))
    booths = sorted({x.booth for x in schedule.meetings if x.booth})
    busiest = f"{m.busiest_slot.tables} of {m.tables}" if m.busiest_slot else f"0 of {m.tables}"
    summary = (
        f"<p>{escape(schedule.event)} ({escape(schedule.timezone)}): {m.scheduled} of "
        f"{m.meetings} meetings scheduled, {m.idle_slots_total} idle slots, busiest slot uses "
        f"{busiest} tables; status {escape(schedule.status)}"
        + (f", gap {schedule.solver.gap:.2%}" if schedule.status != "optimal" else "")
        + ".</p>"
    )
    left_out = ""
    if schedule.unscheduled:
        items = "".join(
            f"<li>{escape(f'{u.left}–{u.right}')}: {escape('; '.join(u.reasons))}</li>"
            for u in schedule.unscheduled
        )
        left_out = f"<h3>Not scheduled</h3><ul>{items}</ul>"
    grids = "".join(_grid(schedule, s, booths) for s in sessions)
    return (
        f"<section id='timetable'><h2>Timetable</h2>{summary}{grids}{left_out}"
        f"<h3>Agendas</h3>{_agendas(schedule)}</section>"
    )


def insert_timetable(report: str, schedule: Schedule) -> str:
    """``report`` (the HTML of ``render_report``) with the timetable section before ``</main>``."""
    section = timetable_html(schedule)
    at = report.rfind("</main>")
    if at < 0:
        at = report.rfind("</body>")
    return report[:at] + section + "\n" + report[at:] if at >= 0 else report + section


def timetable_mismatch(schedule: Schedule, result: Result, where: str) -> list[Issue]:
    """Problems that show ``schedule`` was not made from ``result`` (pairs it does not have)."""
    pairs = set(result.pair_ids())
    listed = [(m.left, m.right) for m in schedule.meetings]
    listed += [(u.left, u.right) for u in schedule.unscheduled]
    foreign = [f"{a}–{b}" for a, b in listed if (a, b) not in pairs]
    missing = [f"{a}–{b}" for a, b in sorted(pairs - set(listed))]
    issues = []
    if foreign:
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        message = f"{len(foreign)} meeting(s) are not pairs of the result ({shown})"
        issues.append(Issue(where, message + "; was it scheduled from this result?"))
    if missing:
        shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
        message = f"{len(missing)} pair(s) of the result are not in the schedule ({shown})"
        issues.append(Issue(where, message + "; run `pairing schedule` on this result again"))
    return issues
