"""Grid keys, their values and the cartesian product of jobs.

A sweep grid maps *keys* to lists of values. A key is either a solve option (``objective``,
``solver``, ``seed``, ``time_limit``, ``proposing``) or a rule override of the programme
(``min_score``, ``weights.NAME``, a source's weight ``source.NAME.weight``, a quota bound
``quota.INDEX.min|max`` /
``pair_quota.INDEX.min|max``, or the same by group name: ``quota.SIDE.BY.GROUP.min|max`` and
``pair_quota.LEFT_SECTOR.RIGHT_SECTOR.min|max``). :func:`expand_grid` checks every key and value
against the programme up front, reporting every problem at once, and returns the jobs in a
deterministic order (the cartesian product in the grid's key order and each list's value order),
so a job's id names the same parameters on every run of the same sweep.

Named quota keys are resolved to indexes here, once, so a job carries exactly what it changes.
"""

from __future__ import annotations

import difflib
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from pairing.errors import InvalidProgramme, Issue
from pairing.model.programme import OBJECTIVES, Programme, Weights

__all__ = [
    "OPTION_KEYS",
    "Job",
    "Setting",
    "Target",
    "TargetKind",
    "Value",
    "expand_grid",
    "flatten_grid",
    "grid_issues",
]

#: A grid value once validated: text, a whole number, a real number, or None (``"none"``).
Value = str | int | float | None
TargetKind = Literal["option", "min_score", "weight", "source", "quota", "pair_quota"]

#: Keys passed to :func:`pairing.solve` as options rather than changing the programme.
OPTION_KEYS: tuple[str, ...] = (
    "objective", "solver", "seed", "time_limit", "proposing", "fair_to",
)
_BOUNDS = ("min", "max")
_SIDES = ("left", "right")
_GROUP_BY = ("sector", "region", "size")
_KEY_FORMS = (
    "objective, solver, seed, time_limit, proposing, fair_to, min_score, weights.NAME, "
    "source.NAME.weight, quota.INDEX.min|max, quota.SIDE.BY.GROUP.min|max, "
    "pair_quota.INDEX.min|max, pair_quota.LEFT_SECTOR.RIGHT_SECTOR.min|max"
)
_NONE = "none"
_CHOICES: dict[str, list[str]] = {
    "objective": list(OBJECTIVES), "proposing": list(_SIDES), "fair_to": ["both", *_SIDES],
}


@dataclass(frozen=True)
class Target:
    """What one grid key changes.

    Attributes
    ----------
    key
        The key as written in the grid (also the name of its results column).
    kind
        ``option`` (a :func:`pairing.solve` argument), ``min_score``, ``weight``, ``source``
        (a source's weight), ``quota`` or ``pair_quota``.
    field
        The option's or weight's name, the bound (``min``/``max``) of a quota, or ``weight``.
    index
        The quota's index in ``rules.quotas`` / ``rules.pair_quotas``, or the source's in
        ``rules.sources`` (-1 otherwise).
    """

    key: str
    kind: TargetKind
    field: str = ""
    index: int = -1

    @property
    def value_type(self) -> Literal["str", "int", "float"]:
        """The type of this key's values (for typed outputs such as Parquet)."""
        if self.kind in ("quota", "pair_quota") or self.field == "seed":
            return "int"
        if self.kind in ("min_score", "weight", "source") or self.field == "time_limit":
            return "float"
        return "str"


@dataclass(frozen=True)
class Setting:
    """One grid key set to one value."""

    target: Target
    value: Value


@dataclass(frozen=True)
class Job:
    """One point of the grid: an id (its position in the product) and its settings."""

    id: int
    settings: tuple[Setting, ...]

    @property
    def params(self) -> dict[str, Value]:
        """The job's parameters, key → value, in grid order."""
        return {s.target.key: s.value for s in self.settings}


