"""Write a schedule's FOLDER (schedule.json, schedule.csv, agendas.xlsx, calendars/) atomically.

Everything is built in a temporary folder beside the target, then moved into place in one
rename, so a failed command leaves nothing behind (and an earlier schedule there untouched until
the new one is complete). An existing target is replaced only when it holds nothing but these
outputs, so a wrong ``-o`` never deletes a user's other files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from pathlib import Path

from pairing.errors import InvalidProgramme, Issue
from pairing.io.atomic import atomic_folder
from pairing.model.programme import Programme
from pairing.scheduling.timetable import Schedule

__all__ = ["OUTPUT_NAMES", "check_output_folder", "schedule_csv", "write_schedule_folder"]

#: What a schedule folder holds.
OUTPUT_NAMES = ("schedule.json", "schedule.csv", "agendas.xlsx", "calendars")
_CSV_COLUMNS = (
    "left",
    "right",
    "left_name",
    "right_name",
    "score",
    "session",
    "slot",
    "start",
    "end",
    "table",
    "booth",
)


def check_output_folder(folder: Path) -> None:
    """Raise :class:`InvalidProgramme` when ``folder`` cannot take a schedule (checked up front)."""
    if folder.exists() and not folder.is_dir():
        raise InvalidProgramme(
            [Issue(str(folder), "expected a folder for the schedule, found a file")]
        )
    if folder.is_dir():
        others = sorted(p.name for p in folder.iterdir() if p.name not in OUTPUT_NAMES)
        if others:
            shown = ", ".join(others[:5]) + (" …" if len(others) > 5 else "")
            message = (
                f"the folder holds other files ({shown}); a schedule replaces the whole folder, "
                "so give an empty or new folder, or one written by an earlier `pairing schedule`"
            )
            raise InvalidProgramme([Issue(str(folder), message)])


def schedule_csv(schedule: Schedule) -> str:
    """One row per meeting, then one per unscheduled meeting (empty time and place, reasons)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*_CSV_COLUMNS, "unscheduled_reason"])
    for m in schedule.meetings:
        writer.writerow(
            [getattr(m, c) if getattr(m, c) is not None else "" for c in _CSV_COLUMNS] + [""]
        )
    for u in schedule.unscheduled:
        row = {"left": u.left, "right": u.right, "score": u.score}
        writer.writerow([row.get(c, "") for c in _CSV_COLUMNS] + [" | ".join(u.reasons)])
    return "\ufeff" + buffer.getvalue()


def write_schedule_folder(
    schedule: Schedule, programme: Programme, folder: str | os.PathLike[str]
) -> Path:
    """Write every output of ``schedule`` into ``folder`` atomically (see the module docstring)."""
    from pairing.scheduling.agendas import write_agendas
    from pairing.scheduling.calendars import calendar_files

    target = Path(folder)
    check_output_folder(target)
    labels = {"left": programme.left.label, "right": programme.right.label}
    info = {
        (side, e.id): (e.name, e.sector)
        for side in ("left", "right")
        for e in programme.side(side).enterprises
    }
    with atomic_folder(target, swap=True) as temp:
        (temp / "schedule.json").write_text(schedule.to_json() + "\n", encoding="utf-8")
        (temp / "schedule.csv").write_text(schedule_csv(schedule), encoding="utf-8", newline="")
        write_agendas(schedule, info, labels, temp / "agendas.xlsx")
        calendars = temp / "calendars"
        calendars.mkdir()
        names = {key: value[0] for key, value in info.items()}
        stamp = dt.datetime.now(dt.UTC).replace(microsecond=0)
        for name, data in calendar_files(schedule, names, labels, stamp).items():
            (calendars / name).write_bytes(data)
    return target
