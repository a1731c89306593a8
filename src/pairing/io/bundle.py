"""Load a spreadsheet bundle: a folder with ``left.csv``, ``right.csv`` and optionally
``scores.csv``, ``preferences.csv``, ``rules.toml`` and the files its ``[[source]]`` tables name.

Every file is read, every problem in every file is collected, and one
:class:`~pairing.errors.InvalidProgramme` lists them all, each naming its file, row and field, so
a programme manager fixes the spreadsheets in one pass. A ``scores.csv`` must label its rows and
columns with exactly the enterprises' ids; its rows and columns may come in any order and are
aligned to the sheets' order.

:func:`assemble` does the work for any :class:`Sheets`: a folder of CSV files, the texts of
such files, or (:mod:`pairing.io.xlsx`) a workbook's sheets. All run the same parsing and
checks and differ only in where each part is read from and how a location is named. Problems
keep their place (file or sheet, rows, field) as data until the report is rendered and sorted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pairing.errors import InvalidProgramme, Issue
from pairing.io.csv_tables import Table, csv_table
from pairing.io.enterprises_csv import (
    ENTERPRISE_COLUMNS,
    OPTIONAL_COLUMNS,
    EnterpriseSheet,
    enterprise_sheet,
)
from pairing.io.files import read_text
from pairing.io.locations import BundleWhere, Located, Place, RulesPlaces, at
from pairing.io.preferences_csv import preference_sheet
from pairing.io.rules_toml import RulesFile, rules_from_text
from pairing.io.scores_csv import MAX_CELL_ISSUES, ScoreSheet, scores_from_text
from pairing.io.sources import attach_sources
from pairing.io.validate import validate_programme
from pairing.model.programme import Programme

__all__ = [
    "BUNDLE_FILES",
    "PARTS",
    "FolderSheets",
    "Sheets",
    "TextSheets",
    "assemble",
    "load_bundle",
]

BUNDLE_FILES: tuple[str, ...] = (
    "left.csv",
    "right.csv",
    "scores.csv",
    "preferences.csv",
    "rules.toml",
)
#: The parts of a bundle, in the order the report lists their problems.
PARTS: tuple[str, ...] = ("left", "right", "scores", "preferences", "rules")
_FILES = dict(zip(PARTS, BUNDLE_FILES, strict=True))


class Sheets:
    """Where a bundle's parts are read from, and how each is named.

    ``names`` gives each part's place in a location (``"left.csv"``), ``called`` how a message
    refers to it, ``places`` where the rules are. This base class reads the parts from the
    texts of the bundle's files, which a subclass provides: :class:`FolderSheets` from a
    folder, :class:`TextSheets` from memory; :mod:`pairing.io.xlsx` reads a workbook's sheets
    through the same interface.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.names: dict[str, str] = dict(_FILES)
        self.called: dict[str, str] = dict(_FILES)
        self.places = RulesPlaces(_FILES["rules"])

    def exists(self, file: str) -> bool:
        """Whether the bundle has ``file``."""
        raise NotImplementedError

    def text(self, file: str, what: str) -> tuple[str | None, list[Located]]:
        """The text of ``file`` (``what`` it is, for messages), or why it cannot be read."""
        raise NotImplementedError

    def has(self, part: str) -> bool:
        """Whether the bundle has ``part`` (``"scores"``, ``"rules"`` ...)."""
        return self.exists(_FILES[part])

    def absent(self, side: str) -> str:
        """Why a side's sheet is needed, when it is missing."""
        return f"missing; a bundle needs {_FILES[side]} with the {side} side's enterprises"

    def _table(self, part: str, **header: Any) -> tuple[Table | None, list[Located]]:
        text, issues = self.text(_FILES[part], "CSV file")
        return (None, issues) if text is None else csv_table(text, _FILES[part], **header)

    def enterprises(self, side: str) -> tuple[Table | None, list[Located]]:
        """A side's enterprise table (its header is the first row naming ``id``)."""
        return self._table(side, header_for="id", known=ENTERPRISE_COLUMNS + OPTIONAL_COLUMNS)

    def preferences(self) -> tuple[Table | None, list[Located]]:
        """The stated-interest table."""
        return self._table("preferences")

    def scores(self, *, unit: bool) -> tuple[ScoreSheet | None, list[Located]]:
        """The organisers' score matrix."""
        text, issues = self.text(_FILES["scores"], "CSV file")
        if text is None:
            return None, issues
        return scores_from_text(text, _FILES["scores"], unit=unit, scale_hint=True)

    def matrix(self, file: str, k: int) -> tuple[ScoreSheet | None, list[Located]] | str:
        """The matrix of ``[[source]]`` number ``k`` (0-based), or why there is none."""
        if not self.exists(file):
            return f"no such file {file!r} in the bundle folder (from [[source]] #{k + 1})"
        text, issues = self.text(file, "CSV file")
        return (None, issues) if text is None else scores_from_text(text, file, source=True)

    def rules(self) -> tuple[RulesFile, list[Located]]:
        """The rules."""
        text, issues = self.text(_FILES["rules"], "rules file")
        return (RulesFile(), issues) if text is None else rules_from_text(text, _FILES["rules"])

    def rank(self, place: Place) -> tuple[int, int]:
        """Where a place's problems come in the report: by part, then the files rules name
        (then by row, see :func:`assemble`)."""
        part = next((k for k, part in enumerate(PARTS) if self.names[part] == place.file),
                    len(PARTS))
        return part, 0


