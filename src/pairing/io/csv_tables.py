"""A spreadsheet table — a header and numbered rows, as a spreadsheet shows them — read from a
CSV file (:func:`read_csv`) or from a workbook's sheet (:func:`table_of` its rows).

Row numbers are the spreadsheet's: every record counts, so a message saying "row 7" points where
a programme manager looks. Blank rows (trailing or not) are skipped but still counted, UTF-8
with a byte-order mark is accepted, and header names are compared without surrounding spaces or
case. Given a ``header_for`` column, the header is the first row that names it and title or
note rows above it are skipped; given ``known`` columns, a header written in any case or spacing
(``Capacity Min``) is read as the known name (``capacity_min``), see :mod:`pairing.io.headers`.
Cells written neutralised against formula injection
(``'=...``, see :mod:`pairing.io.cells`) read back as the text that was written. Problems are
:class:`~pairing.io.locations.Located` at the table's name (a file, or a workbook's sheet) and
row, rendered only when the report is made.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pairing.io.cells import restore_row
from pairing.io.files import read_text
from pairing.io.headers import header_key
from pairing.io.locations import Located, at
from pairing.io.messages import unknown_key_message

__all__ = ["Table", "check_columns", "csv_table", "read_csv", "table_of"]


@dataclass(frozen=True)
class Table:
    """A table's name (its file, or a workbook's sheet), header and non-blank rows with their
    spreadsheet row numbers."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    header_row: int = 1

    @property
    def columns(self) -> list[str]:
        """Header names as compared with known columns: stripped and lower-cased."""
        return [h.lower() for h in self.header]


def _canonical(header: list[str], known: tuple[str, ...]) -> list[str]:
    names = {header_key(k): k for k in known}
    return [names.get(header_key(h), h.strip()) for h in header]


def read_csv(
    path: Path, name: str, *, header_for: str | None = None, known: tuple[str, ...] = ()
) -> tuple[Table | None, list[Located]]:
    """Read ``path`` as CSV (see :func:`csv_table`); ``None`` with the reason when the file
    cannot be read (missing, not UTF-8)."""
    text, issues = read_text(path, "CSV file")
    if text is None:
        return None, [at(name, None, "", i.message) for i in issues]
    return csv_table(text, name, header_for=header_for, known=known)


def csv_table(
    text: str, name: str, *, header_for: str | None = None, known: tuple[str, ...] = ()
) -> tuple[Table | None, list[Located]]:
    """Parse CSV text.

    Parameters
    ----------
    text
        The file's text.
    name
        How messages name the file (e.g. ``"left.csv"``).
    header_for, known
        As for :func:`table_of`.

    Returns
    -------
    (Table or None, list of Located)
        The table, or ``None`` with the reason it could not be read (not CSV, empty).
    """
    quoted = "'" in text  # only a file with a quote can hold a neutralised cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error as exc:
        message = f"not valid CSV near line {reader.line_num}: {exc}; check the quotes there"
        return None, [at(name, None, "", message)]
    return table_of(records, name, header_for=header_for, known=known, restore=quoted)


def table_of(
    records: Iterable[list[str]], name: str, *, header_for: str | None = None,
    known: tuple[str, ...] = (), restore: bool = True,
) -> tuple[Table | None, list[Located]]:
    """A table of the rows ``records`` (row 1 first, blank rows included).

    Parameters
    ----------
    records
        The rows' cells as text, every row counted (a blank row is skipped but keeps the
        numbering).
    name
        How messages name the table (``"left.csv"``, ``"book.xlsx, sheet 'left'"``).
    header_for
        A column the header must name (``"id"``): rows above the first row naming it are
        titles and notes, and skipped. Without it, or when no row names it, the header is the
        first non-blank row.
    known
        Column names to which header cells are matched ignoring case, spaces, ``_`` and ``-``.
    restore
        Read neutralised cells (``'=...``) back as the text that was written.

    Returns
    -------
    (Table or None, list of Located)
        The table, or ``None`` when row 1 is blank or there is no row at all.
    """
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(records, start=1):
        if any(c.strip() for c in cells):
            rows.append((number, restore_row(cells) if restore else cells))
        elif number == 1:
            return None, [at(name, None, "", "row 1 is blank; expected the header row")]
    if not rows:
        return None, [at(name, None, "", "the file is empty; expected a header row and data rows")]
    start = 0
    if header_for is not None:
        wanted = header_key(header_for)
        start = next(
            (k for k, (_, cells) in enumerate(rows)
             if wanted in {header_key(c) for c in cells}),
            0,
        )
    number, header = rows[start]
    return Table(name, _canonical(header, known), rows[start + 1 :], number), []


def check_columns(
    table: Table,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    *,
    extra_columns: list[str] | None = None,
) -> list[Located]:
    """Report unknown, duplicate and missing columns of ``table``'s header.

    With ``extra_columns`` (a list to fill), a named column that is not a known one is not an
    error: its name is appended there, for the caller to report once as ignored. Empty column
    names are then allowed too (a blank column between the data and the notes).
    """
    issues = []
    known = list(required + optional)
    seen: set[str] = set()
    unknown: list[str] = []

    def problem(k: int | None, message: str) -> None:
        detail = f", column {k}" if k is not None else ""
        issues.append(at(table.name, table.header_row, detail, message))

    for k, column in enumerate(table.columns, start=1):
        if not column:
            if extra_columns is None:
                problem(k, f"empty column name; expected one of: {', '.join(known)}")
        elif column in seen:
            problem(k, f"column {column!r} appears twice; keep one")
        elif column not in known:
            if extra_columns is None:
                problem(k, unknown_key_message(column, known, "column"))
            else:
                unknown.append(table.header[k - 1])
        seen.add(column)
    if extra_columns is not None:
        extra_columns += unknown
    missing = [c for c in required if c not in seen]
    # an optional column is missing too when an unknown one looks like its misspelling
    missing += [
        c for c in optional if c not in seen and any(
            difflib.get_close_matches(header_key(u), [header_key(c)], n=1, cutoff=0.75)
            for u in unknown
        )
    ]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        hint = ""
        if unknown:
            keys = [header_key(m) for m in missing]
            close = [c for c in unknown
                     if difflib.get_close_matches(header_key(c), keys, n=1, cutoff=0.75)]
            if close:
                hint = f" (is {', '.join(repr(c) for c in close)} one of them, misspelt?)"
        problem(None, f"missing column(s) {names}; add them to the header{hint}")
    return issues
