"""Spreadsheet cells that stay text: CSV/formula injection neutralised, and read back exactly.

A spreadsheet program treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some,
a tab or carriage return) as a formula: an enterprise called ``=HYPERLINK(...)`` or
``+1+cmd|' /C calc'!A0`` would run when a programme manager opens the result. Every CSV and XLSX
writer of pairing passes its text cells through :func:`neutralise`, which follows OWASP's advice
and prefixes such a cell with a single quote; every reader passes cells through :func:`restore`,
which removes exactly that quote, so ``restore(neutralise(text)) == text`` for every text.

Numbers are never altered: a cell that reads as a number (``-0.25``, ``+3``, ``1e-6``) is not a
formula and is written as it is. A text that already begins with quotes followed by a risky
character gets one more quote, so that the round trip stays exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = ["RISKY_STARTS", "neutralise", "neutralise_row", "restore", "restore_row"]

#: First characters that make a spreadsheet cell a formula (OWASP, CSV injection).
RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|nan)", re.IGNORECASE)
_QUOTED = re.compile(r"'+[=+\-@\t\r]")


def _is_number(text: str) -> bool:
    return _NUMBER.fullmatch(text) is not None


def neutralise(value: Any) -> Any:
    """``value`` as a safe cell: a risky text gets a leading ``'``; anything else is unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(RISKY_STARTS) and not _is_number(value):
        return "'" + value
    if _QUOTED.match(value):
        return "'" + value
    return value


def restore(value: Any) -> Any:
    """The text :func:`neutralise` was given: one leading ``'`` before a risky start is removed."""
    if isinstance(value, str) and value[:1] == "'" and _QUOTED.match(value):
        return value[1:]
    return value


def neutralise_row(cells: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`neutralise`."""
    return [neutralise(cell) for cell in cells]


def restore_row(cells: Iterable[Any]) -> list[Any]:
    """Every cell of a row through :func:`restore` (a cell without a leading quote costs one
    comparison: readers call this on every cell of a score matrix)."""
    return [
        restore(cell) if isinstance(cell, str) and cell[:1] == "'" else cell for cell in cells
    ]
