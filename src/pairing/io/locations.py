"""Where a problem is: model locations, spreadsheet places, and their readable renderings.

Validation speaks in *model locations*, pydantic-style tuples such as
``("left", "enterprises", 3, "capacity", "max")``, and the cross-field checks return them as
data (:class:`~pairing.model.cross_checks.Found`). Spreadsheet readers speak in
:class:`Place` (file or sheet, rows, detail), also data. People read text: this module renders
both, once, when the report is made: :class:`JsonWhere` for programme JSON
(``programme.json: left.enterprises[3] (id 'CN-004').capacity.max``) and :class:`BundleWhere`
for a spreadsheet bundle or workbook (``left.csv, row 6, field 'capabilities' (tag 'ai')``),
with :class:`RulesPlaces` / :class:`SheetRules` for rules in ``rules.toml`` or in rule sheets.
Keeping the rendering here lets one validation core serve every input format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pairing.errors import Issue
from pairing.model.cross_checks import Found, Loc

__all__ = [
    "RULE_TABLES",
    "BundleWhere",
    "Found",
    "JsonWhere",
    "Loc",
    "Located",
    "Place",
    "RulesPlaces",
    "SheetRules",
    "WhereFn",
    "at",
    "plural_rows",
]

#: Renders a model location as text a person can find.
WhereFn = Callable[[Loc], str]

_KEYED_FIELDS = ("capabilities", "needs", "vocabulary")
_CAPACITY_COLUMNS = {"min": "capacity_min", "max": "capacity_max"}
#: The fields that say which quota an entry of these rule lists is.
_QUOTA_FIELDS = {
    "quotas": ("side", "by", "group"),
    "partner_quotas": ("side", "by", "group"),
    "pair_quotas": ("left_sector", "right_sector"),
}


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
        if prefix[:1] == ("rules",) and len(prefix) == 2 and prefix[1] in _QUOTA_FIELDS:
            return self._quota_note(prefix[1], index)
        if len(prefix) != 2 or prefix[1] != "enterprises":
            return ""
        try:
            ident = self.data[prefix[0]]["enterprises"][index]["id"]
        except (KeyError, IndexError, TypeError):
            return ""
        return f" (id {ident.strip()!r})" if isinstance(ident, str) and ident.strip() else ""


    def _quota_note(self, kind: str, index: int) -> str:
        """`` (quota left sector='AI')``: which quota, to find it by."""
        try:
            entry = self.data["rules"][kind][index]
            keys = _QUOTA_FIELDS[kind]
            values = [entry[key] for key in keys]
        except (KeyError, IndexError, TypeError):
            return ""
        if not all(isinstance(v, str) and v.strip() for v in values):
            return ""
        if kind == "pair_quotas":
            what = f"{values[0].strip()!r}×{values[1].strip()!r}"
        else:
            what = f"{values[0].strip()} {values[1].strip()}={values[2].strip()!r}"
        return f" ({kind[:-1].replace('_', ' ')} {what})"


@dataclass(frozen=True)
class Place:
    """Where in a spreadsheet a problem is, kept as data until the report is rendered.

    Parameters
    ----------
    file
        The file, or a workbook's sheet: ``"left.csv"``, ``"book.xlsx, sheet 'left'"``.
    rows
        Its spreadsheet row numbers (header = row 1), if any.
    detail
        What follows the rows: ``", field 'capacity_max'"``, ``", column 3"``.
    """

    file: str
    rows: tuple[int, ...] = ()
    detail: str = ""

    def __str__(self) -> str:
        text = self.file
        if self.rows:
            text += (", " if text else "") + plural_rows(self.rows)
        return text + self.detail


@dataclass(frozen=True)
class Located:
    """A problem a spreadsheet reader found, at its :class:`Place`."""

    place: Place
    message: str

    def issue(self) -> Issue:
        """The problem as the report shows it."""
        return Issue(str(self.place), self.message)


def at(file: str, rows: int | Sequence[int] | None, detail: str, message: str) -> Located:
    """``message`` at ``file``, row(s) ``rows``, then ``detail``: a reader's one-liner."""
    numbers = () if rows is None else (rows,) if isinstance(rows, int) else tuple(rows)
    return Located(Place(file, numbers, detail), message)


