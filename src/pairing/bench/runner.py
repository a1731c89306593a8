"""Plan and run a benchmark grid: build each instance once, then one process per cell.

The contenders of an instance come from the solver registry *at run time*: every registered
solver whose declared objectives and rule kinds cover the instance runs (plus ``auto``), so
solvers added by other modules are benchmarked without editing this one, and a solver that is
not installed simply has no rows. Only the references and baselines are named here.

Each (instance, contender) cell runs in a fresh ``python -m pairing.bench.worker`` process with
a wall-clock budget; a cell that exceeds it is killed and recorded as ``timeout`` (with any
repeats it finished), and statuses such as ``infeasible`` or ``unsupported`` are recorded, never
raised. Nothing here prints: progress goes to an optional callback.
"""

from __future__ import annotations

import json
import os
import pickle
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pairing import __version__
from pairing.bench.contenders import KERNELS, STARTUP, available_references
from pairing.bench.grid import Case, Grid
from pairing.bench.instances import build_instance
from pairing.bench.measure import memory_method
from pairing.errors import PairingError

__all__ = [
    "BASELINES",
    "BenchRun",
    "Cell",
    "Progress",
    "baseline_preference",
    "plan_contenders",
    "run_grid",
]

#: Baselines by family, in order of preference: the first one that ran and solved is used.
BASELINES: dict[str, tuple[str, ...]] = {
    "dense": ("scipy",),
    "sparse": ("scipy",),
    "orlib": ("scipy",),
    "capacitated": ("milp", "flow"),
    "rules": ("milp",),
    "fair": ("milp",),
    "fair-stable": ("ref:matching",),
    "kernel": ("kernel:scipy",),
    "realistic": ("kernel:scipy",),
    "scoring": ("matmul",),
    "sources": ("terms:tags",),
    "schedule": ("schedule:greedy",),
    "blocks": ("blocks:sparse",),
    "startup": ("startup:baseline",),
}

#: ``progress(stage, done, total, label)``; stage is ``"build"`` or ``"run"``.
Progress = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class Cell:
    """One (instance, contender) measurement."""

    case: Case
    contender: str
    instance_path: Path


@dataclass
class BenchRun:
    """Everything one run measured: metadata, instances and raw per-repeat records."""

    meta: dict[str, Any]
    instances: list[dict[str, Any]] = field(default_factory=list)
    runs: list[dict[str, Any]] = field(default_factory=list)


def baseline_preference(case: Case) -> tuple[str, ...]:
    """The baselines of ``case``'s family, most preferred first."""
    if case.family == "fair" and case.objective == "stable":
        return BASELINES["fair-stable"]
    if case.family == "fair":
        # the plain HiGHS model of the objective, whichever name it is registered under
        return (*BASELINES["fair"], f"{case.objective}-milp")
    return BASELINES.get(case.family, ())


def _supports(spec: Any, objective: str, structure: frozenset[str]) -> str:
    """Empty when the spec supports the instance, else why not."""
    missing = [] if objective in spec.objectives else [f"objective '{objective}'"]
    missing += [f"rule kind '{kind}'" for kind in sorted(structure - spec.rules)]
    return ", ".join(missing)


def plan_contenders(
    case: Case, structure: frozenset[str], solvers: list[str] | None = None
) -> tuple[list[str], dict[str, str]]:
    """The contenders for an instance (baseline first) and the registry solvers that cannot run.

    ``solvers`` restricts the contenders to those names, except the family's baselines, which
    always run so that every row has a ratio.
    """
    from pairing.solvers import registry

    references = set(available_references())
    unsupported: dict[str, str] = {}
    if case.family in ("kernel", "realistic"):
        names = [k for k in KERNELS if k in references] + ["auto-e2e"]
        # and the one-to-one registry solvers on the programme (on random matrices only when
        # asked for by name: the standard grid keeps the kernel family to the raw kernels)
        if case.family == "realistic" or solvers is not None:
            names += [
                name for name, spec in registry().items()
                if spec.exact and "capacity" not in spec.rules
                and not _supports(spec, case.objective, structure)
            ]
    elif case.family == "scoring":
        names = ["matmul", "score_matrix"]
    elif case.family == "blocks":
        names = ["blocks:sparse"]
    elif case.family == "schedule":
        names = ["schedule:greedy", "schedule:cpsat"]
    elif case.family == "startup":
        names = list(STARTUP)
    elif case.family == "sources":
        from pairing.bench.instances import SOURCE_TERMS

        names = list(SOURCE_TERMS)
    else:
        names = []
        for name, spec in registry().items():
            why = _supports(spec, case.objective, structure)
            if why:
                unsupported[name] = why
            else:
                names.append(name)
        names.append("auto")
        if case.family == "dense":
            names.append("auto-e2e")
        if case.family == "fair" and case.objective == "stable" and "ref:matching" in references:
            names.append("ref:matching")
    baselines = [b for b in baseline_preference(case) if b in names]
    if solvers is not None:
        wanted = set(solvers)
        names = [n for n in names if n in wanted or n in baselines]
        unsupported = {n: why for n, why in unsupported.items() if n in wanted}
    ordered = baselines + [n for n in names if n not in baselines]
    return ordered, unsupported


