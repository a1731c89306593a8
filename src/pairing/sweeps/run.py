""":func:`sweep`: run every point of a grid over one programme, on Dask, yielding rows.

The library's entry point for scenario sweeps (``pairing.sweep``). Validation (the grid, and the
existing output when resuming) happens when :func:`sweep` is called; the cluster starts on the
first ``next()`` and stops when the iteration ends, is closed, or fails.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from pairing.errors import InvalidProgramme
from pairing.extras import require
from pairing.model.programme import Programme
from pairing.sweeps.grid import Job, Target, grid_issues, jobs_from_axes
from pairing.sweeps.output import ResultsFile, column_types

__all__ = ["SweepRun", "sweep"]


def _finished() -> Generator[dict[str, Any]]:
    yield from ()


class SweepRun(Iterator[dict[str, Any]]):
    """An iterator over a sweep's rows, in completion order, with what it will run.

    Use it as a context manager (or call :meth:`close`) to stop a sweep early and release its
    cluster; a local cluster also stops when the iteration ends.

    Attributes
    ----------
    jobs
        Every job of the grid, in id order.
    targets
        What each grid key changes, in grid order.
    columns
        The columns of every row, in order.
    skipped
        Ids of the jobs already in the output (``resume``), which are not run again.
    skipped_statuses
        How many of the skipped jobs' rows have each status.
    pending
        The jobs this run executes.
    journal
        The file rows are appended to as they complete (the output itself for CSV, the
        journal next to it for Parquet), or None without output.
    """

    def __init__(
        self,
        programme: Programme,
        jobs: Sequence[Job],
        targets: Sequence[Target],
        output: ResultsFile | None,
        engine: dict[str, Any],
    ) -> None:
        self.jobs = list(jobs)
        self.targets = tuple(targets)
        self.columns = tuple(column_types(targets))
        self.skipped = output.done if output is not None else set()
        self.skipped_statuses = output.done_statuses if output is not None else Counter()
        self.journal = output.journal if output is not None else None
        self.pending = [job for job in self.jobs if job.id not in self.skipped]
        self._programme = programme
        self._output = output
        self._engine = engine
        self._rows: Generator[dict[str, Any]] | None = None

    def __iter__(self) -> SweepRun:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._rows is None:
            self._rows = self._generate()
        return next(self._rows)

    def _generate(self) -> Generator[dict[str, Any]]:
        output = self._output
        complete = False
        try:
            if self.pending:
                require("distributed", "sweep")
                from pairing.sweeps.engine import run_jobs

                for row in run_jobs(self._programme, self.pending, **self._engine):
                    if output is not None:
                        output.append(row)
                    yield row
            complete = True
        finally:
            if output is not None:
                output.close(complete=complete)

    def close(self) -> None:
        """Stop the sweep: cancel its unfinished jobs and release the cluster."""
        rows, self._rows = self._rows, _finished()
        if rows is not None:
            rows.close()

    def __enter__(self) -> SweepRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def sweep(
    programme: Programme | str | Path,
    grid: Mapping[str, Any],
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    output: str | Path | None = None,
    resume: bool = False,
    retries: int = 2,
    source: str | None = None,
) -> SweepRun:
    """Solve ``programme`` once per point of ``grid``, in parallel on Dask.

    Parameters
    ----------
    programme
        A programme, or the path of a programme JSON file or bundle folder.
    grid
        Key → list of values; the jobs are their cartesian product. Keys: the solve options
        ``objective``, ``solver``, ``seed``, ``time_limit`` (``"none"`` for no limit),
        ``proposing``; the rule overrides ``min_score``, ``weights.NAME``, a quota bound
        ``quota.INDEX.min|max`` / ``pair_quota.INDEX.min|max`` or by name
        ``quota.SIDE.BY.GROUP.min|max`` / ``pair_quota.LEFT_SECTOR.RIGHT_SECTOR.min|max``
        (``"none"`` drops the bound).
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); by default a local cluster
        of worker processes starts and stops with the sweep. (A script that runs a local sweep
        needs the usual ``if __name__ == "__main__":`` guard of process-based parallelism.)
    workers
        Local cluster: number of worker processes (default: one per core). Existing scheduler:
        how many workers to wait for before starting (default 1).
    output
        ``.csv`` or ``.parquet`` file receiving each row as its job completes (see
        :mod:`pairing.sweeps.output`); None keeps rows in memory only.
    resume
        Keep the rows already in ``output`` and run only the jobs that have none.
    retries
        Extra attempts of a task that raised on a worker.
    source
        The file the grid came from, named in error messages.

    Returns
    -------
    SweepRun
        An iterator of rows (dicts: ``job``, one entry per grid key, then ``status``, ``error``,
        ``objective_value``, the fairness metrics, ``runtime_s``, ``solved_by``, ``worker``) in
        completion order. A failed job (infeasible, bad overrides, ...) is a row with its
        ``status`` and ``error``; the sweep goes on.

    Raises
    ------
    InvalidProgramme
        The grid is not valid (every problem listed); the output exists and ``resume`` is
        false; the output's rows belong to another sweep; or the scheduler cannot be reached.

    Examples
    --------
    >>> import pairing                                                  # doctest: +SKIP
    >>> grid = {"objective": ["total"], "weights.sector": [0.0, 0.5], "seed": [0, 1]}
    >>> for row in pairing.sweep("programme.json", grid, output="results.csv"):  # doctest: +SKIP
    ...     print(row["job"], row["status"], row["total_score"])
    """
    if not isinstance(programme, Programme):
        from pairing.io import load

        programme = load(programme)
    issues, axes = grid_issues(programme, grid)
    if issues:
        raise InvalidProgramme(issues, source=source)
    jobs = jobs_from_axes(axes)
    targets = [target for target, _ in axes]
    results = ResultsFile(output, targets, jobs, resume=resume) if output is not None else None
    engine = {"scheduler": scheduler, "workers": workers, "retries": retries}
    return SweepRun(programme, jobs, targets, results, engine)
