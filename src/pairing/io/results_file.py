"""Reading and writing result files: JSON (the full result), CSV (one row per pair) and XLSX.

A result CSV file starts with a UTF-8 byte-order mark, so that Excel shows Chinese and Urdu
names (:mod:`.result_rows` has the columns); :func:`load_result` reads a result JSON back
(:func:`pairing.analysis.evaluation.load_result_for` reads a CSV or XLSX's pairs as a result of
a programme). Writes are atomic: the text goes to a temporary file in the target folder, which
then replaces the target, so a failed run never leaves a partial or stale output file.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from pairing.core.arguments import require_path
from pairing.errors import InvalidProgramme, Issue
from pairing.io.atomic import write_atomic
from pairing.io.cells import neutralise_row
from pairing.io.files import read_text
from pairing.io.output_formats import RESULT_FORMATS, format_of
from pairing.io.result_rows import RESULT_COLUMNS, result_rows
from pairing.model.programme import Programme
from pairing.model.result import Result

if TYPE_CHECKING:
    from pairing.core.prepare import Prepared

__all__ = ["load_result", "result_csv", "write_atomic", "write_result"]

#: Written first in a result CSV file, so that spreadsheet programs read it as UTF-8.
BOM = "\ufeff"


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
