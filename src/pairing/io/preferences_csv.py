"""Read a bundle's ``preferences.csv``: who wants to meet whom (``from,to,interest``).

``from`` is an enterprise of either side, ``to`` one of the other side, ``interest`` one of
``high``, ``medium``, ``low``, ``veto`` (any case) or a number in [0, 1]. Only the file's shape
is checked here (columns, extra cells); values, empty cells, ids, sides and disagreeing repeats
are checked with the whole programme (:mod:`pairing.features.source_checks`), and
:class:`~pairing.io.locations.BundleWhere` maps those problems back to this file (or workbook
sheet), row and field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pairing.io.csv_tables import Table, check_columns
from pairing.io.locations import Located, at

__all__ = ["PREFERENCE_COLUMNS", "PreferenceSheet", "preference_sheet"]

PREFERENCE_COLUMNS: tuple[str, ...] = ("from", "to", "interest")


@dataclass(frozen=True)
class PreferenceSheet:
    """Raw preference records and each one's spreadsheet row number."""

    preferences: list[dict[str, Any]]
    rows: list[int]


def preference_sheet(table: Table) -> tuple[PreferenceSheet | None, list[Located]]:
    """Parse a preferences table (``preferences.csv`` or a workbook's ``preferences`` sheet).

    Returns
    -------
    (PreferenceSheet or None, list of Located)
        The raw records (``None`` when a column is missing) and every structural problem:
        unknown or missing columns, extra cells.
    """
    issues = check_columns(table, PREFERENCE_COLUMNS)
    if any(column not in table.columns for column in PREFERENCE_COLUMNS):
        return None, issues
    position = {column: table.columns.index(column) for column in PREFERENCE_COLUMNS}
    width = len(table.columns)
    records: list[dict[str, Any]] = []
    rows: list[int] = []
    for number, cells in table.rows:
        if any(c.strip() for c in cells[width:]):
            message = (
                f"{len(cells)} cells but the header has {width} columns; "
                "remove the extra cells or add a column name"
            )
            issues.append(at(table.name, number, "", message))
        record = {c: cells[k] if k < len(cells) else "" for c, k in position.items()}
        records.append(record)
        rows.append(number)
    return PreferenceSheet(records, rows), issues
