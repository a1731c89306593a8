"""Validate raw programme data and report every problem at once, readably located.

This is the one validation core behind every input format. It runs the pydantic model, turns
each field error into a message a person can act on (:mod:`pairing.io.messages`), and adds the
cross-field problems (duplicate ids, unknown ids in rules, quota groups nobody has, ...). pydantic
runs the model's cross-field checks only when every field is valid, so when there are field
errors the same checks are run on the raw data (:mod:`pairing.model.cross_checks`); when there are
none, the model's own issues are used and matched to the raw checks only to locate them. Either
way each problem is reported once, and the caller's ``where`` function renders the location for
its format (JSON path, or file/row/field of a bundle).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from pairing.errors import InvalidProgramme, Issue
from pairing.io.locations import Found, JsonWhere, WhereFn
from pairing.io.messages import describe_error
from pairing.model.cross_checks import raw_cross_checks
from pairing.model.programme import Programme

__all__ = ["programme_from_data", "validate_programme"]


def _model_issues(err: Any) -> list[Issue] | None:
    """The model's own cross-field issues, if ``err`` is its wrapped :class:`InvalidProgramme`."""
    cause = (err.get("ctx") or {}).get("error")
    if err["type"] == "value_error" and isinstance(cause, InvalidProgramme):
        return list(cause.issues)
    return None


def _locate_model_issues(
    model_issues: list[Issue], raw: list[Found], where: WhereFn
) -> list[Issue]:
    """Give each model issue the precise location of the raw check with the same message."""
    pool = list(raw)
    located = []
    for issue in model_issues:
        match = next((f for f in pool if f.message == issue.message), None)
        if match is None:
            located.append(issue)
        else:
            pool.remove(match)
            located.append(Issue(where(match.loc), match.message))
    return located


def validate_programme(
    data: Any, where: WhereFn, *, source: str | None = None, what: str = "field"
) -> tuple[Programme | None, list[Issue]]:
    """Validate ``data`` as a programme, collecting every problem.

    Parameters
    ----------
    data
        Raw programme data (a mapping, e.g. parsed JSON, or one assembled from a bundle).
    where
        Renders a model location for this input format.
    source
        The file or folder the data came from, named when the data is not a mapping at all.
    what
        What the format calls a field (``"field"``, ``"key"``, ``"column"``).

    Returns
    -------
    (Programme or None, list of Issue)
        The programme when there is no issue; otherwise ``None`` and every issue found.
    """
    if not isinstance(data, Mapping):
        found = type(data).__name__
        message = f"expected a programme object (a mapping with 'left' and 'right'), got {found}"
        return None, [Issue(source or "", message)]
    try:
        return Programme.model_validate(data), []
    except ValidationError as exc:
        errors = exc.errors()
    issues: list[Issue] = []
    model_cross: list[Issue] | None = None
    for err in errors:
        inner = _model_issues(err) if not err["loc"] else None
        if inner is not None:
            model_cross = inner
        else:
            issues.append(Issue(where(tuple(err["loc"])), describe_error(err, what)))
    raw = raw_cross_checks(data)
    if model_cross is not None:
        issues += _locate_model_issues(model_cross, raw, where)
    else:
        issues += [Issue(where(f.loc), f.message) for f in raw]
    return None, issues


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
    programme, issues = validate_programme(data, JsonWhere(data, source), source=source)
    if programme is None:
        raise InvalidProgramme(issues, source=source)
    return programme
