"""Scenario sweeps: solve one programme under every point of a grid of options and rules.

A *grid* maps keys (solve options such as ``objective`` or ``seed``, rule overrides such as
``weights.sector`` or ``quota.0.max``) to lists of values; the *jobs* are their cartesian product.
Jobs run in parallel on Dask distributed — a local cluster of processes by default, or any
running scheduler — and each job's row (its parameters, status, error, objective value,
fairness metrics, runtime and worker) is written as soon as it completes.

- :mod:`~pairing.sweeps.grid`: keys, values, validation and the product of jobs;
- :mod:`~pairing.sweeps.overrides`: applying a job's settings to the programme;
- :mod:`~pairing.sweeps.job`: one job, a pure function of programme and settings to a row;
- :mod:`~pairing.sweeps.engine`: the Dask client, retries and resubmission (imports Dask);
- :mod:`~pairing.sweeps.output`: CSV / Parquet output, appended per row, resumable;
- :mod:`~pairing.sweeps.sweepfile`: the ``SWEEP.toml`` file of ``pairing sweep``;
- :mod:`~pairing.sweeps.run`: :func:`sweep`, the library entry point (``pairing.sweep``).

Importing this package does not import Dask; starting a sweep does.
"""

from pairing.sweeps.grid import Job, Setting, Target, expand_grid
from pairing.sweeps.job import FAILED, RESULT_COLUMNS, SOLVED, run_job
from pairing.sweeps.output import ResultsFile
from pairing.sweeps.run import SweepRun, sweep
from pairing.sweeps.sweepfile import SweepFile, load_sweep_file

__all__ = [
    "FAILED",
    "RESULT_COLUMNS",
    "SOLVED",
    "Job",
    "ResultsFile",
    "Setting",
    "SweepFile",
    "SweepRun",
    "Target",
    "expand_grid",
    "load_sweep_file",
    "run_job",
    "sweep",
]