#: A model rule list (``Programme.rules``) → its table in ``rules.toml`` and its workbook sheet.
RULE_TABLES: dict[str, str] = {
    "quotas": "quota",
    "pair_quotas": "pair_quota",
    "partner_quotas": "partner_quota",
    "sources": "source",
    "forbidden": "forbidden",
    "required": "required",
}


class RulesPlaces:
    """Where the rules are written: ``rules.toml`` (this class) or a workbook's rule sheets
    (:class:`SheetRules`). The bundle's readers and :class:`BundleWhere` ask it for places."""

    def __init__(self, name: str = "rules.toml") -> None:
        self.name = name

    def whole(self) -> Place:
        """The rules as a whole."""
        return Place(self.name)

    def key(self, table: str | None, key: str | None) -> Place:
        """A top-level key, a table (``[weights]``), or a key of a table."""
        if table is None:
            return Place(self.name, detail=f", key {key!r}")
        tail = f" key {key!r}" if key is not None else ""
        return Place(self.name, detail=f", [{table}]{tail}")

    def entry(self, kind: str, index: int | tuple[int, ...], key: str | None = None,
              pair_side: int | None = None) -> Place:
        """Entry ``index`` (0-based; several for a tuple) of the table ``kind`` (``quota``,
        ``source``, ``forbidden`` ...), then its ``key`` or the side of a pair's id."""
        indices = index if isinstance(index, tuple) else (index,)
        if kind in ("forbidden", "required"):
            text = f", {kind}" + "".join(f" item {k + 1}" for k in indices[:1])
        else:
            text = f", [[{kind}]]" + "".join(f" #{k + 1}," for k in indices).rstrip(",")
        if key is not None:
            text += f", key {key!r}"
        if pair_side is not None:
            text += f" ({'left' if pair_side == 0 else 'right'} id)"
        return Place(self.name, detail=text)


class SheetRules(RulesPlaces):
    """The rules of a workbook: the ``rules`` sheet (one ``key | value`` per row, nested keys
    dotted) and one sheet per rule table, each entry a row.

    Parameters
    ----------
    book
        The workbook's name.
    key_rows
        Each key of the ``rules`` sheet (``"weights.sector"``) → its row.
    entry_rows
        Each rule sheet (``"quota"``) → the row of each of its entries, in order.
    """

    def __init__(self, book: str, key_rows: Mapping[str, int],
                 entry_rows: Mapping[str, Sequence[int]]) -> None:
        super().__init__(f"{book}, sheet 'rules'")
        self.book = book
        self.key_rows = key_rows
        self.entry_rows = entry_rows

    def key(self, table: str | None, key: str | None) -> Place:
        if key is None:
            rows = [row for name, row in self.key_rows.items() if name.startswith(f"{table}.")]
            return Place(self.name, tuple(rows[:1]), f", key {table!r}")
        dotted = key if table is None else f"{table}.{key}"
        row = self.key_rows.get(dotted)
        return Place(self.name, () if row is None else (row,), f", key {dotted!r}")

    def entry(self, kind: str, index: int | tuple[int, ...], key: str | None = None,
              pair_side: int | None = None) -> Place:
        rows = self.entry_rows.get(kind, ())
        indices = index if isinstance(index, tuple) else (index,)
        numbers = tuple(rows[k] for k in indices if 0 <= k < len(rows))
        text = f", field {key!r}" if key is not None else ""
        if pair_side is not None:
            text += f", field {'left' if pair_side == 0 else 'right'!r}"
        return Place(f"{self.book}, sheet {kind!r}", numbers, text)


