"""Evaluate a matching made or edited by hand: which rules it breaks, what it is worth.

A programme manager swaps two partners in a spreadsheet and asks what that costs and which rule
it breaks. :func:`evaluate` takes the pairs alone (a hand-made file has no scores), re-derives
every score and gain from the programme, and reports

- every broken rule **once, by rule** (capacity, forbidden, required, unscored, ``min_score``,
  each quota, pair quota and partner quota, unknown ids, repeated pairs), each with the
  enterprises or pairs concerned;
- its metrics (:func:`pairing.diagnostics.metrics.compute_metrics`, the same as a solved result's);
- its value under every objective (:func:`pairing.core.objectives.objective_value`; for ``stable``
  the number of blocking pairs, 0 meaning stable);
- with ``optimum=True``, each objective's optimum (:func:`pairing.solve`), for the difference.

:func:`result_from_pairs` turns the same pairs into a :class:`~pairing.model.result.Result`, so that
``check``, ``report`` and ``explain`` read result CSV and XLSX files too.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from pairing.core.arguments import require_instance, require_path, require_seconds
from pairing.core.prepare import Prepared, prepared_for
from pairing.core.problem import Problem
from pairing.diagnostics.check import partner_quota_breaches, vetoed_pairs
from pairing.errors import Infeasible, InvalidArgument, InvalidProgramme, Issue, PairingError
from pairing.features import ScoreMatrices
from pairing.io.pairs_file import PairRow, read_pairs
from pairing.io.results_file import load_result
from pairing.model.programme import OBJECTIVES, Programme
from pairing.model.result import Metrics, Result, SolverInfo

__all__ = ["Evaluation", "Violation", "evaluate", "load_result_for", "result_from_pairs"]

#: How many enterprises or pairs a violation names before "and N more".
_SHOWN = 8


class Violation(BaseModel):
    """One broken rule: its name, one sentence, and every enterprise or pair concerned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rule: str
    message: str
    items: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


class Evaluation(BaseModel):
    """What :func:`evaluate` found. ``to_json`` gives the design's shape:
    ``{"violations", "objectives", "optimum", "metrics"}``."""

    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)

    violations: tuple[Violation, ...]
    objectives: dict[str, float]
    optimum: dict[str, float | None] | None
    metrics: Metrics
    optimum_notes: dict[str, str] = Field(default_factory=dict, exclude=True)
    result: Result = Field(exclude=True)

    @property
    def ok(self) -> bool:
        """True when every rule holds."""
        return not self.violations

    def to_json(self, indent: int | None = 1) -> str:
        return self.model_dump_json(indent=indent)


def _shown(items: list[str]) -> str:
    text = ", ".join(items[:_SHOWN])
    return text + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _as_rows(pairs: Any) -> list[PairRow]:
    if isinstance(pairs, Result):
        return [PairRow(p.left, p.right, f"pairs[{k}]") for k, p in enumerate(pairs.pairs)]
    if isinstance(pairs, (str, os.PathLike)):
        return read_pairs(pairs)
    if isinstance(pairs, Iterable):
        rows = []
        for k, item in enumerate(pairs):
            if (not isinstance(item, (tuple, list)) or len(item) != 2
                    or not all(isinstance(x, str) for x in item)):
                msg = f"pairs[{k}]: expected a (left id, right id) pair of strings, got {item!r}"
                raise InvalidArgument(msg)
            rows.append(PairRow(item[0], item[1], f"pairs[{k}]"))
        return rows
    msg = (
        "pairs: expected a Result, a file path or (left id, right id) tuples, got "
        f"{type(pairs).__name__}"
    )
    raise InvalidArgument(msg)


def _indices(
    programme: Programme, rows: list[PairRow]
) -> tuple[np.ndarray, np.ndarray, list[Violation]]:
    """Index arrays of the known, distinct pairs, and the unknown-id / repeat violations."""
    left_pos = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    right_pos = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    unknown = [
        f"{id_!r} ({side} side, {row.where})"
        for row in rows
        for side, id_, known in (("left", row.left, left_pos), ("right", row.right, right_pos))
        if id_ not in known
    ]
    counts = Counter((r.left, r.right) for r in rows)
    repeated = [f"{a}–{b} ({n} times)" for (a, b), n in counts.items() if n > 1]
    found = []
    if unknown:
        found.append(Violation(
            rule="unknown ids",
            message=f"{len(unknown)} id(s) are not in the programme: {_shown(unknown)}; fix the "
            "id or add the enterprise (these pairs are left out of every figure)",
            items=tuple(unknown),
        ))
    if repeated:
        found.append(Violation(
            rule="repeated pairs",
            message=f"{len(repeated)} pair(s) are listed more than once: {_shown(repeated)}; "
            "each is counted once",
            items=tuple(repeated),
        ))
    known = [(left_pos[a], right_pos[b]) for a, b in counts if a in left_pos and b in right_pos]
    index = np.asarray(known, dtype=np.intp).reshape(-1, 2)
    return index[:, 0], index[:, 1], found


