"""Excel workbooks as programmes: the spreadsheet bundle in one ``.xlsx`` file.

A workbook holds the bundle's files as sheets (sheet names are matched without case or
surrounding spaces; other sheets, e.g. a cover page, are ignored):

- ``left`` and ``right``: the enterprise sheets, same columns as ``left.csv`` / ``right.csv``;
- ``scores`` (optional): the organisers' score matrix, as ``scores.csv``;
- ``rules`` (optional): two columns, key and value, one setting per row; nested settings use
  dotted keys (``sides.left = CN``, ``weights.sector = 0.2``, ``vocabulary.solar-pv = energy``);
  a first row ``key | value`` is a header and skipped;
- ``quota`` (columns ``side, by, group, min, max``), ``pair_quota`` (``left_sector,
  right_sector, min, max``), ``forbidden`` and ``required`` (``left, right``), all optional;
- ``preferences`` (optional): stated interest, as ``preferences.csv`` (``from, to, interest``);
- ``source`` (optional, ``name, file, weight``): extra score matrices, each in the sheet that
  its ``file`` names (laid out as ``scores``; an empty cell means no information).

Instead of the rule sheets, a ``<name>.rules.toml`` or ``rules.toml`` next to the workbook may
carry the rules (one place only). The sheets are read in memory into the tables the CSV reader
produces, and go through the bundle's own parsing and validation
(:func:`pairing.io.bundle.assemble`), so every check and message is the same; only the place
changes: ``book.xlsx, sheet 'left', row 7, field 'capacity_max'``. Row numbers are the
workbook's. :func:`write_workbook` writes the same sheets directly, atomically.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pairing.core.arguments import require_instance, require_path
from pairing.errors import InvalidProgramme, Issue, PairingWarning
from pairing.extras import require
from pairing.io.atomic import atomic_path
from pairing.io.bundle import PARTS, Sheets, assemble
from pairing.io.cells import neutralise_row, restore_row
from pairing.io.csv_tables import Table, table_of
from pairing.io.headers import header_key
from pairing.io.locations import Located, Place, RulesPlaces, SheetRules, at
from pairing.io.rules_toml import RulesFile, read_rules, rules_from_document
from pairing.io.scores_csv import ScoreSheet, score_sheet
from pairing.io.xlsx_sheets import Book, open_workbook, sheet_rows, uncached_formulas
from pairing.model.programme import Programme

__all__ = ["RULE_SHEETS", "load_workbook", "programme_workbook", "read_workbook",
           "write_workbook"]

#: Sheets that carry rules (beside ``rules`` itself) and their columns.
RULE_SHEETS: dict[str, tuple[str, ...]] = {
    "quota": ("side", "by", "group", "min", "max"),
    "pair_quota": ("left_sector", "right_sector", "min", "max"),
    "partner_quota": ("side", "by", "group", "min", "max"),
    "forbidden": ("left", "right"),
    "required": ("left", "right"),
    "source": ("name", "file", "weight"),
}
#: The bundle's parts a sheet holds (``rules`` is read as a document, below).
_DATA_SHEETS = ("left", "right", "scores", "preferences")
_INT_COLUMNS = ("capacity_min", "capacity_max")
_TEXT_KEYS = ("group", "left_sector", "right_sector", "side", "by", "name", "file")


def _rectangular(rows: list[list[str]], *, matrix: bool = False) -> list[list[str]]:
    """A sheet's rows padded as a CSV file holds them: every row as wide as the widest. A
    workbook does not keep empty cells at the end of a row; a matrix's non-blank rows are at
    least as wide as its header, as its empty cells mean something."""
    header = len(rows[0]) if matrix and rows else 0
    width = max((len(row) for row in rows), default=0)
    padded = [row + [""] * (header - len(row)) if row else row for row in rows]
    return [row + [""] * (width - len(row)) for row in padded]


def _scalar(text: str) -> Any:
    """A rules cell's value: a number when it reads as one, else the text."""
    stripped = text.strip()
    for kind in (int, float):
        try:
            return kind(stripped)
        except ValueError:
            continue
    if stripped.lower() in ("true", "false"):
        return stripped.lower() == "true"
    return stripped


