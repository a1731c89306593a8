"""``pairing solve``: solve a programme (JSON, bundle folder, or a bare score matrix)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pairing.cli.common import OUTPUT_PATH
from pairing.cli.progress import status
from pairing.core.objectives import FAIR_OBJECTIVES
from pairing.core.solve import solve
from pairing.io import load
from pairing.io.atomic import check_target
from pairing.io.output_formats import RESULT_FORMATS, format_of
from pairing.io.results_file import result_csv, write_result
from pairing.model.programme import OBJECTIVES

if TYPE_CHECKING:
    from pairing.core.prepare import Prepared
    from pairing.model.programme import Programme

__all__ = ["solve_command"]


def _solver_choices() -> list[str]:
    from pairing.solvers import solver_names

    return ["auto", *solver_names()]


class _Capacity(click.ParamType):
    """``MIN..MAX`` partners (``3..3``, ``0..4``; ``3`` alone means ``3..3``)."""

    name = "MIN..MAX"

    def convert(self, value: object, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        text = str(value).strip()
        low, sep, high = text.partition("..")
        try:
            bounds = (int(low), int(high if sep else low))
        except ValueError:
            self.fail(f"expected MIN..MAX whole numbers such as 0..4, got {text!r}", param, ctx)
        if not 0 <= bounds[0] <= bounds[1]:
            self.fail(f"expected 0 ≤ MIN ≤ MAX, got {text!r}", param, ctx)
        return bounds


CAPACITY = _Capacity()


#: The time limit of a fair objective run with no ``--time-limit`` (seconds).
DEFAULT_FAIR_TIME_LIMIT = 120.0


def fair_time_limit(objectives: Sequence[str], time_limit: float | None) -> float | None:
    """``time_limit``, or the default when a fair objective runs without one (said on stderr)."""
    fair = [o for o in objectives if o in FAIR_OBJECTIVES]
    if time_limit is None and fair:
        click.echo(
            f"objective {'/'.join(fair)}: no --time-limit given, stopping after "
            f"{DEFAULT_FAIR_TIME_LIMIT:g} s (the default for fair objectives)",
            err=True,
        )
        return DEFAULT_FAIR_TIME_LIMIT
    return time_limit


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
    "--capacity-left",
    type=CAPACITY,
    default=None,
    metavar="MIN..MAX",
    help="With --scores: every left enterprise's number of partners, e.g. 3..3 (default: the "
    "linear-assignment convention).",
)
@click.option(
    "--capacity-right",
    type=CAPACITY,
    default=None,
    metavar="MIN..MAX",
    help="With --scores: every right enterprise's number of partners, e.g. 0..4.",
)
@click.option(
    "--scores-scale",
    type=click.Choice(["unit", "auto"]),
    default=None,
    help="With --scores: 'unit' (cells in [0, 1]) or 'auto' (any finite scale, mapped onto "
    "[0, 1] for the solvers; values are reported on your scale). Default: the rules file's "
    "score_scale, else unit.",
)
@click.option(
    "--minimize",
    is_flag=True,
    default=False,
    help="With --scores: the cells are costs (lower is better), as sense = \"cost\" in "
    "rules.toml.",
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
@click.option(
    "--fair-to",
    type=click.Choice(["both", "left", "right"]),
    default=None,
    help="Whose gains maxmin, leximin and balanced count: every enterprise of both sides, or of "
    "one (default: the programme's rules.fair_to, else both).",
)
@click.option(
    "--time-limit",
    type=float,
    default=None,
    help="Seconds for exact solvers; they then return their best matching as 'feasible' with "
    f"a bound. Fair objectives default to {DEFAULT_FAIR_TIME_LIMIT:g} s so a run never hangs "
    "silently.",
)
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
    help="Write the result here: .json (or no extension), .csv (UTF-8 with a BOM) or .xlsx "
    "(a workbook: pairs, unmatched, fairness, summary).",
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
    capacity_left: tuple[int, int] | None,
    capacity_right: tuple[int, int] | None,
    scores_scale: str | None,
    minimize: bool,
    solver: str,
    objective: str | None,
    proposing: str | None,
    fair_to: str | None,
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
    if (capacity_left or capacity_right) and scores_path is None:
        msg = ("--capacity-left/--capacity-right go with --scores (a programme carries its "
               "own capacities)")
        raise click.UsageError(msg)
    if (scores_scale or minimize) and scores_path is None:
        msg = ("--scores-scale/--minimize go with --scores (a programme states them in its "
               "rules: sense = \"cost\", score_scale = \"auto\")")
        raise click.UsageError(msg)
    if rules_path is not None and scores_path is None:
        msg = "--rules goes with --scores (a bundle folder carries its own rules.toml)"
        raise click.UsageError(msg)
    if output is not None:
        check_target(output, inputs=(programme, scores_path, rules_path))
        format_of(output, RESULT_FORMATS, "json")  # an unknown extension fails before solving
    if programme is not None:
        loaded = load(programme)
    else:
        from pairing.io import load_scores  # CSV and TOML readers: --scores only (start-up)

        assert scores_path is not None
        loaded = load_scores(scores_path, rules_path, capacity_left=capacity_left,
                             capacity_right=capacity_right,
                             sense="cost" if minimize else None, score_scale=scores_scale)
    n_left, n_right = loaded.shape
    time_limit = fair_time_limit([objective or loaded.rules.objective], time_limit)
    limit = f", up to {time_limit:g} s" if time_limit else ""
    fmt = fmt or (None if output is not None else "json")
    with status(f"solving {n_left}×{n_right} ({solver}{limit})") as update:
        prepared = None
        if fmt == "table" or (output is not None and output.suffix.lower() == ".xlsx"):
            # the table and the workbook explain the unmatched: score and compile once for all
            prepared = _prepared_unless_large(loaded, objective, solver, alternates)
        result = solve(
            loaded,
            objective=objective,
            solver=solver,
            time_limit=time_limit,
            seed=seed,
            proposing=proposing,
            alternates=alternates,
            fair_to=fair_to,
            progress=update,
            prepared=prepared,
        )
    if output is not None:
        write_result(output, result, loaded, prepared=prepared)
        click.echo(
            f"wrote {output} ({result.metrics.pairs} pairs, {result.status}, "
            f"{result.objective} = {result.objective_value:.6f})",
            err=True,
        )
    if fmt == "json":
        click.echo(result.to_json())
    elif fmt == "csv":
        click.echo(result_csv(result, loaded), nl=False)
    elif fmt == "table":
        from pairing.cli.tables import result_table  # rich: only for a table (start-up)

        click.echo(result_table(result, programme=loaded, prepared=prepared), nl=False)


def _prepared_unless_large(
    programme: Programme, objective: str | None, solver: str, alternates: int | None
) -> Prepared | None:
    """:func:`pairing.prepare` of the programme, or None when the solve takes the large path
    (which never builds the n² matrices that a prepared programme holds)."""
    from pairing.core.large_route import large_route
    from pairing.core.prepare import prepare

    if alternates is None and large_route(programme, objective or programme.rules.objective,
                                          solver) is not None:
        return None
    return prepare(programme)
