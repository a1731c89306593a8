"""The ``pairing`` command line (click). Each command lives in its own module."""

from __future__ import annotations

import click

from pairing import __version__
from pairing.cli.bench_cmd import bench_command
from pairing.cli.check_cmd import check_command, explain_command
from pairing.cli.common import PairingGroup
from pairing.cli.compare_cmd import compare_command
from pairing.cli.evaluate_cmd import evaluate_command
from pairing.cli.generate_cmd import generate_command
from pairing.cli.info_cmd import schema_command, solvers_command
from pairing.cli.init_cmd import init_command
from pairing.cli.repair_cmd import repair_command
from pairing.cli.report_cmd import report_command
from pairing.cli.schedule_cmd import schedule_command
from pairing.cli.solve_cmd import solve_command
from pairing.cli.sweep_cmd import sweep_command
from pairing.errors import InvalidProgramme
from pairing.io.files import input_size_limit, parse_size

__all__ = ["main"]


@click.group(cls=PairingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pairing")
@click.option(
    "--max-input-size",
    metavar="SIZE",
    default=None,
    help="Largest input file to read, e.g. 500M or 4G (default 2G).",
)
@click.pass_context
def main(ctx: click.Context, max_input_size: str | None) -> None:
    """pairing — optimal, fair matchmaking between two sides' enterprises."""
    if max_input_size is not None:
        try:
            limit = parse_size(max_input_size)
        except InvalidProgramme as exc:
            raise click.BadParameter(exc.issues[0].message, param_hint="--max-input-size") from None
        ctx.with_resource(input_size_limit(limit))


for _command in (
    generate_command,
    solve_command,
    check_command,
    explain_command,
    evaluate_command,
    report_command,
    repair_command,
    init_command,
    solvers_command,
    schema_command,
    sweep_command,
    bench_command,
    compare_command,
    schedule_command,
):
    main.add_command(_command)
