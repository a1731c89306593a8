"""HiGHS against CP-SAT on the max-min model, side by side (the fair objectives' engine choice).

``python benchmarks/fair_engines.py PROGRAMME [--fair-to left] [--time-limit 40]`` builds the
same model twice — one 0/1 variable per allowed pair, capacities, quotas, required pairs, and
``gain_e ≥ t`` for every counted enterprise — and maximises ``t`` with

* ``highs``: the shipped solver, ``maxmin-milp`` (level-0 test, then a proven bisection at
  fixed levels with the reach rows, over LP relaxations and then feasibility MILPs, then the
  best total at the level), through :func:`pairing.solve`;
* ``cpsat``: OR-Tools CP-SAT on the same rows (gains × 10⁶ as integers, 1 worker as everywhere
  in pairing, so runs repeat).

It prints one line per engine: status, level found, best bound and seconds. The README quotes
its output.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import pairing
from pairing.core.objectives import counted
from pairing.core.problem import build_problem
from pairing.features import score_matrix
from pairing.solvers._linear_model import build_linear_rules

_SCALE = 10**6


def cpsat_maxmin(programme: pairing.Programme, time_limit: float) -> tuple[str, float, float]:
    """(status, level, bound) of CP-SAT maximising the smallest counted gain."""
    from ortools.sat.python import cp_model

    problem = build_problem(programme, score_matrix(programme), "maxmin")
    rules = build_linear_rules(problem)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(rules.n_cells)]
    matrix = rules.A.tocsr()
    for row in range(rules.n_rows):
        cells = matrix.indices[matrix.indptr[row]:matrix.indptr[row + 1]]
        expr = sum(x[c] for c in cells)
        if np.isfinite(rules.lower[row]) and rules.lower[row] > 0:
            model.add(expr >= int(rules.lower[row]))
        if np.isfinite(rules.upper[row]):
            model.add(expr <= int(rules.upper[row]))
    for c in np.flatnonzero(rules.var_lower > 0):
        model.add(x[c] == 1)
    level = model.new_int_var(0, 10 * _SCALE, "t")
    counted_left, counted_right = counted(problem)
    for incidence, gains, members in (
        (rules.left_incidence, problem.gain_left, counted_left),
        (rules.right_incidence, problem.gain_right, counted_right),
    ):
        weights = np.round(rules.cell_values(gains) * _SCALE).astype(np.int64)
        rows = incidence.tocsr()
        for e in np.flatnonzero(members):
            cells = rows.indices[rows.indptr[e]:rows.indptr[e + 1]]
            model.add(sum(int(weights[c]) * x[c] for c in cells) >= level)
    model.maximize(level)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    return (solver.status_name(status).lower(), solver.objective_value / _SCALE,
            solver.best_objective_bound / _SCALE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programme")
    parser.add_argument("--fair-to", default=None, choices=["both", "left", "right"])
    parser.add_argument("--time-limit", type=float, default=40.0)
    args = parser.parse_args()
    programme = pairing.load(args.programme)
    if args.fair_to:
        programme = programme.with_fair_to(args.fair_to)
    started = time.perf_counter()
    result = pairing.solve(programme, objective="maxmin", time_limit=args.time_limit)
    bound = result.solver.bound if result.solver.bound is not None else result.objective_value
    print(f"highs  {result.status:9} level {result.objective_value:.6f} bound {bound:.6f} "
          f"{time.perf_counter() - started:6.1f} s")
    started = time.perf_counter()
    status, level, bound = cpsat_maxmin(programme, args.time_limit)
    print(f"cpsat  {status:9} level {level:.6f} bound {bound:.6f} "
          f"{time.perf_counter() - started:6.1f} s")


if __name__ == "__main__":
    main()
