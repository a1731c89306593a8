"""What runs in a benchmark cell: registry solvers through ``pairing.solve``, and references.

A *contender* is a name; :func:`prepare` turns it and an :class:`~pairing.bench.instances.
Instance` into a zero-argument call that the worker times. Preparation (untimed) does what is
the same for everyone, e.g. negating the benefit matrix once for the raw kernels.

- ``<registry name>`` and ``auto``: ``pairing.solve(programme, solver=..., matrices=...)`` with
  the instance's precomputed score matrices, so the time is compile + choose + pre-check +
  solve + assemble + validate. The solver function's own time is recorded as ``core_s`` (the
  registry entry is wrapped inside the worker process only).
- ``auto-e2e``: ``pairing.solve(programme)`` from nothing: scoring included.
- ``kernel:lapjv``, ``kernel:lap``, ``kernel:scipy``, ``kernel:ortools``: the raw assignment
  kernels (``lapjv``, gatagat ``lap``, SciPy, OR-Tools) on the same negated ``float64`` matrix;
  OR-Tools' time includes scaling to integers and building its arcs, which it cannot do without.
- ``ref:matching``: deferred acceptance by the ``matching`` package (its ``hospital_resident``
  algorithm, resident-optimal = left-proposing), preference lists and player objects built
  from the gains inside the timing.
- ``score_matrix`` and ``matmul``: :func:`pairing.score_matrix` and one NumPy ``float32`` matmul
  of the same output shape (``scoring`` family).
- ``blocks:sparse``: :func:`pairing.core.large.solve_large` — the large path at any size (the
  ``blocks`` family): scores in row blocks, the sparse solver, its certificate, blocking pairs
  and runner-ups, and the large path's validator; no ``n × n`` matrix.
- ``startup:baseline``, ``startup:import``, ``startup:help``, ``startup:solve``: whole new
  processes (``startup`` family), timed from start to exit: ``python -c "import numpy, pydantic,
  click"`` (the baseline), ``python -c "import pairing"``, ``pairing --help``, and ``pairing
  solve`` of the instance's programme end to end (written to a JSON file before the timing).
- ``terms:tags``, ``terms:preference``, ``terms:text``, ``terms:source``, ``terms:all``:
  :func:`pairing.score_matrix` of the ``sources`` instance with the tag terms alone, with one
  score source each, and with all of them (``sources`` family; the programme variant is made
  before the timing).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from pairing.bench.instances import Instance
from pairing.errors import PairingError
from pairing.model.result import Result
from pairing.solvers.base import SolverSpec

__all__ = [
    "KERNELS",
    "REFERENCES",
    "STARTUP",
    "Outcome",
    "available_references",
    "core_timer",
    "outcome_of_error",
    "prepare",
]

#: Raw assignment kernels and the package each needs.
KERNELS: dict[str, str] = {
    "kernel:lapjv": "lapjv",
    "kernel:lap": "lap",
    "kernel:scipy": "scipy",
    "kernel:ortools": "ortools",
}

#: Start-up rows (``startup`` family), each a whole new process: what it runs.
STARTUP: dict[str, str] = {
    "startup:baseline": 'python -c "import numpy, pydantic, click"',
    "startup:import": 'python -c "import pairing"',
    "startup:help": "pairing --help",
    "startup:solve": "pairing solve programme.json -o result.json",
}

#: Contenders outside the registry, with the package each needs ("" for none).
REFERENCES: dict[str, str] = {
    **KERNELS,
    **dict.fromkeys(STARTUP, ""),
    "ref:matching": "matching",
    "score_matrix": "",
    "matmul": "",
    "auto-e2e": "",
    "blocks:sparse": "numba",
}

#: Largest side for ``ref:matching`` (pure Python objects: memory and time grow as n²).
MATCHING_MAX_SIDE = 2000


@dataclass(frozen=True)
class Outcome:
    """What one run produced, besides its time and memory."""

    status: str
    objective_value: float | None = None
    gap: float | None = None
    core_s: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    message: str = ""


def available_references() -> list[str]:
    """Reference contenders whose packages are importable here."""
    return [name for name, package in REFERENCES.items() if not package or find_spec(package)]


def outcome_of_error(exc: BaseException) -> Outcome:
    """An exception from a run as an outcome: the error's own ``status`` (``infeasible``, ...)."""
    if isinstance(exc, PairingError) and exc.status != "error":
        return Outcome(exc.status, message=str(exc)[:300])
    if isinstance(exc, MemoryError):
        return Outcome("out_of_memory", message="MemoryError")
    return Outcome("error", message=f"{type(exc).__name__}: {exc}"[:300])


