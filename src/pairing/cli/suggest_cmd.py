"""``pairing suggest-tags``: tag:level maps proposed from the free text, to review."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from pairing.io import load

__all__ = ["suggest_command"]


@click.command("suggest-tags")
@click.argument("programme", type=click.Path(path_type=Path))
@click.option(
    "--top",
    type=click.IntRange(1, 20),
    default=3,
    show_default=True,
    help="At most this many tags per text.",
)
@click.option(
    "--min-similarity",
    type=click.FloatRange(0, 1),
    default=0.3,
    show_default=True,
    help="The least text–tag similarity for a tag to be proposed.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the CSV here (default: stdout).",
)
def suggest_command(programme: Path, top: int, min_similarity: float, output: Path | None) -> None:
    """Propose capabilities and needs from offers_text/needs_text against the vocabulary.

    One CSV row per enterprise and text: side, id, field, the suggested tag:level;… cell and
    the current one, for a programme manager to review and paste into left.csv/right.csv.
    """
    from pairing.features.suggest import suggest_tags
    from pairing.io.atomic import atomic_path

    suggestions = suggest_tags(load(programme), top=top, minimum=min_similarity)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["side", "id", "field", "suggested", "current"])
    for s in suggestions:
        current = ";".join(f"{tag}:{level:g}" for tag, level in s.current.items())
        writer.writerow([s.side, s.id, s.field, s.cell, current])
    if output is None:
        click.echo(buffer.getvalue(), nl=False)
    else:
        with atomic_path(output) as temp:
            temp.write_text(buffer.getvalue(), encoding="utf-8")
        proposed = sum(1 for s in suggestions if s.levels)
        click.echo(
            f"wrote {output}: {proposed} of {len(suggestions)} texts with suggestions", err=True
        )
