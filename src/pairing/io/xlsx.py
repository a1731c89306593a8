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
carry the rules (one place only). The sheets are read with the CSV bundle's own parsing and
validation (:func:`pairing.io.bundle.load_bundle`), so every check and message is the same;
only the location changes: ``book.xlsx, sheet 'left', row 7, field 'capacity_max'``. Row
numbers are the workbook's.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import re
import tempfile
import tomllib
import warnings
import zipfile
from pathlib import Path
from typing import Any

from pairing.core.arguments import require_instance, require_path
from pairing.errors import InvalidProgramme, Issue, PairingWarning
from pairing.extras import require
from pairing.io.atomic import atomic_path
from pairing.io.cells import neutralise_row, restore_row
from pairing.io.files import check_readable
from pairing.io.headers import header_key
from pairing.model.programme import Programme

__all__ = ["RULE_SHEETS", "load_workbook", "write_workbook"]

#: Sheets that carry rules (beside ``rules`` itself) and their columns.
RULE_SHEETS: dict[str, tuple[str, ...]] = {
    "quota": ("side", "by", "group", "min", "max"),
    "pair_quota": ("left_sector", "right_sector", "min", "max"),
    "partner_quota": ("side", "by", "group", "min", "max"),
    "forbidden": ("left", "right"),
    "required": ("left", "right"),
    "source": ("name", "file", "weight"),
}
_BUNDLE = {
    "left": "left.csv",
    "right": "right.csv",
    "scores": "scores.csv",
    "preferences": "preferences.csv",
}
_TABLES = ("quota", "pair_quota", "partner_quota", "source")
_INT_COLUMNS = ("capacity_min", "capacity_max")


def _text(value: Any) -> str:
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


def _rows(sheet: Any) -> list[list[str]]:
    sheet.reset_dimensions()  # read every row, whatever the sheet's <dimension> claims
    rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    for row in rows:
        while row and not row[-1].strip():
            row.pop()
    return rows


def _has_formulas(path: Path) -> bool:
    """Whether any worksheet holds a formula cell (``<f>``): a quick scan of the zip's sheets, so
    that workbooks without formulas are parsed once, not three times."""
    pattern = re.compile(rb"<(?:\w+:)?f[\s>/]")
    try:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as sheet:
                        tail = b""
                        while chunk := sheet.read(1 << 20):
                            if pattern.search(tail + chunk):
                                return True
                            tail = chunk[-16:]
    except (OSError, zipfile.BadZipFile):
        return True  # let openpyxl report what is wrong with the file
    return False


def _uncached_formulas(path: Path, book: str, names: list[str]) -> list[Issue]:
    """Formulas the workbook holds no computed value for (written by a program, never opened).

    Read as values they would be empty cells — a capacity of 1, a forbidden pair — so each is
    reported with its cell instead.
    """
    require("openpyxl", "xlsx")
    import openpyxl
    from openpyxl.utils import get_column_letter

    issues: list[Issue] = []
    if not _has_formulas(path):
        return issues
    formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    values = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for name in names:
            with_formulas, with_values = formulas[name], values[name]
            with_formulas.reset_dimensions()
            with_values.reset_dimensions()
            for r, (f_row, v_row) in enumerate(
                zip(with_formulas.iter_rows(), with_values.iter_rows(), strict=False), start=1
            ):
                for c, (f_cell, v_cell) in enumerate(zip(f_row, v_row, strict=False), start=1):
                    if getattr(f_cell, "data_type", None) == "f" and v_cell.value is None:
                        where = f"{book}, sheet {name.strip()!r}, cell {get_column_letter(c)}{r}"
                        message = (
                            f"the formula {str(f_cell.value)[:60]!r} has no saved value; open and "
                            "save the workbook in Excel (or LibreOffice), or type the value"
                        )
                        issues.append(Issue(where, message))
    finally:
        formulas.close()
        values.close()
    return issues


def _padded(rows: list[list[str]]) -> list[list[str]]:
    """A matrix sheet's rows padded to the header's width: a workbook does not keep empty
    cells at the end of a row, and in a score matrix they mean something."""
    width = len(rows[0]) if rows else 0
    return [row + [""] * (width - len(row)) if row else row for row in rows]


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    width = max((len(row) for row in rows), default=0)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerows(row + [""] * (width - len(row)) for row in rows)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


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


