"""Validate raw programme data and report every problem at once, readably located.

This is the one validation core behind every input format. It runs the pydantic model for the
field checks, turning each field error into a message a person can act on
(:mod:`pairing.io.messages`), and runs the cross-field checks once, on the raw data
(:mod:`pairing.model.cross_checks`: duplicate ids, unknown ids in rules, quota groups nobody has,
...), whether or not the fields are valid; the model is told not to run them again. Every
problem keeps its model location as data until the caller's ``where`` function renders it for
its format (JSON path, or file/row/field of a bundle).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from pairing.errors import InvalidProgramme, Issue
from pairing.model.cross_checks import CHECKED, Found, cross_checks
from pairing.model.programme import Programme

if TYPE_CHECKING:
    from pairing.io.locations import WhereFn

__all__ = ["programme_from_data", "render", "validate_programme"]


def validate_programme(
    data: Any, *, source: str | None = None, what: str = "field"
) -> tuple[Programme | None, list[Found]]:
    """Validate ``data`` as a programme, collecting every problem at its model location.

    Parameters
    ----------
    data
        Raw programme data (a mapping, e.g. parsed JSON, or one assembled from a bundle).
    source
        The file or folder the data came from, named when the data is not a mapping at all.
    what
        What the format calls a field (``"field"``, ``"key"``, ``"column"``).

    Returns
    -------
    (Programme or None, list of Found)
        The programme when there is no problem; otherwise ``None`` and every problem, each at
        its model location for the caller to render for its format.
    """
    if not isinstance(data, Mapping):
        found = type(data).__name__
        message = f"expected a programme object (a mapping with 'left' and 'right'), got {found}"
        return None, [Found((), message)]
    problems = cross_checks(data)
    try:
        programme = Programme.model_validate(data, context={CHECKED: True})
    except ValidationError as exc:
        from pairing.io.messages import describe_error  # only for a bad programme (start-up)

        programme = None
        fields = [Found(tuple(err["loc"]), describe_error(err, what)) for err in exc.errors()]
        problems = fields + problems
    return (programme if not problems else None), problems


def programme_from_data(data: Any, source: str | None = None) -> Programme:
    """Validate raw data (e.g. parsed programme JSON) into a :class:`~pairing.model.Programme`.

    Unlike ``Programme.model_validate``, every problem is reported at once, in one
    :class:`~pairing.errors.InvalidProgramme`, with readable locations such as
    ``programme.json: left.enterprises[3] (id 'CN-004').capacity.max``.

    Parameters
    ----------
    data
        The raw programme: a mapping with ``left``, ``right`` and optionally ``name``,
        ``vocabulary``, ``rules`` and ``scores``.
    source
        The file the data came from, used to prefix each location.

    Returns
    -------
    Programme
        The validated programme.

    Raises
    ------
    InvalidProgramme
        With one :class:`~pairing.errors.Issue` per problem found.
    """
    programme, problems = validate_programme(data, source=source)
    if programme is None:
        from pairing.io.locations import JsonWhere  # only for a bad programme (start-up)

        raise InvalidProgramme(render(problems, JsonWhere(data, source)), source=source)
    return programme


def render(problems: list[Found], where: WhereFn) -> list[Issue]:
    """The problems as the report shows them, each location rendered by ``where``."""
    return [Issue(where(p.loc), p.message) for p in problems]