class _CoreClock:
    """Accumulates the time spent inside solver functions (outermost calls only).

    ``solvers`` is the bench's own contender list: the registry's specs with their functions
    wrapped by this clock, passed to ``pairing.solve(solvers=...)`` (the registry is read-only).
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self._depth = 0
        self.solvers: dict[str, SolverSpec] = {}

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self.seconds += time.perf_counter() - started

        return timed


@contextmanager
def core_timer() -> Iterator[_CoreClock]:
    """A clock whose ``solvers`` are copies of the registry's, each timed by the clock."""
    from pairing.solvers import registry

    clock = _CoreClock()
    clock.solvers = {
        name: dataclasses.replace(spec, solve=clock.wrap(spec.solve))
        for name, spec in registry().items()
    }
    yield clock


def _pair_indices(instance: Instance, result: Result) -> tuple[np.ndarray, np.ndarray]:
    left_pos = {e.id: k for k, e in enumerate(instance.programme.left.enterprises)}
    right_pos = {e.id: k for k, e in enumerate(instance.programme.right.enterprises)}
    left = np.array([left_pos[p.left] for p in result.pairs], dtype=np.intp)
    right = np.array([right_pos[p.right] for p in result.pairs], dtype=np.intp)
    return left, right


def _orlib_extra(instance: Instance, rows: np.ndarray, cols: np.ndarray) -> dict[str, Any]:
    cost = int(instance.arrays["cost"][rows, cols].sum())
    return {"cost": cost, "optimum_hit": cost == instance.known_optimum}


def _result_outcome(instance: Instance, result: Result, clock: _CoreClock | None) -> Outcome:
    extra: dict[str, Any] = {"solver": result.solver.name}
    if instance.case.objective == "stable" or instance.case.family == "fair":
        extra["blocking_pairs"] = result.metrics.blocking_pairs
    if instance.known_optimum is not None:
        extra.update(_orlib_extra(instance, *_pair_indices(instance, result)))
    return Outcome(
        result.status,
        result.objective_value,
        result.solver.gap,
        clock.seconds if clock is not None else None,
        extra,
    )


def _solve_call(instance: Instance, solver: str, clock: _CoreClock | None) -> Callable[[], Outcome]:
    import pairing

    case = instance.case
    matrices = instance.matrices if solver != "auto-e2e" else None
    name = "auto" if solver == "auto-e2e" else solver

    def call() -> Outcome:
        if clock is not None:
            clock.seconds = 0.0
        result = pairing.solve(
            instance.programme,
            solver=name,
            objective=case.objective,
            time_limit=case.time_limit,
            seed=case.seed,
            matrices=matrices,
            solvers=clock.solvers if clock is not None else None,
        )
        return _result_outcome(instance, result, clock if solver != "auto-e2e" else None)

    return call


def _kernel_outcome(instance: Instance, cols: np.ndarray) -> Outcome:
    benefit = instance.arrays["benefit"]
    rows = np.arange(benefit.shape[0])
    return Outcome("optimal", round(float(benefit[rows, cols].sum()), 6))


def _kernel_call(instance: Instance, name: str) -> Callable[[], Outcome]:
    benefit = instance.arrays["benefit"]
    cost = np.ascontiguousarray(-benefit)
    if name == "kernel:lapjv":
        from lapjv import lapjv

        return lambda: _kernel_outcome(instance, np.asarray(lapjv(cost)[0]))
    if name == "kernel:lap":
        import lap

        return lambda: _kernel_outcome(instance, np.asarray(lap.lapjv(cost)[1]))
    if name == "kernel:scipy":
        from scipy.optimize import linear_sum_assignment

        return lambda: _kernel_outcome(instance, linear_sum_assignment(cost)[1])
    return _ortools_call(instance, benefit)


