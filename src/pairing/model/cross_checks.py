"""The programme's cross-field checks, once, on raw programme data, with their locations.

Field checks (types, ranges) are pydantic's; the checks that need the whole programme —
duplicate ids, unknown ids in ``forbidden``/``required``, a pair both required and forbidden or
required twice, a quota group nobody has, a score matrix of the wrong shape, a ``sense`` or
``score_scale`` without a matrix to apply to, stated interest and extra score matrices that do
not fit — are here, and only here. They run on the raw mapping a reader assembled (parsed JSON,
a bundle's sheets, a workbook), before or alongside pydantic, so that one report holds every
problem even when some fields are malformed: each check skips whatever a field error already
covers. A validated :class:`~pairing.model.Programme` built in code runs the same checks on
:func:`programme_view` of itself.

A problem is a :class:`Found`: a message and its *model location* (``("left", "enterprises",
3, "id")``), kept as data; each input format renders the location once, at the end, as the
place a person looks (:mod:`pairing.io.locations`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel

if TYPE_CHECKING:
    from pairing.model.programme import Programme

__all__ = ["CHECKED", "Found", "Loc", "cross_checks", "programme_view"]

#: A model location; an element that is a tuple of ints names several list items at once
#: (e.g. the rows sharing a duplicate id).
Loc = tuple[Any, ...]

#: The validation context key (``Programme.model_validate(data, context={CHECKED: True})``) of
#: a caller that ran :func:`cross_checks` on the raw data itself: the model does not run them
#: again.
CHECKED = "cross_checked"


@dataclass(frozen=True)
class Found:
    """One problem at a model location, before it is rendered for a particular input format.

    Parameters
    ----------
    loc
        The model location (see :data:`Loc`).
    message
        What was expected, what was found and what to try.
    """

    loc: Loc
    message: str


_SIDES = ("left", "right")
_GROUP_FIELDS = ("sector", "region", "size")


def _text(value: Any) -> str | None:
    """A non-empty stripped string, or ``None`` when ``value`` is not one."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _enterprises(data: Mapping[str, Any], side: str) -> list[Any] | None:
    block = data.get(side)
    if not isinstance(block, Mapping):
        return None
    rows = block.get("enterprises")
    return rows if isinstance(rows, list) else None


def _label(data: Mapping[str, Any], side: str) -> str:
    block = data.get(side)
    label = _text(block.get("label")) if isinstance(block, Mapping) else None
    return label or side


def _pairs(rules: Mapping[str, Any], kind: str) -> list[tuple[int, tuple[str, str]]]:
    """The well-formed pairs of ``rules[kind]`` with their positions."""
    items = rules.get(kind)
    if not isinstance(items, list | tuple):
        return []
    found = []
    for k, item in enumerate(items):
        if isinstance(item, list | tuple) and len(item) == 2:
            a, b = _text(item[0]), _text(item[1])
            if a is not None and b is not None:
                found.append((k, (a, b)))
    return found


def _duplicate_ids(data: Mapping[str, Any], ids: dict[str, list[str | None]]) -> list[Found]:
    found = []
    for side in _SIDES:
        if side not in ids:
            continue
        positions: dict[str, list[int]] = {}
        for k, ident in enumerate(ids[side]):
            if ident is not None:
                positions.setdefault(ident, []).append(k)
        for ident in sorted(i for i, rows in positions.items() if len(rows) > 1):
            found.append(
                Found(
                    (side, "enterprises", tuple(positions[ident]), "id"),
                    f"duplicate id {ident!r}: ids must be unique within a side; rename one",
                )
            )
    return found


def _pair_checks(
    data: Mapping[str, Any], rules: Mapping[str, Any], ids: dict[str, list[str | None]]
) -> list[Found]:
    found = []
    for kind in ("forbidden", "required"):
        for k, pair in _pairs(rules, kind):
            for pos, side in enumerate(_SIDES):
                if side in ids and pair[pos] not in ids[side]:
                    found.append(
                        Found(
                            ("rules", kind, k, pos),
                            f"unknown {side} id {pair[pos]!r}; expected one of the "
                            f"{_label(data, side)} enterprises' ids",
                        )
                    )
    forbidden = {pair for _, pair in _pairs(rules, "forbidden")}
    required = _pairs(rules, "required")
    first: dict[tuple[str, str], int] = {}
    reported: set[tuple[str, str]] = set()
    for k, pair in required:
        if pair in forbidden and pair not in reported:
            reported.add(pair)
            found.append(
                Found(
                    ("rules", "required", k),
                    f"pair {pair[0]!r}–{pair[1]!r} is both required and forbidden; keep one",
                )
            )
    for k, pair in required:
        if pair in first and first[pair] >= 0:
            found.append(
                Found(("rules", "required", k), f"pair {pair[0]!r}–{pair[1]!r} is listed twice")
            )
            first[pair] = -1
        elif pair not in first:
            first[pair] = k
    return found


