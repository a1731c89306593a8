"""Benchmark grids: which instances to build, at which sizes, under which limits.

A grid is a list of :class:`Case` objects. Each case names a *family* of instances (how the
instance is built, see :mod:`pairing.bench.instances`) and its size; the solvers that run on it
are not listed here but read from the solver registry at run time (see
:func:`pairing.bench.plan.plan_cells`), so a solver added to the registry is benchmarked without
touching this module.

Three built-in grids:

- ``quick``: tiny instances of every family, for CI (well under a minute);
- ``standard``: the issue's grid at sizes a 2-core machine finishes in under an hour;
- ``full``: everything, up to 10,000 per side (an hour or more).

A TOML file can define its own grid (see :func:`load_grid`)::

    repeats = 3                      # optional default for --repeats
    [[case]]
    family = "dense"                 # dense | sparse | capacitated | rules | fair | orlib
    n = [100, 300]                   #   | kernel | realistic | scoring | sources | blocks
                                     #   | startup
    time_limit = 30                  # seconds given to solvers that honour a time limit
    [[case]]
    family = "fair"
    objective = ["maxmin", "stable"]
    n = 200
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pairing.errors import InvalidProgramme, Issue
from pairing.io.files import read_text

__all__ = ["FAMILIES", "GRIDS", "Case", "Grid", "builtin_grid", "load_grid"]

#: Instance families and what each measures.
FAMILIES: dict[str, str] = {
    "dense": "one-to-one, every pair allowed (uniform profile)",
    "sparse": "one-to-one, about 90% of pairs below min_score (capacity 0..1)",
    "capacitated": "left capacity 1..k, right 0..1",
    "rules": "sector and region quotas, a pair quota, forbidden and required pairs",
    "fair": "a fairness objective (maxmin, leximin, balanced, stable)",
    "orlib": "OR-Library assign100..800 with known optima",
    "kernel": "raw assignment kernels on one matrix vs pairing.solve end to end",
    "realistic": (
        "the kernel family on generated double-hundred programmes (about a quarter of the "
        "scores 0, ties, hub enterprises) instead of uniform random scores"
    ),
    "scoring": "pairing.score_matrix vs one NumPy matmul of the same shape",
    "sources": "score_matrix with each score source (preference, text, a matrix) vs tags only",
    "blocks": (
        "one-to-one total of a generated double-hundred programme with the scores built in row "
        "blocks (no n×n matrix): the large path"
    ),
    "startup": (
        "whole processes, start to exit: import numpy, pydantic and click (the baseline), "
        "import pairing, pairing --help, and pairing solve of an n×n double-hundred programme "
        "end to end"
    ),
    "schedule": (
        "meeting schedules of a capacity-4 programme (4·n meetings, 3 sessions × 8 slots): "
        "exact CP-SAT vs its greedy start; objective = idle slots"
    ),
}

_FAIR_OBJECTIVES = ("maxmin", "leximin", "balanced", "stable")


@dataclass(frozen=True)
class Case:
    """One benchmark instance.

    Attributes
    ----------
    family
        A key of :data:`FAMILIES`.
    n_left, n_right
        Enterprises per side (for ``orlib``, the instance size).
    objective
        The objective every solver is asked for.
    capacity
        ``capacitated`` only: the left side's maximum number of partners.
    seed
        Seed of the generated instance.
    time_limit
        Seconds passed to ``pairing.solve`` (solvers that honour it return ``feasible``).
    budget
        Wall-clock seconds a cell (all repeats of one solver) may take before it is killed and
        recorded as ``timeout``; also stops further repeats once half of it is spent.
    """

    family: str
    n_left: int
    n_right: int
    objective: str = "total"
    capacity: int = 1
    seed: int = 0
    time_limit: float = 60.0
    budget: float = 600.0

    @property
    def id(self) -> str:
        """A short unique name, e.g. ``dense-1000x1000`` or ``fair-maxmin-300x300``."""
        if self.family == "orlib":
            return f"orlib-assign{self.n_left}"
        middle = f"-{self.objective}" if self.family == "fair" else ""
        cap = f"-cap{self.capacity}" if self.family == "capacitated" else ""
        return f"{self.family}{middle}-{self.n_left}x{self.n_right}{cap}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Case:
        return cls(**data)


@dataclass(frozen=True)
class Grid:
    """A named list of cases and the default number of repeats."""

    name: str
    cases: tuple[Case, ...]
    repeats: int = 3
    notes: tuple[str, ...] = field(default=())


def _square(family: str, sizes: Iterable[int], **kw: Any) -> list[Case]:
    return [Case(family, n, n, **kw) for n in sizes]


_Limits = dict[str, Any]


def _fair(sizes: dict[str, tuple[int, ...]], **kw: Any) -> list[Case]:
    return [
        Case("fair", n, n, objective=objective, **kw)
        for objective in _FAIR_OBJECTIVES
        for n in sizes.get(objective, ())
    ]


def _quick() -> Grid:
    limits: _Limits = {"time_limit": 2.0, "budget": 30.0}
    cases = [
        *_square("dense", (100,), **limits),
        *_square("sparse", (100,), **limits),
        Case("capacitated", 40, 120, capacity=3, **limits),
        *_square("rules", (40,), **limits),
        *_fair({o: (12,) for o in _FAIR_OBJECTIVES}, **limits),
        Case("orlib", 100, 100, **limits),
        *_square("kernel", (300,), **limits),
        *_square("realistic", (300,), **limits),
        *_square("scoring", (500,), **limits),
        *_square("sources", (200,), **limits),
        Case("schedule", 30, 30, capacity=4, **limits),
        *_square("startup", (100,), **limits),
    ]
    return Grid("quick", tuple(cases), repeats=2)


def _standard() -> Grid:
    limits: _Limits = {"time_limit": 30.0, "budget": 300.0}
    cases = [
        *_square("dense", (100, 300, 1000, 3000), **limits),
        *_square("sparse", (100, 300, 1000, 3000), **limits),
        Case("capacitated", 300, 900, capacity=3, **limits),
        Case("capacitated", 1000, 3000, capacity=3, **limits),
        *_square("rules", (100, 300, 1000), **limits),
        *_fair(
            {
                "maxmin": (100, 300, 1000),
                "leximin": (100,),
                "balanced": (100, 300, 1000),
                "stable": (100, 1000, 2000, 10000),
            },
            **limits,
        ),
        *[Case("orlib", n, n, **limits) for n in range(100, 900, 100)],
        *_square("kernel", (1000, 3000, 5000), **limits),
        *_square("realistic", (1000, 3000), **limits),
        *_square("scoring", (1000, 5000), **limits),
        *_square("sources", (1000, 5000), **limits),
        *[Case("schedule", n, n, capacity=4, **limits) for n in (100, 250)],
        *_square("startup", (100,), **limits),
    ]
    return Grid("standard", tuple(cases), repeats=3)


def _full() -> Grid:
    limits: _Limits = {"time_limit": 120.0, "budget": 900.0}
    cases = [
        *_square("dense", (100, 300, 1000, 3000, 10000), **limits),
        *_square("sparse", (100, 300, 1000, 3000, 10000), **limits),
        Case("capacitated", 300, 900, capacity=3, **limits),
        Case("capacitated", 1000, 3000, capacity=3, **limits),
        *_square("rules", (100, 300, 1000), **limits),
        *_fair(
            {
                "maxmin": (100, 300, 1000),
                "leximin": (100, 300, 1000),
                "balanced": (100, 300, 1000),
                "stable": (100, 1000, 2000, 10000),
            },
            **limits,
        ),
        *[Case("orlib", n, n, **limits) for n in range(100, 900, 100)],
        *_square("kernel", (1000, 3000, 5000), **limits),
        *_square("realistic", (1000, 3000, 5000), **limits),
        *_square("scoring", (1000, 5000, 10000), **limits),
        *_square("sources", (1000, 5000, 10000), **limits),
        *[Case("schedule", n, n, capacity=4, **limits) for n in (100, 250)],
        *_square("startup", (100,), **limits),
    ]
    return Grid("full", tuple(cases), repeats=5)


#: Built-in grids by name.
GRIDS = {"quick": _quick, "standard": _standard, "full": _full}


def builtin_grid(name: str) -> Grid:
    """The built-in grid called ``name`` (``quick``, ``standard`` or ``full``)."""
    if name not in GRIDS:
        msg = f"unknown grid {name!r}; expected one of: {', '.join(GRIDS)}, or a .toml file"
        raise InvalidProgramme([Issue("grid", msg)])
    return GRIDS[name]()


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


_CASE_KEYS = {
    "family",
    "n",
    "n_left",
    "n_right",
    "objective",
    "capacity",
    "seed",
    "time_limit",
    "budget",
}


def _cases_from_table(k: int, table: dict[str, Any], issues: list[Issue]) -> list[Case]:
    where = f"case[{k}]"
    unknown = sorted(set(table) - _CASE_KEYS)
    if unknown:
        expected = ", ".join(sorted(_CASE_KEYS))
        issues.append(Issue(where, f"unknown keys {unknown}; expected some of: {expected}"))
        return []
    family = table.get("family")
    if family not in FAMILIES:
        issues.append(
            Issue(f"{where}.family", f"expected one of {', '.join(FAMILIES)}, got {family!r}")
        )
        return []
    if "n" in table:
        shapes = [(int(n), int(n)) for n in _as_list(table["n"])]
    elif "n_left" in table and "n_right" in table:
        shapes = [(int(table["n_left"]), int(table["n_right"]))]
    else:
        issues.append(Issue(where, "expected 'n' (a size or a list) or both 'n_left', 'n_right'"))
        return []
    objectives = _as_list(table.get("objective", "maxmin" if family == "fair" else "total"))
    options = ("capacity", "seed", "time_limit", "budget")
    extra = {key: table[key] for key in options if key in table}
    return [
        Case(family, n_l, n_r, objective=str(objective), **extra)
        for objective in objectives
        for n_l, n_r in shapes
    ]


def load_grid(path: str | Path) -> Grid:
    """Read a grid from a TOML file (format in the module docstring).

    Raises
    ------
    InvalidProgramme
        Listing every bad case at once, each named by its position in the file.
    """
    path = Path(path)
    text, issues = read_text(path, "bench grid (TOML)")
    if text is None:
        raise InvalidProgramme(issues)
    try:
        data = tomllib.loads(text)
    except (RecursionError, ValueError) as exc:
        raise InvalidProgramme([Issue(str(path), f"cannot read the grid: {exc}")]) from None
    repeats = data.get("repeats", 3)
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        message = f"expected a whole number ≥ 1 of runs per cell, got {repeats!r}"
        issues.append(Issue(f"{path}, key 'repeats'", message))
        repeats = 3
    cases: list[Case] = []
    for k, table in enumerate(data.get("case", [])):
        cases += _cases_from_table(k, table, issues)
    if not cases and not issues:
        issues.append(Issue(str(path), "expected at least one [[case]] table"))
    if issues:
        raise InvalidProgramme(issues, source=str(path))
    return Grid(path.stem, tuple(cases), repeats=repeats)
