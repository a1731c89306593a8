"""Solver registry: names → :class:`~pairing.solvers.base.SolverSpec`.

Each solver lives in its own module and exposes ``SPEC``. Unknown names fail loudly; there is
no silent fallback to a default solver.
"""

from __future__ import annotations

from importlib import import_module

from pairing.errors import UnsupportedProblem
from pairing.solvers.base import Assignment, SolveOptions, SolverSpec

__all__ = ["Assignment", "SolveOptions", "SolverSpec", "get_solver", "registry", "solver_names"]

# Module names, in the order ``pairing solvers`` lists them.
_MODULES: tuple[str, ...] = (
    "lapjv_lsa",
    "sparse",
    "scipy_lsa",
    "ortools_lsa",
    "greedy",
    "stable",
    "fair.maxmin_threshold",
    "fair.maxmin_milp",
    "fair.balanced",
    "fair.leximin_matching",
    "fair.leximin",
    "milp",
    "cpsat",
    "flow",
)

_REGISTRY: dict[str, SolverSpec] | None = None


def registry() -> dict[str, SolverSpec]:
    """All solvers, by name (imported on first use so ``import pairing`` stays light)."""
    global _REGISTRY
    if _REGISTRY is None:
        specs = [import_module(f"pairing.solvers.{name}").SPEC for name in _MODULES]
        _REGISTRY = {spec.name: spec for spec in specs}
    return _REGISTRY


def solver_names() -> list[str]:
    return list(registry())


def get_solver(name: str) -> SolverSpec:
    """The solver called ``name``; raises :class:`UnsupportedProblem` naming the known ones."""
    solvers = registry()
    if name not in solvers:
        known = ", ".join(["auto", *solvers])
        msg = f"unknown solver {name!r}; expected one of: {known}"
        raise UnsupportedProblem(msg)
    return solvers[name]