def load_result_for(
    programme: Programme, path: str | os.PathLike[str], *, prepared: Prepared | None = None
) -> Result:
    """Read the result of ``programme`` in ``path``: a result JSON as it is, or the pairs of a
    result CSV/XLSX (or any CSV/XLSX with ``left`` and ``right`` columns) as a
    :class:`Result` whose scores, gains, unmatched lists and metrics come from the programme
    (``prepared``: :func:`pairing.core.prepare.prepare` of it, to avoid compiling it again).

    Raises
    ------
    InvalidProgramme
        The file cannot be read, or names an id the programme does not have (with the row).
    """
    require_path(path, "a result file (.json, .csv or .xlsx)")
    if Path(path).suffix.lower() not in (".csv", ".xlsx"):
        return load_result(path)
    result, problems = result_from_pairs(programme, path, source=Path(path).name,
                                         prepared=prepared)
    if problems:
        raise InvalidProgramme(
            [Issue(str(path), f"{v.rule}: {v.message}") for v in problems], source=str(path)
        )
    return result


def result_from_pairs(
    programme: Programme,
    pairs: Any,
    matrices: ScoreMatrices | None = None,
    *,
    source: str = "a pair list",
    prepared: Prepared | None = None,
) -> tuple[Result, list[Violation]]:
    """The :class:`Result` a list of pairs makes under ``programme``'s own scores.

    Scores, gains, reasons, unmatched lists and metrics are derived from the programme, never
    read from the file; the status is ``feasible`` (nothing was optimised). Returns the result
    and the pairs that could not be placed (unknown ids, repeats) as violations. ``prepared``
    (:func:`pairing.core.prepare.prepare` of ``programme``) saves scoring and compiling it.
    """
    require_instance(programme, Programme, "programme", "build one with pairing.load(path)")
    given = _given(programme, pairs, _own(programme, prepared, matrices), source)
    return given.result, given.found


@dataclass(frozen=True)
class _Given:
    """The pairs placed in the programme: the result, its problem and index arrays."""

    result: Result
    found: list[Violation]
    problem: Problem
    left: np.ndarray
    right: np.ndarray


def _own(programme: Programme, prepared: Prepared | None,
         matrices: ScoreMatrices | None) -> Prepared:
    """``programme`` prepared under its own rules (its objective and ``fair_to``)."""
    return prepared_for(programme, prepared, objective=programme.rules.objective,
                        matrices=matrices)


def _given(programme: Programme, pairs: Any, prepared: Prepared, source: str) -> _Given:
    from pairing.core.solve import assemble_result
    from pairing.solvers.base import Assignment

    left, right, found = _indices(programme, _as_rows(pairs))
    matrices, problem = prepared.matrices, prepared.problem
    info = SolverInfo(
        name="given", chosen_because=f"the pairs were read from {source}, not solved",
        runtime_s=0.0, seed=0,
    )
    assignment = Assignment(left, right, "feasible")
    result = assemble_result(programme, matrices, problem, assignment, info, prepared=prepared)
    order = np.lexsort((assignment.right, assignment.left))  # assemble_result's pair order
    return _Given(result, found, problem, assignment.left[order], assignment.right[order])


def _rule_violations(
    programme: Programme, problem: Problem, result: Result, left: np.ndarray, right: np.ndarray
) -> list[Violation]:
    found = []
    labels = problem.labels
    for index, side_name, ids, count_of in (
        (0, "left", problem.left_ids, np.bincount(left, minlength=problem.shape[0])),
        (1, "right", problem.right_ids, np.bincount(right, minlength=problem.shape[1])),
    ):
        low = problem.cap_min_left if index == 0 else problem.cap_min_right
        high = problem.cap_max_left if index == 0 else problem.cap_max_right
        bad = np.flatnonzero((count_of < low) | (count_of > high))
        if bad.size:
            items = [f"{ids[k]} has {count_of[k]} (capacity {low[k]}..{high[k]})" for k in bad]
            found.append(Violation(
                rule=f"capacity ({side_name})",
                message=f"{bad.size} {labels[index]} enterprise(s) have a number of partners "
                f"outside their capacity: {_shown(items)}",
                items=tuple(items),
            ))
    chosen = set(result.pair_ids())
    names = [f"{problem.left_ids[i]}–{problem.right_ids[j]}" for i, j in zip(left, right,
                                                                         strict=True)]
    forbidden = [f"{a}–{b}" for a, b in programme.rules.forbidden if (a, b) in chosen]
    if forbidden:
        found.append(Violation(
            rule="forbidden",
            message=f"{len(forbidden)} forbidden pair(s) are in the matching: {_shown(forbidden)}",
            items=tuple(forbidden),
        ))
    vetoed = [f"{a}–{b} (vetoed by {who})" for who, (a, b) in vetoed_pairs(programme)
              if (a, b) in chosen]
    if vetoed:
        found.append(Violation(
            rule="vetoed",
            message=f"{len(vetoed)} vetoed pair(s) are in the matching: {_shown(vetoed)}",
            items=tuple(vetoed),
        ))
    missing = [f"{a}–{b}" for a, b in programme.rules.required if (a, b) not in chosen]
    if missing:
        found.append(Violation(
            rule="required",
            message=f"{len(missing)} required pair(s) are missing: {_shown(missing)}",
            items=tuple(missing),
        ))
    score = problem.score[left, right]
    unscored = [names[k] for k in np.flatnonzero(np.isnan(score))]
    if unscored:
        found.append(Violation(
            rule="no score",
            message=f"{len(unscored)} pair(s) have no score (an empty cell of the organisers' "
            f"score matrix forbids them): {_shown(unscored)}",
            items=tuple(unscored),
        ))
    min_score = programme.rules.min_score
    below = np.flatnonzero(~np.isnan(score) & (score < score.dtype.type(min_score)))
    if below.size:
        items = [f"{names[k]} ({float(score[k]):.4f})" for k in below]
        found.append(Violation(
            rule="min_score",
            message=f"{below.size} pair(s) score below min_score {min_score}: {_shown(items)}",
            items=tuple(items),
        ))
    for usage in result.metrics.quotas:
        if not usage.ok:
            bound = (f"fewer than min {usage.min}" if usage.min is not None
                     and usage.count < usage.min else f"more than max {usage.max}")
            found.append(Violation(
                rule=usage.rule,
                message=f"{usage.description}: {usage.count} pair(s), {bound}",
            ))
    found += _partner_violations(programme, list(zip(
        (problem.left_ids[i] for i in left), (problem.right_ids[j] for j in right), strict=True)))
    return found


