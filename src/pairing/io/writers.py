"""Write a programme as a spreadsheet bundle folder or as programme JSON.

The bundle is what :func:`pairing.io.load` reads back, exactly: ``load(write_bundle(p, d)) == p``.
Levels and scores are written with ``repr`` (the shortest text that reads back as the same
float), ``rules.toml`` holds only the settings that differ from the defaults, and ``scores.csv``
is written only when the programme has its own scores. Each file is written to a temporary file
in the same folder and moved into place with :func:`os.replace`, so a reader never sees half a
file and a failed write leaves the old file intact.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
import tomli_w

from pairing.core.arguments import require_instance, require_path
from pairing.errors import InvalidProgramme, Issue
from pairing.io.atomic import atomic_folder, atomic_path
from pairing.io.cells import neutralise_row
from pairing.io.enterprises_csv import ENTERPRISE_COLUMNS, OPTIONAL_COLUMNS
from pairing.io.headers import header_key
from pairing.io.sources_writer import source_files, write_score_sources
from pairing.io.tag_cells import reads_as_one_tag
from pairing.model.programme import Enterprise, Programme, Rules, Side

__all__ = [
    "dump_programme_json",
    "matrix_rows",
    "rules_document",
    "side_rows",
    "write_bundle",
]


@contextlib.contextmanager
def _atomic_writer(path: Path) -> Iterator[IO[str]]:
    """A text handle on a temporary file that replaces ``path`` when the block succeeds."""
    with atomic_path(path) as temp, temp.open("w", encoding="utf-8", newline="") as handle:
        yield handle


def _levels_cell(levels: dict[str, float], where: str) -> str:
    bad = [tag for tag in levels if ";" in tag or not reads_as_one_tag(tag)]
    if bad:
        message = (
            f"tag {bad[0]!r} contains ';' (or ',' before 'name:number'), which separates tags "
            "in a bundle; rename the tag"
        )
        raise InvalidProgramme([Issue(where, message)])
    return ";".join(f"{tag}:{float(level)!r}" for tag, level in levels.items())


def _note_columns(side: Side, name: str) -> list[str]:
    """The notes' columns of one side, in order of first appearance; a name that would read
    back as a pairing column (or as another note) is refused."""
    columns = list(dict.fromkeys(key for e in side.enterprises for key in e.notes))
    reserved = {header_key(c) for c in (*ENTERPRISE_COLUMNS, *OPTIONAL_COLUMNS)}
    seen: set[str] = set()
    for column in columns:
        problem = None
        if not column.strip():
            problem = "an empty name"
        elif header_key(column) in reserved:
            problem = "the name of a pairing column"
        elif column.strip().lower() in seen:
            problem = "the name of another note but for case"
        if problem is not None:
            owner = next(e.id for e in side.enterprises if column in e.notes)
            where = f"{name}.enterprises (id {owner!r}).notes"
            message = f"note {column!r} has {problem}, so it could not be read back; rename it"
            raise InvalidProgramme([Issue(where, message)])
        seen.add(column.strip().lower())
    return columns


def _enterprise_row(e: Enterprise, optional: list[str], where: str) -> list[str]:
    row = [
        e.id,
        e.name,
        e.sector,
        e.region,
        e.size or "",
        _levels_cell(e.capabilities, f"{where} (id {e.id!r}).capabilities"),
        _levels_cell(e.needs, f"{where} (id {e.id!r}).needs"),
        str(e.capacity.min),
        str(e.capacity.max),
    ]
    return row + [getattr(e, column) or "" for column in optional]


def side_rows(side: Side, name: str) -> list[list[str]]:
    """A side's enterprise sheet: header and one row per enterprise, text cells neutralised."""
    optional = [c for c in OPTIONAL_COLUMNS if any(getattr(e, c) for e in side.enterprises)]
    notes = _note_columns(side, name)
    header = list(ENTERPRISE_COLUMNS) + optional + notes
    rows = [
        _enterprise_row(e, optional, f"{name}.enterprises[{k}]")
        + [e.notes.get(column, "") for column in notes]
        for k, e in enumerate(side.enterprises)
    ]
    return [neutralise_row(header), *(neutralise_row(row) for row in rows)]  # notes: free text


def _write_side(side: Side, path: Path, name: str) -> None:
    rows = side_rows(side, name)
    with _atomic_writer(path) as handle:
        csv.writer(handle).writerows(rows)


