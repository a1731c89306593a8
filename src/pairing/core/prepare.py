"""Prepare a programme once: its score matrices and its compiled :class:`Problem`, together.

Scoring (:func:`pairing.score_matrix`) and compiling (:func:`pairing.core.problem.build_problem`)
are the costly steps every tool starts with. :func:`prepare` does them once and returns a
:class:`Prepared`; :func:`pairing.solve`, :func:`pairing.check`, the report, alternates, repair,
evaluate, why-not and compare take it instead of redoing them, and a command that runs several
of them on one programme passes one :class:`Prepared` along.

A :class:`Prepared` also remembers the figures computed from it for a matching (its objective
value and its blocking pairs), so that assembling a result and validating it compute each once.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pairing.core.arguments import require_instance
from pairing.core.problem import Problem, build_problem
from pairing.errors import InvalidArgument, InvalidProgramme
from pairing.features import ScoreMatrices, score_matrix
from pairing.model.programme import OBJECTIVES, Programme

__all__ = ["Prepared", "prepare", "prepared_for"]

#: Matchings whose figures a :class:`Prepared` remembers (the oldest is forgotten first).
_REMEMBERED = 16


@dataclass(frozen=True, eq=False)
class Prepared:
    """A programme with its score matrices and compiled problem (see :func:`prepare`).

    ``programme`` counts the gains of ``problem.fair_to`` (``Programme.with_fair_to``); its
    ``problem`` carries the objective and proposing side it was prepared for. Compared and
    hashed by identity.
    """

    programme: Programme
    matrices: ScoreMatrices
    problem: Problem
    #: The programme as passed to :func:`prepare` (before ``fair_to`` was applied).
    _source: Programme | None = field(default=None, repr=False, compare=False)
    #: Figures already computed for a matching, shared by the variants (same matrices).
    _memo: dict[tuple[Any, ...], Any] = field(
        default_factory=dict, repr=False, compare=False
    )

    def variant(
        self,
        objective: str | None = None,
        proposing: str | None = None,
        fair_to: str | None = None,
    ) -> Prepared:
        """This programme under another objective, proposing side or ``fair_to``.

        These are settings of the compiled problem, not of its matrices or masks: nothing is
        scored or compiled again.
        """
        problem = self.problem
        objective = objective or problem.objective
        proposing = proposing or problem.proposing
        fair_to = fair_to or problem.fair_to
        if (objective, proposing, fair_to) == (problem.objective, problem.proposing,
                                               problem.fair_to):
            return self
        problem = dataclasses.replace(problem, objective=objective, proposing=proposing,
                                      fair_to=fair_to)
        return Prepared(self.programme.with_fair_to(fair_to), self.matrices, problem,
                        self._source, self._memo)

    def serves(self, programme: Programme) -> bool:
        """Whether this was prepared from ``programme`` (whatever ``fair_to`` it counts)."""
        if programme is self.programme or programme is self._source:
            return True
        return programme.with_fair_to(self.programme.rules.fair_to) == self.programme

    def objective_value(
        self, left: np.ndarray, right: np.ndarray, objective: str | None = None, *,
        user_scale: bool = True,
    ) -> float:
        """:func:`pairing.core.objectives.objective_value` of the matching, computed once."""
        from pairing.core.objectives import objective_value

        objective = objective or self.problem.objective
        # only total and stable have a user's scale: the fair objectives' value is one value
        scaled = user_scale if objective in ("total", "stable") else None
        key = ("objective", objective, self.problem.fair_to, scaled, *_keys(left, right))
        return self._remember(
            key, lambda: objective_value(self.problem, objective, left, right,
                                         user_scale=user_scale)
        )

    def blocking_count(self, left: np.ndarray, right: np.ndarray) -> int:
        """The number of blocking pairs of the matching
        (:func:`pairing.diagnostics.stability.count_blocking_pairs`), computed once."""
        from pairing.diagnostics.stability import count_blocking_pairs

        key = ("blocking", *_keys(left, right))
        return self._remember(key, lambda: count_blocking_pairs(self.problem, left, right))

    def _remember(self, key: tuple[Any, ...], compute: Any) -> Any:
        if key in self._memo:
            return self._memo[key]
        value = compute()
        while len(self._memo) >= _REMEMBERED:
            self._memo.pop(next(iter(self._memo)))
        self._memo[key] = value
        return value


def _keys(left: np.ndarray, right: np.ndarray) -> tuple[bytes, bytes]:
    return (np.asarray(left, dtype=np.int64).tobytes(),
            np.asarray(right, dtype=np.int64).tobytes())


def prepare(
    programme: Programme,
    *,
    objective: str | None = None,
    proposing: str | None = None,
    fair_to: str | None = None,
    matrices: ScoreMatrices | None = None,
) -> Prepared:
    """Score and compile ``programme`` once (see the module docstring).

    Parameters
    ----------
    programme
        A validated programme (see :func:`pairing.load`).
    objective, proposing, fair_to
        As for :func:`pairing.solve`; default: the programme's rules.
    matrices
        Precomputed :func:`pairing.score_matrix` output, to avoid recomputing it.

    Raises
    ------
    InvalidProgramme
        An unknown objective, proposing side or ``fair_to``.
    """
    require_instance(programme, Programme, "programme", "build one with pairing.load(path)")
    _require_settings(objective, proposing, fair_to)
    if matrices is not None:
        require_instance(matrices, ScoreMatrices, "matrices", "pass score_matrix(programme)")
    source = programme
    if fair_to is not None:
        programme = programme.with_fair_to(fair_to)
    matrices = matrices if matrices is not None else score_matrix(programme)
    problem = build_problem(programme, matrices, objective, proposing)
    return Prepared(programme, matrices, problem, source)


def prepared_for(
    programme: Programme,
    prepared: Prepared | None = None,
    *,
    objective: str | None = None,
    proposing: str | None = None,
    fair_to: str | None = None,
    matrices: ScoreMatrices | None = None,
) -> Prepared:
    """``prepared`` under these settings if given (it must be ``programme``'s), else
    :func:`prepare` ``programme`` — what every tool that takes an optional prepared calls.

    A setting left ``None`` is the programme's own (its rules), with or without ``prepared``:
    a prepared object saves work and never changes an answer.
    """
    if prepared is None:
        return prepare(programme, objective=objective, proposing=proposing, fair_to=fair_to,
                       matrices=matrices)
    require_instance(prepared, Prepared, "prepared", "pass pairing.prepare(programme)")
    if not prepared.serves(programme):
        msg = "prepared: it was prepared from another programme; pass prepare(programme)"
        raise InvalidArgument(msg)
    _require_settings(objective, proposing, fair_to)
    rules = programme.rules
    return prepared.variant(objective or rules.objective, proposing or rules.proposing,
                            fair_to or rules.fair_to)


def _require_settings(objective: str | None, proposing: str | None, fair_to: str | None) -> None:
    if objective is not None and objective not in OBJECTIVES:
        msg = f"unknown objective {objective!r}; expected one of: {', '.join(OBJECTIVES)}"
        raise InvalidProgramme(msg)
    if proposing not in (None, "left", "right"):
        msg = f"proposing must be 'left' or 'right', got {proposing!r}"
        raise InvalidProgramme(msg)
    if fair_to not in (None, "both", "left", "right"):
        msg = f"fair_to must be 'both', 'left' or 'right', got {fair_to!r}"
        raise InvalidProgramme(msg)
