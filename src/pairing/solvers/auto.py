"""``auto``: pick the fastest exact solver that supports the problem, and say why.

The order below follows ``benchmarks/`` (median of repeated runs on this project's reference
machine): for one-to-one problems LAPJV beat SciPy 2–8× and OR-Tools' assignment 3–16× on dense
matrices of 1,000–5,000. Problems with other rule kinds go to the first exact solver in
:data:`PREFERENCE` that can express all of them.
"""

from __future__ import annotations

from pairing.errors import UnsupportedProblem
from pairing.problem import Problem
from pairing.solvers import registry
from pairing.solvers.base import SolverSpec

__all__ = ["PREFERENCE", "choose_solver"]

#: Exact solvers, fastest first for the structures each supports.
PREFERENCE: tuple[str, ...] = ("lapjv", "scipy", "ortools-lsa", "flow", "milp", "cpsat")


def _structure_text(problem: Problem, objective: str) -> str:
    kinds = sorted(problem.structure())
    shape = f"{problem.shape[0]}×{problem.shape[1]}"
    rules = ", ".join(kinds) if kinds else "one-to-one, no quotas"
    return f"objective '{objective}', {shape}, {rules}"


def choose_solver(problem: Problem, objective: str, name: str = "auto") -> tuple[SolverSpec, str]:
    """The solver to run and the reason, for ``name`` (``auto`` or a registry name)."""
    solvers = registry()
    if name != "auto":
        if name not in solvers:
            known = ", ".join(["auto", *solvers])
            msg = f"unknown solver {name!r}; expected one of: {known}"
            raise UnsupportedProblem(msg)
        spec = solvers[name]
        missing = spec.unsupported(problem, objective)
        if missing:
            able = [s.name for s in solvers.values() if not s.unsupported(problem, objective)]
            msg = (
                f"solver '{name}' does not support {', '.join(missing)}; "
                f"solvers that do: {', '.join(able) or 'none'}"
            )
            raise UnsupportedProblem(msg)
        return spec, "requested by the user"
    candidates = [solvers[n] for n in PREFERENCE if n in solvers] + [
        s for n, s in solvers.items() if n not in PREFERENCE
    ]
    for spec in candidates:
        if spec.exact and not spec.unsupported(problem, objective):
            return spec, (
                f"fastest exact solver measured for {_structure_text(problem, objective)}"
            )
    msg = f"no solver supports {_structure_text(problem, objective)}"
    raise UnsupportedProblem(msg)
