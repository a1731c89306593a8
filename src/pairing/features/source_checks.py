"""Cross-field checks of the score sources: stated interest and extra score matrices.

One set of checks serves two callers: :func:`pairing.model.programme.programme_issues` (a validated
programme) and :mod:`pairing.model.cross_checks` (raw data, which may be malformed anywhere, so
that every problem is reported in one run). Both get the same messages at the same model
locations, e.g. ``("preferences", 3, "to")``; each caller renders the location for its format
(a JSON path, or ``preferences.csv, row 5, field 'to'``).

What is checked, all at once: an id that is on neither side; a ``from``/``to`` pair on the same
side; an id pair that could be read in both directions (the two sides share both ids); the same
stated interest given twice with different values; source names used twice; a source matrix of
the wrong shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pairing.model.programme import INTEREST_LEVELS

__all__ = ["Finding", "preference_findings", "source_findings"]

#: A problem at a model location: ``(loc, message)``.
Finding = tuple[tuple[Any, ...], str]


def _clean(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _interest_key(value: Any) -> str | None:
    """A comparable form of a raw interest (``high`` and ``1.0`` agree); None if unreadable."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "veto":
            return word
        if word in INTEREST_LEVELS:
            return repr(INTEREST_LEVELS[word])
        try:
            value = float(word)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return repr(float(value))


def _describe(key: str) -> str:
    return key if key == "veto" else str(float(key))


def preference_findings(
    preferences: Sequence[Any],
    ids: Mapping[str, set[str]],
    labels: Mapping[str, str],
    required: set[tuple[str, str]] | None = None,
) -> list[Finding]:
    """Problems of a ``preferences`` list (raw mappings or :class:`~pairing.model.Preference`).

    Parameters
    ----------
    preferences
        The entries, each with ``from``, ``to`` and ``interest``.
    ids
        Each side's enterprise ids (``"left"``, ``"right"``).
    labels
        Each side's label, for messages.
    required
        The required pairs (left id, right id): a veto of one is a contradiction.
    """
    findings: list[Finding] = []
    seen: dict[tuple[str, str], list[tuple[int, str]]] = {}
    both = f"{labels['left']} or {labels['right']}"
    for k, entry in enumerate(preferences):
        if isinstance(entry, Mapping):
            source, target, interest = entry.get("from"), entry.get("to"), entry.get("interest")
        elif hasattr(entry, "from_"):
            source, target, interest = entry.from_, entry.to, entry.interest
        else:
            continue  # not an entry at all (a list, a number): the model reports its type
        a, b = _clean(source), _clean(target)
        if a is None or b is None:
            continue  # a missing or empty id is a field error, reported by the model
        bad = False
        for field, ident in (("from", a), ("to", b)):
            if ident not in ids["left"] and ident not in ids["right"]:
                bad = True
                message = f"unknown id {ident!r}; expected the id of a {both} enterprise"
                findings.append((("preferences", k, field), message))
        if bad:
            continue
        forward = a in ids["left"] and b in ids["right"]
        backward = a in ids["right"] and b in ids["left"]
        if not forward and not backward:
            side = "left" if a in ids["left"] else "right"
            other = "right" if side == "left" else "left"
            message = (
                f"{a!r} and {b!r} are both {labels[side]} enterprises; 'to' must be an "
                f"enterprise of the other side ({labels[other]})"
            )
            findings.append((("preferences", k, "to"), message))
            continue
        if forward and backward:
            message = (
                f"{a!r} and {b!r} are ids on both sides, so the direction is ambiguous; "
                "rename the ids so that each names one enterprise"
            )
            findings.append((("preferences", k, "from"), message))
            continue
        key = _interest_key(interest)
        if key is not None:
            seen.setdefault((a, b), []).append((k, key))
        pair = (a, b) if forward else (b, a)
        if key == "veto" and pair in (required or set()):
            message = f"{a!r} vetoes {b!r}, but rules.required has this pair; drop one of them"
            findings.append((("preferences", k, "interest"), message))
    for (a, b), entries in seen.items():
        values = sorted({key for _, key in entries})
        if len(values) > 1:
            rows = tuple(k for k, _ in entries)
            message = (
                f"the interest of {a!r} in {b!r} is given {len(entries)} times with different "
                f"values ({', '.join(_describe(v) for v in values)}); keep one"
            )
            findings.append((("preferences", rows, "interest"), message))
    return findings


def source_findings(sources: Sequence[Any], shape: tuple[int, int] | None) -> list[Finding]:
    """Problems of ``rules.sources``: names used twice, matrices of the wrong shape."""
    findings: list[Finding] = []
    names: dict[str, list[int]] = {}
    for k, source in enumerate(sources):
        if isinstance(source, Mapping):
            name, scores = _clean(source.get("name")), source.get("scores")
        else:
            name, scores = source.name, source.scores
        if name is not None:
            names.setdefault(name, []).append(k)
        got = getattr(scores, "shape", None)
        if shape is not None and got is not None and tuple(got) != shape:
            message = (
                f"expected a {shape[0]}×{shape[1]} matrix (left × right), "
                f"got {'×'.join(str(n) for n in got)}"
            )
            findings.append((("rules", "sources", k, "scores"), message))
    for name, ks in names.items():
        if len(ks) > 1:
            message = (
                f"source name {name!r} is used {len(ks)} times; give each source its own name "
                "(sweeps address a source's weight by name)"
            )
            findings.append((("rules", "sources", tuple(ks), "name"), message))
    return findings
