"""The ``pairing`` command line (click). Each command lives in its own module."""

from __future__ import annotations

import click

from pairing import __version__
from pairing.cli.bench_cmd import bench_command
from pairing.cli.check_cmd import check_command, explain_command
from pairing.cli.common import PairingGroup
from pairing.cli.compare_cmd import compare_command
from pairing.cli.generate_cmd import generate_command
from pairing.cli.info_cmd import schema_command, solvers_command
from pairing.cli.init_cmd import init_command
from pairing.cli.repair_cmd import repair_command
from pairing.cli.report_cmd import report_command
from pairing.cli.solve_cmd import solve_command
from pairing.cli.suggest_cmd import suggest_command
from pairing.cli.sweep_cmd import sweep_command

__all__ = ["main"]


@click.group(cls=PairingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pairing")
def main() -> None:
    """pairing — optimal, fair matchmaking between two sides' enterprises."""


for _command in (
    generate_command,
    solve_command,
    check_command,
    explain_command,
    report_command,
    repair_command,
    init_command,
    solvers_command,
    schema_command,
    sweep_command,
    bench_command,
    compare_command,
    suggest_command,
):
    main.add_command(_command)
