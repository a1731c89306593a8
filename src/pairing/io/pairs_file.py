"""Reading a list of pairs from any file a person may bring: a result JSON, a result CSV or
XLSX, or any CSV/XLSX with ``left`` and ``right`` columns (a pairing made or edited by hand).

The header is the first row that names both ``left`` and ``right`` (any case or spacing; rows
above it, such as a title, are skipped), empty rows are skipped, other columns are ignored, and
cells neutralised against formula injection are read back to their text. In a workbook the
sheet ``pairs`` is read when there is one, else the first sheet with such a header. Problems
are reported all at once, each with the file, sheet and row.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

from pairing.core.arguments import require_path
from pairing.errors import InvalidProgramme, Issue
from pairing.io.cells import restore
from pairing.io.files import read_text
from pairing.io.headers import find_header, header_key, is_blank

__all__ = ["PairRow", "read_pairs"]


@dataclass(frozen=True)
class PairRow:
    """One pair read from a file, with where it was found (for messages)."""

    left: str
    right: str
    where: str


def _from_rows(rows: list[list[str]], where: str) -> tuple[list[PairRow], list[Issue]]:
    header = find_header(rows, ("left", "right"))
    if header is None:
        message = (
            "no header row with 'left' and 'right' columns; a pair list needs one row naming "
            "them, then one row per pair (left id, right id)"
        )
        return [], [Issue(where, message)]
    keys = [header_key(str(cell)) for cell in rows[header]]
    at_left, at_right = keys.index("left"), keys.index("right")
    pairs, issues = [], []
    for number, row in enumerate(rows[header + 1 :], start=header + 2):
        if is_blank(row):
            continue
        cells = [str(restore(c)).strip() for c in row]
        left = cells[at_left] if at_left < len(cells) else ""
        right = cells[at_right] if at_right < len(cells) else ""
        missing = [name for name, value in (("left", left), ("right", right)) if not value]
        if missing:
            issues.append(Issue(
                f"{where}, row {number}",
                f"no {' and no '.join(missing)} id; every pair row needs both ids (delete the "
                "row if it is not a pair)",
            ))
            continue
        pairs.append(PairRow(left, right, f"{where}, row {number}"))
    return pairs, issues


def _csv_rows(path: Path) -> list[list[str]]:
    text, issues = read_text(path, "pair list")
    if text is None:
        raise InvalidProgramme(issues)
    return [list(row) for row in csv.reader(text.splitlines())]


def _xlsx_rows(path: Path) -> tuple[list[list[str]], str]:
    from pairing.io.xlsx_sheets import open_workbook, sheet_rows

    book = open_workbook(path, str(path))
    try:
        names = sorted(book.sheetnames, key=lambda n: n.strip().lower() != "pairs")
        for name in names:
            rows = sheet_rows(book[name])
            if find_header(rows, ("left", "right")) is not None:
                return rows, f"{path.name}, sheet {name!r}"
    finally:
        book.close()
    message = (
        f"no sheet with 'left' and 'right' columns (sheets: {', '.join(names) or 'none'}); "
        "put the pairs in a sheet named 'pairs' with a header row naming them"
    )
    raise InvalidProgramme([Issue(str(path), message)])


def read_pairs(path: str | os.PathLike[str]) -> list[PairRow]:
    """The pairs listed in ``path`` (result JSON, CSV or XLSX; see the module docstring).

    Raises
    ------
    InvalidProgramme
        The file cannot be read, has no ``left``/``right`` header, or rows lack an id — every
        such row named.
    """
    require_path(path, "a result or pair-list file (.json, .csv or .xlsx)")
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix == ".json":
        from pairing.io.results_file import load_result

        result = load_result(source)
        return [
            PairRow(p.left, p.right, f"{source.name}: pairs[{k}]")
            for k, p in enumerate(result.pairs)
        ]
    if suffix == ".xlsx":
        rows, where = _xlsx_rows(source)
    elif suffix in (".csv", ".txt", ""):
        rows, where = _csv_rows(source), source.name
    else:
        message = (
            f"unknown pair file type {suffix!r}; give a result .json, or a .csv or .xlsx with "
            "'left' and 'right' columns"
        )
        raise InvalidProgramme([Issue(str(source), message)])
    pairs, issues = _from_rows(rows, where)
    if issues:
        raise InvalidProgramme(issues, source=str(source))
    return pairs
