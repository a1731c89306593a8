"""Read the extra score matrices that ``[[source]]`` tables of ``rules.toml`` name.

Each ``[[source]]`` has a ``name``, a ``weight`` and a ``file``: a CSV in the ``scores.csv``
format (right ids across, left ids down), relative to the bundle folder (in a workbook: the
sheet of that name, see :mod:`pairing.io.xlsx`), where an empty cell
means *no information* (it counts 0) rather than a forbidden pair. The file must cover every
enterprise: a missing row or column is an error listing the missing ids, like an id the
sheets do not know or one given twice. Rows and columns may come in any order; the matrix is
aligned to the sheets' order and stored in the source's ``scores`` (NaN where empty).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from pairing.io.locations import Located, RulesPlaces, at
from pairing.io.scores_csv import ScoreSheet

__all__ = ["MatrixReader", "attach_sources"]

#: Reads the matrix a ``[[source]]``'s ``file`` names: the sheet and its problems, or the
#: sentence saying there is no such file (or sheet).
MatrixReader = Callable[[str, int], "tuple[ScoreSheet | None, list[Located]] | str"]

_SHOWN = 8


def _listing(ids: Sequence[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:_SHOWN])
    return shown + (f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else "")


def _order(
    given: Sequence[str], expected: Sequence[str], side: str, file: str, line: str
) -> tuple[np.ndarray | None, list[Located]]:
    """Positions of ``expected`` ids in ``given``, or the mismatches that prevent it."""
    issues = []
    known = set(expected)
    unknown = [i for i in dict.fromkeys(given) if i not in known]
    if unknown:
        message = (
            f"{side} id(s) not in the {side} enterprises: {_listing(unknown)}; "
            f"fix the ids or drop those {line}s"
        )
        issues.append(at(file, None, "", message))
    twice = [i for i in dict.fromkeys(given) if given.count(i) > 1]
    if twice:
        issues.append(
            at(file, None, "", f"{side} id(s) given more than once: {_listing(twice)}; keep one")
        )
    position = {ident: k for k, ident in enumerate(given)}
    missing = [i for i in expected if i not in position]
    if missing:
        message = (
            f"no {line} for {len(missing)} {side} enterprise(s): {_listing(missing)}; a source "
            f"must cover every enterprise — add the {line}s (empty cells mean no information)"
        )
        issues.append(at(file, None, "", message))
    if issues:
        return None, issues
    return np.fromiter((position[i] for i in expected), np.intp, len(expected)), []


def attach_sources(
    sources: Any, read: MatrixReader, ids: Mapping[str, Sequence[str]], places: RulesPlaces
) -> list[Located]:
    """Read each ``[[source]]``'s file into its ``scores``, in place.

    Parameters
    ----------
    sources
        The raw ``rules.sources`` list (from ``rules.toml``); anything else is left to the model
        to report.
    read
        Reads the matrix a ``file`` names (a CSV of the bundle folder, a workbook's sheet);
        called with the file and the source's position.
    ids
        Each side's enterprise ids in the sheets' order (``"left"``, ``"right"``).
    places
        Where the rules are, to locate a missing or unknown ``file``.

    Returns
    -------
    list of Located
        Every problem: a missing ``file`` key, an unreadable file, bad cells, and ids missing,
        unknown or repeated, each naming the file (and row and column for a cell).
    """
    if not isinstance(sources, list):
        return []
    issues: list[Located] = []
    for k, entry in enumerate(sources):
        if not isinstance(entry, dict) or "scores" in entry:
            continue
        # a stand-in until the file is read, so that a file's problem is reported once (here),
        # not again as a missing matrix; the issues returned keep the bundle from loading
        entry["scores"] = np.zeros((len(ids["left"]), len(ids["right"])))
        file = entry.get("file")
        if not isinstance(file, str) or not file.strip():
            message = "expected 'file', a score-matrix CSV relative to the bundle folder"
            issues.append(Located(places.entry("source", k, "file"), message))
            continue
        found = read(file, k)
        if isinstance(found, str):
            issues.append(Located(places.entry("source", k, "file"), found))
            continue
        sheet, problems = found
        issues += problems
        if sheet is None or problems:
            continue
        rows, bad_rows = _order(sheet.left_ids, ids["left"], "left", sheet.name, "row")
        cols, bad_cols = _order(sheet.right_ids, ids["right"], "right", sheet.name, "column")
        issues += bad_rows + bad_cols
        if rows is not None and cols is not None:
            entry["scores"] = sheet.matrix[np.ix_(rows, cols)]
    return issues
