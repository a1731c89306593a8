"""The one interface every solver shares.

A solver is a plain function ``solve(problem, options) -> Assignment`` of a validated
:class:`~pairing.core.problem.Problem`; it does no input validation and no result checking (the
caller does both). It raises :class:`~pairing.errors.Infeasible` when it proves that no
matching satisfies the rules and :class:`~pairing.errors.SolverTimeout` when the time limit
passes before it finds any feasible matching.

A :class:`SolverSpec` says what a solver supports, so the registry and ``auto`` never hand a
solver a rule it cannot express.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Literal

import numpy as np

from pairing.core.problem import Problem

__all__ = ["RULE_KINDS", "Assignment", "LazySolve", "SolveOptions", "SolverSpec", "Status"]

Status = Literal["optimal", "feasible"]

#: The rule kinds a solver may declare (see :meth:`Problem.structure`).
RULE_KINDS: tuple[str, ...] = (
    "capacity", "side_quota", "pair_quota", "partner_quota", "required",
)


@dataclass(frozen=True)
class SolveOptions:
    """Options every solver receives. ``threads=1`` keeps exact solvers reproducible."""

    objective: str = "total"
    time_limit: float | None = None
    seed: int = 0
    threads: int = 1
    proposing: str = "left"
    #: Called with a short line of what a long solver is doing ("leximin: 37 of 200 positions
    #: fixed, level 0.231"); the CLI shows it on a terminal. Never required to be called.
    progress: Callable[[str], None] | None = field(default=None, compare=False)
    #: ``time.perf_counter()`` when the caller's time limit began (default: when the solver
    #: starts). :func:`pairing.solve` sets it at its own start, so that scoring the programme
    #: and loading the solver's module (about 0.25 s for leximin: SciPy's optimisers and the
    #: compiled pricing) count against the limit the user gave.
    started: float | None = field(default=None, compare=False)

    def report(self, text: str) -> None:
        """Tell the caller what is happening (no-op without a ``progress`` callback)."""
        if self.progress is not None:
            self.progress(text)


@dataclass(frozen=True)
class Assignment:
    """What a solver returns: the chosen pairs as index arrays, and how sure it is.

    ``bound`` is the best proven bound on the objective value when the solver has one (for
    the gap of a ``feasible`` answer); ``note`` says how the answer was obtained when that
    matters to a reader (e.g. "leximin by 12 sequential MILPs").
    """

    left: np.ndarray
    right: np.ndarray
    status: Status = "optimal"
    bound: float | None = None
    note: str = ""
    #: a stopped leximin run: how many positions of the sorted counted gains are proven, and
    #: a proven upper bound on the next one in every leximin-optimal matching (when known)
    positions_proven: int | None = None
    next_position_bound: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "left", np.asarray(self.left, dtype=np.intp).ravel())
        object.__setattr__(self, "right", np.asarray(self.right, dtype=np.intp).ravel())


SolveFunction = Callable[[Problem, SolveOptions], Assignment]


class LazySolve:
    """A solver function named by its module, imported on the first call.

    The registry's specs hold these, so reading a spec (``auto``'s choice, ``pairing solvers``)
    loads no solver module nor its libraries; only the solver that runs is imported.
    """

    __slots__ = ("_function", "attribute", "module")

    def __init__(self, module: str, attribute: str = "solve") -> None:
        self.module = module
        self.attribute = attribute
        self._function: SolveFunction | None = None

    @property
    def function(self) -> SolveFunction:
        """The solver function itself (importing its module)."""
        if self._function is None:
            self._function = getattr(import_module(self.module), self.attribute)
        return self._function

    def __call__(self, problem: Problem, options: SolveOptions) -> Assignment:
        return self.function(problem, options)

    def __repr__(self) -> str:
        return f"LazySolve({self.module!r}, {self.attribute!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LazySolve):
            return NotImplemented
        return (self.module, self.attribute) == (other.module, other.attribute)

    def __hash__(self) -> int:
        return hash((self.module, self.attribute))


@dataclass(frozen=True)
class SolverSpec:
    """A registry entry: a solver's name, function and what it supports.

    The registry's entries (:mod:`pairing.solvers.specs`) hold a :class:`LazySolve` as
    ``solve``, so a spec can be read without importing its solver.

    Attributes
    ----------
    objectives
        Objectives it optimises (``total``, ``maxmin``, ...).
    rules
        Rule kinds it can express, from :data:`RULE_KINDS`.
    exact
        True when an ``optimal`` status is a proof of optimality.
    summary
        One line for ``pairing solvers``.
    """

    name: str
    solve: SolveFunction
    objectives: frozenset[str]
    rules: frozenset[str]
    exact: bool
    summary: str
    library: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    #: Optional finer check than ``rules``: returns why the solver cannot take this problem
    #: (e.g. "quotas on both sides"), or None when it can.
    accepts: Callable[[Problem], str | None] | None = None

    def unsupported(self, problem: Problem, objective: str) -> list[str]:
        """What in ``problem`` this solver cannot handle (empty when it can)."""
        missing = []
        if objective not in self.objectives:
            missing.append(f"objective '{objective}'")
        missing += [f"rule kind '{kind}'" for kind in sorted(problem.structure() - self.rules)]
        if not missing and self.accepts is not None:
            reason = self.accepts(problem)
            if reason:
                missing.append(reason)
        return missing
