"""Read a bundle's ``rules.toml`` into the raw ``rules`` (and side labels) of a programme.

The format is the design's (``objective``, ``fair_to``, ``min_score``, ``proposing``,
``sense``, ``score_scale``,
``[sides]``, ``[weights]``, ``[[quota]]``, ``[[pair_quota]]``, ``[[partner_quota]]``,
``[[source]]``, ``forbidden``, ``required``), plus two optional
keys that let a bundle hold a whole programme: ``name`` (the programme's name) and
``[vocabulary]`` (tag = sector). Top-level keys written after a table header, as in the design's
example, are read as top-level keys (see :func:`_hoist`). Broken TOML is reported with its line
and column, and unknown keys are named with the closest known key; value checks are the model's.
:func:`rules_from_document` reads the parsed document, whether it came from ``rules.toml`` or
from a workbook's rule sheets; each problem is located by a
:class:`~pairing.io.locations.RulesPlaces`, which knows which of the two it was.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pairing.io.files import read_text
from pairing.io.limits import unreadable_toml
from pairing.io.locations import Located, RulesPlaces
from pairing.io.messages import unknown_key_message

__all__ = [
    "RULES_KEYS",
    "TABLE_KEYS",
    "RulesFile",
    "read_rules",
    "rules_from_document",
    "rules_from_text",
]

#: Top-level keys of ``rules.toml`` copied into ``Programme.rules`` (TOML name → model name).
_RULES_KEYS = {
    "objective": "objective",
    "fair_to": "fair_to",
    "min_score": "min_score",
    "proposing": "proposing",
    "sense": "sense",
    "score_scale": "score_scale",
    "weights": "weights",
    "quota": "quotas",
    "pair_quota": "pair_quotas",
    "partner_quota": "partner_quotas",
    "forbidden": "forbidden",
    "required": "required",
    "source": "sources",
}
RULES_KEYS: tuple[str, ...] = (*_RULES_KEYS, "sides", "name", "vocabulary")
#: The array-of-tables keys (one table per quota, source ...).
TABLE_KEYS: tuple[str, ...] = ("quota", "pair_quota", "partner_quota", "source")
_TOP_LEVEL_ONLY = frozenset(
    ("objective", "fair_to", "min_score", "proposing", "sense", "score_scale", "forbidden",
     "required", "name")
)


@dataclass
class RulesFile:
    """What ``rules.toml`` says, as raw programme data."""

    rules: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, Any] = field(default_factory=lambda: {"left": "left", "right": "right"})
    extra: dict[str, Any] = field(default_factory=dict)


def _sides(value: Any, places: RulesPlaces, parsed: RulesFile) -> list[Located]:
    if not isinstance(value, dict):
        return [Located(places.key("sides", None),
                        "expected a table with keys 'left' and 'right'")]
    issues = []
    for key, label in value.items():
        if key in ("left", "right"):
            parsed.labels[key] = label
        else:
            message = unknown_key_message(key, ["left", "right"], "key")
            issues.append(Located(places.key("sides", key), message))
    return issues


def _hoist(document: dict[str, Any], places: RulesPlaces) -> list[Located]:
    """Move top-level keys that TOML put inside a table back to the top level.

    In TOML every key after a ``[table]`` header belongs to that table, so the design's own
    example (``forbidden = ...`` after ``[[pair_quota]]``) puts ``forbidden`` and ``required``
    inside the last pair quota. Those keys mean nothing inside a table, so they are read as the
    top-level keys they were meant to be; one given both places is reported.
    """
    issues = []
    for key in ("weights", "sides", *TABLE_KEYS):
        value = document.get(key)
        entries = value if isinstance(value, list) else [value]
        for k, entry in enumerate(entries):
            if not isinstance(entry, dict):
                continue
            own = ("name",) if key == "source" else ()  # a source's name is its own
            for inner in [x for x in entry if x in _TOP_LEVEL_ONLY and x not in own]:
                moved = entry.pop(inner)
                if inner in document:
                    if isinstance(value, list):
                        table, place = f"[[{key}]] #{k + 1}", places.entry(key, k, inner)
                    else:
                        table, place = f"[{key}]", places.key(key, inner)
                    message = (
                        f"{inner!r} is given twice: at the top level and after the {table} "
                        "header (where TOML puts it); keep one"
                    )
                    issues.append(Located(place, message))
                else:
                    document[inner] = moved
    return issues


def rules_from_document(
    document: dict[str, Any], places: RulesPlaces
) -> tuple[RulesFile, list[Located]]:
    """The raw rules, labels and extra programme keys of a parsed rules document.

    Parameters
    ----------
    document
        ``rules.toml`` parsed, or a workbook's rule sheets in the same layout (changed in place:
        keys TOML put inside a table move back to the top level).
    places
        Where the rules are written, to locate each problem.

    Returns
    -------
    (RulesFile, list of Located)
        The rules and every problem of structure (value problems are found when the programme
        is validated).
    """
    parsed = RulesFile()
    issues = _hoist(document, places)
    for key, value in document.items():
        if key in _RULES_KEYS:
            if key in TABLE_KEYS and isinstance(value, dict):
                message = f"write each entry as [[{key}]] (an array of tables), not [{key}]"
                issues.append(Located(places.key(key, None), message))
                continue
            parsed.rules[_RULES_KEYS[key]] = value
        elif key == "sides":
            issues += _sides(value, places, parsed)
        elif key in ("name", "vocabulary"):
            parsed.extra[key] = value
        else:
            message = unknown_key_message(key, list(RULES_KEYS), "key")
            issues.append(Located(places.key(None, key), message))
    return parsed, issues


def read_rules(path: Path, name: str = "rules.toml") -> tuple[RulesFile, list[Located]]:
    """Read a ``rules.toml`` file (see :func:`rules_from_text`)."""
    text, issues = read_text(path, "rules file")
    if text is None:
        return RulesFile(), [Located(RulesPlaces(name).whole(), i.message) for i in issues]
    return rules_from_text(text, name)


def rules_from_text(text: str, name: str = "rules.toml") -> tuple[RulesFile, list[Located]]:
    """Parse ``rules.toml``.

    Parameters
    ----------
    text
        The TOML text.
    name
        How messages name the file.

    Returns
    -------
    (RulesFile, list of Located)
        As for :func:`rules_from_document`; broken TOML is one problem, with its line.
    """
    places = RulesPlaces(name)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = f"not valid TOML: {exc}; check the quotes, brackets and '=' there"
        return RulesFile(), [Located(places.whole(), message)]
    except (RecursionError, ValueError) as exc:
        return RulesFile(), [Located(places.whole(), unreadable_toml(exc))]
    return rules_from_document(document, places)
