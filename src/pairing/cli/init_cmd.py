"""``pairing init``: write a template bundle (or workbook) to start a programme from."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from pairing.io.atomic import atomic_folder

__all__ = ["TEMPLATE_FILES", "init_command"]

#: The template bundle's files, shipped as package data in ``pairing/templates/``.
TEMPLATE_FILES: tuple[str, ...] = ("left.csv", "right.csv", "rules.toml", "README.txt")


@click.command("init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite template files that already exist.")
def init_command(folder: Path, force: bool) -> None:
    """Write a template bundle into FOLDER (or an .xlsx workbook if FOLDER ends in .xlsx).

    The bundle holds left.csv and right.csv with a few example enterprises, a commented
    rules.toml and a README.txt explaining every column. It solves as it is.
    """
    source = resources.files("pairing").joinpath("templates")
    if folder.suffix.lower() == ".xlsx":
        from pairing.io.template_workbook import write_template_workbook

        if folder.exists() and not force:
            msg = f"{folder} exists; pass --force to replace it"
            raise click.UsageError(msg)
        write_template_workbook(folder)
        click.echo(
            f"wrote {folder} (sheets README, left, right, rules, quota, pair_quota, "
            f"partner_quota, forbidden, required); edit it, then: pairing solve {folder}",
            err=True,
        )
        return
    existing = [name for name in TEMPLATE_FILES if (folder / name).exists()]
    if existing and not force:
        msg = f"{folder} already has {', '.join(existing)}; pass --force to overwrite"
        raise click.UsageError(msg)
    with atomic_folder(folder) as temp:
        for name in TEMPLATE_FILES:
            (temp / name).write_bytes(source.joinpath(name).read_bytes())
    click.echo(
        f"wrote {folder}/ ({', '.join(TEMPLATE_FILES)}); edit them, then: pairing solve {folder}",
        err=True,
    )
