"""Where a problem is: model locations and their readable renderings.

Validation speaks in *model locations*, pydantic-style tuples such as
``("left", "enterprises", 3, "capacity", "max")``. People speak in files, rows and fields. This
module holds the location type, the :class:`Found` record (a problem at a model location) and two
renderers: :class:`JsonWhere` for programme JSON (``programme.json: left.enterprises[3]
(id 'CN-004').capacity.max``) and :class:`BundleWhere` for a spreadsheet bundle (``left.csv,
row 6, field 'capabilities' (tag 'ai')``). Keeping the rendering here lets one validation core
serve every input format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BundleWhere", "Found", "JsonWhere", "Loc", "WhereFn", "plural_rows"]

#: A model location; an element that is a tuple of ints names several list items at once
#: (e.g. the rows sharing a duplicate id).
Loc = tuple[Any, ...]

#: Renders a model location as text a person can find.
WhereFn = Callable[[Loc], str]

_KEYED_FIELDS = ("capabilities", "needs", "vocabulary")
_CAPACITY_COLUMNS = {"min": "capacity_min", "max": "capacity_max"}


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


def plural_rows(rows: Sequence[int]) -> str:
    """``"row 4"`` or ``"rows 2, 5 and 9"``: spreadsheet row numbers as a person writes them."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    head = ", ".join(str(r) for r in rows[:-1])
    return f"rows {head} and {rows[-1]}"


def _key_text(loc: Loc, k: int) -> str:
    """Render a dict key at ``loc[k]``; pydantic marks a bad key with a following ``'[key]'``."""
    return f"[{loc[k]!r}]"


@dataclass(frozen=True)
class JsonWhere:
    """Render model locations as JSON paths, with each enterprise's id to find it by.

    Parameters
    ----------
    data
        The raw data being validated (used to look up enterprise ids; may be malformed).
    source
        The file name to prefix, or ``None`` for in-memory data.
    """

    data: Any
    source: str | None = None

    def __call__(self, loc: Loc) -> str:
        text = self.path(loc)
        if self.source:
            return f"{self.source}: {text}" if text else self.source
        return text

    def path(self, loc: Loc) -> str:
        """The JSON path of ``loc`` without the file name."""
        parts: list[str] = []
        for k, item in enumerate(loc):
            if item == "[key]":
                parts.append(" (the tag name)")
            elif isinstance(item, tuple):
                parts.append(", ".join(f"[{i}]" for i in item) + self._id_note(loc[:k], item[0]))
            elif isinstance(item, int):
                parts.append(f"[{item}]" + self._id_note(loc[:k], item))
            elif k > 0 and loc[k - 1] in _KEYED_FIELDS:
                parts.append(_key_text(loc, k))
            else:
                parts.append(("." if parts else "") + str(item))
        return "".join(parts)

    def _id_note(self, prefix: Loc, index: int) -> str:
        if len(prefix) != 2 or prefix[1] != "enterprises":
            return ""
        try:
            ident = self.data[prefix[0]]["enterprises"][index]["id"]
        except (KeyError, IndexError, TypeError):
            return ""
        return f" (id {ident.strip()!r})" if isinstance(ident, str) and ident.strip() else ""


