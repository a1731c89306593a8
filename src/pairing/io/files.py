"""Reading input files safely: existence, encoding and one place to name the file.

Every reader needs the same few things: fail with the file's name when it is missing or is a
folder, accept UTF-8 with or without a byte-order mark (spreadsheets write one), and say where an
undecodable byte is. Keeping them here keeps the format readers about their formats.
"""

from __future__ import annotations

from pathlib import Path

from pairing.errors import Issue

__all__ = ["read_text"]


def read_text(path: Path, what: str = "file") -> tuple[str | None, list[Issue]]:
    """Read a UTF-8 text file (a leading BOM is dropped), or say why it cannot be read.

    Parameters
    ----------
    path
        The file to read.
    what
        What the file is, for messages (``"programme JSON file"``, ``"rules file"``).

    Returns
    -------
    (str or None, list of Issue)
        The text, or ``None`` and one issue naming the file.
    """
    name = str(path)
    if not path.exists():
        return None, [Issue(name, f"no such {what}; check the path")]
    if path.is_dir():
        return None, [Issue(name, f"expected a {what}, found a folder")]
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Issue(name, f"cannot read the {what}: {exc.strerror or exc}")]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = (
            f"not UTF-8 text (undecodable byte at line {line}); "
            "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')"
        )
        return None, [Issue(name, message)]
