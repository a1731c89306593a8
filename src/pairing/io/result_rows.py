"""A result's pairs as table rows: the result CSV's columns and the result workbook's
``pairs`` sheet (:mod:`.results_file`, :mod:`.result_xlsx`)."""

from __future__ import annotations

from typing import Any

from pairing.model.programme import Programme
from pairing.model.result import Result

__all__ = ["RESULT_COLUMNS", "result_rows"]

#: The result CSV's columns (and the ``pairs`` sheet's of a result workbook).
RESULT_COLUMNS: tuple[str, ...] = (
    "left", "right", "score", "gain_left", "gain_right", "reasons",
    "left_name", "right_name", "left_sector", "right_sector",
)


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
