"""``pairing generate``: a synthetic programme (JSON file, or a bundle folder)."""

from __future__ import annotations

from pathlib import Path

import click

from pairing.cli.common import OUTPUT_PATH
from pairing.generator import PROFILES, generate
from pairing.io import dump_programme_json, write_bundle
from pairing.io.atomic import check_target
from pairing.io.output_formats import FILE_EXTENSIONS, PROGRAMME_FORMATS, format_of

__all__ = ["generate_command"]


@click.command("generate")
@click.option(
    "--left", "n_left", type=int, default=100, show_default=True, help="Left enterprises."
)
@click.option(
    "--right", "n_right", type=int, default=100, show_default=True, help="Right enterprises."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--profile", type=click.Choice(list(PROFILES)), default="double-hundred", show_default=True
)
@click.option(
    "--text",
    is_flag=True,
    help="Also write offers_text/needs_text (English and Chinese; double-hundred only).",
)
@click.option(
    "--preferences",
    is_flag=True,
    help="Also draw stated interest and a few vetoes (double-hundred only).",
)
@click.option(
    "--history",
    is_flag=True,
    help="Also add a past-cooperation score source, history.csv (double-hundred only).",
)
@click.option(
    "-o",
    "--output",
    type=OUTPUT_PATH,
    required=True,
    help="programme.json, programme.xlsx (a workbook), or a folder for a CSV bundle.",
)
@click.option("--force", is_flag=True, help="Replace an existing bundle folder's files.")
def generate_command(
    n_left: int,
    n_right: int,
    seed: int,
    profile: str,
    text: bool,
    preferences: bool,
    history: bool,
    output: Path,
    force: bool,
) -> None:
    """Generate a seeded synthetic programme."""
    suffix = output.suffix.lower()
    if suffix in FILE_EXTENSIONS:
        format_of(output, PROGRAMME_FORMATS, "json",  # refuses: a bundle is a folder
                  also=", or a folder name for a CSV bundle")
    as_file = suffix in PROGRAMME_FORMATS
    check_target(output, folder=not as_file, force=force)
    programme = generate(
        n_left,
        n_right,
        seed=seed,
        profile=profile,
        text=text,
        preferences=preferences,
        history=history,
    )
    if suffix == ".json":
        dump_programme_json(programme, output)
    elif suffix == ".xlsx":
        from pairing.io.xlsx import write_workbook

        write_workbook(programme, output)
    else:
        write_bundle(programme, output)
    click.echo(f"wrote {output} ({n_left}×{n_right}, profile {profile}, seed {seed})", err=True)
