"""``pairing solvers`` and ``pairing schema``: what the tool supports and its file formats."""

from __future__ import annotations

import json

import click

from pairing.cli.tables import solvers_table
from pairing.model.programme import Programme
from pairing.model.result import Result
from pairing.solvers import registry

__all__ = ["schema_command", "solvers_command"]


@click.command("solvers")
@click.option("--json", "as_json", is_flag=True, help="Print the registry as JSON.")
def solvers_command(as_json: bool) -> None:
    """List the solvers, what each supports, and whether it is exact."""
    specs = list(registry().values())
    if as_json:
        data = [
            {
                "name": s.name,
                "exact": s.exact,
                "objectives": sorted(s.objectives),
                "rules": sorted(s.rules),
                "summary": s.summary,
                "library": s.library,
            }
            for s in specs
        ]
        click.echo(json.dumps(data, indent=1))
    else:
        click.echo(solvers_table(specs), nl=False)


@click.command("schema")
@click.argument("which", type=click.Choice(["programme", "result", "all"]), default="all")
def schema_command(which: str) -> None:
    """Print the JSON Schema of the programme and/or result formats."""
    schemas = {
        "programme": Programme.model_json_schema(mode="validation"),
        "result": Result.model_json_schema(mode="serialization"),
    }
    data = schemas if which == "all" else schemas[which]
    click.echo(json.dumps(data, indent=1))
