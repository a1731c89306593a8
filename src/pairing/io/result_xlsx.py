"""A result as a workbook a programme manager can open: ``pairs``, ``unmatched``, ``fairness``
and ``summary`` sheets.

- ``pairs``: the result CSV's columns (ids, score, gains, reasons, names and sectors);
- ``unmatched``: every enterprise without a partner — id, name, side and why
  (:func:`pairing.report.unmatched.unmatched_reasons`);
- ``fairness``: the metrics per side, then per sector of each side (enterprises, matched, pairs,
  min and mean gain);
- ``summary``: status, objective, solver and the headline metrics, one per row.

Text cells go through :func:`pairing.io.cells.neutralise` (no formula injection); numbers stay
numbers. The file is written atomically (:func:`pairing.io.atomic.atomic_path`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from pairing.diagnostics.sector_fairness import sector_fairness
from pairing.extras import require
from pairing.io.atomic import atomic_path
from pairing.io.cells import neutralise_row
from pairing.io.result_rows import RESULT_COLUMNS, result_rows
from pairing.model.programme import Programme
from pairing.model.result import Result

if TYPE_CHECKING:
    from pairing.core.prepare import Prepared

__all__ = ["result_workbook_sheets", "write_result_workbook"]


def _unmatched_rows(
    programme: Programme, result: Result, prepared: Prepared | None
) -> list[list[Any]]:
    from pairing.report.unmatched import unmatched_reasons

    names = {side: {e.id: e.name for e in programme.side(side).enterprises}
             for side in ("left", "right")}
    rows: list[list[Any]] = [["id", "name", "side", "why"]]
    for reason in unmatched_reasons(programme, result, prepared=prepared):
        rows.append([reason.id, names[reason.side].get(reason.id, ""),
                     programme.side(reason.side).label, reason.text])
    return rows


def _fairness_rows(programme: Programme, result: Result) -> list[list[Any]]:
    metrics = result.metrics
    rows: list[list[Any]] = [
        ["side", "enterprises", "matched", "min gain", "p10 gain", "mean gain", "gini"],
    ]
    for figures in (metrics.left, metrics.right):
        rows.append([figures.label, figures.enterprises, figures.matched, figures.min_gain,
                     figures.p10_gain, figures.mean_gain, figures.gini])
    rows += [[], ["side", "sector", "enterprises", "matched", "pairs", "min gain", "mean gain"]]
    rows += [[r.side, r.sector, r.enterprises, r.matched, r.pairs, r.min_gain, r.mean_gain]
             for r in sector_fairness(programme, result)]
    return rows


def _summary_rows(result: Result) -> list[list[Any]]:
    metrics, solver = result.metrics, result.solver
    return [
        ["field", "value"],
        ["status", result.status_text()],
        ["objective", result.objective],
        ["objective value", result.objective_value],
        ["solver", solver.name],
        ["why this solver", solver.chosen_because],
        ["pairs", metrics.pairs],
        [f"unmatched {metrics.left.label}", len(result.unmatched.left)],
        [f"unmatched {metrics.right.label}", len(result.unmatched.right)],
        ["total score", metrics.total_score],
        ["mean score", metrics.mean_score],
        ["blocking pairs", metrics.blocking_pairs],
        ["gini (all gains)", metrics.gini],
        ["fair objectives count", metrics.fair_to],
        ["note", result.message],
        ["input_sha256", result.input_sha256],
        ["version", result.version],
    ]


def result_workbook_sheets(
    programme: Programme, result: Result, *, prepared: Prepared | None = None
) -> dict[str, list[list[Any]]]:
    """The workbook's sheets as rows of cells, in sheet order (for writing and for tests).

    ``prepared`` (:func:`pairing.core.prepare.prepare` of ``programme``) is what the unmatched
    enterprises are explained from; without it the programme is compiled here.
    """
    return {
        "pairs": [list(RESULT_COLUMNS), *result_rows(result, programme)],
        "unmatched": _unmatched_rows(programme, result, prepared),
        "fairness": _fairness_rows(programme, result),
        "summary": _summary_rows(result),
    }


def write_result_workbook(
    programme: Programme, result: Result, path: str | os.PathLike[str], *,
    prepared: Prepared | None = None,
) -> None:
    """Write ``result`` (of ``programme``) as an ``.xlsx`` workbook at ``path``, atomically
    (``prepared``: as for :func:`result_workbook_sheets`)."""
    require("openpyxl", "xlsx")
    import openpyxl  # deferred: only workbook users pay for the import

    workbook = openpyxl.Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    for name, rows in result_workbook_sheets(programme, result, prepared=prepared).items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(neutralise_row(row))
        sheet.freeze_panes = "A2"
    with atomic_path(path) as temp:
        workbook.save(temp)
