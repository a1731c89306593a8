"""``agendas.xlsx``: one printable sheet per enterprise (time, partner, sector, table or booth).

Sheets are named after the enterprise id (cut to Excel's 31 characters, without the characters
Excel forbids, made unique), laid out for A4 portrait, one page wide, with the header row
repeated on every printed page. A cell whose text begins with ``=``, ``+``, ``-`` or ``@`` is
stored as text, so a name such as ``=HYPERLINK(...)`` is never run as a formula.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from pairing.extras import require
from pairing.scheduling.timetable import Schedule, ScheduledMeeting

__all__ = ["write_agendas"]

_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_HEADER = ("time", "session", "slot", "partner id", "partner name", "partner sector", "place")


def _sheet_names(keys: list[tuple[str, str]], labels: dict[str, str]) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    used: set[str] = set()
    for side, ident in keys:
        base = _FORBIDDEN.sub("_", ident).strip("'")[:31] or "sheet"
        name, k = base, 1
        while name.casefold() in used:
            k += 1
            suffix = f" ({labels[side]}{'' if k == 2 else f' {k}'})"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.casefold())
        out[side, ident] = name
    return out


def _put(sheet: Any, row: int, column: int, value: Any) -> None:
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        cell.value = value
        cell.data_type = "s"


def write_agendas(
    schedule: Schedule,
    info: dict[tuple[str, str], tuple[str, str]],
    labels: dict[str, str],
    path: Path,
) -> None:
    """Write the workbook to ``path`` (a file in the temporary output folder).

    Parameters
    ----------
    schedule
        The schedule.
    info
        ``(name, sector)`` by ``(side, id)``.
    labels
        Side label by side, for headings and to tell apart an id used on both sides.
    """
    require("openpyxl", "xlsx")
    import openpyxl
    from openpyxl.styles import Font

    by_enterprise: dict[tuple[str, str], list[ScheduledMeeting]] = {}
    for m in schedule.meetings:
        by_enterprise.setdefault(("left", m.left), []).append(m)
        by_enterprise.setdefault(("right", m.right), []).append(m)
    keys = sorted(by_enterprise, key=lambda k: (k[0] != "left", k[1]))
    names = _sheet_names(keys, labels)
    book = openpyxl.Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    bold = Font(bold=True)
    for key in keys:
        side, ident = key
        sheet = book.create_sheet(names[key])
        name, sector = info.get(key, ("", ""))
        _put(sheet, 1, 1, f"{schedule.event} — agenda of {ident}")
        sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
        _put(sheet, 2, 1, f"{labels[side]}: {name}" + (f" ({sector})" if sector else ""))
        _put(sheet, 3, 1, f"times are local ({schedule.timezone})")
        for c, title in enumerate(_HEADER, start=1):
            sheet.cell(row=5, column=c, value=title).font = bold
        meetings = sorted(by_enterprise[key], key=lambda m: m.start)
        for r, m in enumerate(meetings, start=6):
            partner = ("right", m.right) if side == "left" else ("left", m.left)
            partner_name, partner_sector = info.get(partner, ("", ""))
            start, end = dt.datetime.fromisoformat(m.start), dt.datetime.fromisoformat(m.end)
            when = f"{start:%a %d %b %H:%M}–{end:%H:%M}"
            place = f"booth {m.booth}" if m.booth else f"table {m.table}"
            for c, value in enumerate(
                (when, m.session, m.slot, partner[1], partner_name, partner_sector, place), start=1
            ):
                _put(sheet, r, c, value)
        for c, width in enumerate((22, 18, 6, 12, 44, 22, 20), start=1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].width = width
        sheet.print_title_rows = "5:5"
        sheet.page_setup.orientation = "portrait"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if not keys:
        book.create_sheet("no meetings")
    book.save(path)