def _groups(enterprises: list[Any], by: str) -> set[str]:
    values = set()
    for e in enterprises:
        if isinstance(e, Mapping):
            value = _text(e.get(by))
            if value is not None:
                values.add(value)
    return values


def _bounds_text(quota: Mapping[str, Any]) -> str:
    parts = [f"{key} {quota[key]}" for key in ("min", "max") if quota.get(key) is not None]
    return " " + " ".join(parts)


def _named_groups(
    data: Mapping[str, Any], rules: Mapping[str, Any], kind: str, of_partners: bool
) -> list[Found]:
    """Quotas (``kind`` ``quotas``) or partner quotas naming a group nobody has: a quota's
    group is among its side's enterprises, a partner quota's among the other side's."""
    found = []
    entries = rules.get(kind)
    for k, quota in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(quota, Mapping):
            continue
        side, by, group = quota.get("side"), quota.get("by"), _text(quota.get("group"))
        if side not in _SIDES or by not in _GROUP_FIELDS or group is None:
            continue
        if of_partners and group == "*":  # every distinct value: nothing to look up
            continue
        holder = ("right" if side == "left" else "left") if of_partners else side
        enterprises = _enterprises(data, holder)
        if enterprises is None:
            continue
        groups = _groups(enterprises, by)
        if group not in groups:
            who = f"{_label(data, holder)} enterprise" + (" (the partners)" if of_partners else "")
            known = ", ".join(sorted(groups)) or "none"
            found.append(Found(("rules", kind, k),
                               f"no {who} has {by} {group!r}; known {by}s: {known}"))
    return found


def _quota_checks(data: Mapping[str, Any], rules: Mapping[str, Any]) -> list[Found]:
    found = _named_groups(data, rules, "quotas", of_partners=False)
    found += _named_groups(data, rules, "partner_quotas", of_partners=True)
    pair_quotas = rules.get("pair_quotas")
    for k, pq in enumerate(pair_quotas if isinstance(pair_quotas, list) else []):
        if not isinstance(pq, Mapping):
            continue
        for side in _SIDES:
            sector = _text(pq.get(f"{side}_sector"))
            enterprises = _enterprises(data, side)
            if sector is None or enterprises is None:
                continue
            sectors = _groups(enterprises, "sector")
            if sector not in sectors:
                known = ", ".join(sorted(sectors)) or "none"
                found.append(
                    Found(
                        ("rules", "pair_quotas", k, f"{side}_sector"),
                        f"no {_label(data, side)} enterprise has sector {sector!r}; "
                        f"known sectors: {known}",
                    )
                )
    return found


def _matrix_shape(value: Any) -> tuple[int, ...] | None:
    """The shape of a raw matrix (an array, or a list of equally long lists), else ``None``."""
    if isinstance(value, np.ndarray):
        return tuple(value.shape)
    if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
        return None
    widths = {len(r) for r in value}
    if len(widths) > 1:
        return None
    return (len(value), widths.pop() if widths else 0)


@dataclass(frozen=True)
class _Shaped:
    """A raw matrix as far as the source checks read it: its shape."""

    shape: tuple[int, ...]


def _score_shape(data: Mapping[str, Any]) -> list[Found]:
    left, right = _enterprises(data, "left"), _enterprises(data, "right")
    shape = _matrix_shape(data.get("scores"))
    if shape is None or left is None or right is None:
        return []
    if len(shape) != 2 or shape == (len(left), len(right)):
        return []
    return [
        Found(
            ("scores",),
            f"expected a {len(left)}×{len(right)} matrix (left × right), got {shape[0]}×{shape[1]}",
        )
    ]


_DEFAULT_SCALE = {"sense": "score", "score_scale": "unit"}


def _positive(value: Any, default: float) -> bool:
    """Whether a raw weight adds to the score (a malformed one is a field error, not this)."""
    if value is None:
        value = default
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


def _scale_checks(data: Mapping[str, Any], rules: Mapping[str, Any]) -> list[Found]:
    """``sense``/``score_scale`` other than the default need the organisers' matrix as the only
    score term: a cost, or a matrix on its own scale, has no place in a weighted mean of terms
    in [0, 1], and its values could not be reported on the user's scale."""
    given_values = {key: rules.get(key, default) for key, default in _DEFAULT_SCALE.items()}
    if given_values["sense"] not in ("score", "cost") or \
            given_values["score_scale"] not in ("unit", "auto"):
        return []  # a field error
    given = ", ".join(f"{key} = {value!r}" for key, value in given_values.items()
                      if value != _DEFAULT_SCALE[key])
    if not given:
        return []
    if data.get("scores") is None:
        return [Found(("rules",), f"{given} applies to the organisers' score matrix (scores.csv, "
                                  "'scores'), and this programme has none; remove it, or give "
                                  "the matrix")]
    weights = rules.get("weights")
    weights = weights if isinstance(weights, Mapping) else {}
    others = [f"weights.{k}" for k in ("preference", "text") if _positive(weights.get(k), 0.0)]
    sources = rules.get("sources")
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, Mapping) and _positive(source.get("weight"), 1.0):
            others.append(f"source {_text(source.get('name'))!r}")
    if not others:
        return []
    return [Found(("rules",), f"{given} needs the organisers' matrix as the only score term, "
                              f"but {', '.join(others)} also add(s) to the score; set their "
                              "weights to 0, or rescale the matrix to scores in [0, 1] yourself "
                              "and keep sense = 'score', score_scale = 'unit'")]


