"""A programme that arrives as bytes (an upload) rather than a path: JSON or an XLSX workbook.

A web backend receives a file's bytes or a binary file object; :func:`load_upload` reads it
without the caller writing a temporary file. A workbook is recognised by its zip signature,
anything else is read as programme JSON. The bytes are bounded by the same input size limit as
files (:func:`pairing.io.files.max_input_size`); messages name the upload as ``upload.json`` or
``upload.xlsx``, never a temporary path.
"""

from __future__ import annotations

from typing import Any

from pairing.errors import InvalidArgument, InvalidProgramme, Issue
from pairing.io.files import decode_text, max_input_size
from pairing.model.programme import Programme

__all__ = ["is_upload", "load_upload"]

_ZIP = b"PK\x03\x04"


def is_upload(source: Any) -> bool:
    """True for bytes-like data or an object with a ``read`` method."""
    return isinstance(source, (bytes, bytearray, memoryview)) or callable(
        getattr(source, "read", None))


def _read(source: Any) -> bytes:
    limit = max_input_size()
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        data = source.read(limit + 1)
        if isinstance(data, str):
            msg = ("load: got a text-mode file object; open the file in binary mode "
                   "(open(path, 'rb')) or pass its bytes")
            raise InvalidArgument(msg)
        if not isinstance(data, (bytes, bytearray)):
            msg = f"load: the file object's read() gave {type(data).__name__}, expected bytes"
            raise InvalidArgument(msg)
        data = bytes(data)
    if len(data) > limit:
        message = (f"larger than the input size limit ({limit:,} bytes); raise it with "
                   "pairing.io.files.input_size_limit")
        raise InvalidProgramme([Issue("upload", message)])
    return data


def load_upload(source: Any) -> Programme:
    """Load a programme from the bytes, or a binary file object, of a programme JSON file or an
    ``.xlsx`` workbook.

    Raises
    ------
    InvalidProgramme
        Every problem found, located in ``upload.json`` or ``upload.xlsx``.
    InvalidArgument
        A text-mode file object, or something that is neither bytes nor a file object.
    """
    data = _read(source)
    name = "upload.xlsx" if data.startswith(_ZIP) else "upload.json"
    try:
        if name.endswith(".xlsx"):
            from pairing.io.xlsx import read_workbook

            return read_workbook(data, name)
        from pairing.io.json_file import json_programme

        text, issues = decode_text(data, name)
        if text is None:
            raise InvalidProgramme(issues)
        return json_programme(text, name)
    except InvalidProgramme as exc:  # the report names the upload
        raise InvalidProgramme(exc.issues, source=name) from None
