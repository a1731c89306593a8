"""Read a ``schedule.json`` back (for ``--keep`` and for checking a schedule file)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import ValidationError

from pairing.errors import InvalidProgramme, Issue
from pairing.io.files import read_text
from pairing.scheduling.timetable import Schedule

__all__ = ["load_schedule"]


def load_schedule(path: str | os.PathLike[str]) -> Schedule:
    """Load a schedule JSON written by ``pairing schedule``; every problem is listed.

    A folder is read as the ``schedule.json`` inside it.
    """
    source = Path(path)
    if source.is_dir():
        source = source / "schedule.json"
    text, issues = read_text(source, "schedule JSON file")
    if text is None:
        raise InvalidProgramme(issues)
    try:
        return Schedule.model_validate_json(text)
    except ValidationError as exc:
        found = [
            Issue(f"{source}: {'.'.join(str(p) for p in e['loc']) or '(top level)'}", e["msg"])
            for e in exc.errors()
        ]
        raise InvalidProgramme(found) from None