def _ortools_call(instance: Instance, benefit: np.ndarray) -> Callable[[], Outcome]:
    from ortools.graph.python import linear_sum_assignment

    from pairing.solvers.scaling import to_int_scores

    n_rows, n_cols = benefit.shape

    def call() -> Outcome:
        solver = linear_sum_assignment.SimpleLinearSumAssignment()
        tails = np.repeat(np.arange(n_rows, dtype=np.int32), n_cols)
        heads = np.tile(np.arange(n_cols, dtype=np.int32), n_rows)
        solver.add_arcs_with_cost(tails, heads, -to_int_scores(benefit).ravel())
        if solver.solve() != solver.OPTIMAL:
            return Outcome("error", message="OR-Tools did not report OPTIMAL")
        cols = np.fromiter((solver.right_mate(r) for r in range(n_rows)), np.intp, n_rows)
        return _kernel_outcome(instance, cols)

    return call


def _matching_call(instance: Instance) -> Callable[[], Outcome]:
    # The algorithm function with the package's player objects: its ``HospitalResident`` game
    # wrapper deep-copies the players, which recurses past Python's limit at 100 per side.
    from matching.algorithms import hospital_resident
    from matching.players import Hospital, Player

    from pairing.core.prepare import prepare

    assert instance.matrices is not None
    prepared = prepare(instance.programme, objective="stable", matrices=instance.matrices)
    problem = prepared.problem
    if problem.cap_max_left.max(initial=0) > 1:
        return lambda: Outcome("unsupported", message="matching: left capacities above 1")
    if max(problem.shape) > MATCHING_MAX_SIDE:
        message = f"skipped: pure-Python reference limited to {MATCHING_MAX_SIDE} per side"
        return lambda: Outcome("skipped", message=message)

    def call() -> Outcome:
        allowed = problem.allowed
        n_left = problem.shape[0]
        order_left = np.argsort(-problem.gain_left, axis=1, kind="stable")
        order_right = np.argsort(-problem.gain_right, axis=0, kind="stable")
        residents = [Player(i) for i in range(n_left)]
        hospitals = [Hospital(j, int(c)) for j, c in enumerate(problem.cap_max_right.tolist())]
        for i, resident in enumerate(residents):
            resident.set_prefs([hospitals[j] for j in order_left[i].tolist() if allowed[i, j]])
        for j, hospital in enumerate(hospitals):
            ranked = order_right[:, j].tolist()
            hospital.set_prefs([residents[i] for i in ranked if allowed[i, j]])
        matching = hospital_resident(residents, hospitals, optimal="resident")
        pairs = [(r.name, h.name) for h, matched in matching.items() for r in matched]
        left = np.array([p[0] for p in pairs], dtype=np.intp)
        right = np.array([p[1] for p in pairs], dtype=np.intp)
        value = prepared.objective_value(left, right)
        extra = {"blocking_pairs": prepared.blocking_count(left, right)}
        return Outcome("optimal", round(value, 6), extra=extra)

    return call


def _scoring_call(instance: Instance, name: str) -> Callable[[], Outcome]:
    if name == "matmul":
        needs, caps = instance.arrays["needs"], instance.arrays["caps"]
        return lambda: Outcome("optimal", extra={"shape": list((needs @ caps.T).shape)})

    from pairing.features import score_matrix

    def call() -> Outcome:
        matrices = score_matrix(instance.programme)
        return Outcome("optimal", extra={"shape": list(matrices.shape)})

    return call


def _terms_call(instance: Instance, name: str) -> Callable[[], Outcome]:
    from pairing.bench.instances import source_variant
    from pairing.features import score_matrix

    programme = source_variant(instance.programme, name)

    def call() -> Outcome:
        matrices = score_matrix(programme)
        terms = list(matrices.terms.weights) if matrices.terms is not None else []
        return Outcome("optimal", extra={"shape": list(matrices.shape), "terms": terms})

    return call


