"""Run one job: a pure function of the programme and the job's settings to one results row.

:func:`run_job` never raises for a problem of the job itself: an infeasible programme, a time
limit, a bad combination of overrides, an unsupported objective or a solver failure is recorded
in the row (``status`` and ``error``) so that one bad point does not stop a sweep. Only
``MemoryError`` escapes, so that the engine can retry the job on another worker.

:func:`worker_task` is what the distributed engine runs: :func:`run_job` plus the name of the
worker that ran it.
"""

from __future__ import annotations

import time
from typing import Any

from pairing.core.solve import solve
from pairing.errors import (
    PairingError,
)
from pairing.model.programme import Programme
from pairing.model.result import HEADLINE_METRICS
from pairing.sweeps.grid import Job
from pairing.sweeps.overrides import apply_settings

__all__ = ["FAILED", "RESULT_COLUMNS", "SOLVED", "failure_row", "run_job", "worker_task"]

#: Columns after the grid's own, in order. Gains are per enterprise (sum over its partners).
RESULT_COLUMNS: tuple[str, ...] = (
    "status",
    "error",
    "objective_value",
    *HEADLINE_METRICS,
    "runtime_s",
    "solved_by",
    "worker",
)
#: Statuses of a job that produced a matching.
SOLVED: tuple[str, ...] = ("optimal", "feasible")
#: Statuses of a job that did not: the exception's kind, or ``killed`` when every worker that
#: ran it died (see :mod:`pairing.sweeps.engine`).
FAILED: tuple[str, ...] = (
    "infeasible",
    "time_limit",
    "invalid",
    "unsupported",
    "error",
    "killed",
)


def _one_line(text: str) -> str:
    """An error message on one line (CSV-friendly): bullet lines joined with ``; ``."""
    lines = [line.strip().removeprefix("- ") for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    head, rest = lines[0], lines[1:]
    if not rest:
        return head
    return f"{head} {'; '.join(rest)}" if head.endswith(":") else "; ".join(lines)


def failure_row(
    job: Job, status: str, error: str, runtime_s: float | None = None
) -> dict[str, Any]:
    """The row of a job that produced no matching (metrics empty)."""
    row: dict[str, Any] = {"job": job.id, **job.params}
    row.update(dict.fromkeys(RESULT_COLUMNS))
    row.update(status=status, error=_one_line(error), runtime_s=runtime_s)
    return row


def run_job(programme: Programme, job: Job) -> dict[str, Any]:
    """Apply ``job``'s settings to ``programme``, solve it and summarise the result as a row.

    Parameters
    ----------
    programme
        The sweep's base programme.
    job
        Its id and settings (rule overrides and solve options).

    Returns
    -------
    dict
        ``job``, one entry per grid key, then :data:`RESULT_COLUMNS` (``worker`` is None here;
        :func:`worker_task` fills it in). Metrics are None when the job failed.
    """
    started = time.perf_counter()
    try:
        modified, options = apply_settings(programme, job.settings)
        result = solve(modified, **options)
    except MemoryError:
        raise
    except PairingError as exc:
        return failure_row(job, exc.status, str(exc), _elapsed(started))
    except Exception as exc:  # a bug in a solver must not stop the sweep; record it
        return failure_row(job, "error", f"{type(exc).__name__}: {exc}", _elapsed(started))
    row: dict[str, Any] = {"job": job.id, **job.params}
    row.update(
        status=result.status,
        error=None,
        objective_value=result.objective_value,
        **result.metrics.headline(),
        runtime_s=_elapsed(started),
        solved_by=result.solver.name,
        worker=None,
    )
    return row


def _elapsed(started: float) -> float:
    return round(time.perf_counter() - started, 6)


def worker_task(programme: Programme, job: Job) -> dict[str, Any]:
    """:func:`run_job` on a Dask worker, recording the worker's address in the row."""
    from distributed import get_worker

    row = run_job(programme, job)
    row["worker"] = get_worker().address
    return row
