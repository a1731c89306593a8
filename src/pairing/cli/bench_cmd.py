"""``pairing bench``: run a benchmark grid and write results.json, results.md and chart.png."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from pairing.bench import GRIDS, Grid, builtin_grid, load_grid, run_grid, summarise, write_outputs
from pairing.bench.runner import Progress

__all__ = ["bench_command"]


def _grid(name: str) -> Grid:
    if name in GRIDS:
        return builtin_grid(name)
    path = Path(name)
    if path.suffix.lower() != ".toml":
        msg = f"unknown grid {name!r}; expected one of: {', '.join(GRIDS)}, or a .toml file"
        raise click.BadParameter(msg, param_hint="--grid")
    return load_grid(path)


def _solver_list(text: str | None) -> list[str] | None:
    """The ``--solvers`` names, checked against the registry and the references."""
    if not text:
        return None
    from pairing.bench.contenders import REFERENCES
    from pairing.solvers import registry

    names = [s.strip() for s in text.split(",") if s.strip()]
    known = [*registry(), "auto", *REFERENCES]
    unknown = [n for n in names if n not in known]
    if unknown:
        msg = f"unknown solver(s) {', '.join(unknown)}; expected some of: {', '.join(known)}"
        raise click.BadParameter(msg, param_hint="--solvers")
    return names


@contextmanager
def _progress(show: bool) -> Iterator[Progress | None]:
    """A rich progress bar on stderr when it is a terminal; nothing otherwise."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[label]}"),
        console=Console(stderr=True),
        transient=True,
    )
    tasks: dict[str, object] = {}

    def update(stage: str, done: int, total: int, label: str) -> None:
        if stage not in tasks:
            title = "building instances" if stage == "build" else "measuring cells"
            tasks[stage] = bar.add_task(title, total=total, label="")
        bar.update(tasks[stage], completed=done, total=total, label=label)  # type: ignore[arg-type]

    with bar:
        yield update


@click.command("bench")
@click.option(
    "--grid",
    "grid_name",
    default="standard",
    show_default=True,
    help="quick | standard | full, or a grid .toml file (see benchmarks/README.md).",
)
@click.option("--quick", is_flag=True, help="The CI grid (tiny instances, under a minute).")
@click.option("--repeats", type=click.IntRange(min=1), help="Runs per cell (default: the grid's).")
@click.option(
    "--solvers",
    help="Comma-separated contenders to run (registry names, auto, auto-e2e, kernel:…); "
    "the baselines always run.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/bench"),
    show_default=True,
    help="Folder for results.json, results.md and chart.png.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    help="Cells measured at once (default 1; 2 with --quick). Compare timings only from -j 1.",
)
def bench_command(
    grid_name: str,
    quick: bool,
    repeats: int | None,
    solvers: str | None,
    out: Path,
    jobs: int | None,
) -> None:
    """Benchmark every solver that supports each instance of a grid, side by side."""
    grid = builtin_grid("quick") if quick else _grid(grid_name)
    chosen = _solver_list(solvers)
    with _progress(sys.stderr.isatty()) as progress:
        run = run_grid(
            grid,
            repeats=repeats,
            solvers=chosen,
            progress=progress,
            jobs=jobs or (2 if quick else 1),
        )
    paths = write_outputs(run, out)
    rows = summarise(run.instances, run.runs)
    failed = sum(1 for r in rows if r.status in ("error", "out_of_memory"))
    click.echo(
        f"{len(rows)} cells on {len(run.instances)} instances in {run.meta['seconds']} s "
        f"({failed} errors); wrote {paths['json']}, {paths['markdown']}, {paths['chart']}",
        err=True,
    )
