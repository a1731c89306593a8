"""Reading and writing result files: JSON (the full result) and CSV (one row per pair).

Writes are atomic: the text goes to a temporary file in the target folder, which then replaces
the target, so a failed run never leaves a partial or stale output file.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from pydantic import ValidationError

from pairing.arguments import require_path
from pairing.atomic import write_atomic
from pairing.cells import neutralise_row
from pairing.errors import InvalidProgramme, Issue
from pairing.io.files import read_text
from pairing.result import Result

__all__ = ["load_result", "result_csv", "write_atomic"]


def result_csv(result: Result) -> str:
    """The design's CSV: ``left,right,score,gain_left,gain_right,reasons``.

    A pair's reasons are joined by `` | `` into one cell.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["left", "right", "score", "gain_left", "gain_right", "reasons"])
    for pair in result.pairs:
        writer.writerow(
            neutralise_row([
                pair.left,
                pair.right,
                pair.score,
                pair.gain_left,
                pair.gain_right,
                " | ".join(pair.reasons),
            ])
        )
    return buffer.getvalue()


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