def _partner_violations(programme: Programme, pair_ids: list[tuple[str, str]]) -> list[Violation]:
    """Each partner quota once: the enterprises whose partner mix is out of its bounds."""
    return [
        Violation(
            rule=f"rules.partner_quotas[{k}]",
            message=f"{pq.describe()}: {len(items)} {programme.side(pq.side).label} "
            f"enterprise/group(s) out of bounds: {_shown(items)}",
            items=tuple(items),
        )
        for k, pq, items in partner_quota_breaches(programme, pair_ids)
    ]


def _optimum(
    programme: Programme, prepared: Prepared, time_limit: float | None
) -> tuple[dict[str, float | None], dict[str, str]]:
    from pairing.core.solve import solve

    values: dict[str, float | None] = {}
    notes: dict[str, str] = {}
    for objective in OBJECTIVES:
        try:
            result = solve(programme, objective=objective, time_limit=time_limit,
                           prepared=prepared)
        except Infeasible as exc:
            values[objective], notes[objective] = None, f"no matching keeps every rule: {exc}"
            continue
        except PairingError as exc:  # unsupported rules for this objective, or out of time
            values[objective], notes[objective] = None, str(exc)
            continue
        values[objective] = (
            float(result.metrics.blocking_pairs) if objective == "stable"
            else result.objective_value
        )
        if result.status != "optimal":
            notes[objective] = result.status_text()
    return values, notes


def evaluate(
    programme: Programme,
    pairs: Any,
    *,
    optimum: bool = False,
    time_limit: float | None = 60.0,
    matrices: ScoreMatrices | None = None,
    prepared: Prepared | None = None,
) -> Evaluation:
    """Evaluate a given matching of ``programme`` (see the module docstring).

    Parameters
    ----------
    programme
        A validated programme (:func:`pairing.load`).
    pairs
        A :class:`~pairing.model.Result`, a file (result JSON, or a CSV/XLSX with ``left`` and
        ``right`` columns), or an iterable of ``(left id, right id)`` tuples.
    optimum
        Also solve every objective, for the difference (``Evaluation.optimum``).
    time_limit
        Seconds per objective when ``optimum`` is set.
    matrices
        Precomputed :func:`pairing.score_matrix` output.
    prepared
        :func:`pairing.core.prepare.prepare` of ``programme``; else it is prepared here, once
        (the optimum's solves reuse it).

    Returns
    -------
    Evaluation
        ``violations`` (empty: every rule holds), ``objectives``, ``optimum`` and ``metrics``.

    Raises
    ------
    InvalidProgramme
        The pair file cannot be read or a pair row lacks an id.
    """
    require_instance(programme, Programme, "programme", "build one with pairing.load(path)")
    time_limit = require_seconds(time_limit)
    prepared = _own(programme, prepared, matrices)
    source = os.fspath(pairs) if isinstance(pairs, (str, os.PathLike)) else "the given pairs"
    given = _given(programme, pairs, prepared, str(source))
    result, problem, left, right = given.result, given.problem, given.left, given.right
    found = given.found + _rule_violations(programme, problem, result, left, right)
    metrics = result.metrics
    values = {
        objective: round(prepared.objective_value(left, right, objective), 6)
        for objective in OBJECTIVES if objective != "stable"
    }
    values["stable"] = float(metrics.blocking_pairs)
    best, notes = _optimum(programme, prepared, time_limit) if optimum else (None, {})
    return Evaluation(
        violations=tuple(found),
        objectives=values,
        optimum=best,
        metrics=metrics,
        optimum_notes=notes,
        result=result,
    )

