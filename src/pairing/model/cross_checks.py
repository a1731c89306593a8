"""Cross-field checks on *raw* programme data, located precisely.

:func:`pairing.model.programme_issues` checks a validated programme, and pydantic runs it only
when every field is valid. A person fixing a spreadsheet wants every problem in one report, so
these checks run on the raw data too: they tolerate malformed input (skipping whatever a field
error already covers) and return model locations (:class:`~pairing.io.locations.Found`) rather
than text, so each problem can be pointed at a file, row and field. The messages are the same
text as the model's, which lets :mod:`pairing.io.validate` match the two and never report one
problem twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from pairing.io.locations import Found

__all__ = ["raw_cross_checks"]

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


def _score_shape(data: Mapping[str, Any]) -> list[Found]:
    scores = data.get("scores")
    left, right = _enterprises(data, "left"), _enterprises(data, "right")
    if scores is None or left is None or right is None:
        return []
    shape = np.shape(scores) if isinstance(scores, np.ndarray) else None
    if shape is None:
        if not isinstance(scores, list) or not all(isinstance(r, list) for r in scores):
            return []
        widths = {len(r) for r in scores}
        if len(widths) > 1:
            return []
        shape = (len(scores), widths.pop() if widths else 0)
    if len(shape) != 2 or shape == (len(left), len(right)):
        return []
    return [
        Found(
            ("scores",),
            f"expected a {len(left)}×{len(right)} matrix (left × right), got {shape[0]}×{shape[1]}",
        )
    ]


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
        entries = [s for s in sources if isinstance(s, Mapping)]
        if len(entries) == len(sources):
            found += source_findings(entries, shape)
    return [Found(loc, message) for loc, message in found]


def raw_cross_checks(data: Mapping[str, Any]) -> list[Found]:
    """Every cross-field problem visible in raw programme data.

    Parameters
    ----------
    data
        Raw programme data (e.g. parsed JSON); it may be malformed anywhere.

    Returns
    -------
    list of Found
        Duplicate ids, unknown ids in ``forbidden``/``required``, pairs both required and
        forbidden or required twice, quota groups no enterprise has, and a score matrix of the
        wrong shape, each at its model location.
    """
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
        + _score_source_checks(data, rules, ids)
    )
