"""One entry point for a programme: a programme JSON file, a bundle folder, a workbook, or the
bytes of a JSON file or workbook.

Every command that takes a PROGRAMME goes through :func:`load`, so the CLI and the library accept
the same inputs and report problems the same way.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import BinaryIO

from pairing.core.arguments import require_path
from pairing.errors import InvalidProgramme, Issue, PairingWarning
from pairing.io.json_file import load_json
from pairing.io.tag_check import one_sided_tags
from pairing.io.upload import is_upload, load_upload
from pairing.model.programme import Programme

__all__ = ["load"]


def load(path: str | Path | bytes | BinaryIO) -> Programme:
    """Load a programme from a programme JSON file, a bundle folder, an ``.xlsx`` workbook, or
    the bytes (or a binary file object) of a programme JSON or workbook — an upload.

    Parameters
    ----------
    path
        A ``.json`` file (the programme model serialised), a folder holding ``left.csv``,
        ``right.csv`` and optionally ``scores.csv`` and ``rules.toml``, an ``.xlsx`` workbook,
        or such a JSON or workbook file's content as ``bytes`` or an object opened with
        ``open(..., "rb")`` (see :mod:`pairing.io.upload`).

    Returns
    -------
    Programme
        The validated programme.

    Raises
    ------
    InvalidProgramme
        When the path does not exist or holds something else, or the programme is not valid;
        every problem found is listed with its file, row (or JSON path) and field.

    Warns
    -----
    PairingWarning
        For each tag that appears in only one side's needs or capabilities (a likely misspelling,
        see :mod:`pairing.io.tag_check`), and for columns a spreadsheet has beyond pairing's.

    Examples
    --------
    >>> programme = load("programme.json")  # doctest: +SKIP
    >>> programme = load("double-hundred/")  # a bundle folder  # doctest: +SKIP
    >>> programme = load(request.files["programme"].read())  # an upload  # doctest: +SKIP
    """
    if is_upload(path):
        programme, name = load_upload(path), "upload"
    else:
        programme, name = _load(path), str(path)
    for sentence in one_sided_tags(programme):
        warnings.warn(f"{name}: {sentence}", PairingWarning, stacklevel=2)
    return programme


def _load(given: object) -> Programme:
    require_path(given, "a programme")
    assert isinstance(given, (str, os.PathLike))
    path = Path(given)
    name = str(path)
    if path.is_dir():
        from pairing.io.bundle import load_bundle  # CSV/TOML readers: bundles only (start-up)

        return load_bundle(path)
    if not path.exists():
        message = "no such file or folder; expected a programme JSON file or a bundle folder"
        raise InvalidProgramme([Issue(name, message)])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from pairing.io.xlsx import load_workbook

        return load_workbook(path)
    if path.suffix.lower() in (".csv", ".toml"):
        message = (
            f"expected a programme JSON file or a bundle folder, got a {path.suffix} file; "
            "for a score matrix alone use `pairing solve --scores FILE` (pairing.io.load_scores), "
            "for a bundle pass the folder that holds left.csv and right.csv"
        )
        raise InvalidProgramme([Issue(name, message)])
    return load_json(path)
