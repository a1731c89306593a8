"""Write a benchmark run: raw JSON, a Markdown table, a PNG chart, and the speed goals.

``results.json`` holds everything (metadata, instances, every repeat's record, and the summary
rows) so that a table or chart can be redrawn without running again. ``results.md`` has one
table per family and a headline section that checks the project's speed goals. ``chart.png``
plots median wall time per instance for each family (Matplotlib's Agg backend: no display).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pairing.bench.aggregate import Row, summarise
from pairing.bench.contenders import STARTUP
from pairing.bench.grid import FAMILIES
from pairing.bench.runner import BenchRun
from pairing.extras import require
from pairing.io.atomic import atomic_path, write_atomic

__all__ = [
    "Headline",
    "headlines",
    "markdown",
    "read_run",
    "write_chart",
    "write_json",
    "write_outputs",
]

#: The speed goals of issue 5: (instance, contender, reference, goal ratio).
_AUTO_GOAL = 1.2
#: Issue #16: the sparse solver on realistic matrices at 3,000 and 5,000 vs the fastest kernel.
_SPARSE_GOAL = 0.33
_SCORING_GOAL = 3.0
#: Issue #11: whole processes vs ``python -c "import numpy, pydantic, click"`` in the same run.
_STARTUP_GOALS = {"startup:import": None, "startup:help": 1.5, "startup:solve": 3.0}


@dataclass(frozen=True)
class Headline:
    """One key number: what, its value as text, the goal (if any) and whether it is met."""

    measure: str
    value: str
    goal: str = ""
    met: bool | None = None


def _rows_of(rows: Iterable[Row], instance: str) -> dict[str, Row]:
    return {r.contender: r for r in rows if r.instance == instance}


def _secs(value: float | None) -> str:
    return "–" if value is None else f"{value:.3g}"


def _times(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.2f}×" if value >= 0.1 else f"{value:.2g}×"


def _kernel_headlines(rows: list[Row]) -> list[Headline]:
    found = []
    for family, n in itertools.product(("kernel", "realistic"), (1000, 3000, 5000)):
        cells = _rows_of(rows, f"{family}-{n}x{n}")
        kernels = {
            c: r
            for c, r in cells.items()
            if c.startswith("kernel:") and r.status == "optimal" and r.wall.median
        }
        auto = cells.get("auto-e2e")
        if not kernels:
            continue
        best_name, best = min(kernels.items(), key=lambda kv: kv[1].wall.median or math.inf)
        assert best.wall.median is not None
        sparse = cells.get("sparse")
        if sparse is not None and sparse.wall.median is not None:
            ratio = sparse.wall.median / best.wall.median
            goal = family == "realistic" and n in (3000, 5000)
            found.append(
                Headline(
                    f"sparse solver (pairing.solve, proven optimal) vs fastest raw kernel, "
                    f"{n:,}×{n:,}"
                    + (", realistic (double-hundred)" if family == "realistic" else ", random"),
                    f"{ratio:.2f}× ({_secs(sparse.wall.median)} s, {sparse.status}, vs "
                    f"{best_name} {_secs(best.wall.median)} s)",
                    f"≤ {_SPARSE_GOAL}×" if goal else "",
                    (ratio <= _SPARSE_GOAL and sparse.status == "optimal") if goal else None,
                )
            )
        if auto is None or auto.wall.median is None:
            continue
        value = auto.wall.median / best.wall.median
        found.append(
            Headline(
                f"pairing.solve(auto) end to end vs fastest raw kernel, {n:,}×{n:,}"
                + (", realistic (double-hundred)" if family == "realistic" else ", random"),
                f"{value:.2f}× ({_secs(auto.wall.median)} s vs {best_name} "
                f"{_secs(best.wall.median)} s)",
                f"≤ {_AUTO_GOAL}×" if n == 5000 else "",
                value <= _AUTO_GOAL if n == 5000 else None,
            )
        )
    return found


def _scoring_headlines(rows: list[Row]) -> list[Headline]:
    found = []
    for n in (1000, 5000, 10000):
        cells = _rows_of(rows, f"scoring-{n}x{n}")
        scoring, matmul = cells.get("score_matrix"), cells.get("matmul")
        if scoring is None or matmul is None or scoring.ratio is None:
            continue
        found.append(
            Headline(
                f"score_matrix vs one matmul of that shape, {n:,}×{n:,}",
                f"{scoring.ratio:.2f}× ({_secs(scoring.wall.median)} s vs "
                f"{_secs(matmul.wall.median)} s; peak {scoring.peak_mb or 0:.0f} MiB)",
                f"≤ {_SCORING_GOAL}×" if n == 5000 else "",
                scoring.ratio <= _SCORING_GOAL if n == 5000 else None,
            )
        )
    return found


def _other_headlines(rows: list[Row], instances: list[dict[str, Any]]) -> list[Headline]:
    found = []
    for instance in instances:
        if max(instance.get("n_left", 0), instance.get("n_right", 0)) < 10000:
            continue
        for row in _rows_of(rows, instance["id"]).values():
            if row.peak_mb is not None:
                found.append(
                    Headline(
                        f"peak memory, {instance['id']}, {row.contender}",
                        f"{row.peak_mb:,.0f} MiB (instance resident: {row.base_mb or 0:,.0f} MiB;"
                        f" {_secs(row.wall.median)} s, {row.status})",
                    )
                )
    rules = _rows_of(rows, "rules-100x100")
    if "auto" in rules and rules["auto"].ratio is not None:
        auto = rules["auto"]
        found.append(
            Headline(
                "rules 100×100: auto vs plain milp",
                f"{auto.ratio:.2f}× ({_secs(auto.wall.median)} s, chose "
                f"{auto.extra.get('solver', '?')})",
            )
        )
    for n in (2000, 10000):
        for contender, row in _rows_of(rows, f"fair-stable-{n}x{n}").items():
            found.append(
                Headline(
                    f"stable {n:,}×{n:,}: {contender}",
                    f"{_secs(row.wall.median)} s ({row.status}, ratio {_times(row.ratio)})",
                )
            )
    for contender, row in _rows_of(rows, "fair-maxmin-1000x1000").items():
        found.append(
            Headline(
                f"maxmin 1,000×1,000: {contender}",
                f"{_secs(row.wall.median)} s ({row.status}, ratio {_times(row.ratio)})",
            )
        )
    return found


def _startup_headlines(rows: list[Row], instances: list[dict[str, Any]]) -> list[Headline]:
    found = []
    for instance in instances:
        if instance.get("family") != "startup":
            continue
        cells = _rows_of(rows, instance["id"])
        base = cells.get("startup:baseline")
        for contender, goal in _STARTUP_GOALS.items():
            row = cells.get(contender)
            if row is None or row.ratio is None or base is None:
                continue
            what = STARTUP[contender]
            found.append(
                Headline(
                    f"start-up: `{what}` vs `{STARTUP['startup:baseline']}` "
                    f"({instance['n_left']}×{instance['n_right']})",
                    f"{row.ratio:.2f}× ({_secs(row.wall.median)} s vs "
                    f"{_secs(base.wall.median)} s)",
                    "" if goal is None else f"≤ {goal}×",
                    None if goal is None else row.ratio <= goal,
                )
            )
    return found


def headlines(rows: list[Row], instances: list[dict[str, Any]]) -> list[Headline]:
    """The key numbers of a run, for those instances that were in its grid."""
    return (
        _kernel_headlines(rows) + _scoring_headlines(rows) + _startup_headlines(rows, instances)
        + _other_headlines(rows, instances)
    )


def _notes(row: Row) -> str:
    parts = []
    if row.contender.startswith("auto") and "solver" in row.extra:
        parts.append(f"→ {row.extra['solver']}")
    if "optimum_hit" in row.extra:
        mark = "hit" if row.extra["optimum_hit"] else "MISSED"
        parts.append(f"optimum {mark} (cost {row.extra.get('cost')})")
    if "blocking_pairs" in row.extra:
        parts.append(f"{row.extra['blocking_pairs']} blocking")
    if "placed" in row.extra:
        parts.append(f"{row.extra['placed']} of {row.extra['meetings']} meetings placed")
    if row.gap:
        parts.append(f"gap {row.gap:.2%}")
    if row.message and row.status not in ("optimal", "feasible"):
        parts.append(row.message.replace("|", "/").replace("\n", " ")[:90])
    return "; ".join(parts)


def _spread_text(row: Row) -> str:
    if row.wall.n < 2:
        return ""
    return f"{_secs(row.wall.min)}–{_secs(row.wall.max)}"


def _objective(value: float | None) -> str:
    return "–" if value is None else f"{value:.6g}"


def _family_table(family: str, rows: list[Row], instances: list[dict[str, Any]]) -> list[str]:
    lines = [f"## {family}: {FAMILIES.get(family, '')}", ""]
    described = [i for i in instances if i.get("family") == family]
    for instance in described:
        text = instance.get("description") or instance.get("error", "")
        skipped = instance.get("unsupported") or {}
        line = f"- `{instance['id']}`: {text}"
        if skipped:
            line += "; not run (unsupported): " + ", ".join(
                f"{name} ({why})" for name, why in skipped.items()
            )
        lines.append(line)
    lines += [
        "",
        "| instance | solver | status | median s | min–max s | × baseline | × fastest | core s "
        "| peak MiB | objective | notes |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for row in rows:
        name = f"**{row.contender}**" if row.contender == row.baseline else row.contender
        lines.append(
            f"| {row.instance} | {name} | {row.status} | {_secs(row.wall.median)} "
            f"| {_spread_text(row)} | {_times(row.ratio)} | {_times(row.ratio_fastest)} "
            f"| {_secs(row.core_s)} | {'–' if row.peak_mb is None else f'{row.peak_mb:,.0f}'} "
            f"| {_objective(row.objective_value)} | {_notes(row)} |"
        )
    lines.append("")
    return lines


def markdown(run: BenchRun, rows: list[Row]) -> str:
    """The run as Markdown: metadata, headline numbers, then one table per family."""
    meta = run.meta
    machine = meta.get("machine", {})
    lines = [
        "# pairing benchmarks",
        "",
        f"Grid `{meta.get('grid')}`, {meta.get('repeats')} repeats per cell, pairing "
        f"{meta.get('pairing')}, started {meta.get('started')}, took {meta.get('seconds')} s.",
        f"Machine: {machine.get('cpus')} CPUs, {machine.get('platform')}, Python "
        f"{machine.get('python')}, NumPy {machine.get('numpy')}, SciPy {machine.get('scipy')}.",
        "",
        "Times are wall-clock medians over the repeats (min–max beside them) of one fresh process "
        "per (instance, solver) cell; *× baseline* divides by the median of the instance's "
        "baseline (**bold**) measured in the same run, *× fastest* by the fastest contender "
        "that proved optimality. Solver rows call `pairing.solve` with precomputed score "
        "matrices (compile, choose, pre-check, solve, assemble, validate); *core s* is the "
        "solver function alone; `auto-e2e` starts from the programme (scoring included). "
        f"Peak memory: {meta.get('memory_method')}. On a shared machine absolute times are "
        "noisy: read the ratios.",
        "",
        *[f"Note: {note}" for note in meta.get("notes", [])],
        *([""] if meta.get("notes") else []),
        "## Headlines",
        "",
        "| measure | value | goal | met |",
        "|---|---|---|---|",
    ]
    for h in headlines(rows, run.instances):
        met = "" if h.met is None else ("yes" if h.met else "**no**")
        lines.append(f"| {h.measure} | {h.value} | {h.goal} | {met} |")
    lines.append("")
    families = list(dict.fromkeys(r.family for r in rows))
    for family in families:
        lines += _family_table(family, [r for r in rows if r.family == family], run.instances)
    return "\n".join(lines)


def write_chart(rows: list[Row], path: Path) -> None:
    """Median wall time per instance and contender, one panel per family (log scale)."""
    require("matplotlib", "report")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    families = list(dict.fromkeys(r.family for r in rows if r.wall.median is not None))
    columns = 2 if len(families) > 1 else 1
    lines_count = max(1, math.ceil(len(families) / columns))
    fig, axes = plt.subplots(
        lines_count, columns, figsize=(7 * columns, 3.6 * lines_count), squeeze=False
    )
    for ax in axes.ravel()[len(families) :]:
        ax.set_visible(False)
    for ax, family in zip(axes.ravel(), families, strict=False):
        family_rows = [r for r in rows if r.family == family]
        instances = list(dict.fromkeys(r.instance for r in family_rows))
        contenders = list(dict.fromkeys(r.contender for r in family_rows))
        for contender in contenders:
            points = [
                (instances.index(r.instance), r.wall.median)
                for r in family_rows
                if r.contender == contender and r.wall.median is not None
            ]
            if points:
                xs, ys = zip(*points, strict=True)
                # fair instances differ in objective, not size: no line between them
                style = "" if family == "fair" else "-"
                ax.plot(
                    xs, ys, marker="o", linestyle=style, linewidth=1, markersize=4, label=contender
                )
        ax.set_yscale("log")
        ax.set_xticks(range(len(instances)))
        ax.set_xticklabels(
            [i.removeprefix(f"{family}-") for i in instances], rotation=30, ha="right", fontsize=7
        )
        ax.set_title(f"{family}: median wall time (s)", fontsize=9)
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    with atomic_path(path) as temp:
        fig.savefig(temp, dpi=110, format="png")
    plt.close(fig)


def write_json(run: BenchRun, rows: list[Row], path: Path) -> None:
    """Everything measured, plus the summary rows and headlines, as JSON."""
    data = {
        "meta": run.meta,
        "instances": run.instances,
        "summary": [r.to_dict() for r in rows],
        "headlines": [h.__dict__ for h in headlines(rows, run.instances)],
        "runs": run.runs,
    }
    write_atomic(path, json.dumps(data, indent=1, default=str) + "\n")


def read_run(path: Path) -> BenchRun:
    """The run stored in a ``results.json``, to redraw its table and chart without rerunning."""
    data = json.loads(Path(path).read_text())
    return BenchRun(data["meta"], data["instances"], data["runs"])


def write_outputs(run: BenchRun, out: Path) -> dict[str, Path]:
    """Write ``results.json``, ``results.md`` and ``chart.png`` into ``out``; return the paths."""
    out.mkdir(parents=True, exist_ok=True)
    rows = summarise(run.instances, run.runs)
    paths = {
        "json": out / "results.json",
        "markdown": out / "results.md",
        "chart": out / "chart.png",
    }
    write_json(run, rows, paths["json"])
    write_atomic(paths["markdown"], markdown(run, rows) + "\n")
    write_chart(rows, paths["chart"])
    return paths
