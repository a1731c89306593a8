"""Header rows as people type them: find the header under title rows, match names loosely.

A spreadsheet kept by hand often has a title or a note above the header ("Double Hundred
pilot, March"), headers in any case or spacing (``Capacity Min``) and empty rows. These functions
say which row is the header and which canonical column each cell names, so every reader (bundle
CSVs, workbook sheets, pair lists) applies the same rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["find_header", "header_key", "is_blank"]

_SEPARATORS = re.compile(r"[\s_\-]+")


def header_key(name: str) -> str:
    """A header cell reduced for matching: lower case, no spaces, ``_`` or ``-``, no BOM.

    ``"Capacity Min"``, ``"capacity_min"`` and ``" CAPACITY-MIN "`` all give ``"capacitymin"``.
    """
    return _SEPARATORS.sub("", name.replace("\ufeff", "").strip().lower())


def is_blank(row: Sequence[str]) -> bool:
    """True when every cell of ``row`` is empty or only spaces."""
    return all(not str(cell).strip() for cell in row)


def find_header(rows: Sequence[Sequence[str]], required: Iterable[str]) -> int | None:
    """The index of the first row that holds every ``required`` column (matched by
    :func:`header_key`), or ``None`` when no row does.
    """
    wanted = {header_key(name) for name in required}
    for index, row in enumerate(rows):
        if wanted <= {header_key(str(cell)) for cell in row}:
            return index
    return None