class _RuleSheets:
    """The rule sheets as the document ``rules.toml`` would hold, each key's and entry's row."""

    def __init__(self, sheets: Mapping[str, list[list[str]]], book: str) -> None:
        self.document: dict[str, Any] = {}
        self.key_rows: dict[str, int] = {}
        self.entry_rows: dict[str, list[int]] = {}
        self.issues: list[Located] = []
        self.book = book
        self._settings([restore_row(row) for row in sheets.get("rules", [])])
        for name, columns in RULE_SHEETS.items():
            if sheets.get(name):
                self._entries(name, columns, [restore_row(row) for row in sheets[name]])

    def _settings(self, rows: list[list[str]]) -> None:
        where = f"{self.book}, sheet 'rules'"
        for number, row in enumerate(rows, start=1):
            if not row or not row[0].strip():
                continue
            key = row[0].strip()
            if number == 1 and key.lower() == "key":
                continue
            value = row[1] if len(row) > 1 else ""
            if not value.strip():
                self.issues.append(at(where, number, f" (key {key!r})",
                                      "expected a value in column B (or delete the row)"))
                continue
            self.key_rows[key] = number
            head, _, rest = key.partition(".")
            if rest:
                table = self.document.setdefault(head, {})
                if not isinstance(table, dict):
                    message = f"{head!r} is set both as a value and as a table; keep one"
                    self.issues.append(at(where, number, "", message))
                    continue
                table[rest] = _scalar(value)
            else:
                self.document[key] = _scalar(value)

    def _entries(self, name: str, columns: tuple[str, ...], rows: list[list[str]]) -> None:
        canonical = {header_key(c): c for c in columns}  # "Left Sector" is left_sector
        header = [canonical.get(header_key(h), h.strip().lower()) for h in rows[0]]
        unknown = [h for h in header if h and h not in columns]
        if unknown:
            message = f"unknown column(s) {unknown}; expected: {', '.join(columns)}"
            self.issues.append(at(f"{self.book}, sheet {name!r}", 1, "", message))
            return
        entries: list[Any] = []
        numbers: list[int] = []
        for number, row in enumerate(rows[1:], start=2):
            cells = {h: row[k] for k, h in enumerate(header) if h and k < len(row)}
            values = {h: _scalar(v) for h, v in cells.items() if v.strip()}
            if not values:
                continue  # a blank row means nothing
            if name in ("forbidden", "required"):
                entries.append([str(values.get("left", "")), str(values.get("right", ""))])
            else:
                entries.append({k: str(v) if k in _TEXT_KEYS else v for k, v in values.items()})
            numbers.append(number)
        self.document[name] = entries
        self.entry_rows[name] = numbers


class WorkbookSheets(Sheets):
    """A workbook's sheets as a bundle's parts (see :class:`pairing.io.bundle.Sheets`).

    Parameters
    ----------
    book
        The workbook's name, as locations show it.
    sheets
        Each sheet's rows (row 1 first), by its name stripped and lower-cased.
    beside
        A rules file next to the workbook, which then holds the rules instead of sheets.
    source
        The workbook, as the report names it.
    """

    def __init__(self, book: str, sheets: Mapping[str, list[list[str]]], beside: Path | None,
                 source: str) -> None:
        super().__init__(source)
        self.book = book
        self.sheets = sheets
        self.beside = beside
        self.names = {part: f"{book}, sheet {part!r}" for part in PARTS}
        self.called = {part: f"sheet {part!r}" for part in PARTS}
        self.rule_sheets = _RuleSheets(sheets, book) if beside is None else None
        if beside is not None:
            self.names["rules"] = self.called["rules"] = beside.name
            self.places = RulesPlaces(beside.name)
        else:
            assert self.rule_sheets is not None
            self.places = SheetRules(book, self.rule_sheets.key_rows,
                                     self.rule_sheets.entry_rows)
        self._rules_sheets = [f"{book}, sheet {name!r}" for name in ("rules", *RULE_SHEETS)]

    def has(self, part: str) -> bool:
        if part == "rules":
            if self.rule_sheets is None:
                return True
            return bool(self.rule_sheets.document or self.rule_sheets.issues)
        return part in self.sheets

    def _table(self, part: str, **header: Any) -> tuple[Table | None, list[Located]]:
        return table_of(_rectangular(self.sheets[part]), self.names[part], **header)

    def scores(self, *, unit: bool) -> tuple[ScoreSheet | None, list[Located]]:
        table, issues = table_of(_rectangular(self.sheets["scores"], matrix=True),
                                 self.names["scores"])
        if table is None:
            return None, issues
        return score_sheet(table, unit=unit, scale_hint=True)

    def matrix(self, file: str, k: int) -> tuple[ScoreSheet | None, list[Located]] | str:
        sheet = file.strip()
        if sheet.lower() not in self.sheets:
            known = ", ".join(repr(n) for n in self.sheets)
            return f"no sheet {sheet!r} in the workbook; its sheets: {known}"
        table, issues = table_of(_rectangular(self.sheets[sheet.lower()], matrix=True),
                                 f"{self.book}, sheet {sheet!r}")
        return (None, issues) if table is None else score_sheet(table, source=True)

    def rules(self) -> tuple[RulesFile, list[Located]]:
        if self.rule_sheets is None:
            assert self.beside is not None
            return read_rules(self.beside, self.beside.name)
        rules, issues = rules_from_document(self.rule_sheets.document, self.places)
        return rules, self.rule_sheets.issues + issues

    def rank(self, place: Place) -> tuple[int, int]:
        if place.file in self._rules_sheets:  # the rules sheet, then the rule sheets in order
            return PARTS.index("rules"), self._rules_sheets.index(place.file)
        return super().rank(place)


