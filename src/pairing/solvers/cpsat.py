"""``cpsat``: OR-Tools CP-SAT on the shared rule model, for any combination of rules.

The model is :func:`~pairing.solvers._linear_model.build_linear_rules` (one Boolean per allowed
cell; capacity and quota rows; required cells fixed to 1) written straight into CP-SAT's model
proto from the sparse rows, without one Python object per variable. The objective is the total
score in integer units of :data:`~pairing.solvers.scaling.SCORE_SCALE` (10⁻⁶; see
:mod:`pairing.solvers.scaling` for the precision): the optimum of the scaled problem is the
float optimum whenever scores have at most six decimals, and within ``pairs × 10⁻⁶`` otherwise.

``num_workers`` is ``options.threads`` (default 1: deterministic, as CP-SAT is only
reproducible single-threaded and without hitting the time limit), ``random_seed`` is
``options.seed``. With a time limit, the best solution found is returned with status
``feasible`` and CP-SAT's proven bound; with none found, :class:`~pairing.errors.SolverTimeout`.
When CP-SAT proves that no matching exists it raises :class:`~pairing.errors.Infeasible`
without reasons, and the caller explains it (:mod:`pairing.diagnostics.conflicts`).

CP-SAT is the alternative exact engine to ``milp``: slower on these LP-friendly models (see
:mod:`pairing.solvers.auto`), but an independent implementation the tests compare against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pairing.core.problem import Problem
from pairing.errors import Infeasible, SolverError, SolverTimeout
from pairing.interrupt import CANCEL
from pairing.solvers._linear_model import LinearRules, build_linear_rules
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.scaling import SCORE_SCALE, from_int, to_int_scores

if TYPE_CHECKING:  # CP-SAT is imported when a model is built, not with the registry
    from ortools.sat.python import cp_model

__all__ = ["build_cp_model", "solve"]


def _row_domain(low: float, high: float, size: int) -> tuple[int, int] | None:
    """Integer domain of a row counting ``size`` cells; None when it cannot bind."""
    lo = max(0, int(np.ceil(low))) if np.isfinite(low) else 0
    hi = min(size, int(np.floor(high))) if np.isfinite(high) else size
    if lo > hi:  # e.g. a minimum larger than the cells the row counts: no solution at all
        raise Infeasible([])
    if lo <= 0 and hi >= size:
        return None
    return lo, hi


def build_cp_model(rules: LinearRules, objective: np.ndarray) -> cp_model.CpModel:
    """A CP-SAT model maximising ``objective @ x`` (integer coefficients) over ``rules``.

    Variable ``k`` of the model is cell ``k`` of ``rules``; rows that cannot bind (bounds wider
    than the number of cells they count) are left out.
    """
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    proto = model.proto
    lower = np.rint(rules.var_lower).astype(np.int64).tolist()
    upper = np.rint(rules.var_upper).astype(np.int64).tolist()
    for lo, hi in zip(lower, upper, strict=True):
        proto.variables.add().domain.extend([lo, hi])
    matrix = rules.A
    indptr, indices = matrix.indptr, matrix.indices
    for row in range(rules.n_rows):
        cols = indices[indptr[row]:indptr[row + 1]]
        domain = _row_domain(float(rules.lower[row]), float(rules.upper[row]), len(cols))
        if domain is None:
            continue
        linear = proto.constraints.add().linear
        linear.vars.extend(cols.tolist())
        linear.coeffs.extend([1] * len(cols))
        linear.domain.extend(list(domain))
    nonzero = np.flatnonzero(objective)
    # CP-SAT minimises; a scaling factor of -1 reports the maximised value and bound.
    proto.objective.vars.extend(nonzero.tolist())
    proto.objective.coeffs.extend((-objective[nonzero]).tolist())
    proto.objective.scaling_factor = -1.0
    return model


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Maximise the total score under every rule of ``problem`` with CP-SAT."""
    from ortools.sat.python import cp_model

    rules = build_linear_rules(problem)
    objective = to_int_scores(rules.cell_values(problem.weights))
    model = build_cp_model(rules, objective)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.num_workers = max(1, int(options.threads))
    params.random_seed = int(options.seed) % 2_147_483_647
    params.log_search_progress = False
    # The full LP relaxation with cuts: on a 60×60 perfect matching the default (level 1) had
    # not proved optimality after 60 s; level 2 proves it in 0.4 s.
    params.linearization_level = 2
    if options.time_limit is not None:
        params.max_time_in_seconds = float(options.time_limit)
    with CANCEL.native(stop=solver.stop_search):
        status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        raise Infeasible([])
    if status == cp_model.UNKNOWN:
        msg = (
            "cpsat: the time limit passed before a feasible matching was found; "
            "raise --time-limit"
        )
        raise SolverTimeout(msg)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        msg = f"cpsat: CP-SAT failed with status {solver.status_name(status)}"
        raise SolverError(msg)
    values = np.asarray(solver.response_proto.solution, dtype=np.int64)
    left, right = rules.selected(values)
    if status == cp_model.OPTIMAL:
        return Assignment(left, right, "optimal", note=f"CP-SAT, scores in 1/{SCORE_SCALE} units")
    bound = from_int(solver.best_objective_bound)
    return Assignment(left, right, "feasible", bound, note="CP-SAT stopped at the time limit")