class FolderSheets(Sheets):
    """A bundle folder's files."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def exists(self, file: str) -> bool:
        return (self.folder / file).exists()

    def text(self, file: str, what: str) -> tuple[str | None, list[Located]]:
        text, issues = read_text(self.folder / file, what)
        return text, [at(file, None, "", i.message) for i in issues]


class TextSheets(Sheets):
    """A bundle given as its files' texts (e.g. the template shipped in the package)."""

    def __init__(self, texts: Mapping[str, str], source: str) -> None:
        super().__init__(source)
        self.texts = texts

    def exists(self, file: str) -> bool:
        return file in self.texts

    def text(self, file: str, what: str) -> tuple[str | None, list[Located]]:
        return self.texts[file], []


def _id_issues(
    sheets: Sheets,
    side: str,
    given: Sequence[str],
    expected: Sequence[str],
    sheet_rows: Sequence[int],
    scores_rows: Sequence[int] | None,
) -> list[Located]:
    """Compare a score matrix's ids for one side with that side's sheet."""
    name, sheet = sheets.names["scores"], sheets.called[side]

    def where(ks: list[int]) -> tuple[Sequence[int], str]:
        if scores_rows is not None:
            return [scores_rows[k] for k in ks], ", column 1"
        label = "column" if len(ks) == 1 else "columns"
        return [1], f", {label} {', '.join(str(k + 2) for k in ks)}"

    issues = []
    known = set(expected)
    positions: dict[str, list[int]] = {}
    for k, ident in enumerate(given):
        positions.setdefault(ident, []).append(k)
        if not ident:
            issues.append(at(name, *where([k]),
                             f"empty {side} id; write the id of an enterprise of {sheet}"))
        elif ident not in known:
            issues.append(at(name, *where([k]), f"{side} id {ident!r} is not in {sheet}; fix "
                                                 "the id or add the enterprise"))
    for ident, ks in positions.items():
        if ident and len(ks) > 1:
            issues.append(at(name, *where(ks), f"{side} id {ident!r} appears {len(ks)} times; "
                                               "keep one"))
    line = "row" if scores_rows is not None else "column"
    for k, ident in enumerate(expected):
        if ident and ident not in positions:
            message = (
                f"no {line} for {side} id {ident!r} ({sheet}, row {sheet_rows[k]}); "
                f"add one (empty cells forbid its pairs)"
            )
            issues.append(at(name, None, "", message))
    if len(issues) > MAX_CELL_ISSUES:
        more = len(issues) - MAX_CELL_ISSUES
        issues = [*issues[:MAX_CELL_ISSUES], at(name, None, "", f"and {more} more {side} id "
                                                                "problems")]
    return issues


def _aligned(
    sheets: Sheets, scores: ScoreSheet, tables: dict[str, EnterpriseSheet]
) -> tuple[np.ndarray | None, list[Located]]:
    """The score matrix in the sheets' order, or the id mismatches that prevent it."""
    ids = {side: [str(e["id"]).strip() for e in tables[side].enterprises] for side in tables}
    issues = _id_issues(sheets, "left", scores.left_ids, ids["left"], tables["left"].rows,
                        scores.rows)
    issues += _id_issues(sheets, "right", scores.right_ids, ids["right"], tables["right"].rows,
                         None)
    if issues:
        return None, issues
    if any(len(set(v)) != len(v) or "" in v for v in ids.values()):
        return None, []  # duplicate or empty ids in a sheet: reported by the model's checks
    if scores.left_ids == ids["left"] and scores.right_ids == ids["right"]:
        return scores.matrix, []
    row_of = {ident: k for k, ident in enumerate(scores.left_ids)}
    col_of = {ident: k for k, ident in enumerate(scores.right_ids)}
    rows = np.array([row_of[i] for i in ids["left"]], dtype=np.intp)
    cols = np.array([col_of[i] for i in ids["right"]], dtype=np.intp)
    return scores.matrix[np.ix_(rows, cols)], []


