"""Read a CSV file into a header and numbered rows, as a spreadsheet shows them.

Row numbers are the spreadsheet's: every record counts, so a message saying "row 7" points where
a programme manager looks. Blank rows (trailing or not) are skipped but still counted, UTF-8
with a byte-order mark is accepted, and header names are compared without surrounding spaces or
case. Given a ``header_for`` column, the header is the first row that names it and title or
note rows above it are skipped; given ``known`` columns, a header written in any case or spacing
(``Capacity Min``) is read as the known name (``capacity_min``), see :mod:`pairing.io.headers`.
Cells written neutralised against formula injection
(``'=...``, see :mod:`pairing.io.cells`) read back as the text that was written.
"""

from __future__ import annotations

import csv
import difflib
import io
from dataclasses import dataclass
from pathlib import Path

from pairing.errors import Issue
from pairing.io.cells import restore_row
from pairing.io.files import read_text
from pairing.io.headers import header_key
from pairing.io.messages import unknown_key_message

__all__ = ["CsvTable", "check_columns", "read_csv"]


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header and its non-blank rows with their spreadsheet row numbers."""

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
) -> tuple[CsvTable | None, list[Issue]]:
    """Read ``path`` as CSV.

    Parameters
    ----------
    path
        The file.
    name
        How messages name the file (e.g. ``"left.csv"``).
    header_for
        A column the header must name (``"id"``): rows above the first row naming it are
        titles and notes, and skipped. Without it, or when no row names it, the header is the
        first non-blank row.
    known
        Column names to which header cells are matched ignoring case, spaces, ``_`` and ``-``.

    Returns
    -------
    (CsvTable or None, list of Issue)
        The table, or ``None`` with the reason it could not be read (missing, not UTF-8, not
        CSV, empty).
    """
    text, issues = read_text(path, "CSV file")
    if text is None:
        return None, [Issue(name, i.message) for i in issues]
    records: list[tuple[int, list[str]]] = []
    quoted = "'" in text  # only a file with a quote can hold a neutralised cell
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        for number, cells in enumerate(reader, start=1):
            if any(c.strip() for c in cells):
                records.append((number, restore_row(cells) if quoted else cells))
            elif number == 1:
                return None, [Issue(name, "row 1 is blank; expected the header row")]
    except csv.Error as exc:
        message = f"not valid CSV near line {reader.line_num}: {exc}; check the quotes there"
        return None, [Issue(name, message)]
    if not records:
        return None, [Issue(name, "the file is empty; expected a header row and data rows")]
    start = 0
    if header_for is not None:
        wanted = header_key(header_for)
        start = next(
            (k for k, (_, cells) in enumerate(records)
             if wanted in {header_key(c) for c in cells}),
            0,
        )
    number, header = records[start]
    return CsvTable(name, _canonical(header, known), records[start + 1 :], number), []


def check_columns(
    table: CsvTable,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    *,
    extra_columns: list[str] | None = None,
) -> list[Issue]:
    """Report unknown, duplicate and missing columns of ``table``'s header.

    With ``extra_columns`` (a list to fill), a named column that is not a known one is not an
    error: its name is appended there, for the caller to report once as ignored. Empty column
    names are then allowed too (a blank column between the data and the notes).
    """
    issues = []
    known = list(required + optional)
    seen: set[str] = set()
    unknown: list[str] = []
    at = f"{table.name}, row {table.header_row}"
    for k, column in enumerate(table.columns, start=1):
        where = f"{at}, column {k}"
        if not column:
            if extra_columns is None:
                issues.append(
                    Issue(where, f"empty column name; expected one of: {', '.join(known)}"))
        elif column in seen:
            issues.append(Issue(where, f"column {column!r} appears twice; keep one"))
        elif column not in known:
            if extra_columns is None:
                issues.append(Issue(where, unknown_key_message(column, known, "column")))
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
        issues.append(Issue(at, f"missing column(s) {names}; add them to the header{hint}"))
    return issues
