"""Terminal tables (rich) for results and the solver registry.

Given the programme, a result's table names every enterprise, lists the unmatched with the
reason each stayed alone (:mod:`pairing.report.unmatched`) and shows the alternates when the
result has them; its first line says in plain words what was found and how sure it is.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from pairing.model.programme import Programme
from pairing.model.result import Result
from pairing.solvers.base import SolverSpec

if TYPE_CHECKING:
    from pairing.core.prepare import Prepared

__all__ = ["in_short", "render", "result_table", "solvers_table"]

_GOALS = {
    "total": "the largest total score",
    "maxmin": "the best deal for the worst-off enterprise",
    "leximin": "the best deal for the worst-off, then the next worst-off, and so on",
    "balanced": "the most even mean gain between the two sides",
    "stable": "a stable pairing (no two enterprises would both rather be together)",
}


def render(*tables: Table, width: int = 120) -> str:
    """Render rich renderables to plain text (no colour codes: safe for files and pipes)."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False)
    for table in tables:
        console.print(table)
    return buffer.getvalue()


def in_short(result: Result) -> str:
    """One plain sentence: what was sought, whether it is proven best, who solved it and how
    fast."""
    from pairing.solvers import registry

    goal = _GOALS.get(result.objective, result.objective)
    spec = registry().get(result.solver.name)
    how = f"{result.solver.name}" + (f" — {spec.summary}" if spec is not None else "")
    took = f"{result.solver.runtime_s:.2f} s"
    if result.status == "optimal":
        return f"proven the best pairing for {goal}; found by {how}, in {took}"
    return (f"a pairing aiming at {goal}, NOT proven the best (the time limit was reached, "
            f"see status); found by {how}, in {took}")


def _summary(result: Result) -> Table:
    table = Table(title="pairing result", show_header=False)
    table.add_column("field")
    table.add_column("value")
    solver = result.solver
    rows = [
        ("in short", in_short(result)),
        ("status", result.status_text()),
        ("objective", f"{result.objective} = {result.objective_value:.6f}"),
        *([("note", result.message)] if result.message else []),
        *([("how", solver.note)] if solver.note else []),
        ("solver", solver.name),
        ("why this solver", solver.chosen_because),
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


def _names(programme: Programme | None) -> dict[str, dict[str, str]]:
    if programme is None:
        return {"left": {}, "right": {}}
    return {side: {e.id: e.name for e in programme.side(side).enterprises}
            for side in ("left", "right")}


def _pairs(result: Result, limit: int | None, programme: Programme | None = None) -> Table:
    shown = result.pairs if limit is None else result.pairs[:limit]
    title = (
        "pairs"
        if len(shown) == len(result.pairs)
        else f"pairs (first {len(shown)} of {len(result.pairs)})"
    )
    names = _names(programme)
    table = Table(title=title)
    named = programme is not None
    labels = (result.metrics.left.label, result.metrics.right.label)
    columns = (labels[0], *((f"{labels[0]} name",) if named else ()), labels[1],
               *((f"{labels[1]} name",) if named else ()),
               "score", "gain L", "gain R", "top reason")
    for column in columns:
        table.add_column(column)
    for p in shown:
        table.add_row(
            p.left,
            *((names["left"].get(p.left, ""),) if named else ()),
            p.right,
            *((names["right"].get(p.right, ""),) if named else ()),
            f"{p.score:.3f}",
            f"{p.gain_left:.3f}",
            f"{p.gain_right:.3f}",
            p.reasons[0].text if p.reasons else "",
        )
    return table


def _runner_ups(result: Result, limit: int | None) -> Table | None:
    """Why this partner and not the next one: each end's runner-up, pair by pair."""
    shown = [p for p in (result.pairs if limit is None else result.pairs[:limit])
             if p.runner_up is not None]
    if not shown:
        return None
    labels = (result.metrics.left.label, result.metrics.right.label)
    table = Table(title="runner-ups: each end's next-best allowed partner, and how much less "
                        "it would gain there")
    for column in (labels[0], labels[1], f"{labels[0]}'s runner-up", f"{labels[1]}'s runner-up"):
        table.add_column(column)
    for p in shown:
        assert p.runner_up is not None
        table.add_row(p.left, p.right, *p.runner_up.describe())
    return table


def _unmatched(
    result: Result, programme: Programme, prepared: Prepared | None
) -> Table | None:
    from pairing.report.unmatched import unmatched_reasons

    reasons = unmatched_reasons(programme, result, prepared=prepared)
    if not reasons:
        return None
    names = _names(programme)
    table = Table(title=f"unmatched ({len(reasons)})")
    for column in ("side", "id", "name", "why"):
        table.add_column(column)
    for reason in reasons:
        table.add_row(programme.side(reason.side).label, reason.id,
                      names[reason.side].get(reason.id, ""), reason.text)
    return table


def _alternates(result: Result, programme: Programme | None) -> Table | None:
    if not result.alternates:
        return None
    names = _names(programme)
    table = Table(title="alternates (backup partners, best first)")
    for column in ("side", "id", "name", "backups: partner (score, room)"):
        table.add_column(column)
    for side, by_id in result.alternates.items():
        label = result.metrics.left.label if side == "left" else result.metrics.right.label
        for ident, backups in by_id.items():
            text = ", ".join(
                f"{b.id} ({b.score:.3f}, {'spare room' if b.spare else 'would swap'})"
                for b in backups
            ) or "none"
            table.add_row(label, ident, names.get(side, {}).get(ident, ""), text)
    return table


def result_table(
    result: Result, pair_limit: int | None = None, programme: Programme | None = None,
    prepared: Prepared | None = None,
) -> str:
    """Summary, fairness, quota usage and the pairs, as plain text; with the ``programme``,
    names, the unmatched with their reasons, and the alternates when the result has them
    (``prepared``, the programme as the solve prepared it, saves compiling it again)."""
    parts = [_summary(result), _fairness(result)]
    quotas = _quotas(result)
    if quotas is not None:
        parts.append(quotas)
    parts.append(_pairs(result, pair_limit, programme))
    runner_ups = _runner_ups(result, pair_limit)
    if runner_ups is not None:
        parts.append(runner_ups)
    if programme is not None and (unmatched := _unmatched(result, programme, prepared)) is not None:
        parts.append(unmatched)
    alternates = _alternates(result, programme)
    if alternates is not None:
        parts.append(alternates)
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
