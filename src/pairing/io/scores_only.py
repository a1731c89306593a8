"""Programmes made from a score matrix alone (``pairing solve --scores``, :func:`from_scores`).

With no enterprise files, the enterprises are only ids and the capacities follow the
linear-assignment convention (SciPy's ``linear_sum_assignment`` on a rectangular matrix): every
enterprise of the smaller side gets exactly one partner (capacity 1..1), each of the larger side
at most one (0..1); a square matrix is 1..1 on both sides. The matrix goes into
``Programme.scores`` as it is (NaN forbids a pair), checked with whole-array NumPy operations so
that 10,000 × 10,000 stays fast. ``sense`` (``score``/``cost``) and ``score_scale``
(``unit``/``auto``) say what the cells mean (:mod:`pairing.features.score_scale`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pairing.core.arguments import require_path
from pairing.errors import InvalidProgramme, Issue
from pairing.io.bundle import FolderSheets
from pairing.io.locations import BundleWhere, JsonWhere, Located, RulesPlaces
from pairing.io.rules_toml import RulesFile, read_rules
from pairing.io.scores_csv import MAX_CELL_ISSUES, read_scores
from pairing.io.sources import attach_sources
from pairing.io.validate import render, validate_programme
from pairing.model.programme import SCORE_SCALES, SENSES, Programme, Rules

__all__ = ["assignment_capacities", "from_scores", "load_scores"]


def assignment_capacities(n_left: int, n_right: int) -> tuple[dict[str, int], dict[str, int]]:
    """Left and right capacities of the linear-assignment convention for an n_left × n_right
    matrix: the smaller side 1..1, the larger side 0..1 (both 1..1 when square)."""
    exactly_one, at_most_one = {"min": 1, "max": 1}, {"min": 0, "max": 1}
    left = exactly_one if n_left <= n_right else at_most_one
    right = exactly_one if n_right <= n_left else at_most_one
    return left, right


def _side(label: Any, ids: Sequence[Any], capacity: dict[str, int] | list[dict[str, int]]
          ) -> dict[str, Any]:
    caps = capacity if isinstance(capacity, list) else [capacity] * len(ids)
    return {
        "label": label,
        "enterprises": [{"id": i, "capacity": dict(c)} for i, c in zip(ids, caps, strict=True)],
    }


#: Capacities as given: one ``(min, max)`` for the whole side, or one per enterprise.
CapacitySpec = tuple[int, int] | Sequence[tuple[int, int]] | np.ndarray


def capacities(spec: CapacitySpec, n: int, side: str) -> tuple[list[dict[str, int]], list[Issue]]:
    """Per-enterprise ``{"min", "max"}`` from a ``(min, max)`` pair or an ``(n, 2)`` array.

    Bounds are checked by the model (min ≤ max, both ≥ 0); here only the shape and the type.
    """
    where = f"capacity_{side}"
    array = np.asarray(spec, dtype=object)
    if array.shape == (2,):
        array = np.broadcast_to(array, (n, 2))
    if array.shape != (n, 2):
        message = (f"expected (min, max) or one (min, max) per {side} enterprise ({n}×2); "
                   f"got shape {array.shape}")
        return [], [Issue(where, message)]
    out, issues = [], []
    for k, (low, high) in enumerate(array.tolist()):
        if not all(isinstance(v, int | np.integer) and not isinstance(v, bool)
                   for v in (low, high)):
            issues.append(Issue(f"{where}[{k}]", f"expected whole numbers, got ({low!r}, "
                                                 f"{high!r})"))
            continue
        out.append({"min": int(low), "max": int(high)})
    return out, issues


def load_scores(
    path: str | Path,
    rules_path: str | Path | None = None,
    *,
    capacity_left: tuple[int, int] | None = None,
    capacity_right: tuple[int, int] | None = None,
    sense: str | None = None,
    score_scale: str | None = None,
) -> Programme:
    """Load a programme from a score matrix CSV alone, with optional ``rules.toml``.

    This is the input of ``pairing solve --scores scores.csv [--rules rules.toml]``: the first
    row holds the right ids, the first column the left ids, each cell a score in [0, 1] (any
    finite number with ``score_scale="auto"``; a cost with ``sense="cost"``) or empty to forbid
    the pair. Capacities follow :func:`assignment_capacities`.

    Parameters
    ----------
    path
        The score matrix CSV.
    rules_path
        An optional ``rules.toml`` (objective, ``min_score``, side labels, forbidden and required
        pairs, ...). Quotas by sector, region or size are reported as errors, as no enterprise
        has one.
    capacity_left, capacity_right
        ``(min, max)`` partners for every enterprise of that side (``--capacity-left``);
        default the linear-assignment convention.
    sense, score_scale
        ``"score"``/``"cost"`` (``--minimize``) and ``"unit"``/``"auto"``
        (``--scores-scale``): what the cells mean and which values they may take (see
        :mod:`pairing.features.score_scale`); given, they replace the rules file's.

    Returns
    -------
    Programme

    Raises
    ------
    InvalidProgramme
        Listing every problem in the matrix and the rules, each with file, row and column.
    """
    require_path(path, "a score matrix CSV")
    if rules_path is not None:
        require_path(rules_path, "a rules.toml file")
    path = Path(path)
    files = {"scores": str(path)}
    issues: list[Located] = []
    rules = RulesFile()
    places = RulesPlaces(str(rules_path) if rules_path is not None else "rules.toml")
    if rules_path is not None:
        rules, issues = read_rules(Path(rules_path), str(rules_path))
    for key, value in (("sense", sense), ("score_scale", score_scale)):
        if value is not None:
            rules.rules[key] = value
    unit = rules.rules.get("score_scale") != "auto"
    sheet, found = read_scores(path, str(path), unit=unit, scale_hint=True)
    issues = found + issues
    if sheet is not None:
        left, right = assignment_capacities(len(sheet.left_ids), len(sheet.right_ids))
        if capacity_left is not None:
            left = {"min": capacity_left[0], "max": capacity_left[1]}
        if capacity_right is not None:
            right = {"min": capacity_right[0], "max": capacity_right[1]}
        data: dict[str, Any] = {
            "left": _side(rules.labels["left"], sheet.left_ids, left),
            "right": _side(rules.labels["right"], sheet.right_ids, right),
            "rules": rules.rules,
            "scores": sheet.matrix,
        }
        data.update(rules.extra)
        if rules_path is not None:  # [[source]] files sit beside the rules file
            ids = {"left": sheet.left_ids, "right": sheet.right_ids}
            beside = FolderSheets(Path(rules_path).parent)
            issues += attach_sources(rules.rules.get("sources"), beside.matrix, ids, places)
        where = BundleWhere(files, {"left": sheet.rows}, places, id_cells=True)
        programme, problems = validate_programme(data, source=str(path), what="key")
        issues += [Located(where.place(p.loc), p.message) for p in problems]
        if programme is not None and not issues:
            return programme
    raise InvalidProgramme([i.issue() for i in issues], source=str(path))


def _as_matrix(matrix: Any) -> np.ndarray:
    """A float64 view (or copy, when needed) of ``matrix``; None becomes NaN."""
    if np.ma.isMaskedArray(matrix):  # a masked cell forbids the pair, like NaN
        matrix = np.ma.filled(np.ma.masked_invalid(matrix).astype(np.float64), np.nan)
    kind = getattr(getattr(matrix, "dtype", None), "kind", None)
    if kind is not None and kind not in "biuf":
        message = f"expected real numbers in [0, 1], got an array of dtype {matrix.dtype}"
        raise InvalidProgramme([Issue("scores", message)])
    try:
        if isinstance(matrix, np.ndarray) and matrix.dtype != object:
            array = np.asarray(matrix, dtype=np.float64)
        else:
            array = np.array(matrix, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        message = (
            f"expected a rectangular matrix of numbers in [0, 1] (NaN/None forbids a pair): {exc}"
        )
        raise InvalidProgramme([Issue("scores", message)]) from None
    if array.ndim != 2:
        message = f"expected a matrix (2-D array), got a {array.ndim}-D array"
        raise InvalidProgramme([Issue("scores", message)])
    if 0 in array.shape:
        message = f"expected at least one row and one column, got shape {array.shape}"
        raise InvalidProgramme([Issue("scores", message)])
    return array


def _with_scale(
    rules: Rules | Mapping[str, Any] | None, sense: str | None, score_scale: str | None
) -> tuple[Rules | Mapping[str, Any] | None, list[Issue]]:
    """``rules`` with ``sense``/``score_scale`` set, or the argument that is not one of them."""
    issues = []
    given: dict[str, str] = {}
    for key, value, choices, hint in (
        ("sense", sense, SENSES, "'cost' minimises"),
        ("score_scale", score_scale, SCORE_SCALES, "'auto' accepts any finite scale"),
    ):
        if value is None:
            continue
        if value not in choices:
            issues.append(Issue(key, f"unknown {key} {value!r}; expected one of: "
                                     f"{', '.join(choices)} ({hint})"))
            continue
        current = rules.get(key) if isinstance(rules, Mapping) else getattr(rules, key, None)
        explicit = (isinstance(rules, Mapping) and key in rules) or (
            isinstance(rules, Rules) and key in rules.model_fields_set)
        if explicit and current != value:
            issues.append(Issue(key, f"{key}={value!r} but rules give {current!r}; give it "
                                     "once"))
            continue
        given[key] = value
    if issues or not given:
        return rules, issues
    if isinstance(rules, Rules):
        return rules.model_copy(update=given), []
    return {**(rules or {}), **given}, []


def _value_issues(
    array: np.ndarray, left: Sequence[Any], right: Sequence[Any], *, unit: bool = True
) -> list[Issue]:
    """Cells that are neither NaN nor in [0, 1] (``unit``) or finite, found with whole-array
    reductions."""
    low = np.fmin.reduce(array, axis=None)
    high = np.fmax.reduce(array, axis=None)
    if (not (low < 0.0 or high > 1.0)) if unit else bool(np.isfinite([low, high]).all()):
        return []
    good = (array >= 0.0) & (array <= 1.0) if unit else np.isfinite(array)
    bad = np.argwhere(~np.isnan(array) & ~good)
    if unit:
        expected = "a score in [0, 1] (NaN/None forbids the pair)"
        hint = "; for a matrix on another scale pass score_scale=\"auto\""
    else:
        expected, hint = "a finite number (NaN/None forbids the pair)", ""
    issues = [
        Issue(
            f"scores[{i}, {j}] (left id {left[i]!r}, right id {right[j]!r})",
            f"expected {expected}, found {float(array[i, j])!r}"
            f"{hint if np.isfinite(array[i, j]) else ''}",
        )
        for i, j in bad[:MAX_CELL_ISSUES].tolist()
    ]
    if len(bad) > MAX_CELL_ISSUES:
        issues.append(Issue("scores", f"and {len(bad) - MAX_CELL_ISSUES} more cells like these"))
    return issues


def _ids(
    given: Sequence[Any] | None, n: int, prefix: str, side: str
) -> tuple[list[Any], list[Issue]]:
    if given is None:
        return [f"{prefix}{k}" for k in range(n)], []
    ids = [str(i) if isinstance(i, int | np.integer) else i for i in given]
    if len(ids) != n:
        axis = "rows" if side == "left" else "columns"
        message = f"expected {n} {side} ids (one per matrix {axis[:-1]}), got {len(ids)}"
        return ids, [Issue(f"{side}_ids", f"{message}; the matrix has {n} {axis}")]
    return ids, []


def from_scores(
    matrix: Any,
    left_ids: Sequence[Any] | None = None,
    right_ids: Sequence[Any] | None = None,
    *,
    rules: Rules | Mapping[str, Any] | None = None,
    labels: tuple[str, str] = ("left", "right"),
    capacity_left: CapacitySpec | None = None,
    capacity_right: CapacitySpec | None = None,
    sense: str | None = None,
    score_scale: str | None = None,
) -> Programme:
    """Make a programme from a score matrix: bring your own scores (or costs, on any scale).

    Parameters
    ----------
    matrix
        An (n_left, n_right) NumPy array or nested lists of scores in [0, 1]; NaN or ``None``
        forbids the pair. A float64 array is used as it is, without a copy.
    left_ids, right_ids
        The enterprises' ids, one per row and one per column; default ``"L0", "L1", ...`` and
        ``"R0", "R1", ...``.
    rules
        Objective, ``min_score``, forbidden and required pairs, ... (a :class:`~pairing.Rules`
        or its raw mapping).
    labels
        The two sides' labels, e.g. ``("CN", "PK")``.
    capacity_left, capacity_right
        Each enterprise's number of partners: ``(min, max)`` for the whole side, or an
        ``(n, 2)`` array / list of pairs, one per enterprise (e.g. papers ``(3, 3)``, reviewers
        ``(0, 4)``). A side left out follows :func:`assignment_capacities`: the smaller side's
        enterprises get exactly one partner, the larger side's at most one.
    sense
        ``"score"`` (higher is better; the default) or ``"cost"`` (lower is better: the
        solvers minimise the total cost when the capacities fix the number of pairs).
    score_scale
        ``"unit"`` (cells in [0, 1]; the default) or ``"auto"`` (any finite cells, mapped
        affinely onto [0, 1] for the solvers and the fair objectives' gains; pair scores and
        totals are still reported on the matrix's own scale). See
        :mod:`pairing.features.score_scale`. Either may also be given in ``rules``.

    Returns
    -------
    Programme

    Raises
    ------
    InvalidProgramme
        When the matrix is not 2-D, has cells outside [0, 1] (any infinite cell, with
        ``score_scale="auto"``), the ids do not match its shape, ``sense``/``score_scale`` are
        unknown or contradict ``rules``, or the rules are not valid for these enterprises.
    """
    array = _as_matrix(matrix)
    n_left, n_right = array.shape
    left, issues = _ids(left_ids, n_left, "L", "left")
    right, found = _ids(right_ids, n_right, "R", "right")
    issues += found
    rules, found = _with_scale(rules, sense, score_scale)
    issues += found
    if not issues:
        auto = (isinstance(rules, Mapping) and rules.get("score_scale") == "auto") or (
            isinstance(rules, Rules) and rules.score_scale == "auto")
        issues = _value_issues(array, left, right, unit=not auto)
    default_left, default_right = assignment_capacities(n_left, n_right)
    cap_left: dict[str, int] | list[dict[str, int]] = default_left
    cap_right: dict[str, int] | list[dict[str, int]] = default_right
    if capacity_left is not None:
        cap_left, found = capacities(capacity_left, n_left, "left")
        issues += found
    if capacity_right is not None:
        cap_right, found = capacities(capacity_right, n_right, "right")
        issues += found
    if issues:
        raise InvalidProgramme(issues)
    data: dict[str, Any] = {
        "left": _side(labels[0], left, cap_left),
        "right": _side(labels[1], right, cap_right),
        "scores": array,
    }
    if rules is not None:
        data["rules"] = rules
    programme, problems = validate_programme(data)
    if programme is None:
        raise InvalidProgramme(render(problems, JsonWhere(data)))
    return programme
