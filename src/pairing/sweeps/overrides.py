"""Apply a job's settings: rule overrides to a programme, solve options to a dict.

The programme is frozen; an override builds new :class:`~pairing.model.Rules` with
``Rules.model_validate`` (so every bound and weight is checked exactly as when loading a file)
and a programme copy with ``model_copy(update=...)``. A combination of values that breaks a
rule (e.g. a quota's ``min`` above its ``max``) raises :class:`~pairing.errors.InvalidProgramme`
naming the grid keys involved; in a sweep that job is recorded as ``invalid`` and the others go
on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from pairing.errors import InvalidProgramme, Issue
from pairing.model.programme import Programme, Rules
from pairing.sweeps.grid import Setting

__all__ = ["apply_settings"]

_RULE_LISTS = {"quota": "quotas", "pair_quota": "pair_quotas"}


def _loc(location: Sequence[int | str]) -> str:
    text = "rules"
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def apply_settings(
    programme: Programme, settings: Sequence[Setting]
) -> tuple[Programme, dict[str, Any]]:
    """Split ``settings`` into a programme with the rule overrides and the solve options.

    Parameters
    ----------
    programme
        The sweep's base programme (left unchanged).
    settings
        One job's settings (see :class:`~pairing.sweeps.grid.Job`).

    Returns
    -------
    programme, options
        The programme to solve (``programme`` itself when no rule changes) and the keyword
        arguments for :func:`pairing.solve`.

    Raises
    ------
    InvalidProgramme
        When the overridden rules are not valid together.
    """
    options: dict[str, Any] = {}
    overrides = [s for s in settings if s.target.kind != "option"]
    for setting in settings:
        if setting.target.kind == "option":
            options[setting.target.field] = setting.value
    if not overrides:
        return programme, options
    rules = programme.rules.model_dump()
    for setting in overrides:
        target = setting.target
        if target.kind == "min_score":
            rules["min_score"] = setting.value
        elif target.kind == "weight":
            rules["weights"][target.field] = setting.value
        elif target.kind == "source":
            rules["sources"][target.index][target.field] = setting.value
        else:
            rules[_RULE_LISTS[target.kind]][target.index][target.field] = setting.value
    try:
        new_rules = Rules.model_validate(rules)
    except ValidationError as exc:
        given = ", ".join(f"{s.target.key}={s.value!r}" for s in overrides)
        issues = [
            Issue(f"overrides {given}", f"{_loc(err['loc'])}: {err['msg']}") for err in exc.errors()
        ]
        raise InvalidProgramme(issues) from None
    return programme.model_copy(update={"rules": new_rules}), options
