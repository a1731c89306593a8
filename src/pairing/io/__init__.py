"""Reading and writing programmes: programme JSON, spreadsheet bundles and score matrices.

- :func:`load`: a programme JSON file or a bundle folder (``left.csv``, ``right.csv``,
  optional ``scores.csv`` and ``rules.toml``).
- :func:`load_scores` and :func:`from_scores`: a score matrix alone (CSV or array), with the
  linear-assignment capacity convention.
- :func:`programme_from_data`: validate raw data (e.g. parsed JSON).
- :func:`write_bundle` and :func:`dump_programme_json`: the way back, exactly.

Every reader reports *all* problems at once in one :class:`~pairing.errors.InvalidProgramme`,
each naming its file, row (or JSON path) and field, and saying what was expected and found.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

#: Public name → its module, imported on first use: a command that only writes a file
#: (:mod:`pairing.io.atomic`) does not pay for the readers and the programme model.
_LAZY: dict[str, str] = {
    "dump_programme_json": "pairing.io.writers",
    "from_scores": "pairing.io.scores_only",
    "load": "pairing.io.loader",
    "load_scores": "pairing.io.scores_only",
    "programme_from_data": "pairing.io.validate",
    "write_bundle": "pairing.io.writers",
}

if TYPE_CHECKING:
    from pairing.io.loader import load
    from pairing.io.scores_only import from_scores, load_scores
    from pairing.io.validate import programme_from_data
    from pairing.io.writers import dump_programme_json, write_bundle


def __getattr__(name: str) -> object:
    """Import a public name's module on first use."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'pairing.io' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "dump_programme_json",
    "from_scores",
    "load",
    "load_scores",
    "programme_from_data",
    "write_bundle",
]


def __dir__() -> list[str]:
    """The module's names, the lazily imported ones included."""
    return sorted(set(globals()) | set(__all__))
