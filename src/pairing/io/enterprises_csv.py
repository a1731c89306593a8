"""Parse one side's enterprise sheet (``left.csv``, ``right.csv`` or a workbook's ``left`` and
``right`` sheets, read as a :class:`~pairing.io.csv_tables.Table`) into raw enterprise data.

Columns: ``id,name,sector,region,size,capabilities,needs,capacity_min,capacity_max`` in any
order, plus optional ``description``, ``offers_text`` and ``needs_text`` (free text, any
language). Any other named column (``Contact person``) is kept as the enterprises' ``notes``
(column → non-empty cell), reported once as ignored for matching, and written back by
:func:`pairing.io.write_bundle`. ``capabilities`` and ``needs`` are written
``tag:level;tag:level``; an empty capacity cell means 1, an empty size or description means none.
Only what a cell's *syntax* can get wrong is reported here (a tag without a level, a level or
capacity that is not a number, a tag given twice), each :class:`~pairing.io.locations.Located`
at its sheet, row and field; ranges and names are left to the model, whose errors
:class:`~pairing.io.locations.BundleWhere` maps back to the same sheet, row and field.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

from pairing.errors import PairingWarning
from pairing.io.csv_tables import Table, check_columns
from pairing.io.locations import Located, at
from pairing.io.tag_cells import split_tag_cell

__all__ = [
    "ENTERPRISE_COLUMNS",
    "OPTIONAL_COLUMNS",
    "EnterpriseSheet",
    "enterprise_sheet",
]

ENTERPRISE_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "sector",
    "region",
    "size",
    "capabilities",
    "needs",
    "capacity_min",
    "capacity_max",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("description", "offers_text", "needs_text")


@dataclass(frozen=True)
class EnterpriseSheet:
    """Raw enterprise records of one sheet and each one's spreadsheet row number."""

    enterprises: list[dict[str, Any]]
    rows: list[int]
    has_ids: bool = True
    columns: tuple[str, ...] = ()  # the pairing columns the header has
    header_row: int = 1


def _parse_levels(
    cell: str, name: str, number: int, column: str
) -> tuple[dict[str, float] | None, list[Located]]:
    """Parse ``tag:level;tag:level``; ``None`` when the cell has a syntax problem."""
    levels: dict[str, float] = {}
    issues = []
    field = f", field {column!r}"
    parts, ambiguous = split_tag_cell(cell)
    if ambiguous:
        return None, [at(name, number, field, ambiguous)]
    for part in parts:
        if not part.strip():
            continue
        tag, colon, level_text = part.rpartition(":")
        tag = tag.strip()
        if not colon or not tag:
            issues.append(
                at(name, number, field,
                   f"expected 'tag:level' entries separated by ';' (e.g. 'ai:0.8;textiles:0.3'),"
                   f" found {part.strip()!r}")
            )
            continue
        try:
            level = float(level_text)
        except ValueError:
            issues.append(
                at(name, number, f"{field} (tag {tag!r})",
                   f"expected a level in [0, 1] after ':', found {level_text.strip()!r}")
            )
            continue
        if tag in levels:
            issues.append(at(name, number, f"{field} (tag {tag!r})",
                             f"tag {tag!r} appears twice in one cell; keep one"))
            continue
        levels[tag] = level
    return (None if issues else levels), issues


def _parse_capacity(cell: str, name: str, number: int,
                    column: str) -> tuple[int | None, list[Located]]:
    text = cell.strip()
    if not text:
        return 1, []
    try:
        return int(text), []
    except ValueError:
        pass
    try:
        number_read = float(text)
    except ValueError:
        number_read = math.nan
    if not math.isfinite(number_read) or number_read != int(number_read):
        message = f"expected a whole number of partners (empty means 1), found {text!r}"
        return None, [at(name, number, f", field {column!r}", message)]
    return int(number_read), []


def _parse_row(number: int, cells: dict[str, str],
               name: str) -> tuple[dict[str, Any], list[Located]]:
    record: dict[str, Any] = {}
    issues: list[Located] = []
    for column in ("id", "name", "sector", "region"):
        if column in cells:
            record[column] = cells[column]
    size = cells.get("size", "").strip()
    record["size"] = size.lower() if size else None
    for column in OPTIONAL_COLUMNS:  # free text: an empty cell means none
        if cells.get(column, "").strip():
            record[column] = cells[column]
    for column in ("capabilities", "needs"):
        levels, found = _parse_levels(cells.get(column, ""), name, number, column)
        issues += found
        if levels is not None:
            record[column] = levels
    capacity = {}
    for column, key in (("capacity_min", "min"), ("capacity_max", "max")):
        value, found = _parse_capacity(cells.get(column, ""), name, number, column)
        issues += found
        if value is not None:
            capacity[key] = value
    if len(capacity) == 2:
        record["capacity"] = capacity
    return record, issues


def enterprise_sheet(table: Table) -> tuple[EnterpriseSheet, list[Located]]:
    """Parse one side's enterprise table.

    Parameters
    ----------
    table
        The sheet (a CSV file's or a workbook's), its header found by its ``id`` column and
        its column names matched to :data:`ENTERPRISE_COLUMNS` and :data:`OPTIONAL_COLUMNS`.

    Returns
    -------
    (EnterpriseSheet, list of Located)
        The raw records and every cell-syntax and column problem found.
    """
    name = table.name
    extra: list[str] = []
    # only ``id`` is required: a column the programme does not use may be left out (e.g. beside
    # the organisers' scores.csv, ``id`` and the capacities are enough); rules that need a
    # missing column say so (see :mod:`pairing.io.bundle`)
    issues = check_columns(table, ("id",), ENTERPRISE_COLUMNS[1:] + OPTIONAL_COLUMNS,
                           extra_columns=extra)
    if extra:
        warnings.warn(
            f"{name}, row {table.header_row}: column(s) {', '.join(repr(c) for c in extra)} "
            "ignored for matching (not pairing columns; kept as the enterprises' notes)",
            PairingWarning,
            stacklevel=2,
        )
    known = set(ENTERPRISE_COLUMNS + OPTIONAL_COLUMNS)
    noted = [(k, table.header[k].strip()) for k, column in enumerate(table.columns)
             if column and column not in known]
    width = len(table.columns)
    enterprises: list[dict[str, Any]] = []
    rows: list[int] = []
    for number, cells in table.rows:
        extra = cells[width:]
        if len(cells) < width:
            issues.append(
                at(name, number, "",
                   f"{len(cells)} cells but the header has {width} columns "
                   f"(missing: {', '.join(table.header[len(cells):])}); a cell or separator "
                   "was lost — fill the row in (empty cells still need their commas)")
            )
        if any(c.strip() for c in extra):
            issues.append(
                at(name, number, "",
                   f"{len(cells)} cells but the header has {width} columns; "
                   "remove the extra cells or add a column name")
            )
        by_column = {
            column: cells[k] if k < len(cells) else ""
            for k, column in enumerate(table.columns)
            if column in ENTERPRISE_COLUMNS or column in OPTIONAL_COLUMNS
        }
        record, found = _parse_row(number, by_column, name)
        notes = {column: cells[k] for k, column in noted if k < len(cells) and cells[k].strip()}
        if notes:
            record["notes"] = notes
        issues += found
        enterprises.append(record)
        rows.append(number)
    has_ids = "id" in table.columns
    if not has_ids:
        # The missing column is reported once; placeholders keep one error per row away.
        for record, number in zip(enterprises, rows, strict=True):
            record["id"] = f"#row{number}"
    return EnterpriseSheet(enterprises, rows, has_ids, tuple(table.columns),
                           table.header_row), issues