def _read_lines(text: str) -> list[dict[str, Any]]:
    records = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


def _run_cell(
    cell: Cell, repeats: int, live: set[subprocess.Popen[str]] | None = None
) -> list[dict[str, Any]]:
    """Run one cell in a fresh worker process; never raises for a solver's failure.

    The process is in ``live`` while it runs, so that an interrupted run can end it.
    """
    request = {
        "instance": str(cell.instance_path),
        "contender": cell.contender,
        "repeats": repeats,
        "budget": cell.case.budget,
    }
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        [sys.executable, "-m", "pairing.bench.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    if live is not None:
        live.add(process)
    try:
        out, err = process.communicate(json.dumps(request), timeout=cell.case.budget)
        timed_out = False
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        timed_out = True
    except BaseException:  # Ctrl-C or SIGTERM: the worker must not outlive the run
        process.kill()
        process.wait()
        raise
    finally:
        if live is not None:
            live.discard(process)
    records = _read_lines(out)
    if timed_out:
        records.append(
            {
                "repeat": len(records),
                "status": "timeout",
                "message": f"killed after the cell's budget of {cell.case.budget:g} s",
            }
        )
    elif process.returncode != 0 or not records:
        tail = (err or "").strip().splitlines()[-1:] or [f"exit code {process.returncode}"]
        status = "out_of_memory" if process.returncode in (-9, 137) else "error"
        records.append({"repeat": len(records), "status": status, "message": tail[0][:300]})
    for record in records:
        record["instance"] = cell.case.id
        record["contender"] = cell.contender
    return records


def _machine() -> dict[str, Any]:
    import numpy
    import scipy

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
    }


def run_grid(
    grid: Grid,
    *,
    repeats: int | None = None,
    solvers: list[str] | None = None,
    workdir: Path | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
) -> BenchRun:
    """Build every instance of ``grid``, then measure every (instance, contender) cell.

    Parameters
    ----------
    grid
        The cases to run (see :mod:`pairing.bench.grid`).
    repeats
        Runs per cell (default: the grid's); the report gives the median and the spread.
    solvers
        Restrict the contenders to these names (baselines always run).
    workdir
        Where the pickled instances go (default: a temporary folder, removed afterwards).
    progress
        Called after each built instance and each measured cell.
    jobs
        Cells measured at once. Keep 1 for numbers you compare: parallel cells share the CPUs
        and memory bandwidth. More is for smoke runs (CI's quick grid).

    Returns
    -------
    BenchRun
        Raw records; :func:`pairing.bench.aggregate.summarise` turns them into table rows.
    """
    repeats = repeats or grid.repeats
    started = datetime.now(UTC)
    run = BenchRun(
        meta={
            "pairing": __version__,
            "grid": grid.name,
            "repeats": repeats,
            "jobs": jobs,
            "solvers_filter": solvers,
            "started": started.isoformat(timespec="seconds"),
            "memory_method": memory_method(),
            "machine": _machine(),
        }
    )
    with tempfile.TemporaryDirectory(prefix="pairing-bench-", dir=workdir) as tmp:
        cells = _build_all(grid, Path(tmp), solvers, run, progress)
        results: list[list[dict[str, Any]]] = [[] for _ in cells]
        live: set[subprocess.Popen[str]] = set()
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = {
                pool.submit(_run_cell, cell, repeats, live): k for k, cell in enumerate(cells)
            }
            try:
                for done, future in enumerate(as_completed(futures), start=1):
                    k = futures[future]
                    results[k] = future.result()
                    if progress is not None:
                        cell = cells[k]
                        progress("run", done, len(cells), f"{cell.case.id} · {cell.contender}")
            except BaseException:  # Ctrl-C or SIGTERM: end the running workers, start no more
                pool.shutdown(wait=False, cancel_futures=True)
                for process in list(live):
                    process.kill()
                raise
        for records in results:
            run.runs += records
    run.meta["seconds"] = round((datetime.now(UTC) - started).total_seconds(), 1)
    return run


def _build_all(
    grid: Grid, folder: Path, solvers: list[str] | None, run: BenchRun, progress: Progress | None
) -> list[Cell]:
    cells: list[Cell] = []
    for k, case in enumerate(grid.cases, start=1):
        started = time.perf_counter()
        path = folder / f"{k:03d}-{case.id}.pkl"
        try:
            instance = build_instance(case)
        except PairingError as exc:
            run.instances.append(
                {
                    "id": case.id,
                    "family": case.family,
                    "n_left": case.n_left,
                    "n_right": case.n_right,
                    "objective": case.objective,
                    "error": str(exc),
                }
            )
            continue
        with path.open("wb") as handle:
            pickle.dump(instance, handle, protocol=pickle.HIGHEST_PROTOCOL)
        contenders, unsupported = plan_contenders(case, instance.structure, solvers)
        meta = instance.meta()
        meta.update(
            case=case.to_dict(),
            contenders=contenders,
            unsupported=unsupported,
            baselines=list(baseline_preference(case)),
            build_s=round(time.perf_counter() - started, 3),
        )
        run.instances.append(meta)
        cells += [Cell(case, name, path) for name in contenders]
        del instance
        if progress is not None:
            progress("build", k, len(grid.cases), case.id)
    return cells
