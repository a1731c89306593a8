"""Reading and writing result files: JSON (the full result), CSV (one row per pair) and XLSX.

A result CSV file starts with a UTF-8 byte-order mark, so that Excel shows Chinese and Urdu
names; :func:`load_result_for` reads a result JSON, CSV or XLSX (the CSV and XLSX give the
pairs, and everything else is derived from the programme). Writes are atomic: the text goes
to a temporary file in the target folder, which then replaces the target, so a failed run
never leaves a partial or stale output file.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pairing.core.arguments import require_path
from pairing.errors import InvalidProgramme, Issue
from pairing.io.atomic import write_atomic
from pairing.io.cells import neutralise_row
from pairing.io.files import read_text
from pairing.io.output_formats import RESULT_FORMATS, format_of
from pairing.model.programme import Programme
from pairing.model.result import Result

if TYPE_CHECKING:
    from pairing.core.prepare import Prepared

__all__ = [
    "RESULT_COLUMNS",
    "load_result",
    "load_result_for",
    "result_csv",
    "result_rows",
    "write_atomic",
    "write_result",
]

#: The result CSV's columns (and the ``pairs`` sheet's of a result workbook).
RESULT_COLUMNS: tuple[str, ...] = (
    "left", "right", "score", "gain_left", "gain_right", "reasons",
    "left_name", "right_name", "left_sector", "right_sector",
)

#: Written first in a result CSV file, so that spreadsheet programs read it as UTF-8.
BOM = "\ufeff"


def result_rows(result: Result, programme: Programme | None = None) -> list[list[Any]]:
    """One row per pair in :data:`RESULT_COLUMNS` order; names and sectors come from
    ``programme`` (empty without one). The reasons' texts are joined by `` | ``."""
    names: dict[str, dict[str, tuple[str, str]]] = {"left": {}, "right": {}}
    if programme is not None:
        for side in ("left", "right"):
            names[side] = {e.id: (e.name, e.sector) for e in programme.side(side).enterprises}
    rows = []
    for pair in result.pairs:
        left_name, left_sector = names["left"].get(pair.left, ("", ""))
        right_name, right_sector = names["right"].get(pair.right, ("", ""))
        rows.append([
            pair.left, pair.right, pair.score, pair.gain_left, pair.gain_right,
            " | ".join(r.text for r in pair.reasons),
            left_name, right_name, left_sector, right_sector,
        ])
    return rows


def result_csv(result: Result, programme: Programme | None = None) -> str:
    """The design's CSV: ``left,right,score,gain_left,gain_right,reasons``, then
    ``left_name,right_name,left_sector,right_sector`` (filled from ``programme``).

    A pair's reasons (their ``text``) are joined by `` | `` into one cell; text cells are
    neutralised against formula injection. The text has no BOM; :func:`write_result` adds one
    to the file.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for row in result_rows(result, programme):
        writer.writerow(neutralise_row(row))
    return buffer.getvalue()


def write_result(
    path: str | os.PathLike[str], result: Result, programme: Programme | None = None, *,
    prepared: Prepared | None = None,
) -> str:
    """Write ``result`` to ``path`` in the format its extension names (``.json``, ``.csv``,
    ``.xlsx``; none: JSON), atomically; return that format.

    A workbook explains the unmatched enterprises from the compiled problem: ``prepared``
    (:func:`pairing.core.prepare.prepare` of ``programme``, e.g. the one the solve used) spares
    compiling it again.

    Raises
    ------
    OutputError
        Any other extension (nothing is written), or the file cannot be written.
    """
    fmt = format_of(path, RESULT_FORMATS, "json")
    if fmt == "xlsx":
        from pairing.io.result_xlsx import write_result_workbook

        if programme is None:
            msg = "a result workbook needs the programme (for names, sectors and the unmatched)"
            raise InvalidProgramme(msg)
        write_result_workbook(programme, result, path, prepared=prepared)
    elif fmt == "csv":
        write_atomic(path, BOM + result_csv(result, programme))
    else:
        write_atomic(path, result.to_json() + "\n")
    return fmt


def load_result_for(
    programme: Programme, path: str | os.PathLike[str], *, prepared: Prepared | None = None
) -> Result:
    """Read the result of ``programme`` in ``path``: a result JSON as it is, or the pairs of a
    result CSV/XLSX (or any CSV/XLSX with ``left`` and ``right`` columns) as a
    :class:`Result` whose scores, gains, unmatched lists and metrics come from the programme
    (``prepared``: :func:`pairing.core.prepare.prepare` of it, to avoid compiling it again).

    Raises
    ------
    InvalidProgramme
        The file cannot be read, or names an id the programme does not have (with the row).
    """
    require_path(path, "a result file (.json, .csv or .xlsx)")
    if Path(path).suffix.lower() not in (".csv", ".xlsx"):
        return load_result(path)
    from pairing.analysis.evaluation import result_from_pairs

    result, problems = result_from_pairs(programme, path, source=Path(path).name,
                                         prepared=prepared)
    if problems:
        raise InvalidProgramme(
            [Issue(str(path), f"{v.rule}: {v.message}") for v in problems], source=str(path)
        )
    return result


def load_result(path: str | os.PathLike[str]) -> Result:
    """Read a result JSON file written by ``pairing solve``."""
    require_path(path, "a result JSON file")
    source = Path(path)
    text, issues = read_text(source, "result file")
    if text is None:
        raise InvalidProgramme(issues)
    try:
        return Result.model_validate_json(text)
    except ValidationError as exc:
        issues = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"]) or "(top level)"
            issues.append(Issue(f"{source}: {where}", error["msg"]))
        raise InvalidProgramme(issues, source=str(source)) from None
