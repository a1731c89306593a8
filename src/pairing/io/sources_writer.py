"""Write a programme's score sources into a bundle: ``preferences.csv`` and the source files.

The counterpart of :mod:`pairing.io.preferences_csv` and :mod:`pairing.io.sources`, so that a
bundle reads back as the same programme. Each source is written to its ``file`` when that is a
plain file name inside the folder, else to ``NAME.csv`` (a name made safe for a file system);
a name that another source or a bundle file already uses gets a numbered suffix.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO, Any

import numpy as np

from pairing.model.programme import Programme

__all__ = ["preference_rows", "source_files", "write_score_sources"]

_RESERVED = frozenset(("left.csv", "right.csv", "scores.csv", "preferences.csv", "rules.toml"))


def _plain(file: str | None) -> str | None:
    """``file`` when it is a bare file name (no folder, not absolute), else None."""
    if not file:
        return None
    for flavour in (PurePosixPath(file), PureWindowsPath(file)):
        if len(flavour.parts) != 1 or flavour.anchor:
            return None
    return file if file not in (".", "..") else None


def source_files(programme: Programme) -> list[str]:
    """The file each source of ``programme`` is written to, in order (distinct, not reserved)."""
    taken = set(_RESERVED)
    files = []
    for source in programme.rules.sources:
        stem = re.sub(r"[^\w.-]+", "-", source.name).strip("-.") or "source"
        wanted = _plain(source.file) or f"{stem}.csv"
        file, k = wanted, 2
        while file.lower() in taken:
            base, dot, ext = wanted.rpartition(".")
            file = f"{base}-{k}.{ext}" if dot else f"{wanted}-{k}"
            k += 1
        taken.add(file.lower())
        files.append(file)
    return files


def preference_rows(programme: Programme) -> list[list[str]]:
    """The ``preferences.csv`` sheet: ``from, to, interest`` and one row per stated interest."""
    rows = [["from", "to", "interest"]]
    for p in programme.preferences:
        interest = p.interest if isinstance(p.interest, str) else repr(p.interest)
        rows.append([p.from_, p.to, interest])
    return rows


def write_score_sources(
    programme: Programme,
    folder: Path,
    writer: Callable[[Path], contextlib.AbstractContextManager[IO[str]]],
    write_matrix: Callable[[np.ndarray, Programme, Path], Any],
) -> None:
    """Write ``preferences.csv`` (or remove a stale one) and each source's matrix.

    Parameters
    ----------
    programme
        The programme.
    folder
        The bundle folder.
    writer
        Opens an atomic text writer on a path.
    write_matrix
        Writes a matrix in the ``scores.csv`` layout (NaN as an empty cell).
    """
    path = folder / "preferences.csv"
    if programme.preferences:
        with writer(path) as handle:
            csv.writer(handle).writerows(preference_rows(programme))
    elif path.exists():
        path.unlink()
    for source, file in zip(programme.rules.sources, source_files(programme), strict=True):
        write_matrix(source.scores, programme, folder / file)