def _score_source_checks(
    data: Mapping[str, Any], rules: Mapping[str, Any], ids: dict[str, list[str | None]]
) -> list[Found]:
    """Stated interest and extra score matrices (:mod:`pairing.features.source_checks`)."""
    from pairing.features.source_checks import preference_findings, source_findings

    found = []
    preferences = data.get("preferences")
    if isinstance(preferences, list) and len(ids) == 2:
        known = {side: {i for i in ids[side] if i is not None} for side in _SIDES}
        labels = {side: _label(data, side) for side in _SIDES}
        required = {pair for _, pair in _pairs(rules, "required")}
        found += preference_findings(preferences, known, labels, required)
    sources = rules.get("sources")
    if isinstance(sources, list):
        shape = (len(ids["left"]), len(ids["right"])) if len(ids) == 2 else None
        entries: list[Any] = []
        for source in sources:
            if isinstance(source, Mapping):
                scores = _matrix_shape(source.get("scores"))
                entries.append({**source, "scores": None if scores is None else _Shaped(scores)})
        if len(entries) == len(sources):
            found += source_findings(entries, shape)
    return [Found(loc, message) for loc, message in found]


def _mapping(value: Any) -> Any:
    """A model given within raw data (``from_scores(rules=Rules(...))``) as its fields."""
    return value.model_dump(by_alias=True) if isinstance(value, BaseModel) else value


def _plain(data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` with the models at the places the checks read replaced by their fields."""
    plain = dict(data)
    for side in _SIDES:
        block = _mapping(plain.get(side))
        if isinstance(block, Mapping):
            block = dict(block)
            rows = block.get("enterprises")
            if isinstance(rows, list) and any(isinstance(e, BaseModel) for e in rows):
                block["enterprises"] = [_mapping(e) for e in rows]
            plain[side] = block
    rules = _mapping(plain.get("rules"))
    if isinstance(rules, Mapping):
        rules = dict(rules)
        rules["weights"] = _mapping(rules.get("weights"))
        for kind in ("quotas", "pair_quotas", "partner_quotas", "sources"):
            items = rules.get(kind)
            if isinstance(items, list):
                rules[kind] = [_mapping(item) for item in items]
        plain["rules"] = rules
    return plain


def cross_checks(data: Mapping[str, Any]) -> list[Found]:
    """Every cross-field problem of raw programme data.

    Parameters
    ----------
    data
        Raw programme data (parsed JSON, a bundle's or a workbook's sheets assembled, or
        :func:`programme_view` of a validated programme); it may be malformed anywhere.

    Returns
    -------
    list of Found
        Each problem at its model location (see the module docstring for what is checked).
    """
    data = _plain(data)
    ids: dict[str, list[str | None]] = {}
    for side in _SIDES:
        enterprises = _enterprises(data, side)
        if enterprises is not None:
            ids[side] = [
                _text(e.get("id")) if isinstance(e, Mapping) else None for e in enterprises
            ]
    rules = data.get("rules")
    if not isinstance(rules, Mapping):
        rules = {}
    return (
        _duplicate_ids(data, ids)
        + _pair_checks(data, rules, ids)
        + _quota_checks(data, rules)
        + _score_shape(data)
        + _scale_checks(data, rules)
        + _score_source_checks(data, rules, ids)
    )


_ENTERPRISE_FIELDS = ("id", "sector", "region", "size")


def programme_view(programme: Programme) -> dict[str, Any]:
    """A validated programme as the raw data :func:`cross_checks` reads: the fields the checks
    look at, without copying the enterprises' tags, texts or the matrices."""
    view: dict[str, Any] = {
        side: {
            "label": programme.side(side).label,
            "enterprises": [{name: getattr(e, name) for name in _ENTERPRISE_FIELDS}
                            for e in programme.side(side).enterprises],
        }
        for side in _SIDES
    }
    view["rules"] = programme.rules.model_dump()
    view["scores"] = programme.scores
    view["preferences"] = list(programme.preferences)  # the checks read models as they are
    return view