def _rules_document(
    sheets: dict[str, list[list[str]]], book: str
) -> tuple[dict[str, Any], dict[str, int], list[Issue]]:
    """Rules sheets → the nested document ``rules.toml`` would hold, and each key's row."""
    document: dict[str, Any] = {}
    key_rows: dict[str, int] = {}
    issues: list[Issue] = []
    sheets = {name: [restore_row(row) for row in rows] for name, rows in sheets.items()}
    for number, row in enumerate(sheets.get("rules", []), start=1):
        if not row or not row[0].strip():
            continue
        key = row[0].strip()
        if number == 1 and key.lower() == "key":
            continue
        value = row[1] if len(row) > 1 else ""
        if not value.strip():
            message = "expected a value in column B (or delete the row)"
            issues.append(Issue(f"{book}, sheet 'rules', row {number} (key {key!r})", message))
            continue
        key_rows[key] = number
        head, _, rest = key.partition(".")
        if rest:
            table = document.setdefault(head, {})
            if not isinstance(table, dict):
                message = f"{head!r} is set both as a value and as a table; keep one"
                issues.append(Issue(f"{book}, sheet 'rules', row {number}", message))
                continue
            table[rest] = _scalar(value)
        else:
            document[key] = _scalar(value)
    for name, columns in RULE_SHEETS.items():
        rows = sheets.get(name)
        if not rows:
            continue
        canonical = {header_key(c): c for c in columns}  # "Left Sector" is left_sector
        header = [canonical.get(header_key(h), h.strip().lower()) for h in rows[0]]
        unknown = [h for h in header if h and h not in columns]
        if unknown:
            message = f"unknown column(s) {unknown}; expected: {', '.join(columns)}"
            issues.append(Issue(f"{book}, sheet {name!r}, row 1", message))
            continue
        entries: list[Any] = []
        for row in rows[1:]:
            cells = {h: row[k] for k, h in enumerate(header) if h and k < len(row)}
            values = {h: _scalar(v) for h, v in cells.items() if v.strip()}
            if not values:
                entries.append(None)  # a blank row keeps the row numbering
                continue
            if name in ("forbidden", "required"):
                entries.append([str(values.get("left", "")), str(values.get("right", ""))])
            else:
                for key in ("group", "left_sector", "right_sector", "side", "by", "name", "file"):
                    if key in values:
                        values[key] = str(values[key])
                entries.append(values)
        document[name] = entries
    return document, key_rows, issues


def _toml(document: dict[str, Any]) -> str:
    lines: list[str] = []
    tables: list[str] = []
    for key, value in document.items():
        if isinstance(value, dict):
            tables.append(f"\n[{json.dumps(key)}]")
            tables += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()]
        elif key in _TABLES:
            for entry in value:
                tables.append(f"\n[[{key}]]")
                tables += [f"{json.dumps(k)} = {_toml_value(v)}" for k, v in (entry or {}).items()]
        elif key in ("forbidden", "required"):
            lines.append(f"{key} = {_toml_value([e for e in value if e is not None])}")
        else:
            lines.append(f"{json.dumps(key)} = {_toml_value(value)}")
    return "\n".join(lines + tables) + "\n"


def _rows_of_entries(document: dict[str, Any], name: str) -> dict[int, int]:
    """For a rule sheet, entry number (1-based, blank rows skipped) → workbook row."""
    rows: dict[int, int] = {}
    count = 0
    for k, entry in enumerate(document.get(name, []), start=2):
        if entry is not None:
            count += 1
            rows[count] = k
    return rows


def _relocate(
    issue: Issue,
    book: str,
    document: dict[str, Any],
    key_rows: dict[str, int],
    rules_file: str | None,
    source_files: dict[str, str],
) -> Issue:
    """Rename the temporary bundle's files as the workbook's sheets in an issue."""
    where, message = issue.where, issue.message
    for sheet, file in {**_BUNDLE, **source_files}.items():
        if where.startswith(file):
            where = f"{book}, sheet {sheet!r}" + where[len(file) :]
        message = message.replace(file, f"sheet {sheet!r}")
    if where.startswith("rules.toml"):
        if rules_file is not None:
            where = rules_file + where[len("rules.toml") :]
        else:
            rest = where[len("rules.toml") :]
            match = re.match(r", \[\[(quota|pair_quota|partner_quota|source)\]\] #(\d+)", rest)
            pairs = re.match(r", (forbidden|required) item (\d+)", rest)
            if pairs and pairs.group(1) in document and pairs.group(1) not in key_rows:
                row = _rows_of_entries(document, pairs.group(1)).get(int(pairs.group(2)))
                where = f"{book}, sheet {pairs.group(1)!r}, row {row}" + rest[pairs.end() :]
            elif match:
                row = _rows_of_entries(document, match.group(1)).get(int(match.group(2)))
                where = f"{book}, sheet {match.group(1)!r}, row {row}" + rest[match.end() :]
            else:
                key = re.match(r", (?:key|\[\w+\] key) '([^']+)'", rest)
                row = key_rows.get(key.group(1)) if key else None
                where = f"{book}, sheet 'rules'" + (f", row {row}" if row else "") + rest
    return Issue(where, message)


