"""``pairing report``: one self-contained HTML report of a result."""

from __future__ import annotations

from pathlib import Path

import click

from pairing.analysis.evaluation import load_result_for
from pairing.cli.common import OUTPUT_PATH
from pairing.cli.progress import status
from pairing.core.prepare import prepare
from pairing.diagnostics.check import violations
from pairing.diagnostics.large_check import blockwise
from pairing.io import load
from pairing.io.atomic import check_target
from pairing.io.output_formats import REPORT_FORMATS, format_of
from pairing.io.results_file import write_atomic
from pairing.report import render_report

__all__ = ["report_command"]


@click.command("report")
@click.argument("programme", type=click.Path(path_type=Path))
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=OUTPUT_PATH,
    required=True,
    help="The HTML file to write (self-contained: inline CSS and SVG charts).",
)
@click.option(
    "--schedule",
    "schedule_file",
    type=click.Path(path_type=Path),
    default=None,
    help="A schedule.json from `pairing schedule`: adds the timetable and agendas.",
)
def report_command(
    programme: Path, result: Path, output: Path, schedule_file: Path | None = None
) -> None:
    """Write an HTML report of RESULT: summary, fairness, charts, pairs and unmatched."""
    check_target(output, inputs=(programme, result))
    format_of(output, REPORT_FORMATS, "html")
    prog = load(programme)
    # scored and compiled once: the result, its check, the report (none above the dense
    # size: they then read the pairs and row blocks alone)
    prepared = None if blockwise(prog) else prepare(prog)
    res = load_result_for(prog, result, prepared=prepared)
    timetable = None
    if schedule_file is not None:
        from pairing.errors import InvalidProgramme
        from pairing.scheduling.report_section import timetable_mismatch
        from pairing.scheduling.stored import load_schedule

        timetable = load_schedule(schedule_file)
        if mismatch := timetable_mismatch(timetable, res, str(schedule_file)):
            raise InvalidProgramme(mismatch)
    with status(f"rendering the report of {len(res.pairs)} pairs"):
        found = violations(prog, res, prepared=prepared)
        if found:
            click.echo(f"{result}: {len(found)} violation(s) of {programme}:", err=True)
            for line in found[:10]:
                click.echo(f"  - {line}", err=True)
            click.echo("the report needs a valid result; run `pairing check` for details", err=True)
            raise SystemExit(1)
        html = render_report(prog, res, prepared=prepared)
        if timetable is not None:
            from pairing.scheduling.report_section import insert_timetable

            html = insert_timetable(html, timetable)
    write_atomic(output, html)
    click.echo(f"wrote {output} ({len(html) // 1024} KiB)", err=True)
