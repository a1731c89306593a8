"""``pairing solve``: solve a programme (JSON, bundle folder, or a bare score matrix)."""

from __future__ import annotations

from pathlib import Path

import click

from pairing.atomic import check_target
from pairing.cli.common import OUTPUT_PATH
from pairing.cli.progress import status
from pairing.cli.tables import result_table
from pairing.io import load, load_scores
from pairing.model import OBJECTIVES
from pairing.results_file import result_csv, write_atomic
from pairing.solve import solve

__all__ = ["solve_command"]


def _solver_choices() -> list[str]:
    from pairing.solvers import solver_names

    return ["auto", *solver_names()]


@click.command("solve")
@click.argument("programme", required=False, type=click.Path(path_type=Path))
@click.option(
    "--scores",
    "scores_path",
    type=click.Path(path_type=Path),
    help="Solve a bare score matrix (CSV: first row right ids, first column left ids).",
)
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(path_type=Path),
    help="rules.toml to apply to --scores.",
)
@click.option(
    "--solver",
    default="auto",
    show_default=True,
    type=click.Choice(_solver_choices()),
    help="Solver; 'auto' picks the fastest exact one for the programme's structure.",
)
@click.option(
    "--objective",
    type=click.Choice(list(OBJECTIVES)),
    default=None,
    help="What 'best' means; default: the programme's rules.objective.",
)
@click.option(
    "--proposing",
    type=click.Choice(["left", "right"]),
    default=None,
    help="Proposing side of the stable objective (default left).",
)
@click.option("--time-limit", type=float, default=None, help="Seconds for exact solvers.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--alternates",
    type=click.IntRange(min=1),
    default=None,
    metavar="K",
    help="Add each enterprise's K best backup partners to the result (see pairing.alternates).",
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_PATH,
    default=None,
    help="Write the result here (.csv → CSV, anything else → JSON).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "table"]),
    default=None,
    help="Print the result to stdout in this format (default: json when no -o).",
)
def solve_command(
    programme: Path | None,
    scores_path: Path | None,
    rules_path: Path | None,
    solver: str,
    objective: str | None,
    proposing: str | None,
    time_limit: float | None,
    seed: int,
    alternates: int | None,
    output: Path | None,
    fmt: str | None,
) -> None:
    """Solve PROGRAMME (a programme JSON or a bundle folder) and write the result."""
    if (programme is None) == (scores_path is None):
        msg = "give either PROGRAMME or --scores FILE (not both)"
        raise click.UsageError(msg)
    if rules_path is not None and scores_path is None:
        msg = "--rules goes with --scores (a bundle folder carries its own rules.toml)"
        raise click.UsageError(msg)
    if output is not None:
        check_target(output, inputs=(programme, scores_path, rules_path))
    if programme is not None:
        loaded = load(programme)
    else:
        assert scores_path is not None
        loaded = load_scores(scores_path, rules_path)
    n_left, n_right = loaded.shape
    limit = f", up to {time_limit:g} s" if time_limit else ""
    with status(f"solving {n_left}×{n_right} ({solver}{limit})"):
        result = solve(
            loaded,
            objective=objective,
            solver=solver,
            time_limit=time_limit,
            seed=seed,
            proposing=proposing,
            alternates=alternates,
        )
    if output is not None:
        text = result_csv(result) if output.suffix.lower() == ".csv" else result.to_json() + "\n"
        write_atomic(output, text)
        click.echo(
            f"wrote {output} ({result.metrics.pairs} pairs, {result.status}, "
            f"{result.objective} = {result.objective_value:.6f})",
            err=True,
        )
    fmt = fmt or (None if output is not None else "json")
    if fmt == "json":
        click.echo(result.to_json())
    elif fmt == "csv":
        click.echo(result_csv(result), nl=False)
    elif fmt == "table":
        click.echo(result_table(result), nl=False)
