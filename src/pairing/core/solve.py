"""Solve a programme end to end: score, compile, pre-check, choose a solver, solve, validate.

:func:`solve` is the library's main entry point and what ``pairing solve`` calls. It never
prints. It scores and compiles the programme once (:func:`pairing.core.prepare.prepare`), and
:func:`solve_prepared` runs the rest of the pipeline on that.

Every result passes :func:`pairing.diagnostics.check.violations` before it is returned;
a result that fails is a bug in a solver and raises :class:`~pairing.errors.SolverError`.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import numpy as np

from pairing import __version__
from pairing.analysis.runner_up import runner_ups
from pairing.core.arguments import require_instance, require_seconds, require_whole
from pairing.core.hashing import canonical_input, digest_of, input_sha256
from pairing.core.large_route import large_route
from pairing.core.objectives import FAIR_OBJECTIVES, unservable
from pairing.core.prepare import Prepared, prepared_for
from pairing.core.problem import Problem
from pairing.diagnostics.check import violations
from pairing.diagnostics.feasibility import counting_conflicts
from pairing.diagnostics.metrics import compute_metrics
from pairing.errors import Infeasible, InvalidArgument, InvalidProgramme, SolverError
from pairing.features import ScoreMatrices, pair_reasons
from pairing.model.programme import OBJECTIVES, Programme
from pairing.model.result import Pair, Result, SolverInfo, Unmatched
from pairing.solvers.auto import choose_solver
from pairing.solvers.base import Assignment, SolveOptions, SolverSpec

__all__ = ["assemble_result", "input_sha256", "solve", "solve_prepared"]

#: Placeholder digest of a result under assembly (replaced before :func:`solve` returns).
_PENDING = "pending"


_PROGRAMME_HINT = "build one with pairing.load(path) or pairing.Programme.model_validate(data)"


#: Seconds the conflict search may take without a time limit, and at least with one.
_EXPLAIN_BUDGET, _EXPLAIN_FLOOR = 20.0, 1.0


def _gap(objective_value_: float, bound: float | None) -> float | None:
    if bound is None:
        return None
    return round(abs(bound - objective_value_) / max(1e-9, abs(bound)), 6)


def assemble_result(
    programme: Programme,
    matrices: ScoreMatrices,
    problem: Problem,
    assignment: Assignment,
    info: SolverInfo,
    *,
    digest: str | None = None,
    prepared: Prepared | None = None,
) -> Result:
    """Turn a solver's :class:`Assignment` into a :class:`Result` (pairs sorted by index).

    ``prepared`` (of ``programme``, ``matrices`` and ``problem``) keeps the objective value and
    blocking pairs computed here for the validation that follows.
    """
    if prepared is None:
        prepared = Prepared(programme, matrices, problem)
    order = np.lexsort((assignment.right, assignment.left))
    left, right = assignment.left[order], assignment.right[order]
    left_ids, right_ids = problem.left_ids, problem.right_ids
    reasons = pair_reasons(matrices, left, right, problem.labels)
    scores = problem.user_scores(left, right).tolist()  # on the user's scale
    gains_l = problem.gain_left[left, right].tolist()
    gains_r = problem.gain_right[left, right].tolist()
    pairs = [
        Pair(
            left=left_ids[i],
            right=right_ids[j],
            score=round(s, 6),
            gain_left=round(gl, 6),
            gain_right=round(gr, 6),
            reasons=why,
            runner_up=second,
        )
        for i, j, s, gl, gr, why, second in zip(
            left.tolist(), right.tolist(), scores, gains_l, gains_r, reasons,
            runner_ups(problem, left, right), strict=True,
        )
    ]
    matched_l = np.zeros(len(left_ids), dtype=bool)
    matched_l[left] = True
    matched_r = np.zeros(len(right_ids), dtype=bool)
    matched_r[right] = True
    value = prepared.objective_value(left, right)
    # The solver's bound is on the normalised scale, and so is the gap computed from it.
    internal = prepared.objective_value(left, right, user_scale=False)
    message = ""
    if problem.objective in FAIR_OBJECTIVES:
        zeros = unservable(problem)
        if zeros:
            message = "the worst counted gain is 0 in every matching: " + "; ".join(zeros)
    return Result(
        status=assignment.status,
        objective=problem.objective,
        objective_value=round(value, 6),
        pairs=pairs,
        unmatched=Unmatched(
            left=[left_ids[k] for k in np.flatnonzero(~matched_l)],
            right=[right_ids[k] for k in np.flatnonzero(~matched_r)],
        ),
        metrics=compute_metrics(programme, problem, left, right,
                                blocking=prepared.blocking_count(left, right)),
        solver=info.model_copy(
            update={
                "gap": _gap(internal, assignment.bound),
                "bound": None if assignment.status == "optimal" or assignment.bound is None
                else round(assignment.bound, 6),
                "note": assignment.note,
                "positions_proven": assignment.positions_proven,
                "next_position_bound": None if assignment.next_position_bound is None
                else round(assignment.next_position_bound, 6),
            }
        ),
        input_sha256=digest or input_sha256(programme),
        version=__version__,
        message=message,
    )


def solve(
    programme: Programme,
    *,
    objective: str | None = None,
    solver: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    proposing: str | None = None,
    matrices: ScoreMatrices | None = None,
    alternates: int | None = None,
    fair_to: str | None = None,
    progress: Callable[[str], None] | None = None,
    solvers: Mapping[str, SolverSpec] | None = None,
    prepared: Prepared | None = None,
) -> Result:
    """Find the best matching of ``programme`` under its rules.

    Parameters
    ----------
    programme
        A validated programme (see :func:`pairing.load`).
    objective
        ``total``, ``maxmin``, ``leximin``, ``balanced`` or ``stable``; default: the
        programme's ``rules.objective``.
    solver
        ``auto`` (the fastest exact solver for the problem's structure) or a registry name.
    time_limit
        Seconds; exact solvers then return their best matching with status ``feasible``.
    seed
        Recorded in the result and passed to solvers that randomise.
    proposing
        ``left`` or ``right``: the proposing side of the ``stable`` objective.
    matrices
        Precomputed :func:`pairing.score_matrix` output, to avoid recomputing it.
    fair_to
        ``both``, ``left`` or ``right``: whose gains the fair objectives count (default: the
        programme's ``rules.fair_to``).
    progress
        Called with a short line whenever a long solver reaches a new phase or level (the CLI
        shows it on a terminal); the library itself never prints.
    alternates
        If given (k ≥ 1), attach the k best backup partners of every enterprise
        (``Result.alternates``; see :mod:`pairing.analysis.alternates` for what qualifies).
    solvers
        The solvers ``solver`` names and ``auto`` chooses from (default: the read-only
        :func:`pairing.solvers.registry`); a benchmark passes its own timed copies here.
    prepared
        :func:`pairing.core.prepare.prepare` of ``programme``, to avoid scoring and compiling it
        again (``matrices`` is then not needed).

    Raises
    ------
    InvalidProgramme
        Bad options (unknown objective, negative time limit).
    UnsupportedProblem
        The solver cannot express the programme's rules or objective.
    Infeasible
        No matching satisfies the rules; ``reasons`` names the conflicting rules.
    SolverTimeout
        The time limit passed before any feasible matching was found.
    """
    require_instance(programme, Programme, "programme", _PROGRAMME_HINT)
    time_limit = require_seconds(time_limit)
    seed = require_whole(seed, "seed")
    if alternates is not None:
        alternates = require_whole(alternates, "alternates", minimum=1)
    for name, value in (("objective", objective), ("solver", solver)):
        if value is not None and not isinstance(value, str):
            message = f"{name}: expected a name, got {type(value).__name__}"
            raise InvalidArgument(message)
    if matrices is not None:
        require_instance(matrices, ScoreMatrices, "matrices", "pass score_matrix(programme)")
    objective = objective or programme.rules.objective
    if objective not in OBJECTIVES:
        msg = f"unknown objective {objective!r}; expected one of: {', '.join(OBJECTIVES)}"
        raise InvalidProgramme(msg)
    if proposing not in (None, "left", "right"):
        msg = f"proposing must be 'left' or 'right', got {proposing!r}"
        raise InvalidProgramme(msg)
    if fair_to not in (None, "both", "left", "right"):
        msg = f"fair_to must be 'both', 'left' or 'right', got {fair_to!r}"
        raise InvalidProgramme(msg)
    started = time.perf_counter()
    large = None
    if matrices is None and prepared is None and alternates is None:
        fair = programme.with_fair_to(fair_to) if fair_to is not None else programme
        large = large_route(fair, objective, solver)
    update: dict[str, object] = {}
    if large is not None:
        result = _solve_large(fair, large, seed, progress, time_limit)
    else:
        prepared = prepared_for(programme, prepared, objective=objective, proposing=proposing,
                                fair_to=fair_to, matrices=matrices)
        result = _solve_and_assemble(prepared, solver, time_limit, seed, progress, solvers,
                                     None, started)
        if alternates is not None:
            from pairing.analysis.alternates import alternates as alternates_of  # --alternates

            update["alternates"] = alternates_of(prepared.programme, result, alternates,
                                                 prepared=prepared)
    runtime = round(time.perf_counter() - started, 6)
    update["solver"] = result.solver.model_copy(update={"runtime_s": runtime})
    return result.model_copy(update=update)


def solve_prepared(
    prepared: Prepared,
    *,
    solver: str = "auto",
    time_limit: float | None = None,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    solvers: Mapping[str, SolverSpec] | None = None,
    score: np.ndarray | None = None,
) -> Result:
    """The pipeline after :func:`~pairing.core.prepare.prepare`: the counting checks, the
    solver (chosen as :func:`solve` does), the explanation of an infeasible programme, the
    assembled result and its validation. Arguments as for :func:`solve` (already checked).

    ``score`` (a matrix of ``prepared.problem``'s shape) makes the solver optimise these scores
    instead under the same rules; the result is still assembled and validated on the
    programme's own scores. :func:`pairing.analysis.repair` weighs the pairs it keeps this way.
    """
    return _solve_and_assemble(prepared, solver, time_limit, seed, progress, solvers, score,
                               time.perf_counter())


def _solve_and_assemble(
    prepared: Prepared,
    solver: str,
    time_limit: float | None,
    seed: int,
    progress: Callable[[str], None] | None,
    solvers: Mapping[str, SolverSpec] | None,
    score: np.ndarray | None,
    started: float,
) -> Result:
    """:func:`solve_prepared`; ``started``: when the caller's time limit began."""
    problem = prepared.problem
    if score is not None:
        problem = dataclasses.replace(problem, score=score)
    assignment, spec, reason = _assignment(problem, solver, time_limit, seed, progress, solvers,
                                           started)
    programme = prepared.programme
    # The input hash: its canonical JSON here (Python work: in a thread it would take turns
    # with the assembly's NumPy calls for the interpreter lock, slowing both), the SHA-256 of
    # the matrices in a thread beside the assembly and validation (hashlib releases the lock).
    # Not beside the solver: a hashing thread next to LAPJV slowed the kernel more than the
    # hash costs (two cores, shared memory bandwidth).
    parts = canonical_input(programme)
    with _InThread(digest_of, parts) as digest:
        info = SolverInfo(
            name=spec.name, chosen_because=reason, runtime_s=0.0, seed=seed,
            time_limit=time_limit,
        )
        result = assemble_result(programme, prepared.matrices, prepared.problem, assignment,
                                 info, digest=_PENDING, prepared=prepared)
        _refuse_invalid(f"solver '{spec.name}'",
                        violations(programme, result, check_input_hash=False, prepared=prepared))
        return result.model_copy(update={"input_sha256": digest.result()})


class _InThread:
    """``function(argument)`` in a thread beside the caller, for the ``with`` block: ``result()``
    waits and returns its value or raises its exception; leaving the block waits for it.

    A plain :class:`threading.Thread` where a one-worker ``ThreadPoolExecutor`` would do the
    same: ``concurrent.futures`` also imports ``logging``, a few milliseconds of every
    ``pairing solve``'s start-up for one call.
    """

    def __init__(self, function: Callable[[Any], Any], argument: Any) -> None:
        self._call = (function, argument)
        self._outcome: tuple[bool, Any] = (False, None)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        function, argument = self._call
        try:
            self._outcome = (True, function(argument))
        except BaseException as exc:  # handed to the caller by result()
            self._outcome = (False, exc)

    def __enter__(self) -> _InThread:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._thread.join()

    def result(self) -> Any:
        self._thread.join()
        done, value = self._outcome
        if not done:
            raise value
        return value


def _solve_large(programme: Programme, reason: str, seed: int,
                 progress: Callable[[str], None] | None, time_limit: float | None) -> Result:
    """The large path (:mod:`pairing.core.large`), checked by its own validator."""
    from pairing.core.large import large_violations, solve_large  # compiled: load when used

    result = solve_large(programme, reason, seed=seed, time_limit=time_limit, progress=progress)
    _refuse_invalid("the large path", large_violations(programme, result))
    return result


def _refuse_invalid(who: str, found: list[str]) -> None:
    """A result the validator rejects is a solver's bug: stop with what was found."""
    if found:
        listing = "; ".join(found[:10])
        msg = f"{who} returned an invalid matching (a bug; please report): {listing}"
        raise SolverError(msg)


def _assignment(
    problem: Problem,
    solver: str,
    time_limit: float | None,
    seed: int,
    progress: Callable[[str], None] | None,
    solvers: Mapping[str, SolverSpec] | None,
    started: float,
) -> tuple[Assignment, SolverSpec, str]:
    """Choose the solver, run the counting checks (once), solve; explain an infeasibility.
    ``started``: when the caller's time limit began (the solver's clock counts from there)."""
    spec, reason = choose_solver(problem, problem.objective, solver, solvers)
    conflicts = counting_conflicts(problem)
    if conflicts:
        raise Infeasible(conflicts)
    options = SolveOptions(
        objective=problem.objective, time_limit=time_limit, seed=seed,
        proposing=problem.proposing, progress=progress, started=started,
    )
    try:
        assignment = spec.solve(problem, options)
    except Infeasible as error:
        if error.reasons:
            raise
        # The solver proved infeasibility without saying why: isolate the conflicting rules,
        # within what is left of the user's time limit (one budget for solving and explaining).
        budget = _EXPLAIN_BUDGET
        if time_limit is not None:
            budget = max(_EXPLAIN_FLOOR, time_limit - (time.perf_counter() - started))
        from pairing.diagnostics.conflicts import (
            explain_infeasibility,  # loads HiGHS: only when needed
        )

        # (the counting arguments it starts with are the pre-check's, kept by the problem)
        raise Infeasible(explain_infeasibility(problem, time_limit=budget)) from None
    return assignment, spec, reason
