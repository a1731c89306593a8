"""Open a workbook and read its sheets as rows of text, the way a CSV file would hold them.

Shared by the programme workbook reader (:mod:`pairing.io.xlsx`) and the pair lists of
:mod:`pairing.io.pairs_file`. A cell reads as the text a CSV would hold (a whole float without
``.0``, a date in ISO form), a row loses its trailing empty cells, and every row is read,
whatever the sheet's ``<dimension>`` claims. A formula without a saved value would read as an
empty cell, so it is reported with its cell instead (:func:`uncached_formulas`).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from pathlib import Path
from typing import Any

from pairing.errors import InvalidProgramme, Issue
from pairing.extras import require
from pairing.io.files import check_readable

__all__ = ["cell_text", "open_workbook", "sheet_rows", "uncached_formulas"]

#: A workbook: its file, or its bytes (an upload).
Book = Path | bytes


def cell_text(value: Any) -> str:
    """A cell as the text a CSV would hold (whole floats without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def sheet_rows(sheet: Any) -> list[list[str]]:
    """A worksheet's rows as text, trailing empty cells dropped (row 1 first)."""
    sheet.reset_dimensions()  # read every row, whatever the sheet's <dimension> claims
    rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for row in rows:
        while row and not row[-1].strip():
            row.pop()
    return rows


def _source(book: Book) -> Any:
    return io.BytesIO(book) if isinstance(book, bytes) else book


def open_workbook(book: Book, name: str, *, data_only: bool = True) -> Any:
    """The workbook, opened read-only (values, or with ``data_only=False`` formulas).

    Raises
    ------
    InvalidProgramme
        The file cannot be read, or is not a workbook (``name`` names it).
    """
    require("openpyxl", "xlsx")
    import openpyxl  # deferred: only workbook users pay for the import

    if isinstance(book, Path):
        unreadable = check_readable(book, "workbook")
        if unreadable:
            raise InvalidProgramme(unreadable)
    try:
        return openpyxl.load_workbook(_source(book), read_only=True, data_only=data_only)
    except FileNotFoundError:
        raise InvalidProgramme([Issue(name, "no such file")]) from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        message = f"cannot read as an .xlsx workbook ({type(exc).__name__}: {exc})"
        raise InvalidProgramme([Issue(name, message)]) from None


_TAG_ENDS = b" \t\r\n/>"


def _prefix(name: bytes) -> bool:
    """Whether ``name`` is an XML namespace prefix (letters, digits, ``_``, ``-``, ``.``)."""
    return bool(name) and name.translate(None, b"_-.").isalnum()


def _formula_tag(data: bytes) -> bool:
    """Whether sheet XML holds a formula element: ``<f>``, ``<f ...>``, ``<f/>``, or the same
    with a namespace prefix (``<x:f>``); not ``<formula>`` or ``<font>``."""
    for marker in (b"<f", b":f"):
        found = data.find(marker)
        while found >= 0:
            after = data[found + 2:found + 3]
            if after and after in _TAG_ENDS:
                if marker == b"<f":
                    return True
                start = data.rfind(b"<", 0, found)
                if start >= 0 and _prefix(data[start + 1:found]):
                    return True
            found = data.find(marker, found + 1)
    return False


def _has_formulas(book: Book) -> bool:
    """Whether any worksheet holds a formula cell: a quick scan of the zip's sheets, so that
    workbooks without formulas are parsed once, not three times."""
    try:
        with zipfile.ZipFile(_source(book)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as sheet:
                        tail = b""
                        while chunk := sheet.read(1 << 20):
                            if _formula_tag(tail + chunk):
                                return True
                            tail = chunk[-16:]
    except (OSError, zipfile.BadZipFile):
        return True  # let openpyxl report what is wrong with the file
    return False


def uncached_formulas(book: Book, name: str, sheets: list[str]) -> list[Issue]:
    """Formulas the workbook holds no computed value for (written by a program, never opened).

    Read as values they would be empty cells — a capacity of 1, a forbidden pair — so each is
    reported with its cell (``name``, sheet, cell) instead.
    """
    if not _has_formulas(book):
        return []
    from openpyxl.utils import get_column_letter

    issues: list[Issue] = []
    formulas = open_workbook(book, name, data_only=False)
    values = open_workbook(book, name)
    try:
        for sheet in sheets:
            with_formulas, with_values = formulas[sheet], values[sheet]
            with_formulas.reset_dimensions()
            with_values.reset_dimensions()
            for r, (f_row, v_row) in enumerate(
                zip(with_formulas.iter_rows(), with_values.iter_rows(), strict=False), start=1
            ):
                for c, (f_cell, v_cell) in enumerate(zip(f_row, v_row, strict=False), start=1):
                    if getattr(f_cell, "data_type", None) == "f" and v_cell.value is None:
                        where = f"{name}, sheet {sheet.strip()!r}, cell {get_column_letter(c)}{r}"
                        message = (
                            f"the formula {str(f_cell.value)[:60]!r} has no saved value; open and "
                            "save the workbook in Excel (or LibreOffice), or type the value"
                        )
                        issues.append(Issue(where, message))
    finally:
        formulas.close()
        values.close()
    return issues
