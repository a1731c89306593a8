"""Load a spreadsheet bundle: a folder with ``left.csv``, ``right.csv`` and optionally
``scores.csv``, ``preferences.csv``, ``rules.toml`` and the files its ``[[source]]`` tables name.

Every file is read, every problem in every file is collected, and one
:class:`~pairing.errors.InvalidProgramme` lists them all, each naming its file, row and field, so
a programme manager fixes the spreadsheets in one pass. A ``scores.csv`` must label its rows and
columns with exactly the enterprises' ids; its rows and columns may come in any order and are
aligned to the sheets' order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pairing.errors import InvalidProgramme, Issue
from pairing.io.enterprises_csv import EnterpriseSheet, read_enterprises
from pairing.io.locations import BundleWhere, plural_rows
from pairing.io.preferences_csv import read_preferences
from pairing.io.rules_toml import RulesFile, read_rules
from pairing.io.scores_csv import MAX_CELL_ISSUES, ScoreSheet, read_scores
from pairing.io.sources import attach_sources
from pairing.io.validate import validate_programme
from pairing.model.programme import Programme

__all__ = ["BUNDLE_FILES", "load_bundle"]

BUNDLE_FILES: tuple[str, ...] = (
    "left.csv",
    "right.csv",
    "scores.csv",
    "preferences.csv",
    "rules.toml",
)
_FILES = {
    "left": "left.csv",
    "right": "right.csv",
    "scores": "scores.csv",
    "preferences": "preferences.csv",
    "rules": "rules.toml",
}


def _id_issues(
    side: str,
    given: Sequence[str],
    expected: Sequence[str],
    sheet_rows: Sequence[int],
    scores_rows: Sequence[int] | None,
) -> list[Issue]:
    """Compare a score matrix's ids for one side with that side's sheet."""
    name, sheet = _FILES["scores"], _FILES[side]

    def where(k: int) -> str:
        if scores_rows is not None:
            return f"{name}, row {scores_rows[k]}, column 1"
        return f"{name}, row 1, column {k + 2}"

    issues = []
    known = set(expected)
    positions: dict[str, list[int]] = {}
    for k, ident in enumerate(given):
        positions.setdefault(ident, []).append(k)
        if not ident:
            issues.append(
                Issue(where(k), f"empty {side} id; write the id of an enterprise of {sheet}")
            )
        elif ident not in known:
            issues.append(
                Issue(
                    where(k),
                    f"{side} id {ident!r} is not in {sheet}; fix the id or add the enterprise",
                )
            )
    for ident, ks in positions.items():
        if ident and len(ks) > 1:
            if scores_rows is not None:
                place = f"{name}, {plural_rows([scores_rows[k] for k in ks])}, column 1"
            else:
                place = f"{name}, row 1, columns {', '.join(str(k + 2) for k in ks)}"
            issues.append(Issue(place, f"{side} id {ident!r} appears {len(ks)} times; keep one"))
    line = "row" if scores_rows is not None else "column"
    for k, ident in enumerate(expected):
        if ident and ident not in positions:
            message = (
                f"no {line} for {side} id {ident!r} ({sheet}, row {sheet_rows[k]}); "
                f"add one (empty cells forbid its pairs)"
            )
            issues.append(Issue(name, message))
    if len(issues) > MAX_CELL_ISSUES:
        more = len(issues) - MAX_CELL_ISSUES
        issues = [*issues[:MAX_CELL_ISSUES], Issue(name, f"and {more} more {side} id problems")]
    return issues


def _aligned(
    scores: ScoreSheet, sheets: dict[str, EnterpriseSheet]
) -> tuple[np.ndarray | None, list[Issue]]:
    """The score matrix in the sheets' order, or the id mismatches that prevent it."""
    ids = {side: [str(e["id"]).strip() for e in sheets[side].enterprises] for side in sheets}
    issues = _id_issues("left", scores.left_ids, ids["left"], sheets["left"].rows, scores.rows)
    issues += _id_issues("right", scores.right_ids, ids["right"], sheets["right"].rows, None)
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


