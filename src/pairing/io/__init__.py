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

from pairing.io.loader import load
from pairing.io.scores_only import from_scores, load_scores
from pairing.io.validate import programme_from_data
from pairing.io.writers import dump_programme_json, write_bundle

__all__ = [
    "dump_programme_json",
    "from_scores",
    "load",
    "load_scores",
    "programme_from_data",
    "write_bundle",
]
