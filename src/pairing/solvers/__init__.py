"""Solver registry: names → :class:`~pairing.solvers.base.SolverSpec`.

Each solver lives in its own module and exposes ``SPEC``. Unknown names fail loudly; there is
no silent fallback to a default solver. The registry is read-only (a ``MappingProxyType``): code
that needs other solvers (the benchmark's timed copies) passes its own mapping to
:func:`pairing.solve` (``solvers=``) instead of patching this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from types import MappingProxyType

from pairing.solvers.base import Assignment, SolveOptions, SolverSpec

__all__ = ["Assignment", "SolveOptions", "SolverSpec", "registry", "solver_names"]

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

_REGISTRY: Mapping[str, SolverSpec] | None = None


def registry() -> Mapping[str, SolverSpec]:
    """All solvers, by name, read-only (imported on first use so ``import pairing`` stays light)."""
    global _REGISTRY
    if _REGISTRY is None:
        specs = [import_module(f"pairing.solvers.{name}").SPEC for name in _MODULES]
        _REGISTRY = MappingProxyType({spec.name: spec for spec in specs})
    return _REGISTRY


def solver_names() -> list[str]:
    return list(registry())