def _sort_key(issue: Issue) -> tuple[int, int]:
    # the files [[source]] names come last, after the rules that name them
    order = next(
        (k for k, f in enumerate(BUNDLE_FILES) if issue.where.startswith(f)), len(BUNDLE_FILES)
    )
    row = re.search(r"\brows? (\d+)", issue.where)
    return order, int(row.group(1)) if row else 0


def _read_sheets(folder: Path) -> tuple[dict[str, EnterpriseSheet], list[Issue]]:
    sheets = {}
    issues = []
    for side in ("left", "right"):
        path = folder / _FILES[side]
        if not path.exists():
            message = f"missing; a bundle needs {_FILES[side]} with the {side} side's enterprises"
            issues.append(Issue(_FILES[side], message))
            continue
        sheet, found = read_enterprises(path, _FILES[side])
        issues += found
        if sheet is not None:
            sheets[side] = sheet
    return sheets, issues


def _score_sources(
    folder: Path, data: dict[str, Any], sheets: dict[str, EnterpriseSheet]
) -> tuple[list[Issue], list[int]]:
    """Add ``preferences.csv`` and the ``[[source]]`` files to ``data``: problems, and the
    preference rows' spreadsheet row numbers."""
    issues: list[Issue] = []
    rows: list[int] = []
    if (folder / _FILES["preferences"]).exists():
        sheet, issues = read_preferences(folder / _FILES["preferences"], _FILES["preferences"])
        if sheet is not None:
            data["preferences"], rows = sheet.preferences, sheet.rows
    ids = {side: [str(e["id"]).strip() for e in sheets[side].enterprises] for side in sheets}
    issues += attach_sources(data["rules"].get("sources"), folder, ids, _FILES["rules"])
    return issues, rows


def _columns_rules_need(
    sheets: dict[str, EnterpriseSheet], rules: Mapping[str, Any]
) -> list[Issue]:
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
        sheet = sheets.get(side) if isinstance(side, str) else None
        if sheet is None or not isinstance(column, str) or column in sheet.columns:
            continue
        file = _FILES[side]
        issues.append(Issue(f"{file}, row {sheet.header_row}",
                            f"{rule} groups by {column!r}, but {file} has no {column!r} column; "
                            "add the column"))
    return issues


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
    source = str(folder)
    if not folder.is_dir():
        raise InvalidProgramme([Issue(source, "no such folder; check the path")])
    rules = RulesFile()
    issues: list[Issue] = []
    if (folder / _FILES["rules"]).exists():
        rules, issues = read_rules(folder / _FILES["rules"], _FILES["rules"])
    sheets, found = _read_sheets(folder)
    issues += found + _columns_rules_need(sheets, rules.rules)
    scores: ScoreSheet | None = None
    if (folder / _FILES["scores"]).exists():
        unit = rules.rules.get("score_scale") != "auto"  # any finite scale with "auto"
        scores, found = read_scores(folder / _FILES["scores"], _FILES["scores"], unit=unit,
                                    scale_hint=True)
        issues += found
    if len(sheets) == 2:
        data: dict[str, Any] = {
            side: {"label": rules.labels[side], "enterprises": sheets[side].enterprises}
            for side in ("left", "right")
        }
        data["rules"] = rules.rules
        data.update(rules.extra)
        if scores is not None and all(s.has_ids for s in sheets.values()):
            matrix, found = _aligned(scores, sheets)
            issues += found
            if matrix is not None:
                data["scores"] = matrix
        rows = {side: sheets[side].rows for side in sheets}
        found, rows["preferences"] = _score_sources(folder, data, sheets)
        issues += found
        where = BundleWhere(_FILES, rows)
        programme, found = validate_programme(data, where, source=source, what="key")
        issues += found
        if programme is not None and not issues:
            return programme
    issues.sort(key=_sort_key)
    raise InvalidProgramme(issues, source=source)