def flatten_grid(grid: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Yield ``(dotted key, values)`` pairs of a grid whose dotted keys may be nested tables.

    TOML reads ``weights.sector = [...]`` as ``{"weights": {"sector": [...]}}``; flattening
    gives back the key as written.
    """
    for key, value in grid.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten_grid(value, f"{name}.")
        else:
            yield name, value


def _closest(word: str, choices: Sequence[str]) -> str:
    match = difflib.get_close_matches(word, choices, n=1)
    return f"; did you mean {match[0]!r}?" if match else ""


def _index_target(key: str, kind: TargetKind, rest: list[str], count: int) -> Target | str:
    plural = "quotas" if kind == "quota" else "pair quotas"
    index = int(rest[0])
    if index >= count:
        have = f"{count} {plural} (indexes 0..{count - 1})" if count else f"no {plural}"
        return f"{kind} index {index} is out of range: the programme has {have}"
    return Target(key, kind, rest[1], index)


def _one_match(key: str, kind: TargetKind, found: list[int], bound: str, what: str) -> Target | str:
    if len(found) == 1:
        return Target(key, kind, bound, found[0])
    if not found:
        return f"the programme has no {what}"
    indexes = ", ".join(str(k) for k in found)
    return (
        f"{what} is ambiguous: it matches {kind}s {indexes}; "
        f"address one by index, e.g. {kind}.{found[0]}.{bound}"
    )


def _quota_target(key: str, rest: list[str], programme: Programme) -> Target | str:
    quotas = programme.rules.quotas
    if len(rest) == 2 and rest[0].isdigit() and rest[1] in _BOUNDS:
        return _index_target(key, "quota", rest, len(quotas))
    if len(rest) >= 4 and rest[0] in _SIDES and rest[1] in _GROUP_BY and rest[-1] in _BOUNDS:
        side, by, group = rest[0], rest[1], ".".join(rest[2:-1])
        found = [k for k, q in enumerate(quotas) if (q.side, q.by, q.group) == (side, by, group)]
        return _one_match(key, "quota", found, rest[-1], f"quota {side} {by}={group!r}")
    return (
        "expected quota.INDEX.min|max or quota.SIDE.BY.GROUP.min|max "
        "(SIDE left|right, BY sector|region|size)"
    )


def _pair_quota_target(key: str, rest: list[str], programme: Programme) -> Target | str:
    quotas = programme.rules.pair_quotas
    if len(rest) == 2 and rest[0].isdigit() and rest[1] in _BOUNDS:
        return _index_target(key, "pair_quota", rest, len(quotas))
    if len(rest) >= 3 and rest[-1] in _BOUNDS:
        # Sector names may hold dots: try every split of the middle parts into two names.
        middle = rest[:-1]
        splits = [(".".join(middle[:k]), ".".join(middle[k:])) for k in range(1, len(middle))]
        found = [k for k, q in enumerate(quotas) if (q.left_sector, q.right_sector) in splits]
        names = (
            " × ".join(repr(n) for n in splits[0]) if len(splits) == 1 else repr(".".join(middle))
        )
        return _one_match(key, "pair_quota", found, rest[-1], f"pair quota {names}")
    return "expected pair_quota.INDEX.min|max or pair_quota.LEFT_SECTOR.RIGHT_SECTOR.min|max"


def _source_target(key: str, tail: str, programme: Programme) -> Target | str:
    """``source.NAME.weight``: the weight of the ``[[source]]`` named NAME (dots allowed)."""
    name, dot, field = tail.rpartition(".")
    names = [s.name for s in programme.rules.sources]
    if not dot or field != "weight" or not name:
        return "expected source.NAME.weight"
    if name not in names:
        known = ", ".join(repr(n) for n in names) or "none"
        return f"no source named {name!r}; the programme's sources: {known}" + _closest(
            name, names
        )
    return Target(key, "source", "weight", names.index(name))


def _target(key: str, programme: Programme | None) -> Target | str | None:
    """The target of ``key``, a message saying what is wrong, or None when the programme is
    needed to resolve the key but is not available (its problems are reported elsewhere)."""
    if key in OPTION_KEYS:
        return Target(key, "option", key)
    if key == "min_score":
        return Target(key, "min_score", "min_score")
    head, _, tail = key.partition(".")
    if head == "weights":
        if tail in Weights.model_fields:
            return Target(key, "weight", tail)
        names = list(Weights.model_fields)
        return f"unknown weight {tail!r}; expected one of: {', '.join(names)}" + _closest(
            tail, names
        )
    if head == "source":
        if programme is None:
            return None
        return _source_target(key, tail, programme)
    if head in ("quota", "pair_quota"):
        if programme is None:
            return None
        rest = tail.split(".") if tail else []
        if head == "quota":
            return _quota_target(key, rest, programme)
        return _pair_quota_target(key, rest, programme)
    forms = [*OPTION_KEYS, "min_score", "weights.sector", "quota.0.min", "pair_quota.0.max"]
    return f"unknown key; expected one of: {_KEY_FORMS}{_closest(key, forms)}"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _solver_names() -> list[str]:
    from pairing.solvers import solver_names

    return ["auto", *solver_names()]


@dataclass(frozen=True)
class _Bad:
    """Why a value was refused."""

    message: str


def _is_none(value: Any) -> bool:
    """``"none"`` as written in a sweep file, or the None it stands for once read (a grid is
    checked again when a checked grid is passed to :func:`pairing.sweep`)."""
    return value is None or (isinstance(value, str) and value.lower() == _NONE)


def _check_value(target: Target, value: Any) -> Value | _Bad:
    """The canonical value (numbers as float or int, ``"none"`` as None), or why not."""
    kind, field = target.kind, target.field
    if kind in ("quota", "pair_quota"):
        if _is_none(value):
            return None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        return _Bad(f'expected a whole number ≥ 0 (or "{_NONE}" to drop the bound), got {value!r}')
    if kind == "min_score":
        number = _number(value)
        if number is None or not 0.0 <= number <= 1.0:
            return _Bad(f"expected a number in [0, 1], got {value!r}")
        return number
    if kind == "source":
        number = _number(value)
        if number is None or number < 0:
            return _Bad(f"expected a number ≥ 0, got {value!r}")
        return number
    if kind == "weight":
        number = _number(value)
        if number is None:
            return _Bad(f"expected a number, got {value!r}")
        try:
            Weights.model_validate({field: number})
        except ValidationError as exc:
            return _Bad(f"{exc.errors()[0]['msg'].lower()}, got {value!r}")
        return number
    if field == "seed":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        return _Bad(f"expected a whole number ≥ 0, got {value!r}")
    if field == "time_limit":
        if _is_none(value):
            return None
        number = _number(value)
        if number is None or number <= 0:
            return _Bad(f'expected a number of seconds > 0 (or "{_NONE}"), got {value!r}')
        return number
    choices = _solver_names() if field == "solver" else _CHOICES[field]
    if isinstance(value, str) and value in choices:
        return value
    hint = _closest(value, choices) if isinstance(value, str) else ""
    return _Bad(f"expected one of: {', '.join(choices)}; got {value!r}{hint}")


def _values(target: Target, values: Any, where: str, issues: list[Issue]) -> list[Value] | None:
    if isinstance(values, str) or not isinstance(values, Sequence):
        issues.append(Issue(where, f"expected a list of values, e.g. [{values!r}]; got {values!r}"))
        return None
    if not values:
        issues.append(Issue(where, "the list of values is empty; give at least one value"))
        return None
    checked: list[Value] = []
    ok = True
    for position, raw in enumerate(values):
        value = _check_value(target, raw)
        if isinstance(value, _Bad):
            issues.append(Issue(f"{where}, value #{position + 1}", value.message))
            ok = False
        elif value in checked:
            issues.append(
                Issue(f"{where}, value #{position + 1}", f"value {raw!r} is listed twice")
            )
            ok = False
        else:
            checked.append(value)
    return checked if ok else None


def grid_issues(
    programme: Programme | None, grid: Any, *, where: str = "grid"
) -> tuple[list[Issue], list[tuple[Target, list[Value]]]]:
    """Check a grid against a programme: every problem found, and the checked keys and values.

    Parameters
    ----------
    programme
        The programme the grid applies to; ``None`` when it could not be loaded (keys that need
        it, the quota keys, are then not checked).
    grid
        Key → list of values; nested tables are read as dotted keys.
    where
        How issues name the grid (``"grid"``, or ``"[grid]"`` in a sweep file).

    Returns
    -------
    issues, axes
        The problems (empty when the grid is valid), and each valid key's target with its values.
    """
    if not isinstance(grid, Mapping):
        return [Issue(where, f"expected a table of key = [values], got {grid!r}")], []
    issues: list[Issue] = []
    axes: list[tuple[Target, list[Value]]] = []
    seen: set[str] = set()
    flat = list(flatten_grid(grid))
    if not flat:
        issues.append(Issue(where, "the grid is empty; give at least one key, e.g. seed = [0, 1]"))
    for key, raw in flat:
        at = f"{where} key {key!r}"
        if key in seen:
            issues.append(Issue(at, "the key is given twice"))
            continue
        seen.add(key)
        target = _target(key, programme)
        if isinstance(target, str):
            issues.append(Issue(at, target))
            continue
        if target is None:
            continue
        values = _values(target, raw, at, issues)
        if values is not None:
            axes.append((target, values))
    targets = [t for t, _ in axes]
    for bound_kind in ("quota", "pair_quota"):
        places = [(t.index, t.field) for t in targets if t.kind == bound_kind]
        for index, bound in sorted({p for p in places if places.count(p) > 1}):
            keys = ", ".join(
                t.key for t in targets if (t.kind, t.index, t.field) == (bound_kind, index, bound)
            )
            issues.append(
                Issue(
                    where,
                    f"keys {keys} set the same bound ({bound_kind} {index} {bound}); keep one",
                )
            )
    return issues, axes


def expand_grid(
    programme: Programme, grid: Mapping[str, Any], *, source: str | None = None
) -> list[Job]:
    """Validate ``grid`` against ``programme`` and return its jobs, in a deterministic order.

    Parameters
    ----------
    programme
        The programme the overrides apply to (quota keys are resolved against its rules).
    grid
        Key → list of values, e.g. ``{"objective": ["total"], "weights.sector": [0, 0.5]}``.
    source
        The file the grid comes from, named in error messages.

    Returns
    -------
    list of Job
        The cartesian product of the values, the last key varying fastest; job ids are
        0, 1, ... in that order.

    Raises
    ------
    InvalidProgramme
        Listing every unknown key, bad or repeated value, empty list and out-of-range or
        ambiguous quota, each naming its key.
    """
    issues, axes = grid_issues(programme, grid)
    if issues:
        raise InvalidProgramme(issues, source=source)
    return jobs_from_axes(axes)


def jobs_from_axes(axes: Sequence[tuple[Target, Sequence[Value]]]) -> list[Job]:
    """The cartesian product of checked axes, as jobs numbered in order."""
    settings = [[Setting(target, value) for value in values] for target, values in axes]
    return [Job(k, tuple(combo)) for k, combo in enumerate(itertools.product(*settings))]
