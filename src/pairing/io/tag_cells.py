"""Tag cells as people type them: ``ai:0.9; cloud:0.7`` and also ``ai:0.9, cloud:0.7``.

The bundle format separates ``tag:level`` entries with ``;``. A spreadsheet user often writes
commas instead. An entry with commas is read as several entries when every piece between the
commas is itself a ``tag:level`` entry; else as one entry whose tag holds a comma
(``agri, food:0.8``) when that reads; else it is ambiguous (``ai:0,9`` — a decimal comma?) and
reported with the cell. The bundle writer refuses a tag that would read back as several
entries, so written bundles always read back exactly.
"""

from __future__ import annotations

import re

__all__ = ["reads_as_one_tag", "split_tag_cell"]

_LEVEL = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_ENTRY = re.compile(r"\s*[^:,;]*[^:,;\s][^:,;]*:\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")


def split_tag_cell(cell: str) -> tuple[list[str], str | None]:
    """The ``tag:level`` entries of ``cell``, split on ``;`` and, where unambiguous, on ``,``.

    Returns
    -------
    (list of str, str or None)
        The entries (not yet parsed), and a message when a comma makes the cell ambiguous.
    """
    entries: list[str] = []
    for part in cell.split(";"):
        if "," not in part:
            entries.append(part)
            continue
        pieces = [p for p in part.split(",") if p.strip()]
        if pieces and all(_ENTRY.fullmatch(p) for p in pieces):
            entries += pieces
            continue
        tag, colon, level = part.rpartition(":")
        if colon and tag.strip() and _LEVEL.fullmatch(level):
            entries.append(part)  # one tag with a comma in its name
            continue
        return [], (
            f"cannot tell where the entries of {cell.strip()!r} begin and end: {part.strip()!r} "
            "has a comma but is not a list of 'tag:level' entries (a decimal comma? write 0.9); "
            "separate entries with ';' (e.g. 'ai:0.9; cloud:0.7')"
        )
    return entries, None


def reads_as_one_tag(tag: str) -> bool:
    """True when ``tag`` written as ``tag:0.5`` reads back as that one tag (for writers)."""
    entries, problem = split_tag_cell(f"{tag}:0.5")
    return problem is None and entries == [f"{tag}:0.5"]
