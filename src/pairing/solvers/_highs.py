"""A thin, quiet wrapper around HiGHS for the models of :mod:`pairing.solvers._linear_model`.

Why not :func:`scipy.optimize.milp`? Measured on a 1,000×1,000 programme with every rule kind
(631,489 cells): SciPy's ``milp`` took 402 s, HiGHS through ``highspy`` 44 s (same optimum), and
only ``highspy`` can add columns to a solved LP (column generation, see :mod:`.milp`), return
duals, fix threads and seed, and accept a starting solution.

``highspy.Highs()`` prints a banner on standard output when it is constructed; a library must
not print, so this module uses the underlying ``highspy._core._Highs`` class (the same solver
without the Python conveniences) and switches output off before anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from highspy import _core

from pairing.errors import Infeasible, PairingError, SolverError, SolverTimeout
from pairing.interrupt import CANCEL

__all__ = ["HighsModel", "HighsOutcome", "failure"]

Outcome = Literal["optimal", "feasible", "infeasible", "timeout", "error"]

_STATUS = _core.HighsModelStatus
_INTEGRALITY_TOL = 1e-6


@dataclass(frozen=True)
class HighsOutcome:
    """What one HiGHS run found.

    Attributes
    ----------
    status
        ``optimal``; ``feasible`` (time limit, with an incumbent); ``infeasible``; ``timeout``
        (time limit, no incumbent); ``error``.
    x
        Column values (``None`` without a solution).
    value, bound
        Objective value of ``x`` and the best proven bound (for a maximisation, an upper bound).
    row_dual, col_dual
        LP duals (only after an LP solve), in HiGHS's convention: ``col_dual = cost - A.T @
        row_dual``.
    """

    status: Outcome
    x: np.ndarray | None = None
    value: float | None = None
    bound: float | None = None
    row_dual: np.ndarray | None = None
    col_dual: np.ndarray | None = None

    def failure(self, *, timeout: str, error: str) -> PairingError | None:
        """This outcome's exception when it holds no usable matching, else ``None``.

        See :func:`failure`.
        """
        return failure(self.status, timeout=timeout, error=error)

    @property
    def integral(self) -> bool:
        """True when every column value is within 10⁻⁶ of an integer."""
        return self.x is not None and bool(
            np.all(np.abs(self.x - np.rint(self.x)) <= _INTEGRALITY_TOL)
        )


# HiGHS calls these back while it works; each call asks whether to stop (pairing.interrupt).
_INTERRUPTS = (
    _core.cb.kCallbackSimplexInterrupt,
    _core.cb.kCallbackIpmInterrupt,
    _core.cb.kCallbackMipInterrupt,
)


def _poll_cancel(kind: object, message: str, out: object, data_in: object, user: object) -> None:
    """HiGHS interrupt callback: stop when :data:`~pairing.interrupt.CANCEL` is set."""
    if CANCEL.requested():
        data_in.user_interrupt = True  # type: ignore[attr-defined]


def _csc_parts(matrix: sp.sparray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    csc = sp.csc_array(matrix)
    csc.sort_indices()
    return (
        csc.indptr.astype(np.int32),
        csc.indices.astype(np.int32),
        csc.data.astype(np.float64),
    )


class HighsModel:
    """A HiGHS model ``max/min cost @ x  s.t.  lower <= A @ x <= upper, var bounds``.

    Parameters
    ----------
    A, lower, upper
        Sparse rows and their bounds (``±inf`` for none).
    cost, var_lower, var_upper
        One entry per column.
    maximize
        Objective sense.
    threads, seed
        HiGHS ``threads`` and ``random_seed`` (1 thread keeps runs reproducible).
    """

    def __init__(
        self,
        A: sp.sparray,
        lower: np.ndarray,
        upper: np.ndarray,
        cost: np.ndarray,
        var_lower: np.ndarray,
        var_upper: np.ndarray,
        *,
        maximize: bool = True,
        threads: int = 1,
        seed: int = 0,
    ) -> None:
        self._highs = _core._Highs()
        highs = self._highs
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", max(1, int(threads)))
        highs.setOptionValue("random_seed", int(seed) % 2_147_483_647)
        highs.setOptionValue("mip_rel_gap", 0.0)
        highs.setOptionValue("mip_abs_gap", 1e-7)
        self.maximize = maximize
        n_rows, n_cols = A.shape
        start, index, value = _csc_parts(A)
        highs.passModel(
            int(n_cols), int(n_rows), len(value), 1, -1 if maximize else 1, 0.0,
            np.asarray(cost, dtype=np.float64), np.asarray(var_lower, dtype=np.float64),
            np.asarray(var_upper, dtype=np.float64), np.asarray(lower, dtype=np.float64),
            np.asarray(upper, dtype=np.float64), start, index, value,
            np.zeros(n_cols, dtype=np.int32),
        )
        self._integer = False

    @property
    def n_cols(self) -> int:
        return int(self._highs.getNumCol())

    def add_columns(self, cost: np.ndarray, var_lower: np.ndarray, var_upper: np.ndarray,
                    columns: sp.sparray) -> None:
        """Append columns (``columns`` has one column per new variable, one row per row)."""
        start, index, value = _csc_parts(columns)
        first = self.n_cols
        self._highs.addCols(
            len(cost), np.asarray(cost, dtype=np.float64), np.asarray(var_lower, dtype=np.float64),
            np.asarray(var_upper, dtype=np.float64), len(value), start[:-1], index, value,
        )
        if self._integer:
            self.set_integer(np.arange(first, self.n_cols))

    def set_integer(self, columns: np.ndarray | None = None) -> None:
        """Make ``columns`` (default: all) integer; the next :meth:`run` solves a MIP."""
        cols = np.arange(self.n_cols) if columns is None else np.asarray(columns)
        self._highs.changeColsIntegrality(
            len(cols), cols.astype(np.int32), np.ones(len(cols), dtype=np.uint8)
        )
        self._integer = True

    def set_continuous(self) -> None:
        """Make every column continuous again (the next :meth:`run` solves the LP)."""
        cols = np.arange(self.n_cols, dtype=np.int32)
        self._highs.changeColsIntegrality(len(cols), cols, np.zeros(len(cols), dtype=np.uint8))
        self._integer = False

    def set_row_bounds(self, lower: np.ndarray, upper: np.ndarray,
                       rows: np.ndarray | None = None) -> None:
        """Replace the bounds of ``rows`` (default: every row, in order); the model and its
        last basis are kept: a warm start."""
        index = np.arange(len(lower)) if rows is None else np.asarray(rows)
        change = self._highs.changeRowsBounds  # type: ignore[attr-defined]  # not in the stubs
        change(len(index), index.astype(np.int32), np.asarray(lower, dtype=np.float64),
               np.asarray(upper, dtype=np.float64))

    def add_row(self, lower: float, upper: float, columns: np.ndarray,
                values: np.ndarray) -> None:
        """Append one row over existing columns (the model and its basis are kept)."""
        cols = np.asarray(columns, dtype=np.int32)
        self._highs.addRow(float(lower), float(upper), len(cols), cols,
                           np.asarray(values, dtype=np.float64))

    def add_rows(self, lower: np.ndarray, upper: np.ndarray, rows: sp.sparray) -> None:
        """Append rows over existing columns (``rows`` has one row per new row, one column per
        column; the model and its basis are kept)."""
        csr = sp.csr_array(rows)
        csr.sort_indices()
        self._highs.addRows(len(lower), np.asarray(lower, dtype=np.float64),
                            np.asarray(upper, dtype=np.float64), len(csr.data),
                            csr.indptr[:-1].astype(np.int32), csr.indices.astype(np.int32),
                            csr.data.astype(np.float64))

    def set_bounds(self, columns: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Change the bounds of some columns."""
        cols = np.asarray(columns, dtype=np.int32)
        self._highs.changeColsBounds(
            len(cols), cols, np.asarray(lower, dtype=np.float64),
            np.asarray(upper, dtype=np.float64),
        )

    def set_costs(self, columns: np.ndarray, cost: np.ndarray) -> None:
        """Change the objective coefficients of some columns (the basis is kept)."""
        cols = np.asarray(columns, dtype=np.int32)
        self._highs.changeColsCost(len(cols), cols, np.asarray(cost, dtype=np.float64))

    def set_option(self, name: str, value: bool | int | float | str) -> None:
        """Set one HiGHS option (e.g. ``presolve`` to ``"off"``) for the next runs; a name or
        value HiGHS refuses is a :class:`~pairing.errors.SolverError` (HiGHS would keep the
        old value and say nothing)."""
        if self._highs.setOptionValue(name, value) == _core.HighsStatus.kError:
            refused = f"HiGHS refused option {name} = {value!r}"
            raise SolverError(refused)

    def basis(self) -> _core.HighsBasis | None:
        """The last run's simplex basis (``None`` when HiGHS holds no valid one)."""
        basis = self._highs.getBasis()
        return basis if basis.valid else None

    def set_basis(self, basis: _core.HighsBasis) -> None:
        """Start the next LP run from ``basis`` (of a model with the same rows and columns)."""
        self._highs.setBasis(basis)

    def set_solution(self, x: np.ndarray) -> None:
        """Offer a (feasible) starting solution to the next MIP run."""
        cols = np.arange(len(x), dtype=np.int32)
        self._highs.setSolution(len(x), cols, np.asarray(x, dtype=np.float64))

    def run(self, time_limit: float | None = None) -> HighsOutcome:
        """Solve (LP or MIP, by the columns' integrality) within ``time_limit`` seconds."""
        highs = self._highs
        # HiGHS checks an LP's time limit against the run time of every run of this object so
        # far (a model solved again and again, the level rounds' LPs, would otherwise stop at
        # once when those runs add up to the limit), and a MIP's against this run's alone
        spent = 0.0 if self._integer else highs.getRunTime()
        highs.setOptionValue("time_limit", spent + float(time_limit) if time_limit else np.inf)
        highs.setCallback(_poll_cancel, None)
        for callback in _INTERRUPTS:
            highs.startCallback(callback)
        try:
            with CANCEL.native():
                highs.run()
        finally:
            for callback in _INTERRUPTS:
                highs.stopCallback(callback)
        status = highs.getModelStatus()
        info = highs.getInfo()
        if status in (_STATUS.kInfeasible, _STATUS.kUnboundedOrInfeasible):
            return HighsOutcome("infeasible")
        has_solution = info.primal_solution_status == _core.SolutionStatus.kSolutionStatusFeasible
        if status == _STATUS.kOptimal:
            kind: Outcome = "optimal"
        elif status in (_STATUS.kTimeLimit, _STATUS.kInterrupt, _STATUS.kIterationLimit,
                        _STATUS.kSolutionLimit):
            kind = "feasible" if has_solution else "timeout"
        else:
            return HighsOutcome("error")
        if not has_solution:
            return HighsOutcome(kind)
        solution = highs.getSolution()
        x = np.asarray(solution.col_value, dtype=np.float64)
        value = float(info.objective_function_value)
        if self._integer:
            mip_bound = float(info.mip_dual_bound) if kind == "feasible" else value
            return HighsOutcome(kind, x, value, mip_bound)
        row_dual = col_dual = None
        if solution.dual_valid:
            row_dual = np.asarray(solution.row_dual, dtype=np.float64)
            col_dual = np.asarray(solution.col_dual, dtype=np.float64)
        lp_bound = value if kind == "optimal" else None
        return HighsOutcome(kind, x, value, lp_bound, row_dual, col_dual)


def failure(status: Outcome, *, timeout: str, error: str) -> PairingError | None:
    """The one map from a HiGHS outcome to pairing's exceptions (like SciPy's status table).

    ``infeasible`` → :class:`~pairing.errors.Infeasible` (no reasons: the caller explains it),
    ``timeout`` → :class:`~pairing.errors.SolverTimeout` with ``timeout`` as message, ``error``
    (any other HiGHS model status) → :class:`~pairing.errors.SolverError` with ``error`` — never
    ``Infeasible``, since nothing was proved; ``optimal`` and ``feasible`` → ``None``.
    """
    if status == "infeasible":
        return Infeasible(())
    if status == "timeout":
        return SolverTimeout(timeout)
    if status == "error":
        return SolverError(error)
    return None
