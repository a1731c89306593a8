"""The template workbook of ``pairing init NAME.xlsx``: every sheet a programme can use, each
with its header and one example row, and a ``README`` sheet explaining every column.

The example programme is the template bundle (``pairing/templates/``) with one example of each
rule — a quota, a pair quota, a partner quota, a forbidden and a required pair — chosen so that
it still solves. The ``rules`` sheet lists every setting with its value (defaults included) and
what it means; :func:`pairing.io.xlsx.load_workbook` reads the workbook back to exactly that
programme (the ``README`` sheet and the meaning column are for people and ignored).
"""

from __future__ import annotations

import os
from importlib import resources
from typing import Any

from pairing.io.atomic import atomic_path
from pairing.io.cells import neutralise_row
from pairing.model.programme import PairQuota, PartnerQuota, Programme, Quota

__all__ = ["README_ROWS", "template_programme", "write_template_workbook"]

_FILES = ("left.csv", "right.csv", "rules.toml")

#: The ``README`` sheet: sheet, column, what it holds.
README_ROWS: tuple[tuple[str, str, str], ...] = (
    ("sheet", "column", "what it holds"),
    ("left / right", "", "one row per enterprise of each side; a title row above the header, "
     "empty rows and extra columns (notes) are fine"),
    ("left / right", "id", "unique within its sheet"),
    ("left / right", "name, sector, region", "free text; sectors and regions are used by quotas "
     "and the report"),
    ("left / right", "size", "micro | small | medium | large (or empty)"),
    ("left / right", "capabilities", "what it offers: tag:level; tag:level with levels from 0 "
     "to 1 (commas work too)"),
    ("left / right", "needs", "what it seeks, same format; a pair scores well when each side "
     "offers what the other needs — use the same tag names on both sides"),
    ("left / right", "capacity_min, capacity_max", "how many partners (empty means 1); min 0 "
     "lets it stay unmatched"),
    ("left / right", "description", "optional free text"),
    ("left / right", "(any other column)", "e.g. Contact person: kept as the enterprise's notes "
     "and written back, never used for matching"),
    ("rules", "key, value", "one setting per row; the meaning column is for you and ignored"),
    ("quota", "side, by, group, min, max", "bounds on the number of pairs whose left or right "
     "enterprise has that sector, region or size; either bound may be empty"),
    ("pair_quota", "left_sector, right_sector, min, max", "bounds on the number of pairs "
     "between a left sector and a right sector"),
    ("partner_quota", "side, by, group, min, max", "bounds on each enterprise's partner mix: how "
     "many of its partners have that sector, region or size (group * = every value)"),
    ("forbidden", "left, right", "pairs that must not be made"),
    ("required", "left, right", "pairs that must be made (e.g. an MOU is signed)"),
    ("source", "name, file, weight", "optional extra score matrices (past cooperation, a "
     "rating): file names a sheet of this workbook in the scores layout — right ids in row 1, "
     "left ids in column A; an empty cell means no information"),
    ("(any sheet)", "", "delete an example row to drop that rule; delete all rows of a sheet but "
     "the header to have none"),
    ("", "", "then: pairing solve THIS.xlsx -o result.xlsx — every problem is reported at once, "
     "with its sheet, row and field"),
)

_MEANINGS = {
    "name": "shown in reports",
    "objective": "total | maxmin | leximin | balanced | stable",
    "fair_to": "whose gains the fair objectives count: both | left | right",
    "proposing": "for objective stable: which side proposes (left | right)",
    "min_score": "pairs scoring below this are not allowed (0..1)",
    "sense": "what the scores sheet holds: score (higher is better) | cost (lower is better)",
    "score_scale": "scores sheet cells in [0, 1] (unit) | on any finite scale (auto)",
    "sides.left": "the label of the left side",
    "sides.right": "the label of the right side",
    "weights.mutual": "weight of mutual complementarity (always on)",
    "weights.sector": "weight of how well the two sectors complement each other overall",
    "weights.region": "weight of regional affinity",
    "weights.size": "weight of similar company sizes",
}


def template_programme() -> Programme:
    """The template bundle with one example of every rule."""
    from pairing.io.bundle import TextSheets, assemble

    source = resources.files("pairing").joinpath("templates")
    texts = {name: source.joinpath(name).read_text(encoding="utf-8-sig") for name in _FILES}
    base = assemble(TextSheets(texts, "pairing/templates"))
    rules = base.rules.model_dump()
    rules.update(
        quotas=[Quota(side="left", by="sector", group="robotics", min=1, max=3)],
        pair_quotas=[PairQuota(left_sector="robotics", right_sector="textiles", min=1)],
        partner_quotas=[PartnerQuota(side="left", by="size", group="*", max=1)],
        forbidden=[("CN-003", "PK-004")],
        required=[("CN-002", "PK-002")],
    )
    return Programme(**{**base.model_dump(), "rules": rules})


def _settings(programme: Programme) -> list[list[Any]]:
    rules = programme.rules
    values: dict[str, Any] = {
        "name": programme.name, "objective": rules.objective, "fair_to": rules.fair_to,
        "proposing": rules.proposing, "min_score": rules.min_score,
        "sense": rules.sense, "score_scale": rules.score_scale,
        "sides.left": programme.left.label, "sides.right": programme.right.label,
        **{f"weights.{k}": v for k, v in rules.weights.model_dump().items()},
    }
    return [["key", "value", "meaning"],
            *([key, value, _MEANINGS.get(key, "")] for key, value in values.items())]


def write_template_workbook(path: str | os.PathLike[str]) -> Programme:
    """Write the template workbook to ``path`` (atomically); return the programme it holds."""
    from pairing.io.xlsx import programme_workbook  # openpyxl: only workbook users pay for it

    programme = template_programme()
    book = programme_workbook(programme)
    del book["rules"]
    rules = book.create_sheet("rules", index=2)
    for row in _settings(programme):
        rules.append(neutralise_row(row))
    readme = book.create_sheet("README", index=0)
    for line in README_ROWS:
        readme.append(neutralise_row(list(line)))
    # an extra score matrix needs a sheet of its own: the template shows the header only
    book.create_sheet("source").append(["name", "file", "weight"])
    order = ["README", "left", "right", "rules", "quota", "pair_quota", "partner_quota",
             "forbidden", "required", "source"]
    for index, name in enumerate(order):
        book.move_sheet(name, offset=index - book.sheetnames.index(name))
    for sheet in book.worksheets:
        sheet.freeze_panes = "A2"
    with atomic_path(path) as target:
        book.save(target)
    return programme