@dataclass
class BundleWhere:
    """Render model locations as file, row and field of a spreadsheet bundle.

    Parameters
    ----------
    files
        The file holding each side's enterprises, the rules and the scores, e.g.
        ``{"left": "left.csv", "right": "right.csv", "rules": "rules.toml",
        "scores": "scores.csv"}``.
    rows
        For each side, the spreadsheet row number (header = row 1) of each enterprise.
    id_cells
        ``True`` when the enterprises come from a score matrix's header and first column
        (``pairing solve --scores``) rather than from ``left.csv``/``right.csv``.
    """

    files: Mapping[str, str]
    rows: dict[str, list[int]] = field(default_factory=dict)
    id_cells: bool = False

    def __call__(self, loc: Loc) -> str:
        if not loc:
            return ""
        head = loc[0]
        if head in ("left", "right"):
            return self._side(head, loc[1:])
        if head == "rules":
            return self._rules(loc[1:])
        if head == "scores":
            return self.files.get("scores", "scores")
        if head == "preferences":
            return self._preference(loc[1:])
        if head == "name":
            return f"{self.files.get('rules', 'rules.toml')}, key 'name'"
        if head == "vocabulary":
            tail = f" key {loc[1]!r}" if len(loc) > 1 else ""
            return f"{self.files.get('rules', 'rules.toml')}, [vocabulary]{tail}"
        return ".".join(str(x) for x in loc)

    def _row(self, side: str, index: Any) -> str:
        numbers = self.rows.get(side, [])
        indices = index if isinstance(index, tuple) else (index,)
        found = [numbers[i] if 0 <= i < len(numbers) else i + 2 for i in indices]
        return plural_rows(found)

    def _side(self, side: str, rest: Loc) -> str:
        if rest and rest[0] == "label":
            return f"{self.files.get('rules', 'rules.toml')}, [sides] key {side!r}"
        if self.id_cells:
            return self._id_cell(side, rest)
        name = self.files.get(side, f"{side}.csv")
        if len(rest) < 2 or rest[0] != "enterprises":
            return name
        text = f"{name}, {self._row(side, rest[1])}"
        fields = rest[2:]
        if not fields:
            return text
        column = str(fields[0])
        if column == "capacity":
            if len(fields) > 1 and fields[1] in _CAPACITY_COLUMNS:
                return f"{text}, field {_CAPACITY_COLUMNS[fields[1]]!r}"
            return f"{text}, fields 'capacity_min' and 'capacity_max'"
        text += f", field {column!r}"
        if column in _KEYED_FIELDS and len(fields) > 1:
            text += f" (tag {fields[1]!r})"
        return text

    def _preference(self, rest: Loc) -> str:
        """``preferences.csv, row 5, field 'to'`` (rows of a disagreement listed together)."""
        name = self.files.get("preferences", "preferences.csv")
        if not rest:
            return name
        text = f"{name}, {self._row('preferences', rest[0])}"
        return text + (f", field {str(rest[1])!r}" if len(rest) > 1 else "")

    def _id_cell(self, side: str, rest: Loc) -> str:
        name = self.files.get("scores", "scores.csv")
        if len(rest) < 2 or rest[0] != "enterprises":
            return name
        index = rest[1]
        indices = index if isinstance(index, tuple) else (index,)
        if side == "left":
            return f"{name}, {self._row('left', index)}, column 1 (left ids)"
        columns = ", ".join(str(i + 2) for i in indices)
        label = "column" if len(indices) == 1 else "columns"
        return f"{name}, row 1 (right ids), {label} {columns}"

    def _rules(self, rest: Loc) -> str:
        name = self.files.get("rules", "rules.toml")
        if not rest:
            return name
        key = rest[0]
        tables = {"quotas": "[[quota]]", "pair_quotas": "[[pair_quota]]", "sources": "[[source]]"}
        if key in tables:
            text = f"{name}, {tables[key]}"
            if len(rest) > 1 and isinstance(rest[1], int):
                text += f" #{rest[1] + 1}"
            elif len(rest) > 1 and isinstance(rest[1], tuple):
                text += " " + ", ".join(f"#{k + 1}" for k in rest[1])
            if len(rest) > 2:
                text += f", key {rest[2]!r}"
            return text
        if key in ("forbidden", "required"):
            text = f"{name}, {key}"
            if len(rest) > 1 and isinstance(rest[1], int):
                text += f" item {rest[1] + 1}"
            if len(rest) > 2 and isinstance(rest[2], int):
                text += f" ({'left' if rest[2] == 0 else 'right'} id)"
            return text
        if key == "weights":
            tail = f" key {rest[1]!r}" if len(rest) > 1 else ""
            return f"{name}, [weights]{tail}"
        return f"{name}, key {key!r}"