def _rules_toml_beside(path: Path) -> Path | None:
    for candidate in (path.with_name(f"{path.stem}.rules.toml"), path.with_name("rules.toml")):
        if candidate.is_file():
            return candidate
    return None


def load_workbook(path: str | Path) -> Programme:
    """Load a programme from an ``.xlsx`` workbook (see the module docstring for its sheets).

    Parameters
    ----------
    path
        The workbook.

    Returns
    -------
    Programme

    Raises
    ------
    InvalidProgramme
        Every problem found, each naming the workbook, sheet, row and field.
    """
    require_path(path, "an .xlsx workbook")
    path = Path(path)
    return read_workbook(path, path.name, source=str(path), beside=_rules_toml_beside(path))


def _read_sheets(
    book: Book, name: str, source: str
) -> tuple[dict[str, list[list[str]]], list[Issue]]:
    """Every sheet's rows by its stripped, lower-cased name; sheets whose names clash and
    formulas without a saved value as problems. Hidden sheets pairing reads are warned of."""
    workbook = open_workbook(book, source)
    titles: dict[str, list[str]] = {}
    for title in workbook.sheetnames:
        titles.setdefault(title.strip().lower(), []).append(title)
    used = [title for found in titles.values() for title in found]
    known = (*_DATA_SHEETS, "rules", *RULE_SHEETS)
    try:
        # every sheet is read: a [[source]]'s matrix lives in the sheet its ``file`` names
        sheets = {title.strip().lower(): sheet_rows(workbook[title]) for title in used}
        hidden = [title for title in used
                  if workbook[title].sheet_state != "visible" and title.strip().lower() in known]
        formulas = uncached_formulas(book, name, used)
    except InvalidProgramme:
        raise
    except Exception as exc:  # a damaged sheet inside a readable zip: openpyxl raises many kinds
        message = f"cannot read as an .xlsx workbook ({type(exc).__name__}: {exc})"
        raise InvalidProgramme([Issue(source, message)]) from None
    finally:
        workbook.close()
    problems = [
        Issue(name, f"sheets {' and '.join(repr(n) for n in found)} differ only in case or "
                    "spaces; pairing cannot tell which one to read — rename or delete one")
        for found in titles.values()
        if len(found) > 1
    ]
    for title in hidden:
        warnings.warn(
            f"{name}: sheet {title!r} is hidden in the workbook and is read all the same; "
            "unhide it to check what it holds",
            PairingWarning,
            stacklevel=3,
        )
    return sheets, problems + formulas


def read_workbook(book: Book, name: str, *, source: str | None = None,
                  beside: Path | None = None) -> Programme:
    """Load a programme from a workbook's file or bytes, in memory.

    Parameters
    ----------
    book
        The workbook's path, or its bytes (an upload).
    name
        How locations name it (``"book.xlsx"``).
    source
        How the report names it (default ``name``).
    beside
        A rules file that holds the rules instead of the workbook's rule sheets.

    Raises
    ------
    InvalidProgramme
        Every problem found, each naming the workbook, sheet, row and field.
    """
    source = source or name
    sheets, problems = _read_sheets(book, name, source)
    if problems:
        raise InvalidProgramme(problems, source=source)
    missing = [
        Issue(name, f"no sheet {side!r}; the workbook's sheets are: {', '.join(sheets) or 'none'}")
        for side in ("left", "right")
        if side not in sheets
    ]
    if missing:
        raise InvalidProgramme(missing, source=source)
    in_sheets = [sheet for sheet in ("rules", *RULE_SHEETS) if sheet in sheets]
    if beside is not None and in_sheets:
        message = (
            f"rules are given twice: in sheet(s) {', '.join(in_sheets)} and in {beside.name}; "
            "keep one"
        )
        raise InvalidProgramme([Issue(name, message)], source=source)
    return assemble(WorkbookSheets(name, sheets, beside, source))


