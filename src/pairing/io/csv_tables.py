"""Read a CSV file into a header and numbered rows, as a spreadsheet shows them.

Row numbers are the spreadsheet's: the header is row 1 and every record counts, so a message
saying "row 7" points where a programme manager looks. Blank rows (trailing or not) are skipped
but still counted, UTF-8 with a byte-order mark is accepted, and header names are compared
without surrounding spaces or case. Cells written neutralised against formula injection
(``'=...``, see :mod:`pairing.cells`) read back as the text that was written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from pairing.cells import restore_row
from pairing.errors import Issue
from pairing.io.files import read_text
from pairing.io.messages import unknown_key_message

__all__ = ["CsvTable", "check_columns", "read_csv"]


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's header and its non-blank rows with their spreadsheet row numbers."""

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]

    @property
    def columns(self) -> list[str]:
        """Header names as compared with known columns: stripped and lower-cased."""
        return [h.lower() for h in self.header]


def read_csv(path: Path, name: str) -> tuple[CsvTable | None, list[Issue]]:
    """Read ``path`` as CSV.

    Parameters
    ----------
    path
        The file.
    name
        How messages name the file (e.g. ``"left.csv"``).

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
    _, header = records[0]
    return CsvTable(name, [h.strip() for h in header], records[1:]), []


def check_columns(
    table: CsvTable, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> list[Issue]:
    """Report unknown, duplicate and missing columns of ``table``'s header."""
    issues = []
    known = list(required + optional)
    seen: set[str] = set()
    for k, column in enumerate(table.columns, start=1):
        where = f"{table.name}, row 1, column {k}"
        if not column:
            issues.append(Issue(where, f"empty column name; expected one of: {', '.join(known)}"))
        elif column in seen:
            issues.append(Issue(where, f"column {column!r} appears twice; keep one"))
        elif column not in known:
            issues.append(Issue(where, unknown_key_message(column, known, "column")))
        seen.add(column)
    missing = [c for c in required if c not in seen]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        issues.append(
            Issue(f"{table.name}, row 1", f"missing column(s) {names}; add them to the header")
        )
    return issues
