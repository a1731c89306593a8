"""Turn raw per-repeat records into one row per (instance, contender), with ratios.

For each cell: the median wall time with its min, max and interquartile range over the repeats
that finished; the median core (solver-function) time and peak memory; the objective value,
status and gap. Each time is also given as a ratio to the instance's *baseline solved in the
same run* (the first of the family's baselines that finished with ``optimal`` or ``feasible``),
and to the fastest contender of the instance that proved optimality (a heuristic's quick
answer is not the bar). Ratios of medians, not medians of ratios: the
repeats of different cells are not paired.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

__all__ = ["SOLVED", "Row", "Spread", "baseline_of", "ratio", "spread", "summarise"]

#: Statuses that mean a matching was found.
SOLVED = frozenset({"optimal", "feasible"})
#: Statuses whose time means something (a proof of infeasibility takes time too).
_TIMED = SOLVED | {"infeasible"}


@dataclass(frozen=True)
class Spread:
    """Median and spread of a sample; all ``None`` for an empty sample."""

    n: int
    median: float | None
    min: float | None
    max: float | None
    q1: float | None
    q3: float | None


def spread(values: list[float | None]) -> Spread:
    """Median, min, max and quartiles (linear interpolation) of ``values``."""
    data = np.asarray([v for v in values if v is not None], dtype=np.float64)
    if data.size == 0:
        return Spread(0, None, None, None, None, None)
    q1, median, q3 = np.quantile(data, [0.25, 0.5, 0.75])
    return Spread(
        int(data.size), float(median), float(data.min()), float(data.max()), float(q1), float(q3)
    )


def ratio(value: float | None, reference: float | None) -> float | None:
    """``value / reference``, or ``None`` when either is missing or the reference is 0."""
    if value is None or reference is None or reference <= 0:
        return None
    return value / reference


@dataclass(frozen=True)
class Row:
    """The summary of one (instance, contender) cell."""

    instance: str
    family: str
    contender: str
    status: str
    wall: Spread
    core_s: float | None
    peak_mb: float | None
    base_mb: float | None
    objective_value: float | None
    gap: float | None
    baseline: str | None
    ratio: float | None
    ratio_fastest: float | None
    extra: dict[str, Any]
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _status(records: list[dict[str, Any]]) -> str:
    counts = Counter(r["status"] for r in records)
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{status}×{n}" for status, n in counts.most_common())


def _first(records: list[dict[str, Any]], key: str) -> Any:
    for record in records:
        if record.get(key) is not None:
            return record[key]
    return None


def _extra(records: list[dict[str, Any]]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for record in records:
        for key, value in (record.get("extra") or {}).items():
            if key == "optimum_hit":
                extra[key] = extra.get(key, True) and bool(value)
            else:
                extra.setdefault(key, value)
    return extra


def _median(records: list[dict[str, Any]], key: str) -> float | None:
    return spread([r.get(key) for r in records if r.get(key) is not None]).median


def baseline_of(instance: dict[str, Any], cells: dict[str, list[dict[str, Any]]]) -> str | None:
    """The first of the instance's baselines whose every finished repeat found a matching."""
    for name in instance.get("baselines", []):
        records = cells.get(name, [])
        if records and all(r["status"] in SOLVED for r in records):
            return str(name)
    return None


def summarise(instances: list[dict[str, Any]], runs: list[dict[str, Any]]) -> list[Row]:
    """One :class:`Row` per (instance, contender), in the order the instances were planned."""
    by_cell: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for record in runs:
        by_cell.setdefault((record["instance"], record["contender"]), []).append(record)
    rows: list[Row] = []
    for instance in instances:
        cells = {c: by_cell.get((instance["id"], c), []) for c in instance.get("contenders", [])}
        walls = {
            c: spread([r.get("wall_s") for r in recs if r["status"] in _TIMED])
            for c, recs in cells.items()
        }
        base = baseline_of(instance, cells)
        base_wall = walls[base].median if base is not None else None
        fastest = min(
            (
                w.median
                for c, w in walls.items()
                if w.median is not None
                and cells[c]
                and all(r["status"] == "optimal" for r in cells[c])
            ),
            default=None,
        )
        for contender, records in cells.items():
            if not records:
                continue
            timed = [r for r in records if r["status"] in _TIMED]
            wall = walls[contender]
            rows.append(
                Row(
                    instance=instance["id"],
                    family=instance["family"],
                    contender=contender,
                    status=_status(records),
                    wall=wall,
                    core_s=_median(timed, "core_s"),
                    peak_mb=_median(timed, "peak_mb"),
                    base_mb=_median(timed, "base_mb"),
                    objective_value=_first(timed, "objective_value"),
                    gap=_first(timed, "gap"),
                    baseline=base,
                    ratio=1.0 if contender == base else ratio(wall.median, base_wall),
                    ratio_fastest=ratio(wall.median, fastest),
                    extra=_extra(timed),
                    message=_first(records, "message") or "",
                )
            )
    return rows
