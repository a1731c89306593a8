"""The price of fairness made visible: one programme solved under every objective.

:func:`compare` solves the same programme for ``total``, ``maxmin``, ``leximin``, ``balanced``
and ``stable`` (each with ``auto``'s solver and the independent validator, like
:func:`pairing.solve`) and returns one :class:`ComparisonRow` per objective: total score, worst
and mean gain per side, Gini, blocking pairs, runtime, and the *price of fairness* — the share
of the ``total`` optimum's score that the objective gives up. Objectives that are not defined
for the programme's rules (e.g. ``stable`` with quotas) or that have no feasible matching are
kept as rows with ``status`` ``skipped`` / ``infeasible`` / ``time_limit`` and a note saying
why, so a report always lists every objective. ``pairing compare`` prints these rows.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from pairing.core.prepare import Prepared, prepared_for
from pairing.core.solve import solve
from pairing.errors import Infeasible, SolverTimeout, UnsupportedProblem
from pairing.features.score_scale import comparable_total
from pairing.model.programme import OBJECTIVES, Programme
from pairing.model.result import Result

__all__ = ["ComparisonRow", "compare"]


@dataclass(frozen=True)
class ComparisonRow:
    """One objective's outcome on the programme (metrics are ``None`` when not solved).

    Attributes
    ----------
    objective, status, solver
        What was asked, how it ended (``optimal``, ``feasible``, ``infeasible``,
        ``time_limit`` or ``skipped``) and which solver ran.
    objective_value
        The objective's own value (see :mod:`pairing.core.objectives`).
    total_score, price_of_fairness_pct
        Sum of pair scores, and the percentage of the ``total`` optimum it loses.
    min_gain_left, min_gain_right, mean_gain_left, mean_gain_right, gini
        Gains per side (every enterprise, 0 when unmatched) and the Gini of all gains.
    blocking_pairs, pairs, runtime_s, note
        Stability, size, wall-clock time and how the answer was obtained (or why not).
    worst_off
        The counted enterprises with the smallest gain (``rules.fair_to``), with that gain.
    bound, gap
        For a ``feasible`` answer cut short by the time limit: the best proven bound on the
        objective value and the relative gap (``None`` when proven optimal).
    positions_proven
        For a leximin answer cut short by the time limit: how many of the sorted counted gains
        are proven (``solver.positions_proven``; ``None`` otherwise).
    """

    objective: str
    status: str
    solver: str = ""
    objective_value: float | None = None
    total_score: float | None = None
    price_of_fairness_pct: float | None = None
    min_gain_left: float | None = None
    min_gain_right: float | None = None
    mean_gain_left: float | None = None
    mean_gain_right: float | None = None
    gini: float | None = None
    blocking_pairs: int | None = None
    pairs: int | None = None
    runtime_s: float = 0.0
    note: str = ""
    worst_off: str = ""
    bound: float | None = None
    gap: float | None = None
    positions_proven: int | None = None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _row(objective: str, result: Result, runtime: float) -> ComparisonRow:
    metrics = result.metrics.headline()
    metrics.pop("mean_score")
    return ComparisonRow(
        objective=objective,
        status=result.status,
        solver=result.solver.name,
        objective_value=result.objective_value,
        runtime_s=round(runtime, 4),
        note=result.solver.note if result.message in result.solver.note else "; ".join(
            part for part in (result.message, result.solver.note) if part),
        worst_off=_worst(result),
        bound=result.solver.bound,
        gap=result.solver.gap,
        positions_proven=result.solver.positions_proven,
        **metrics,  # type: ignore[arg-type]
    )


def _worst(result: Result) -> str:
    """``"PK-017, PK-040 (0.000)"``: who is worst off and their gain."""
    metrics = result.metrics
    if not metrics.worst_off or not metrics.sorted_gains:
        return ""
    low = metrics.sorted_gains[0]
    ties = sum(1 for g in metrics.sorted_gains if g <= low + 1e-9)
    names = ", ".join(metrics.worst_off[: min(3, ties)])
    more = f" and {ties - 3} more" if ties > 3 else ""
    return f"{names}{more} ({low:.3f})"


def _price(total: float | None, optimum: float | None) -> float | None:
    if total is None or optimum is None:
        return None
    if optimum <= 0:
        return 0.0
    return round(100.0 * (optimum - total) / optimum, 4)


def compare(
    programme: Programme,
    objectives: Sequence[str] = OBJECTIVES,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    proposing: str | None = None,
    fair_to: str | None = None,
    prepared: Prepared | None = None,
) -> list[ComparisonRow]:
    """Solve ``programme`` under each objective and line the outcomes up.

    Parameters
    ----------
    programme
        A validated programme.
    objectives
        Which objectives, in the order of the rows (default: all five). The ``total`` optimum
        is always computed, as the reference of the price of fairness.
    time_limit
        Seconds per objective (exact MILP solvers then return their best matching as
        ``feasible``).
    seed, proposing, fair_to
        As for :func:`pairing.solve`.
    prepared
        :func:`pairing.core.prepare.prepare` of ``programme``; else it is prepared here, once
        for every objective.

    Returns
    -------
    list of ComparisonRow
        One per objective, in the order given.

    Raises
    ------
    InvalidProgramme
        An unknown objective or a bad time limit.
    """
    prepared = prepared_for(programme, prepared, proposing=proposing, fair_to=fair_to)
    rows: dict[str, ComparisonRow] = {}
    wanted = list(dict.fromkeys(objectives))
    comparable: dict[str, float] = {}
    for objective in dict.fromkeys(["total", *wanted]):
        started = time.perf_counter()
        try:
            result = solve(programme, objective=objective, time_limit=time_limit, seed=seed,
                           proposing=proposing, fair_to=fair_to, prepared=prepared)
        except UnsupportedProblem as exc:  # not an outcome: the objective does not apply
            rows[objective] = ComparisonRow(objective, "skipped", note=f"not defined here: {exc}")
            continue
        except (Infeasible, SolverTimeout) as exc:
            note = " ".join(exc.reasons) if isinstance(exc, Infeasible) else str(exc)
            rows[objective] = ComparisonRow(objective, exc.status, note=note)
            continue
        rows[objective] = _row(objective, result, time.perf_counter() - started)
        comparable[objective] = comparable_total(result.metrics)  # costs: normalised
    optimum = comparable.get("total")
    return [
        dataclasses.replace(rows[o], price_of_fairness_pct=_price(comparable.get(o), optimum))
        for o in wanted
    ]