def _read_sides(sheets: Sheets) -> tuple[dict[str, EnterpriseSheet], list[Located]]:
    tables = {}
    issues = []
    for side in ("left", "right"):
        if not sheets.has(side):
            issues.append(at(sheets.names[side], None, "", sheets.absent(side)))
            continue
        table, found = sheets.enterprises(side)
        issues += found
        if table is not None:
            tables[side], found = enterprise_sheet(table)
            issues += found
    return tables, issues


def _score_sources(
    sheets: Sheets, data: dict[str, Any], tables: dict[str, EnterpriseSheet]
) -> tuple[list[Located], list[int]]:
    """Add the stated interest and the ``[[source]]`` matrices to ``data``: problems, and the
    preference rows' spreadsheet row numbers."""
    issues: list[Located] = []
    rows: list[int] = []
    if sheets.has("preferences"):
        table, issues = sheets.preferences()
        if table is not None:
            sheet, found = preference_sheet(table)
            issues += found
            if sheet is not None:
                data["preferences"], rows = sheet.preferences, sheet.rows
    ids = {side: [str(e["id"]).strip() for e in tables[side].enterprises] for side in tables}
    issues += attach_sources(data["rules"].get("sources"), sheets.matrix, ids, sheets.places)
    return issues, rows


def _columns_rules_need(
    sheets: Sheets, tables: dict[str, EnterpriseSheet], rules: Mapping[str, Any]
) -> list[Located]:
    """A rule grouping by a column its sheet left out (columns are optional until a rule
    needs one): quotas by their side's column, partner quotas by the other side's, pair quotas
    by both sides' ``sector``."""
    needs: list[tuple[Any, Any, str]] = []
    for kind, partners in (("quotas", False), ("partner_quotas", True)):
        entries = rules.get(kind)
        for k, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, Mapping):
                side = entry.get("side")
                if partners:
                    side = {"left": "right", "right": "left"}.get(str(side))
                needs.append((side, entry.get("by"), f"rules.{kind}[{k}]"))
    pair_quotas = rules.get("pair_quotas")
    for k in range(len(pair_quotas) if isinstance(pair_quotas, list) else 0):
        needs += [(side, "sector", f"rules.pair_quotas[{k}]") for side in ("left", "right")]
    issues = []
    for side, column, rule in needs:
        sheet = tables.get(side) if isinstance(side, str) else None
        if sheet is None or not isinstance(column, str) or column in sheet.columns:
            continue
        called = sheets.called[side]
        issues.append(at(sheets.names[side], sheet.header_row, "",
                         f"{rule} groups by {column!r}, but {called} has no {column!r} "
                         "column; add the column"))
    return issues


def assemble(sheets: Sheets) -> Programme:
    """Read, check and validate a bundle's parts into a programme.

    Raises
    ------
    InvalidProgramme
        Listing every problem in every part, each with its place, in the parts' order and by
        row within each.
    """
    rules = RulesFile()
    issues: list[Located] = []
    if sheets.has("rules"):
        rules, issues = sheets.rules()
    tables, found = _read_sides(sheets)
    issues += found + _columns_rules_need(sheets, tables, rules.rules)
    scores: ScoreSheet | None = None
    if sheets.has("scores"):
        unit = rules.rules.get("score_scale") != "auto"  # any finite scale with "auto"
        scores, found = sheets.scores(unit=unit)
        issues += found
    if len(tables) == 2:
        data: dict[str, Any] = {
            side: {"label": rules.labels[side], "enterprises": tables[side].enterprises}
            for side in ("left", "right")
        }
        data["rules"] = rules.rules
        data.update(rules.extra)
        if scores is not None and all(s.has_ids for s in tables.values()):
            matrix, found = _aligned(sheets, scores, tables)
            issues += found
            if matrix is not None:
                data["scores"] = matrix
        rows = {side: tables[side].rows for side in tables}
        found, rows["preferences"] = _score_sources(sheets, data, tables)
        issues += found
        where = BundleWhere(sheets.names, rows, sheets.places)
        programme, problems = validate_programme(data, source=sheets.source, what="key")
        issues += [Located(where.place(p.loc), p.message) for p in problems]
        if programme is not None and not issues:
            return programme
    issues.sort(key=lambda i: (sheets.rank(i.place), i.place.rows[:1] or (0,)))
    report = [i.issue() for i in issues]
    raise InvalidProgramme(report, source=sheets.source)


def load_bundle(folder: Path) -> Programme:
    """Load a spreadsheet bundle folder.

    Parameters
    ----------
    folder
        The folder holding ``left.csv``, ``right.csv`` and optionally ``scores.csv`` and
        ``rules.toml`` (see the design's "Files").

    Returns
    -------
    Programme

    Raises
    ------
    InvalidProgramme
        Listing every problem in every file, each with its file, row and field.
    """
    if not folder.is_dir():
        raise InvalidProgramme([Issue(str(folder), "no such folder; check the path")])
    return assemble(FolderSheets(folder))