def _schedule_call(instance: Instance, name: str) -> Callable[[], Outcome]:
    """``schedule:greedy`` (the greedy start alone) or ``schedule:cpsat`` (``pairing.schedule``,
    exact in stages); the objective value is the idle slots, placed meetings go in ``extra``."""
    result, event = instance.payload["result"], instance.payload["event"]
    if name == "schedule:greedy":
        from pairing.scheduling.build import _event, _idle_metrics
        from pairing.scheduling.greedy import greedy_schedule
        from pairing.scheduling.instance import build_instance

        def greedy() -> Outcome:
            problem = build_instance(instance.programme, result, _event(event, instance.programme))
            slot = greedy_schedule(problem)
            idle, _, _ = _idle_metrics(problem, slot)
            placed = int((slot >= 0).sum())
            return Outcome("feasible", float(idle), extra={"placed": placed,
                                                           "meetings": len(slot)})

        return greedy

    from pairing.scheduling import schedule

    def exact() -> Outcome:
        found = schedule(instance.programme, result, event,
                         time_limit=instance.case.time_limit, partial=True)
        metrics = found.metrics
        return Outcome(found.status, float(metrics.idle_slots_total), found.solver.gap,
                       extra={"placed": metrics.scheduled, "meetings": metrics.meetings})

    return exact


#: What the ``pairing`` console script runs (used when the script is not next to Python).
_ENTRY = "import sys; from pairing.cli import main; sys.exit(main())"


def _pairing_command() -> list[str]:
    """How to start ``pairing``: the installed console script beside this Python, else the same
    entry point through ``python -c``."""
    script = Path(sys.executable).with_name("pairing")
    return [str(script)] if script.is_file() else [sys.executable, "-c", _ENTRY]


def _startup_call(instance: Instance, name: str) -> Callable[[], Outcome]:
    """One whole process per call (``startup`` family); the programme file is written first."""
    folder = tempfile.TemporaryDirectory(prefix="pairing-startup-")
    commands = {
        "startup:baseline": [sys.executable, "-c", "import numpy, pydantic, click"],
        "startup:import": [sys.executable, "-c", "import pairing"],
        "startup:help": [*_pairing_command(), "--help"],
    }
    if name == "startup:solve":
        from pairing.io import dump_programme_json

        programme = Path(folder.name) / "programme.json"
        dump_programme_json(instance.programme, programme)
        result = Path(folder.name) / "result.json"
        commands[name] = [*_pairing_command(), "solve", str(programme), "-o", str(result)]
    command = commands[name]

    def call(_keep: tempfile.TemporaryDirectory[str] = folder) -> Outcome:  # removed at exit
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
            return Outcome("error", message=tail[:300])
        return Outcome("optimal", extra={"command": STARTUP[name]})

    return call


def prepare(
    instance: Instance, contender: str, clock: _CoreClock | None = None
) -> Callable[[], Outcome]:
    """The call to time for ``contender`` on ``instance`` (see the module docstring).

    ``clock`` (from :func:`core_timer`) collects the solver function's own time for registry
    solvers. Raises ``ImportError`` when a reference's package is missing.
    """
    if contender in KERNELS:
        return _kernel_call(instance, contender)
    if contender == "ref:matching":
        return _matching_call(instance)
    if contender in ("score_matrix", "matmul"):
        return _scoring_call(instance, contender)
    if contender.startswith("terms:"):
        return _terms_call(instance, contender)
    if contender.startswith("schedule:"):
        return _schedule_call(instance, contender)
    if contender == "blocks:sparse":
        return _blocks_call(instance)
    if contender in STARTUP:
        return _startup_call(instance, contender)
    return _solve_call(instance, contender, clock)


def _blocks_call(instance: Instance) -> Callable[[], Outcome]:
    from pairing.core.large import large_violations, solve_large

    def call() -> Outcome:
        result = solve_large(instance.programme, "bench: the large path at any size")
        if large_violations(instance.programme, result):
            return Outcome("invalid")
        extra = {"note": result.solver.note, "blocking_pairs": result.metrics.blocking_pairs}
        return Outcome(result.status, result.objective_value, extra=extra)

    return call