def _typed(column: str, text: str) -> Any:
    """An enterprise cell as the workbook holds it: capacities as numbers, the rest as text."""
    if column in _INT_COLUMNS and text.strip().lstrip("-").isdigit():
        return int(text)
    return text


def _rule_sheets(document: Mapping[str, Any]) -> dict[str, list[list[Any]]]:
    """A rules document as the workbook's rule sheets: ``rules`` (key, value) and one sheet
    per rule table."""
    out: dict[str, list[list[Any]]] = {}
    scalars: list[list[Any]] = [["key", "value"]]
    for key, value in document.items():
        if isinstance(value, dict):
            scalars += [[f"{key}.{k}", v] for k, v in value.items()]
        elif key in RULE_SHEETS:
            columns = RULE_SHEETS[key]
            rows: list[list[Any]] = [list(columns)]
            for entry in value:
                rows.append([entry.get(c) for c in columns] if isinstance(entry, dict)
                            else list(entry))
            out[key] = rows
        else:
            scalars.append([key, value])
    return {"rules": scalars, **out}


_BAD_SHEET_CHARACTERS = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _sheet_name(stem: str, taken: list[str]) -> str:
    """A valid sheet name (≤ 31 characters, none of ``[]:*?/\\``) not yet used."""
    base = stem.translate(_BAD_SHEET_CHARACTERS)[:28] or "source"
    name, k = base, 2
    used = {t.lower() for t in (*taken, *_DATA_SHEETS, *RULE_SHEETS, "rules")}
    while name.lower() in used:
        name, k = f"{base}-{k}", k + 1
    return name


def _matrix_sheet(workbook: Any, title: str, rows: list[list[str]]) -> None:
    """A score matrix sheet: ids as text, cells as numbers (an empty cell: none)."""
    sheet = workbook.create_sheet(title)
    sheet.append(rows[0])
    for row in rows[1:]:
        sheet.append([row[0], *(float(c) if c else None for c in row[1:])])


def programme_workbook(programme: Programme) -> Any:
    """``programme`` as an openpyxl workbook in memory, the sheets :func:`read_workbook`
    reads: ``left``, ``right``, ``scores`` and ``preferences`` when it has them, a sheet per
    score source, ``rules`` and the rule sheets it uses."""
    require("openpyxl", "xlsx")
    import openpyxl  # deferred: only workbook users pay for the import

    from pairing.io.sources_writer import preference_rows, source_files
    from pairing.io.writers import matrix_rows, rules_document, side_rows

    workbook = openpyxl.Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    for side in ("left", "right"):
        rows = side_rows(programme.side(side), side)
        sheet = workbook.create_sheet(side)
        sheet.append(rows[0])
        columns = [h.strip().lower() for h in rows[0]]
        for row in rows[1:]:
            sheet.append([_typed(columns[c], cell) for c, cell in enumerate(row)])
    if programme.scores is not None:
        _matrix_sheet(workbook, "scores", matrix_rows(programme.scores, programme))
    if programme.preferences:
        sheet = workbook.create_sheet("preferences")
        for row in preference_rows(programme):
            sheet.append(row)
    document = rules_document(programme)
    files = source_files(programme)
    for entry, source, file in zip(document.get("source", []), programme.rules.sources, files,
                                   strict=True):
        title = _sheet_name(Path(file).stem, workbook.sheetnames)
        _matrix_sheet(workbook, title, matrix_rows(source.scores, programme))
        entry["file"] = title
    for title, rows in _rule_sheets(document).items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(neutralise_row(row))
    return workbook


def write_workbook(programme: Programme, path: str | Path) -> Path:
    """Write ``programme`` as an ``.xlsx`` workbook that :func:`load_workbook` reads back.

    Parameters
    ----------
    programme
        The programme.
    path
        The workbook to write (replaced atomically if it exists).

    Returns
    -------
    Path
        ``path``, so that ``load_workbook(write_workbook(p, path)) == p``.
    """
    require_instance(programme, Programme, "programme")
    require_path(path, "an .xlsx workbook")
    path = Path(path)
    workbook = programme_workbook(programme)
    with atomic_path(path) as temp:
        workbook.save(temp)
    return path