def rules_document(programme: Programme) -> dict[str, Any]:
    """The non-default settings of ``programme`` in ``rules.toml``'s layout."""
    rules, default = programme.rules, Rules()
    document: dict[str, Any] = {}
    if programme.name != Programme.model_fields["name"].default:
        document["name"] = programme.name
    for key in ("objective", "fair_to", "min_score", "proposing", "sense", "score_scale"):
        if getattr(rules, key) != getattr(default, key):
            document[key] = getattr(rules, key)
    if rules.forbidden:
        document["forbidden"] = [list(pair) for pair in rules.forbidden]
    if rules.required:
        document["required"] = [list(pair) for pair in rules.required]
    labels = (programme.left.label, programme.right.label)
    if labels != ("left", "right"):
        document["sides"] = {"left": labels[0], "right": labels[1]}
    weights = rules.weights.model_dump(exclude_defaults=True)
    if weights:
        document["weights"] = weights
    if programme.vocabulary:
        document["vocabulary"] = dict(programme.vocabulary)
    if rules.quotas:
        document["quota"] = [q.model_dump(exclude_none=True) for q in rules.quotas]
    if rules.pair_quotas:
        document["pair_quota"] = [q.model_dump(exclude_none=True) for q in rules.pair_quotas]
    if rules.partner_quotas:
        document["partner_quota"] = [
            q.model_dump(exclude_none=True) for q in rules.partner_quotas
        ]
    if rules.sources:
        document["source"] = [
            {"name": s.name, "file": file, "weight": s.weight}
            for s, file in zip(rules.sources, source_files(programme), strict=True)
        ]
    return document


def _rules_text(document: dict[str, Any]) -> str:
    """TOML text with quotas written as ``[[quota]]`` tables, as in the design's example."""
    tables = {
        key: document.pop(key)
        for key in ("quota", "pair_quota", "partner_quota", "source")
        if key in document
    }
    text = "# pairing rules: only the settings that differ from the defaults\n"
    text += tomli_w.dumps(document)
    for key, entries in tables.items():
        for entry in entries:
            text += f"\n[[{key}]]\n{tomli_w.dumps(entry)}"
    return text


def matrix_rows(scores: np.ndarray, programme: Programme) -> list[list[str]]:
    """A matrix in the ``scores.csv`` layout: right ids across, left ids down, each cell the
    ``repr`` of its score and NaN an empty cell; ids neutralised."""
    rows = [["", *neutralise_row(programme.right.ids)]]
    for left_id, row in zip(neutralise_row(programme.left.ids), scores, strict=True):
        cells = list(map(repr, row.tolist()))
        for k in np.flatnonzero(np.isnan(row)).tolist():
            cells[k] = ""  # an empty cell forbids the pair
        rows.append([left_id, *cells])
    return rows


def _write_scores(scores: np.ndarray, programme: Programme, path: Path) -> None:
    with _atomic_writer(path) as handle:
        csv.writer(handle).writerows(matrix_rows(scores, programme))


def write_bundle(programme: Programme, folder: str | Path) -> Path:
    """Write ``programme`` as a spreadsheet bundle folder.

    Parameters
    ----------
    programme
        The programme to write.
    folder
        The bundle folder; a new one appears whole or not at all. In an existing folder,
        ``left.csv``, ``right.csv``, ``rules.toml`` and each source's matrix (its ``file``, by
        default ``NAME.csv``) are each replaced in one rename, and ``scores.csv`` and
        ``preferences.csv`` are replaced, or removed when the programme has none (so the folder
        reads back as this programme). Other files are left alone.

    Returns
    -------
    Path
        The folder, so that ``load(write_bundle(p, folder)) == p``.

    Raises
    ------
    InvalidProgramme
        When a tag contains ``;``, or a note's name is a pairing column's (it could not be read
        back).

    Notes
    -----
    An empty ``description`` is written as an empty cell, which reads back as no description.
    The enterprises' ``notes`` are written as extra columns after the pairing columns (an
    enterprise without a note has an empty cell there), which read back as the same notes.
    """
    require_instance(programme, Programme, "programme")
    require_path(folder, "a bundle folder")
    folder = Path(folder)
    with atomic_folder(folder) as temp:
        _write_side(programme.left, temp / "left.csv", "left")
        _write_side(programme.right, temp / "right.csv", "right")
        with _atomic_writer(temp / "rules.toml") as handle:
            handle.write(_rules_text(rules_document(programme)))
        if programme.scores is not None:
            _write_scores(programme.scores, programme, temp / "scores.csv")
        write_score_sources(programme, temp, _atomic_writer, _write_scores)
    if programme.scores is None:
        (folder / "scores.csv").unlink(missing_ok=True)
    if not programme.preferences:
        (folder / "preferences.csv").unlink(missing_ok=True)
    return folder


def dump_programme_json(programme: Programme, path: str | Path) -> Path:
    """Write ``programme`` as programme JSON (the model serialised; ``load`` reads it back).

    Parameters
    ----------
    programme
        The programme to write.
    path
        The JSON file; replaced atomically.

    Returns
    -------
    Path
        The file written.
    """
    require_instance(programme, Programme, "programme")
    require_path(path, "a programme JSON file")
    path = Path(path)
    with _atomic_writer(path) as handle:
        handle.write(programme.model_dump_json(indent=1))
        handle.write("\n")
    return path
