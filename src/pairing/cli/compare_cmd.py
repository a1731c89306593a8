"""``pairing compare``: one programme under every objective, side by side (price of fairness)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import click
from rich.table import Table

from pairing.analysis.compare import ComparisonRow, compare
from pairing.cli.common import OUTPUT_PATH
from pairing.cli.solve_cmd import DEFAULT_FAIR_TIME_LIMIT, fair_time_limit
from pairing.cli.tables import render
from pairing.extras import require
from pairing.io import load
from pairing.io.atomic import check_target
from pairing.io.cells import neutralise
from pairing.io.output_formats import COMPARE_FORMATS, format_of
from pairing.io.results_file import write_atomic
from pairing.model.programme import OBJECTIVES

__all__ = [
    "compare_command",
    "comparison_csv",
    "comparison_json",
    "comparison_markdown",
    "comparison_table",
    "write_comparison_workbook",
]

_FIELDS = tuple(ComparisonRow.__dataclass_fields__)


def _num(value: float | None, digits: int = 4) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def comparison_table(rows: list[ComparisonRow], labels: tuple[str, str] = ("left", "right")) -> str:
    """The rows as a plain-text table, with notes for skipped or cut-short objectives."""
    left, right = labels
    table = Table(title="objectives compared (price of fairness = total score lost vs 'total')")
    columns = ("objective", "status", "solver", "total score", "price of fairness",
               f"worst {left}", f"worst {right}", f"mean {left}", f"mean {right}", "gini",
               "blocking", "gap", "runtime")
    for column in columns:
        text_column = column in ("objective", "status", "solver")
        table.add_column(column, justify="left" if text_column else "right")
    for row in rows:
        price = "-" if row.price_of_fairness_pct is None else f"{row.price_of_fairness_pct:.2f}%"
        status = row.status if row.status != "feasible" else "feasible (NOT proven)"
        gap = "-" if row.gap is None else f"{row.gap:.2%}"
        table.add_row(
            row.objective, status, row.solver or "-", _num(row.total_score), price,
            _num(row.min_gain_left), _num(row.min_gain_right), _num(row.mean_gain_left),
            _num(row.mean_gain_right), _num(row.gini), "-" if row.blocking_pairs is None
            else str(row.blocking_pairs), gap, f"{row.runtime_s:.2f} s",
        )
    worst = Table(title="who is worst off (the counted enterprises with the smallest gain)")
    worst.add_column("objective")
    worst.add_column("worst off")
    for row in rows:
        if row.worst_off:
            worst.add_row(row.objective, row.worst_off)
    notes = Table(title="notes", show_header=False)
    notes.add_column("objective")
    notes.add_column("note")
    for row in rows:
        if row.note:
            notes.add_row(row.objective, row.note)
    return render(table, worst, notes, width=160)


def comparison_json(rows: list[ComparisonRow]) -> str:
    return json.dumps([row.as_dict() for row in rows], indent=1)


def comparison_csv(rows: list[ComparisonRow]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(_FIELDS), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else neutralise(v) for k, v in row.as_dict().items()})
    return buffer.getvalue()


def _cells(rows: list[ComparisonRow]) -> list[list[object]]:
    return [list(_FIELDS), *([row.as_dict()[k] for k in _FIELDS] for row in rows)]


def comparison_markdown(rows: list[ComparisonRow]) -> str:
    """The rows as a Markdown table (every field; ``-`` for a missing value)."""
    def cell(value: object) -> str:
        text = "-" if value is None else f"{value:.6g}" if isinstance(value, float) else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    table = _cells(rows)
    lines = ["| " + " | ".join(map(cell, table[0])) + " |",
             "|" + "---|" * len(table[0])]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in table[1:]]
    return "\n".join(lines) + "\n"


def write_comparison_workbook(rows: list[ComparisonRow], path: Path) -> None:
    """The rows as an ``.xlsx`` workbook (one sheet ``compare``), written atomically."""
    require("openpyxl", "xlsx")
    import openpyxl  # deferred: only workbook users pay for the import

    from pairing.io.atomic import atomic_path

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "compare"
    for row in _cells(rows):
        sheet.append([neutralise(v) for v in row])
    with atomic_path(path) as temp:
        workbook.save(temp)


@click.command("compare")
@click.argument("programme", type=click.Path(path_type=Path))
@click.option("--objective", "objectives", multiple=True, type=click.Choice(list(OBJECTIVES)),
              help="Objectives to compare (repeat the option); default: all five.")
@click.option("--time-limit", type=float, default=None,
              help="Seconds per objective for the exact solvers (they then report 'feasible' "
              f"with a bound); default {DEFAULT_FAIR_TIME_LIMIT:g} s for the fair objectives.")
@click.option("--fair-to", type=click.Choice(["both", "left", "right"]), default=None,
              help="Whose gains the fair objectives count (default: the programme's "
              "rules.fair_to, else both).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--proposing", type=click.Choice(["left", "right"]), default=None,
              help="Proposing side of the stable objective (default left).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default=None,
              help="What to print on stdout (default table); with -o the file's extension "
              "decides.")
@click.option("-o", "--output", type=OUTPUT_PATH, default=None,
              help="Write to this file instead of stdout: .xlsx, .csv, .md, .json or .txt (the "
              "plain table).")
def compare_command(
    programme: Path,
    objectives: tuple[str, ...],
    time_limit: float | None,
    fair_to: str | None,
    seed: int,
    proposing: str | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Solve PROGRAMME under every objective and show the price of fairness."""
    if output is not None:
        check_target(output, inputs=(programme,))
        wanted_format = format_of(output, COMPARE_FORMATS, fmt or "table")
        if fmt is not None and fmt != wanted_format:
            msg = (f"--format {fmt} but {output.name} names a {wanted_format} file; drop "
                   "--format (the extension decides) or change the file name")
            raise click.UsageError(msg)
        fmt = wanted_format
    loaded = load(programme)
    wanted = objectives or OBJECTIVES
    time_limit = fair_time_limit(wanted, time_limit)
    rows = compare(loaded, wanted, time_limit=time_limit, seed=seed, proposing=proposing,
                   fair_to=fair_to)
    if fmt == "xlsx":
        assert output is not None
        write_comparison_workbook(rows, output)
        click.echo(f"wrote {output} ({len(rows)} objectives)", err=True)
        return
    if fmt == "json":
        text = comparison_json(rows) + "\n"
    elif fmt == "md":
        text = comparison_markdown(rows)
    elif fmt == "csv":
        text = comparison_csv(rows)
    else:
        text = comparison_table(rows, (loaded.left.label, loaded.right.label))
    if output is not None:
        write_atomic(output, text)
        click.echo(f"wrote {output} ({len(rows)} objectives)", err=True)
    else:
        click.echo(text, nl=False)