def _source_file(k: int) -> str:
    return f"source-sheet-{k}.csv"


def _source_sheets(
    document: dict[str, Any],
    sheets: dict[str, list[list[str]]],
    folder: Path,
    book: str,
    files: dict[str, str],
) -> list[Issue]:
    """Write each source's sheet into the temporary bundle and point its ``file`` there.

    Returns every sheet that is missing; ``files`` (sheet → bundle file) is filled in."""
    issues = []
    rows = _rows_of_entries(document, "source")
    for k, entry in enumerate(document.get("source", []), start=1):
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            continue
        sheet = entry["file"].strip()
        if sheet.lower() not in sheets:
            where = f"{book}, sheet 'source', row {rows.get(k)}, field 'file'"
            known = ", ".join(repr(n) for n in sheets)
            issues.append(Issue(where, f"no sheet {sheet!r} in the workbook; its sheets: {known}"))
            continue
        _write_csv(folder / _source_file(k), _padded(sheets[sheet.lower()]))
        entry["file"] = files[sheet] = _source_file(k)
    return issues


def _sheet_named(message: str, book: str) -> str:
    """A bundle message (``left.csv, row 3: ...``) as the workbook's (``book.xlsx, sheet
    'left', row 3: ...``)."""
    for sheet, file in _BUNDLE.items():
        if message.startswith(file):
            return f"{book}, sheet {sheet!r}{message[len(file):]}"
    return message


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
    require("openpyxl", "xlsx")
    import openpyxl  # deferred: only workbook users pay for the import

    from pairing.io.bundle import load_bundle

    require_path(path, "an .xlsx workbook")
    path = Path(path)
    book = path.name
    unreadable = check_readable(path, "workbook")
    if unreadable:
        raise InvalidProgramme(unreadable)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InvalidProgramme([Issue(str(path), "no such file")]) from None
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        message = f"cannot read as an .xlsx workbook ({type(exc).__name__}: {exc})"
        raise InvalidProgramme([Issue(str(path), message)]) from None
    names: dict[str, list[str]] = {}
    for name in workbook.sheetnames:
        names.setdefault(name.strip().lower(), []).append(name)
    known = (*_BUNDLE, "rules", *RULE_SHEETS)
    # every sheet is read: a [[source]]'s matrix lives in the sheet its ``file`` names
    used = [n for found in names.values() for n in found]
    try:
        sheets = {name.strip().lower(): _rows(workbook[name]) for name in used}
        hidden = [
            name for name in used
            if workbook[name].sheet_state != "visible" and name.strip().lower() in known
        ]
        formulas = _uncached_formulas(path, book, used)
    except Exception as exc:  # a damaged sheet inside a readable zip: openpyxl raises many kinds
        message = f"cannot read as an .xlsx workbook ({type(exc).__name__}: {exc})"
        raise InvalidProgramme([Issue(str(path), message)]) from None
    finally:
        workbook.close()
    clashes = [
        Issue(
            book,
            f"sheets {' and '.join(repr(n) for n in found)} differ only in case or spaces; "
            "pairing cannot tell which one to read — rename or delete one",
        )
        for found in names.values()
        if len(found) > 1 and found[0] in used
    ]
    clashes += formulas
    if clashes:
        raise InvalidProgramme(clashes, source=str(path))
    for name in hidden:
        warnings.warn(
            f"{book}: sheet {name!r} is hidden in the workbook and is read all the same; "
            "unhide it to check what it holds",
            PairingWarning,
            stacklevel=2,
        )
    issues = [
        Issue(book, f"no sheet {side!r}; the workbook's sheets are: {', '.join(names) or 'none'}")
        for side in ("left", "right")
        if side not in sheets
    ]
    if issues:
        raise InvalidProgramme(issues, source=str(path))
    beside = _rules_toml_beside(path)
    in_sheets = [name for name in ("rules", *RULE_SHEETS) if name in sheets]
    if beside is not None and in_sheets:
        message = (
            f"rules are given twice: in sheet(s) {', '.join(in_sheets)} and in {beside.name}; "
            "keep one"
        )
        raise InvalidProgramme([Issue(book, message)], source=str(path))
    document, key_rows, issues = _rules_document(sheets, book)
    if issues:
        raise InvalidProgramme(issues, source=str(path))
    source_files: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="pairing-xlsx-") as temp:
        folder = Path(temp)
        for sheet, file in _BUNDLE.items():
            if sheet in sheets:
                rows = _padded(sheets[sheet]) if sheet == "scores" else sheets[sheet]
                _write_csv(folder / file, rows)
        if beside is not None:
            (folder / "rules.toml").write_bytes(beside.read_bytes())
        elif document:
            found = _source_sheets(document, sheets, folder, book, source_files)
            if found:
                raise InvalidProgramme(found, source=str(path))
            (folder / "rules.toml").write_text(_toml(document), encoding="utf-8")
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                programme = load_bundle(folder)
            for warning in caught:  # the bundle's file names, as the workbook's sheets
                warnings.warn(_sheet_named(str(warning.message), book), warning.category,
                              stacklevel=2)
            return programme
        except InvalidProgramme as exc:
            rules_file = beside.name if beside is not None else None
            relocated = [
                _relocate(i, book, document, key_rows, rules_file, source_files)
                for i in exc.issues
            ]
            raise InvalidProgramme(relocated, source=str(path)) from None


