"""Terminal tables (rich) for results and the solver registry."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from pairing.result import Result
from pairing.solvers.base import SolverSpec

__all__ = ["render", "result_table", "solvers_table"]


def render(*tables: Table, width: int = 120) -> str:
    """Render rich renderables to plain text (no colour codes: safe for files and pipes)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    for table in tables:
        console.print(table)
    return buffer.getvalue()


def _summary(result: Result) -> Table:
    table = Table(title="pairing result", show_header=False)
    table.add_column("field")
    table.add_column("value")
    solver = result.solver
    rows = [
        ("status", result.status_text()),
        ("objective", f"{result.objective} = {result.objective_value:.6f}"),
        *([("note", result.message)] if result.message else []),
        *([("how", solver.note)] if solver.note else []),
        ("solver", f"{solver.name} ({solver.chosen_because})"),
        ("runtime", f"{solver.runtime_s:.3f} s"),
        ("pairs", str(result.metrics.pairs)),
        ("unmatched", f"{len(result.unmatched.left)} left, {len(result.unmatched.right)} right"),
        ("total score", f"{result.metrics.total_score:.4f} (mean {result.metrics.mean_score:.4f})"),
        ("blocking pairs", str(result.metrics.blocking_pairs)),
        ("gini (all gains)", f"{result.metrics.gini:.4f}"),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _fairness(result: Result) -> Table:
    table = Table(title="fairness by side")
    for column in ("side", "enterprises", "matched", "min gain", "p10 gain", "mean gain", "gini"):
        table.add_column(column, justify="right" if column != "side" else "left")
    for side in (result.metrics.left, result.metrics.right):
        table.add_row(
            side.label,
            str(side.enterprises),
            str(side.matched),
            f"{side.min_gain:.3f}",
            f"{side.p10_gain:.3f}",
            f"{side.mean_gain:.3f}",
            f"{side.gini:.3f}",
        )
    return table


def _quotas(result: Result) -> Table | None:
    if not result.metrics.quotas:
        return None
    table = Table(title="quotas")
    for column in ("rule", "count", "min", "max", "ok"):
        table.add_column(column)
    for q in result.metrics.quotas:
        table.add_row(
            q.description,
            str(q.count),
            str(q.min if q.min is not None else "-"),
            str(q.max if q.max is not None else "-"),
            "yes" if q.ok else "NO",
        )
    return table


def _pairs(result: Result, limit: int | None) -> Table:
    shown = result.pairs if limit is None else result.pairs[:limit]
    title = (
        "pairs"
        if len(shown) == len(result.pairs)
        else f"pairs (first {len(shown)} of {len(result.pairs)})"
    )
    table = Table(title=title)
    for column in ("left", "right", "score", "gain L", "gain R", "top reason"):
        table.add_column(column)
    for p in shown:
        table.add_row(
            p.left,
            p.right,
            f"{p.score:.3f}",
            f"{p.gain_left:.3f}",
            f"{p.gain_right:.3f}",
            p.reasons[0] if p.reasons else "",
        )
    return table


def result_table(result: Result, pair_limit: int | None = None) -> str:
    """Summary, fairness, quota usage and the pairs, as plain text."""
    parts = [_summary(result), _fairness(result)]
    quotas = _quotas(result)
    if quotas is not None:
        parts.append(quotas)
    parts.append(_pairs(result, pair_limit))
    return render(*parts, width=160)


def solvers_table(specs: list[SolverSpec]) -> str:
    table = Table(title="solvers")
    for column in ("name", "exact", "objectives", "rules beyond one-to-one", "what"):
        table.add_column(column)
    for spec in specs:
        table.add_row(
            spec.name,
            "yes" if spec.exact else "no (heuristic)",
            ", ".join(sorted(spec.objectives)),
            ", ".join(sorted(spec.rules)) or "-",
            spec.summary,
        )
    return render(table, width=160)
