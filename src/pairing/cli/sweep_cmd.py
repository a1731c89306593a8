"""``pairing sweep``: run a grid of scenarios over one programme on Dask, row by row to a file.

Progress (jobs done / total, failures) goes to stderr when it is a terminal; otherwise the
command is quiet apart from its one-line summary. Rows reach the output as jobs complete, so an
interrupted sweep continues with ``--resume``.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from pathlib import Path

import click

from pairing.cli.common import OUTPUT_PATH
from pairing.io.atomic import check_target
from pairing.sweeps import SOLVED, load_sweep_file, sweep

__all__ = ["sweep_command"]


def _quiet_dask() -> None:
    """Dask logs a warning per lost worker; the rows already say what happened."""
    for name in ("distributed", "distributed.client", "distributed.worker", "distributed.nanny"):
        logging.getLogger(name).setLevel(logging.ERROR)


@click.command("sweep")
@click.argument("sweep_file", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=OUTPUT_PATH,
    required=True,
    help="results.csv (a row appended per finished job) or results.parquet.",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="A running Dask scheduler, e.g. tcp://host:8786 (default: a local cluster).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Local cluster: worker processes (default: one per core). "
    "With --scheduler: workers to wait for before starting.",
)
@click.option(
    "--resume", is_flag=True, help="Keep the rows already in the output; run only the others."
)
def sweep_command(
    sweep_file: Path, output: Path, scheduler: str | None, workers: int | None, resume: bool
) -> None:
    """Solve the programme named in SWEEP_FILE for every point of its [grid].

    Writes one row per job: job id, the grid's values, status, error, objective value,
    fairness metrics, runtime and worker. Failed jobs (infeasible, bad overrides) are recorded
    with their error and the sweep goes on.
    """
    check_target(output, inputs=(sweep_file,))
    spec = load_sweep_file(sweep_file)
    check_target(output, inputs=(sweep_file, spec.programme_path))
    run = sweep(
        spec.programme,
        spec.grid,
        scheduler=scheduler,
        workers=workers,
        output=output,
        resume=resume,
        source=str(sweep_file),
    )
    _quiet_dask()
    started = time.perf_counter()
    statuses: Counter[str] = Counter()
    previous = run.skipped_statuses
    progress = _progress(len(run.jobs), len(run.skipped))
    if progress is not None:
        progress.update(0, _failures(previous))
    try:
        with run:
            try:
                for row in run:
                    statuses[row["status"]] += 1
                    if progress is not None:
                        progress.update(1, _failures(statuses + previous))
            except KeyboardInterrupt:  # said before the cluster's shut-down, which may be cut
                click.echo(
                    f"interrupted: {statuses.total()} new row(s) saved in {run.journal}; "
                    f"continue with: pairing sweep {sweep_file} -o {output} --resume",
                    err=True,
                )
                raise
    finally:
        if progress is not None:
            progress.stop()
    elapsed = time.perf_counter() - started
    kinds = {s: n for s, n in sorted((statuses + previous).items()) if s not in SOLVED}
    detail = f" ({', '.join(f'{s} {n}' for s, n in kinds.items())})" if kinds else ""
    resumed = f", {len(run.skipped)} already done" if run.skipped else ""
    click.echo(
        f"wrote {output}: {len(run.jobs)} jobs ({statuses.total()} run{resumed}), "
        f"{sum(kinds.values())} failed{detail}, in {elapsed:.1f} s",
        err=True,
    )


def _failures(statuses: Counter[str]) -> int:
    return sum(n for status, n in statuses.items() if status not in SOLVED)


class _Progress:
    """A rich progress bar on stderr: jobs done / total and failures."""

    def __init__(self, total: int, done: int) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._bar = Progress(
            TextColumn("sweep"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._bar.add_task("sweep", total=total, completed=done, failed=0)
        self._bar.start()

    def update(self, advance: int, failed: int) -> None:
        self._bar.update(self._task, advance=advance, failed=failed)

    def stop(self) -> None:
        self._bar.stop()


def _progress(total: int, done: int) -> _Progress | None:
    return _Progress(total, done) if sys.stderr.isatty() else None
