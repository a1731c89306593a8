"""Read a bundle's ``rules.toml`` into the raw ``rules`` (and side labels) of a programme.

The format is the design's (``objective``, ``fair_to``, ``min_score``, ``proposing``,
``sense``, ``score_scale``,
``[sides]``, ``[weights]``, ``[[quota]]``, ``[[pair_quota]]``, ``[[partner_quota]]``,
``[[source]]``, ``forbidden``, ``required``), plus two optional
keys that let a bundle hold a whole programme: ``name`` (the programme's name) and
``[vocabulary]`` (tag = sector). Top-level keys written after a table header, as in the design's
example, are read as top-level keys (see :func:`_hoist`). Broken TOML is reported with its line
and column, and unknown keys are named with the closest known key; value checks are the model's.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pairing.errors import Issue
from pairing.io.files import read_text
from pairing.io.limits import unreadable_toml
from pairing.io.messages import unknown_key_message

__all__ = ["RULES_KEYS", "RulesFile", "read_rules"]

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


def _sides(value: Any, name: str, parsed: RulesFile) -> list[Issue]:
    if not isinstance(value, dict):
        return [Issue(f"{name}, [sides]", "expected a table with keys 'left' and 'right'")]
    issues = []
    for key, label in value.items():
        if key in ("left", "right"):
            parsed.labels[key] = label
        else:
            message = unknown_key_message(key, ["left", "right"], "key")
            issues.append(Issue(f"{name}, [sides] key {key!r}", message))
    return issues


def _hoist(document: dict[str, Any], name: str) -> list[Issue]:
    """Move top-level keys that TOML put inside a table back to the top level.

    In TOML every key after a ``[table]`` header belongs to that table, so the design's own
    example (``forbidden = ...`` after ``[[pair_quota]]``) puts ``forbidden`` and ``required``
    inside the last pair quota. Those keys mean nothing inside a table, so they are read as the
    top-level keys they were meant to be; one given both places is reported.
    """
    issues = []
    for key in ("weights", "sides", "quota", "pair_quota", "partner_quota", "source"):
        value = document.get(key)
        entries = value if isinstance(value, list) else [value]
        for k, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                continue
            table = f"[[{key}]] #{k}" if isinstance(value, list) else f"[{key}]"
            own = ("name",) if key == "source" else ()  # a source's name is its own
            for inner in [x for x in entry if x in _TOP_LEVEL_ONLY and x not in own]:
                moved = entry.pop(inner)
                if inner in document:
                    message = (
                        f"{inner!r} is given twice: at the top level and after the {table} "
                        "header (where TOML puts it); keep one"
                    )
                    issues.append(Issue(f"{name}, {table}, key {inner!r}", message))
                else:
                    document[inner] = moved
    return issues


def read_rules(path: Path, name: str = "rules.toml") -> tuple[RulesFile, list[Issue]]:
    """Read ``rules.toml``.

    Parameters
    ----------
    path
        The TOML file.
    name
        How messages name it.

    Returns
    -------
    (RulesFile, list of Issue)
        The raw rules, labels and extra programme keys, and every problem found in the file's
        syntax and structure (value problems are found when the programme is validated).
    """
    parsed = RulesFile()
    text, issues = read_text(path, "rules file")
    if text is None:
        return parsed, [Issue(name, i.message) for i in issues]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = f"not valid TOML: {exc}; check the quotes, brackets and '=' there"
        return parsed, [Issue(name, message)]
    except (RecursionError, ValueError) as exc:
        return parsed, [Issue(name, unreadable_toml(exc))]
    issues += _hoist(document, name)
    for key, value in document.items():
        if key in _RULES_KEYS:
            tables = ("quota", "pair_quota", "partner_quota", "source")
            if key in tables and isinstance(value, dict):
                message = f"write each entry as [[{key}]] (an array of tables), not [{key}]"
                issues.append(Issue(f"{name}, [{key}]", message))
                continue
            parsed.rules[_RULES_KEYS[key]] = value
        elif key == "sides":
            issues += _sides(value, name, parsed)
        elif key in ("name", "vocabulary"):
            parsed.extra[key] = value
        else:
            issues.append(
                Issue(f"{name}, key {key!r}", unknown_key_message(key, list(RULES_KEYS), "key"))
            )
    return parsed, issues
