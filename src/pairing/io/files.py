"""Reading input files safely: existence, kind, size, encoding and one place to name the file.

Every reader needs the same few things: fail with the file's name when it is missing or is a
folder, refuse a device (``/dev/zero`` never ends), stop at a size limit instead of filling the
memory, accept UTF-8 with or without a byte-order mark (spreadsheets write one), and say where an
undecodable byte is. Keeping them here keeps the format readers about their formats.

The size limit is 2 GiB per file by default; :func:`input_size_limit` changes it for a block
(the CLI's ``--max-input-size``). It is a context variable, so threads and library callers that
never set it all see the default.
"""

from __future__ import annotations

import contextlib
import re
import stat
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path

from pairing.errors import InvalidProgramme, Issue

__all__ = [
    "DEFAULT_MAX_INPUT_SIZE",
    "check_readable",
    "decode_text",
    "input_size_limit",
    "max_input_size",
    "parse_size",
    "read_bytes",
    "read_text",
]

#: The largest input file read, in bytes, unless :func:`input_size_limit` says otherwise.
DEFAULT_MAX_INPUT_SIZE = 2 * 1024**3

_LIMIT: ContextVar[int] = ContextVar("pairing_max_input_size", default=DEFAULT_MAX_INPUT_SIZE)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def max_input_size() -> int:
    """The size limit in force, in bytes."""
    return _LIMIT.get()


@contextlib.contextmanager
def input_size_limit(limit: int) -> Iterator[None]:
    """Read input files of at most ``limit`` bytes inside the block."""
    if isinstance(limit, bool) or not isinstance(limit, int) or limit <= 0:
        msg = f"expected a positive whole number of bytes, got {limit!r}"
        raise InvalidProgramme(msg)
    token = _LIMIT.set(limit)
    try:
        yield
    finally:
        _LIMIT.reset(token)


def parse_size(text: str) -> int:
    """``"500M"``, ``"2G"``, ``"1024"`` → bytes (units are powers of 1024).

    Raises
    ------
    InvalidProgramme
        When ``text`` is not a positive size.
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text, re.IGNORECASE)
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()]) if match else 0
    if size <= 0:
        msg = f"expected a size such as 500M, 2G or 1048576 (bytes), got {text!r}"
        raise InvalidProgramme(msg)
    return size


def _too_large(size: int | None) -> str:
    limit = max_input_size()
    found = f"{size:,} bytes" if size is not None else "more"
    return (
        f"the file is larger than the input limit ({found}, limit {limit:,} bytes); "
        "check that it is the right file, or raise the limit with --max-input-size"
    )


def check_readable(path: Path, what: str = "file") -> list[Issue]:
    """Why ``path`` cannot be read as an input file of at most the size limit (empty: it can)."""
    name = str(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        return [Issue(name, f"no such {what}; check the path")]
    except OSError as exc:
        return [Issue(name, f"cannot read the {what}: {exc.strerror or exc}")]
    if stat.S_ISDIR(info.st_mode):
        return [Issue(name, f"expected a {what}, found a folder")]
    if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        return [Issue(name, f"expected a {what}, found a device or socket; give a regular file")]
    if stat.S_ISREG(info.st_mode) and info.st_size > max_input_size():
        return [Issue(name, _too_large(info.st_size))]
    return []


def read_bytes(path: Path, what: str = "file") -> tuple[bytes | None, list[Issue]]:
    """The bytes of an input file, reading at most the size limit, or why not."""
    issues = check_readable(path, what)
    if issues:
        return None, issues
    limit = max_input_size()
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        return None, [Issue(str(path), f"cannot read the {what}: {exc.strerror or exc}")]
    if len(raw) > limit:  # a FIFO or a file that grew while being read
        return None, [Issue(str(path), _too_large(None))]
    return raw, []


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
    raw, issues = read_bytes(path, what)
    if raw is None:
        return None, issues
    return decode_text(raw, str(path))


def decode_text(raw: bytes, name: str) -> tuple[str | None, list[Issue]]:
    """``raw`` as UTF-8 text (a leading BOM dropped), or one issue at ``name`` saying where
    it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = (
            f"not UTF-8 text (undecodable byte at line {line}); "
            "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')"
        )
        return None, [Issue(name, message)]
