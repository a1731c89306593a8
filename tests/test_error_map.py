"""One map from outcome to report: every exception carries its status and exit code."""

from __future__ import annotations

import pytest

from pairing.bench.contenders import outcome_of_error
from pairing.errors import (
    CheckFailed,
    HeuristicFailed,
    Infeasible,
    InvalidArgument,
    InvalidProgramme,
    OutputError,
    PairingError,
    SolverError,
    SolverTimeout,
    UnsupportedProblem,
)
from pairing.solvers._highs import failure

ERRORS = [
    (InvalidProgramme("bad cell"), "invalid", 2),
    (InvalidArgument("bad argument"), "invalid", 2),
    (OutputError("cannot write"), "error", 2),
    (UnsupportedProblem("no quotas here"), "unsupported", 2),
    (Infeasible(["quota too high"]), "infeasible", 1),
    (HeuristicFailed("greedy found none"), "error", 1),
    (CheckFailed(["capacity"]), "error", 1),
    (SolverTimeout("too slow"), "time_limit", 3),
    (SolverError("a bug"), "error", 4),
    (PairingError("other"), "error", 4),
]


@pytest.mark.parametrize(("exc", "status", "exit_code"), ERRORS, ids=lambda v: repr(v)[:30])
def test_each_error_carries_its_status_and_exit_code(
    exc: PairingError, status: str, exit_code: int
) -> None:
    assert (exc.status, exc.exit_code) == (status, exit_code)


@pytest.mark.parametrize(("exc", "status", "exit_code"), ERRORS, ids=lambda v: repr(v)[:30])
def test_the_bench_records_the_errors_own_status(
    exc: PairingError, status: str, exit_code: int
) -> None:
    assert outcome_of_error(exc).status == status


def test_a_highs_error_is_a_solver_error_never_infeasible() -> None:
    assert isinstance(failure("infeasible", timeout="t", error="e"), Infeasible)
    timeout = failure("timeout", timeout="t", error="e")
    assert isinstance(timeout, SolverTimeout) and str(timeout) == "t"
    error = failure("error", timeout="t", error="e")
    assert isinstance(error, SolverError) and not isinstance(error, Infeasible)
    assert failure("optimal", timeout="t", error="e") is None
    assert failure("feasible", timeout="t", error="e") is None
