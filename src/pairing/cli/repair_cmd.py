"""``pairing repair``: re-pair after enterprises withdraw, keeping every pair that can be kept."""

from __future__ import annotations

from pathlib import Path

import click

from pairing.analysis.evaluation import load_result_for
from pairing.analysis.repair import repair
from pairing.cli.common import OUTPUT_PATH
from pairing.cli.progress import status
from pairing.io import dump_programme_json, load
from pairing.io.atomic import check_target
from pairing.io.output_formats import PROGRAMME_FORMATS, RESULT_FORMATS, format_of
from pairing.io.results_file import write_result

__all__ = ["repair_command"]


def _pairs(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{a}–{b}" for a, b in pairs) or "none"


@click.command("repair")
@click.argument("programme", type=click.Path(path_type=Path))
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "--withdraw",
    "withdraw",
    multiple=True,
    required=True,
    metavar="ID",
    help="An enterprise that withdraws (repeat for several; left:ID or right:ID if ambiguous).",
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_PATH,
    default=None,
    help="Write the new result JSON here (default: stdout).",
)
@click.option(
    "--programme-out",
    type=OUTPUT_PATH,
    default=None,
    help="Also write the repaired programme (JSON) — what `check` and `report` need.",
)
@click.option("--solver", default="auto", show_default=True, help="Solver of the final solve.")
@click.option("--time-limit", type=float, default=None, help="Seconds for each exact solve.")
def repair_command(
    programme: Path,
    result: Path,
    withdraw: tuple[str, ...],
    output: Path | None,
    programme_out: Path | None,
    solver: str,
    time_limit: float | None,
) -> None:
    """Re-pair RESULT after the --withdraw enterprises leave PROGRAMME.

    Every old pair that can be kept is kept; then the objective is maximised. What changed is
    printed on stderr and summarised in the new result's message.
    """
    for target in (output, programme_out):
        if target is not None:
            check_target(target, inputs=(programme, result))
    if output is not None:
        format_of(output, RESULT_FORMATS, "json")
    if programme_out is not None:
        format_of(programme_out, PROGRAMME_FORMATS, "json")
    if output is not None and programme_out is not None and output.resolve() == (
        programme_out.resolve()
    ):
        msg = "-o and --programme-out name the same file; give two names"
        raise click.UsageError(msg)
    prog = load(programme)
    res = load_result_for(prog, result)
    with status(f"repairing {len(res.pairs)} pairs after {len(withdraw)} withdrawal(s)"):
        repaired = repair(prog, res, withdraw, solver=solver, time_limit=time_limit)
    changes = repaired.changes
    click.echo(changes.summary(), err=True)
    click.echo(f"  removed (withdrawn): {_pairs(changes.removed)}", err=True)
    if changes.broken:
        click.echo(f"  broken (forced by the rules): {_pairs(changes.broken)}", err=True)
    click.echo(f"  new pairs: {_pairs(changes.added)}", err=True)
    for note in changes.relaxed:
        click.echo(f"  rule change: {note}", err=True)
    new = repaired.result
    click.echo(
        f"  {new.objective} = {new.objective_value:.6f} (was {res.objective_value:.6f})", err=True
    )
    if programme_out is not None:
        if programme_out.suffix.lower() == ".xlsx":
            from pairing.io.xlsx import write_workbook

            write_workbook(repaired.programme, programme_out)
        else:
            dump_programme_json(repaired.programme, programme_out)
        click.echo(f"wrote {programme_out} (the repaired programme)", err=True)
    if output is not None:
        write_result(output, new, repaired.programme, prepared=repaired.prepared)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(new.to_json())
