"""Read the extra score matrices that ``[[source]]`` tables of ``rules.toml`` name.

Each ``[[source]]`` has a ``name``, a ``weight`` and a ``file``: a CSV in the ``scores.csv``
format (right ids across, left ids down), relative to the bundle folder, where an empty cell
means *no information* (it counts 0) rather than a forbidden pair. The file must cover every
enterprise: a missing row or column is an error listing the missing ids, like an id the
sheets do not know or one given twice. Rows and columns may come in any order; the matrix is
aligned to the sheets' order and stored in the source's ``scores`` (NaN where empty).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pairing.errors import Issue
from pairing.io.scores_csv import read_scores

__all__ = ["attach_sources"]

_SHOWN = 8


def _listing(ids: Sequence[str]) -> str:
    shown = ", ".join(repr(i) for i in ids[:_SHOWN])
    return shown + (f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else "")


def _order(
    given: Sequence[str], expected: Sequence[str], side: str, file: str, line: str
) -> tuple[np.ndarray | None, list[Issue]]:
    """Positions of ``expected`` ids in ``given``, or the mismatches that prevent it."""
    issues = []
    known = set(expected)
    unknown = [i for i in dict.fromkeys(given) if i not in known]
    if unknown:
        message = (
            f"{side} id(s) not in the {side} enterprises: {_listing(unknown)}; "
            f"fix the ids or drop those {line}s"
        )
        issues.append(Issue(file, message))
    twice = [i for i in dict.fromkeys(given) if given.count(i) > 1]
    if twice:
        issues.append(
            Issue(file, f"{side} id(s) given more than once: {_listing(twice)}; keep one")
        )
    position = {ident: k for k, ident in enumerate(given)}
    missing = [i for i in expected if i not in position]
    if missing:
        message = (
            f"no {line} for {len(missing)} {side} enterprise(s): {_listing(missing)}; a source "
            f"must cover every enterprise — add the {line}s (empty cells mean no information)"
        )
        issues.append(Issue(file, message))
    if issues:
        return None, issues
    return np.fromiter((position[i] for i in expected), np.intp, len(expected)), []


def _meaning(issue: Issue) -> Issue:
    """Say what an empty cell means in a source (the score-matrix reader says 'forbidden')."""
    message = issue.message.replace("(forbidden pair)", "(no information)").replace(
        "leave the cell empty to forbid the pair", "leave the cell empty for no information"
    )
    return Issue(issue.where, message)


def attach_sources(
    sources: Any, folder: Path, ids: Mapping[str, Sequence[str]], rules_name: str = "rules.toml"
) -> list[Issue]:
    """Read each ``[[source]]``'s file into its ``scores``, in place.

    Parameters
    ----------
    sources
        The raw ``rules.sources`` list (from ``rules.toml``); anything else is left to the model
        to report.
    folder
        The folder the files are relative to (the bundle's).
    ids
        Each side's enterprise ids in the sheets' order (``"left"``, ``"right"``).
    rules_name
        How messages name the rules file.

    Returns
    -------
    list of Issue
        Every problem: a missing ``file`` key, an unreadable file, bad cells, and ids missing,
        unknown or repeated, each naming the file (and row and column for a cell).
    """
    if not isinstance(sources, list):
        return []
    issues: list[Issue] = []
    for k, entry in enumerate(sources, start=1):
        if not isinstance(entry, dict) or "scores" in entry:
            continue
        # a stand-in until the file is read, so that a file's problem is reported once (here),
        # not again as a missing matrix; the issues returned keep the bundle from loading
        entry["scores"] = np.zeros((len(ids["left"]), len(ids["right"])))
        file = entry.get("file")
        if not isinstance(file, str) or not file.strip():
            message = "expected 'file', a score-matrix CSV relative to the bundle folder"
            issues.append(Issue(f"{rules_name}, [[source]] #{k}, key 'file'", message))
            continue
        path = folder / file
        if not path.is_file():
            message = f"no such file {file!r} in the bundle folder (from [[source]] #{k})"
            issues.append(Issue(f"{rules_name}, [[source]] #{k}, key 'file'", message))
            continue
        sheet, found = read_scores(path, file)
        issues += [_meaning(i) for i in found]
        if sheet is None or found:
            continue
        rows, bad_rows = _order(sheet.left_ids, ids["left"], "left", file, "row")
        cols, bad_cols = _order(sheet.right_ids, ids["right"], "right", file, "column")
        issues += bad_rows + bad_cols
        if rows is not None and cols is not None:
            entry["scores"] = sheet.matrix[np.ix_(rows, cols)]
    return issues
