"""Solver registry: names → :class:`~pairing.solvers.base.SolverSpec`.

Each solver lives in its own module and exposes ``solve``; its spec (what it supports, and the
module to import when it runs) is in :mod:`pairing.solvers.specs`, so reading the registry
imports no solver module. Unknown names fail loudly; there is
no silent fallback to a default solver. The registry is read-only (a ``MappingProxyType``): code
that needs other solvers (the benchmark's timed copies) passes its own mapping to
:func:`pairing.solve` (``solvers=``) instead of patching this one.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pairing.solvers.base import Assignment, SolveOptions, SolverSpec

__all__ = ["Assignment", "SolveOptions", "SolverSpec", "registry", "solver_names"]

_REGISTRY: Mapping[str, SolverSpec] | None = None


def registry() -> Mapping[str, SolverSpec]:
    """All solvers, by name, read-only (each solver's module is imported when it first runs)."""
    global _REGISTRY
    if _REGISTRY is None:
        from pairing.solvers.specs import SPECS

        _REGISTRY = MappingProxyType({spec.name: spec for spec in SPECS})
    return _REGISTRY


def solver_names() -> list[str]:
    return list(registry())
