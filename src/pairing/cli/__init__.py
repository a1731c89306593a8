"""The ``pairing`` command line (click). Each command lives in its own module.

Commands are imported when they run: ``pairing --help`` or ``pairing check`` does not load the
solvers, charts, Dask or spreadsheet libraries that other commands need. :data:`COMMANDS` names
each command's module and its one-line help (a test keeps the help equal to the command's own).
"""

from __future__ import annotations

from importlib import import_module

import click

from pairing import __version__
from pairing.cli.common import PairingGroup
from pairing.errors import InvalidProgramme
from pairing.io.files import input_size_limit, parse_size

__all__ = ["main"]


#: Command name → (module in ``pairing.cli``, attribute, one-line help), in ``--help`` order.
COMMANDS: dict[str, tuple[str, str, str]] = {
    "generate": ("generate_cmd", "generate_command", "Generate a seeded synthetic programme."),
    "solve": ("solve_cmd", "solve_command",
              "Solve PROGRAMME (a programme JSON or a bundle folder) and write the result."),
    "check": (
        "check_cmd", "check_command",
        "Validate RESULT against PROGRAMME's rules; list every violation (exit 1 if any).",
    ),
    "explain": (
        "check_cmd", "explain_command",
        "Explain one pair (--pair), or why a pair is not in the result (--why-not).",
    ),
    "evaluate": (
        "evaluate_cmd", "evaluate_command",
        "Check and value PAIRS (a result JSON, CSV or XLSX, or any CSV/XLSX with 'left' and "
        "'right' columns) under PROGRAMME: every broken rule, the value under every objective "
        "and the metrics.",
    ),
    "report": (
        "report_cmd", "report_command",
        "Write an HTML report of RESULT: summary, fairness, charts, pairs and unmatched.",
    ),
    "repair": (
        "repair_cmd", "repair_command",
        "Re-pair RESULT after the --withdraw enterprises leave PROGRAMME.",
    ),
    "init": (
        "init_cmd", "init_command",
        "Write a template bundle into FOLDER (or an .xlsx workbook if FOLDER ends in .xlsx).",
    ),
    "solvers": ("info_cmd", "solvers_command",
                "List the solvers, what each supports, and whether it is exact."),
    "schema": ("info_cmd", "schema_command",
               "Print the JSON Schema of the programme and/or result formats."),
    "sweep": (
        "sweep_cmd", "sweep_command",
        "Solve the programme named in SWEEP_FILE for every point of its [grid].",
    ),
    "bench": (
        "bench_cmd", "bench_command",
        "Benchmark every solver that supports each instance of a grid, side by side.",
    ),
    "compare": ("compare_cmd", "compare_command",
                "Solve PROGRAMME under every objective and show the price of fairness."),
    "schedule": (
        "schedule_cmd", "schedule_command",
        "Schedule every pair of RESULT as a meeting at the event, into the folder -o.",
    ),
    "suggest-tags": (
        "suggest_cmd", "suggest_command",
        "Propose capabilities and needs from offers_text/needs_text against the vocabulary.",
    ),
}


class LazyGroup(PairingGroup):
    """A :class:`PairingGroup` that imports a command's module only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(import_module(f"pairing.cli.{module}"), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, help_line) for name, (_, _, help_line) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
