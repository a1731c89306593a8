"""Load a programme JSON file (the pydantic model serialised; see ``pairing schema``).

Broken JSON is reported with its line and column, a top level that is not an object is named,
and every validation problem is reported at once with its JSON path (see
:func:`pairing.io.validate.programme_from_data`).
"""

from __future__ import annotations

import json
from pathlib import Path

from pairing.errors import InvalidProgramme, Issue
from pairing.io.files import read_text
from pairing.io.limits import too_deep, unreadable_json
from pairing.io.validate import programme_from_data
from pairing.model.programme import Programme

__all__ = ["json_programme", "load_json"]


def load_json(path: Path) -> Programme:
    """Load and validate a programme JSON file.

    Parameters
    ----------
    path
        The programme JSON file.

    Returns
    -------
    Programme

    Raises
    ------
    InvalidProgramme
        When the file is missing, is not UTF-8 JSON, is not a JSON object, or does not describe
        a valid programme; every problem found is listed.
    """
    name = str(path)
    text, issues = read_text(path, "programme JSON file")
    if text is None:
        raise InvalidProgramme(issues)
    return json_programme(text, name)


def json_programme(text: str, name: str) -> Programme:
    """Parse and validate programme JSON text; ``name`` names it in every location.

    Raises
    ------
    InvalidProgramme
        As for :func:`load_json`.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = (
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; "
            "check for a missing comma, quote or bracket there"
        )
        raise InvalidProgramme([Issue(name, message)]) from None
    except (RecursionError, ValueError) as exc:
        raise InvalidProgramme([Issue(name, unreadable_json(exc))]) from None
    deep = too_deep(data)
    if deep:
        raise InvalidProgramme([Issue(name, deep)])
    if not isinstance(data, dict):
        names = {"list": "an array", "str": "a string", "int": "a number", "float": "a number"}
        found = names.get(type(data).__name__, type(data).__name__)
        message = f"expected a JSON object with 'left' and 'right' at the top level, found {found}"
        raise InvalidProgramme([Issue(name, message)])
    return programme_from_data(data, source=name)
