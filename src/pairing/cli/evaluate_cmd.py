"""``pairing evaluate``: a matching made or edited by hand, checked and valued."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from pairing.analysis.evaluation import Evaluation, evaluate
from pairing.cli.tables import render
from pairing.io import load

__all__ = ["evaluate_command", "evaluation_table"]

_MEANING = {
    "total": "sum of pair scores (higher is better)",
    "maxmin": "worst counted gain (higher is better)",
    "leximin": "worst counted gain, then the next (higher is better)",
    "balanced": "the smaller side's mean gain (higher is better)",
    "stable": "blocking pairs (0 = stable; lower is better)",
}


def evaluation_table(evaluation: Evaluation, labels: tuple[str, str]) -> str:
    """The evaluation as plain text: broken rules, objective values, fairness by side."""
    rules = Table(title="rules", show_header=False)
    rules.add_column("rule")
    rules.add_column("what breaks it")
    if evaluation.ok:
        rules.add_row("all", "every rule holds")
    for violation in evaluation.violations:
        rules.add_row(violation.rule, violation.message)
    values = Table(title="value under every objective")
    for column in ("objective", "this matching", "optimum", "difference", "meaning"):
        values.add_column(column, justify="left" if column in ("objective", "meaning")
                          else "right")
    optimum = evaluation.optimum or {}
    meaning = dict(_MEANING)
    scale = evaluation.metrics.scale
    if scale is not None and scale.sense == "cost":  # the organisers' matrix holds costs
        meaning["total"] = "sum of pair costs, on your scale (lower is better)"
    for name, value in evaluation.objectives.items():
        best = optimum.get(name)
        if evaluation.optimum is None:
            best_text, diff = "-", "-"
        elif best is None:
            best_text, diff = "none", "-"
        else:
            best_text, diff = f"{best:.6g}", f"{value - best:+.6g}"
        note = evaluation.optimum_notes.get(name)
        values.add_row(name, f"{value:.6g}", best_text, diff,
                       meaning[name] + (f" — {note}" if note else ""))
    metrics = evaluation.metrics
    sides = Table(title=f"{metrics.pairs} pairs, total score {metrics.total_score:.4f}, "
                  f"{metrics.blocking_pairs} blocking pair(s)")
    for column in ("side", "enterprises", "matched", "min gain", "mean gain", "gini"):
        sides.add_column(column, justify="left" if column == "side" else "right")
    for side in (metrics.left, metrics.right):
        sides.add_row(side.label, str(side.enterprises), str(side.matched),
                      f"{side.min_gain:.3f}", f"{side.mean_gain:.3f}", f"{side.gini:.3f}")
    del labels
    return render(rules, values, sides, width=160)


@click.command("evaluate")
@click.argument("programme", type=click.Path(path_type=Path))
@click.argument("pairs", type=click.Path(path_type=Path))
@click.option("--optimum", is_flag=True,
              help="Also solve every objective and show how far the given pairs are from it.")
@click.option("--time-limit", type=float, default=60.0, show_default=True,
              help="Seconds per objective with --optimum.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def evaluate_command(programme: Path, pairs: Path, optimum: bool, time_limit: float,
                     fmt: str) -> None:
    """Check and value PAIRS (a result JSON, CSV or XLSX, or any CSV/XLSX with 'left' and
    'right' columns) under PROGRAMME: every broken rule, the value under every objective and
    the metrics. Exit 1 when a rule is broken."""
    loaded = load(programme)
    if optimum:
        from pairing.cli.progress import status

        with status(f"solving every objective for the comparison (up to {time_limit:g} s each)"):
            evaluation = evaluate(loaded, pairs, optimum=True, time_limit=time_limit)
    else:
        evaluation = evaluate(loaded, pairs)
    if fmt == "json":
        click.echo(evaluation.to_json())
    else:
        click.echo(evaluation_table(evaluation, (loaded.left.label, loaded.right.label)), nl=False)
    if not evaluation.ok:
        click.echo(f"{pairs}: {len(evaluation.violations)} rule(s) broken", err=True)
        raise SystemExit(1)
    click.echo(f"{pairs}: every rule of {programme} holds", err=True)