def _typed(column: str, text: str) -> Any:
    if column in _INT_COLUMNS and text.strip().lstrip("-").isdigit():
        return int(text)
    return text


def _sheet_rows(document: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """The rules document as the workbook's rule sheets."""
    out: dict[str, list[list[Any]]] = {}
    scalars: list[list[Any]] = [["key", "value"]]
    for key, value in document.items():
        if isinstance(value, dict):
            scalars += [[f"{key}.{k}", v] for k, v in value.items()]
        elif key in RULE_SHEETS:
            columns = RULE_SHEETS[key]
            rows: list[list[Any]] = [list(columns)]
            for entry in value:
                if isinstance(entry, dict):
                    rows.append([entry.get(c) for c in columns])
                else:
                    rows.append(list(entry))
            out[key] = rows
        else:
            scalars.append([key, value])
    out = {"rules": scalars, **out}
    return out


def write_workbook(programme: Programme, path: str | Path) -> Path:
    """Write ``programme`` as an ``.xlsx`` workbook that :func:`load_workbook` reads back.

    Parameters
    ----------
    programme
        The programme.
    path
        The workbook to write (replaced if it exists).

    Returns
    -------
    Path
        ``path``, so that ``load_workbook(write_workbook(p, path)) == p``.
    """
    require("openpyxl", "xlsx")
    import openpyxl

    from pairing.io.writers import write_bundle

    require_instance(programme, Programme, "programme")
    require_path(path, "an .xlsx workbook")
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="pairing-xlsx-") as temp:
        folder = write_bundle(programme, Path(temp) / "bundle")
        workbook = openpyxl.Workbook()
        default = workbook.active
        if default is not None:
            workbook.remove(default)
        for sheet, file in _BUNDLE.items():
            if (folder / file).exists():
                _copy_sheet(workbook, sheet, folder / file, matrix=sheet == "scores")
        with (folder / "rules.toml").open("rb") as handle:
            document = tomllib.load(handle)
        for entry in document.get("source", []):
            sheet = _sheet_name(Path(entry["file"]).stem, workbook.sheetnames)
            _copy_sheet(workbook, sheet, folder / entry["file"], matrix=True)
            entry["file"] = sheet
        for sheet, rows in _sheet_rows(document).items():
            target = workbook.create_sheet(sheet)
            for row in rows:
                target.append(neutralise_row(row))
        temp_book = Path(temp) / "book.xlsx"
        workbook.save(temp_book)
        _write_bytes_atomic(temp_book.read_bytes(), path)
    return path


def _copy_sheet(workbook: Any, sheet: str, path: Path, *, matrix: bool) -> None:
    """Copy a bundle CSV into a new sheet; a score matrix's cells as numbers (empty: none)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    target = workbook.create_sheet(sheet)
    header = [h.strip().lower() for h in rows[0]]
    for k, row in enumerate(rows):
        if matrix and k > 0:
            target.append([row[0], *(float(c) if c.strip() else None for c in row[1:])])
        elif k > 0:
            target.append([_typed(header[c], cell) for c, cell in enumerate(row)])
        else:
            target.append(row)


def _sheet_name(stem: str, taken: list[str]) -> str:
    """A valid sheet name (≤ 31 characters, none of ``[]:*?/\\``) not yet used."""
    base = re.sub(r"[\[\]:*?/\\]", "-", stem)[:28] or "source"
    name, k = base, 2
    used = {t.lower() for t in (*taken, *_BUNDLE, *RULE_SHEETS, "rules")}
    while name.lower() in used:
        name, k = f"{base}-{k}", k + 1
    return name


def _write_bytes_atomic(data: bytes, path: Path) -> None:
    """Replace ``path`` with ``data`` atomically (a temporary file in the same folder)."""
    with atomic_path(path) as temp:
        temp.write_bytes(data)
