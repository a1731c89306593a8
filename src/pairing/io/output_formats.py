"""Which format an output file gets, from its extension — and a refusal for any other.

``-o pairs.xlsx`` must never receive JSON under a spreadsheet's name. Each command names the
extensions it writes; a path without an extension (``/dev/null``, a FIFO) gets the command's
default, and any other extension is an :class:`~pairing.errors.OutputError` (exit 2) before
any work is done.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pairing.errors import OutputError

__all__ = [
    "COMPARE_FORMATS",
    "FILE_EXTENSIONS",
    "PROGRAMME_FORMATS",
    "REPORT_FORMATS",
    "RESULT_FORMATS",
    "format_of",
]

#: Result files: extension → format.
RESULT_FORMATS: Mapping[str, str] = {".json": "json", ".csv": "csv", ".xlsx": "xlsx"}
#: Programme files (``generate -o``, ``repair --programme-out``): extension → format.
PROGRAMME_FORMATS: Mapping[str, str] = {".json": "json", ".xlsx": "xlsx"}
#: The HTML report.
REPORT_FORMATS: Mapping[str, str] = {".html": "html", ".htm": "html"}
#: Extensions that name a file, never a bundle folder (``generate -o bundle.csv`` is refused).
FILE_EXTENSIONS: frozenset[str] = frozenset({
    ".csv", ".tsv", ".txt", ".md", ".html", ".htm", ".pdf", ".xls", ".xlsm", ".ods", ".toml",
    ".parquet", ".yaml", ".yml", ".zip", ".gz", ".xml",
})
#: Comparison tables (``pairing compare -o``): extension → format.
COMPARE_FORMATS: Mapping[str, str] = {
    ".json": "json", ".csv": "csv", ".xlsx": "xlsx", ".md": "md", ".txt": "table",
}


def format_of(
    path: str | os.PathLike[str], formats: Mapping[str, str], default: str, *, also: str = ""
) -> str:
    """The format ``path`` is written in: by its extension, ``default`` when it has none.
    ``also`` is added to the refusal (another kind of target the command takes).

    Raises
    ------
    OutputError
        The extension is not one of ``formats``; the message lists those that are.
    """
    suffix = Path(path).suffix.lower()
    if not suffix:
        return default
    if suffix in formats:
        return formats[suffix]
    known = ", ".join(sorted(formats))
    msg = f"{path}: cannot write a {suffix!r} file; give a file name ending in {known}{also}"
    raise OutputError(msg)