@dataclass
class BundleWhere:
    """Render model locations as file, row and field of a spreadsheet bundle or workbook.

    Parameters
    ----------
    files
        Where each side's enterprises, the scores and the stated interest are: their file, or
        workbook sheet (``{"left": "left.csv", ...}`` or ``{"left": "book.xlsx, sheet
        'left'", ...}``).
    rows
        For each side (and ``preferences``), the spreadsheet row number of each record.
    rules
        Where the rules are (``rules.toml`` by default).
    id_cells
        ``True`` when the enterprises come from a score matrix's header and first column
        (``pairing solve --scores``) rather than from ``left.csv``/``right.csv``.
    """

    files: Mapping[str, str]
    rows: dict[str, list[int]] = field(default_factory=dict)
    rules: RulesPlaces = field(default_factory=RulesPlaces)
    id_cells: bool = False

    def __call__(self, loc: Loc) -> str:
        return str(self.place(loc))

    def place(self, loc: Loc) -> Place:
        """The place of a model location."""
        if not loc:
            return Place("")
        head = loc[0]
        if head in ("left", "right"):
            return self._side(head, loc[1:])
        if head == "rules":
            return self._rules(loc[1:])
        if head == "scores":
            return Place(self.files.get("scores", "scores"))
        if head == "preferences":
            return self._preference(loc[1:])
        if head == "name":
            return self.rules.key(None, "name")
        if head == "vocabulary":
            return self.rules.key("vocabulary", str(loc[1]) if len(loc) > 1 else None)
        return Place(".".join(str(x) for x in loc))

    def _rows(self, kind: str, index: Any) -> tuple[int, ...]:
        numbers = self.rows.get(kind, [])
        indices = index if isinstance(index, tuple) else (index,)
        return tuple(numbers[i] if 0 <= i < len(numbers) else i + 2 for i in indices)

    def _side(self, side: str, rest: Loc) -> Place:
        if rest and rest[0] == "label":
            return self.rules.key("sides", side)
        if self.id_cells:
            return self._id_cell(side, rest)
        name = self.files.get(side, f"{side}.csv")
        if len(rest) < 2 or rest[0] != "enterprises":
            return Place(name)
        rows = self._rows(side, rest[1])
        fields = rest[2:]
        if not fields:
            return Place(name, rows)
        column = str(fields[0])
        if column == "capacity":
            if len(fields) > 1 and fields[1] in _CAPACITY_COLUMNS:
                return Place(name, rows, f", field {_CAPACITY_COLUMNS[fields[1]]!r}")
            return Place(name, rows, ", fields 'capacity_min' and 'capacity_max'")
        text = f", field {column!r}"
        if column in _KEYED_FIELDS and len(fields) > 1:
            text += f" (tag {fields[1]!r})"
        return Place(name, rows, text)

    def _preference(self, rest: Loc) -> Place:
        """``preferences.csv, row 5, field 'to'`` (rows of a disagreement listed together)."""
        name = self.files.get("preferences", "preferences.csv")
        if not rest:
            return Place(name)
        detail = f", field {str(rest[1])!r}" if len(rest) > 1 else ""
        return Place(name, self._rows("preferences", rest[0]), detail)

    def _id_cell(self, side: str, rest: Loc) -> Place:
        name = self.files.get("scores", "scores.csv")
        if len(rest) < 2 or rest[0] != "enterprises":
            return Place(name)
        index = rest[1]
        indices = index if isinstance(index, tuple) else (index,)
        if side == "left":
            return Place(name, self._rows("left", index), ", column 1 (left ids)")
        columns = ", ".join(str(i + 2) for i in indices)
        label = "column" if len(indices) == 1 else "columns"
        return Place(name, (1,), f" (right ids), {label} {columns}")

    def _rules(self, rest: Loc) -> Place:
        if not rest:
            return self.rules.whole()
        key = rest[0]
        if key in RULE_TABLES and len(rest) > 1 and isinstance(rest[1], int | tuple):
            kind = RULE_TABLES[key]
            if kind in ("forbidden", "required"):
                side = rest[2] if len(rest) > 2 and isinstance(rest[2], int) else None
                return self.rules.entry(kind, rest[1], pair_side=side)
            return self.rules.entry(kind, rest[1], str(rest[2]) if len(rest) > 2 else None)
        if key in RULE_TABLES:
            return self.rules.entry(RULE_TABLES[key], ())
        if key == "weights":
            return self.rules.key("weights", str(rest[1]) if len(rest) > 1 else None)
        return self.rules.key(None, str(key))
