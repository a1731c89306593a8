"""Read an organisers' score matrix from CSV: right ids across, left ids down, scores inside.

The first row holds the right enterprises' ids (its first cell is ignored), the first column the
left enterprises' ids; each cell is a score in [0, 1], or empty to forbid the pair. Rows are
converted with NumPy, one row at a time, so a 10,000 × 10,000 matrix does not go through Python
cell by cell unless a row has empty or bad cells. Bad cells are reported with the row, the
column and both ids; after :data:`MAX_CELL_ISSUES` of them the rest are counted, not listed.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pairing.io.csv_tables import Table, csv_table
from pairing.io.files import read_text
from pairing.io.locations import Located, at

__all__ = ["MAX_CELL_ISSUES", "ScoreSheet", "read_scores", "score_sheet", "scores_from_text"]

MAX_CELL_ISSUES = 20


@dataclass(frozen=True)
class ScoreSheet:
    """A score matrix with the ids it was labelled with, its rows' spreadsheet numbers and
    its name (the file, or the workbook's sheet)."""

    left_ids: list[str]
    right_ids: list[str]
    matrix: np.ndarray
    rows: list[int]
    name: str = ""


def _parse_row(cells: list[str]) -> tuple[np.ndarray, np.ndarray, dict[int, str]]:
    """Values (NaN where empty or unreadable), the empty mask, and unreadable cells' text.

    The common cases run at C speed or close: a row with no empty cell is one NumPy
    conversion, a row with some is one comprehension; only a row with a cell that is not a
    number is examined cell by cell, to say which.
    """
    empty = np.zeros(len(cells), dtype=bool)
    try:
        if "" not in cells:
            return np.array(cells, dtype=np.float64), empty, {}
    except ValueError:
        pass
    try:
        values = np.array([float(c) if c.strip() else math.nan for c in cells], dtype=np.float64)
    except ValueError:
        values = np.full(len(cells), math.nan)
        unreadable = {}
        for k, cell in enumerate(cells):
            try:
                values[k] = float(cell) if cell.strip() else math.nan
            except ValueError:
                unreadable[k] = cell.strip()
    else:
        unreadable = {}
    for k in np.flatnonzero(np.isnan(values)).tolist():
        empty[k] = not cells[k].strip()
    return values, empty, unreadable


def _cell_message(text: str, unit: bool = True, scale_hint: bool = False,
                  source: bool = False) -> str:
    hint = ""
    word = text.strip().lower()
    empty = "no information" if source else "forbidden pair"
    if word in ("nan", "-nan", "+nan"):
        hint = ("; NaN is not a score: leave the cell empty "
                + ("for no information" if source else "to forbid the pair"))
    elif unit and scale_hint and _finite(word):
        hint = ('; for a matrix on another scale set score_scale = "auto" in rules.toml '
                "(pairing solve --scores-scale auto)")
    expected = "a score in [0, 1]" if unit else "a finite number (score_scale = 'auto')"
    return f"expected {expected} or an empty cell ({empty}), found {text!r}{hint}"


def _finite(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


_SUSPECT_TOKENS = ("nan", "inf", "\n\n", "\r\n\r\n", '"', "'", " ,", ", ")


def _read_clean_scores(text: str, name: str) -> ScoreSheet | None:
    """The fast path for a clean file: pandas' C parser, about 4× faster than row by row.

    Returns ``None`` — and the careful reader below takes over, with its exact messages — as
    soon as anything is unusual: pandas missing, a parse error, blank lines, quotes, spaces,
    NaN/inf tokens, duplicate or empty ids, or a non-numeric column (the caller checks the
    cells' range).
    """
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover — pandas is a dependency; stay correct without it
        return None
    body = text.rstrip("\r\n")
    lowered = body.lower()
    if any(token in lowered for token in _SUSPECT_TOKENS):
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(body),
            index_col=0,
            dtype={0: str},
            na_values=[""],
            keep_default_na=False,
            engine="c",
        )
    except (ValueError, pd.errors.ParserError):
        return None
    if frame.index.isna().any():  # an empty id cell: the careful reader names it
        return None
    left_ids = [str(i) for i in frame.index]
    first_line = body.split("\n", 1)[0].rstrip("\r")
    right_ids = first_line.split(",")[1:]
    if (
        not len(frame)
        or len(right_ids) != frame.shape[1]
        or any(not i for i in left_ids + right_ids)
        or len(set(right_ids)) != len(right_ids)
        or len(set(left_ids)) != len(left_ids)
        or body.count(",") != (len(left_ids) + 1) * len(right_ids)  # pandas pads short rows
        or not all(dtype.kind == "f" for dtype in frame.dtypes)
    ):
        return None
    matrix = np.ascontiguousarray(frame.to_numpy(dtype=np.float64))
    return ScoreSheet(left_ids, right_ids, matrix, list(range(2, len(left_ids) + 2)), name)


def _in_range(matrix: np.ndarray, unit: bool) -> bool:
    """Every non-empty cell in [0, 1] (``unit``) or finite."""
    low = np.fmin.reduce(matrix, axis=None, initial=0.0)
    high = np.fmax.reduce(matrix, axis=None, initial=1.0)
    if unit:
        return bool(low >= 0 and high <= 1)
    return bool(np.isfinite(low) and np.isfinite(high))


def read_scores(
    path: Path, name: str = "scores.csv", *, unit: bool = True, scale_hint: bool = False,
    source: bool = False,
) -> tuple[ScoreSheet | None, list[Located]]:
    """Read a score matrix CSV file (see :func:`scores_from_text`); ``None`` with the reason
    when the file cannot be read."""
    text, issues = read_text(path, "CSV file")
    if text is None:
        return None, [at(name, None, "", i.message) for i in issues]
    return scores_from_text(text, name, unit=unit, scale_hint=scale_hint, source=source)


def scores_from_text(
    text: str, name: str = "scores.csv", *, unit: bool = True, scale_hint: bool = False,
    source: bool = False,
) -> tuple[ScoreSheet | None, list[Located]]:
    """Parse a score matrix CSV: a clean file at C speed, any other with :func:`score_sheet`.

    Parameters
    ----------
    text
        The CSV text.
    name
        How messages name it.
    unit, scale_hint, source
        As for :func:`score_sheet`.
    """
    fast = _read_clean_scores(text, name)
    if fast is not None and _in_range(fast.matrix, unit):
        return fast, []  # else the careful reader below names each bad cell
    table, issues = csv_table(text, name)
    if table is None:
        return None, issues
    return score_sheet(table, unit=unit, scale_hint=scale_hint, source=source)


def score_sheet(
    table: Table, *, unit: bool = True, scale_hint: bool = False, source: bool = False
) -> tuple[ScoreSheet | None, list[Located]]:
    """Parse a score-matrix table (a CSV file's, or a workbook sheet's).

    Parameters
    ----------
    table
        Right ids in the header after its first cell, left ids in the first column.
    unit
        Cells must lie in [0, 1] (the default); ``False`` (``score_scale = "auto"``) accepts
        any finite number.
    scale_hint
        A finite cell outside [0, 1] suggests ``score_scale = "auto"`` (the organisers' matrix;
        not an extra ``[[source]]`` matrix, which must hold scores in [0, 1]).
    source
        The matrix is an extra ``[[source]]``, where an empty cell means no information
        rather than a forbidden pair (messages say so).

    Returns
    -------
    (ScoreSheet or None, list of Located)
        The matrix (NaN where empty) and its ids, or ``None`` when the table's structure is
        unusable; and every problem found: rows of the wrong length and cells that are not
        scores in [0, 1]. Ids are not checked here (the caller knows what they must match).
    """
    name = table.name
    right_ids = table.header[1:]
    width = len(right_ids)
    if width == 0:
        message = "expected the right enterprises' ids in row 1 after the first cell, found none"
        return None, [at(name, 1, "", message)]
    issues: list[Located] = []
    matrix = np.full((len(table.rows), width), math.nan)
    left_ids: list[str] = []
    rows: list[int] = []
    bad_cells = 0
    for i, (number, cells) in enumerate(table.rows):
        left_id = cells[0].strip()
        left_ids.append(left_id)
        rows.append(number)
        body = cells[1:]
        if len(body) > width and not any(c.strip() for c in body[width:]):
            body = body[:width]
        if len(body) != width:
            message = (
                f"{len(body)} score cells but row 1 names {width} right ids; "
                "every row needs one cell per right id (empty forbids the pair)"
            )
            issues.append(at(name, number, f" (left id {left_id!r})", message))
            continue
        values, empty, unreadable = _parse_row(body)
        good = ((values >= 0.0) & (values <= 1.0)) if unit else np.isfinite(values)
        bad = np.flatnonzero(~empty & ~good)
        for k in bad.tolist():
            bad_cells += 1
            if bad_cells <= MAX_CELL_ISSUES:
                detail = f" (left id {left_id!r}), column {k + 2} (right id {right_ids[k]!r})"
                text = unreadable.get(k, body[k].strip())
                issues.append(at(name, number, detail,
                                 _cell_message(text, unit, scale_hint, source)))
        matrix[i] = values
    if bad_cells > MAX_CELL_ISSUES:
        more = bad_cells - MAX_CELL_ISSUES
        what = "scores in [0, 1]" if unit else "finite numbers"
        issues.append(at(name, None, "", f"and {more} more cells that are not {what}"))
    return ScoreSheet(left_ids, right_ids, matrix, rows, name), issues
