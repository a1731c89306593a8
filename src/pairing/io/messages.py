"""Turn pydantic's error records into messages a programme manager can act on.

pydantic says ``Input should be less than or equal to 1``; a person wants ``level 1.5 outside
[0, 1]; use a number from 0 (none) to 1 (full)``. Each message says what was expected, what was
found and, where it helps, what to try. Unknown fields name the field and suggest the closest
known one.
"""

from __future__ import annotations

import difflib
import math
from typing import Any

from pydantic import BaseModel

from pairing.io.locations import Loc
from pairing.model.programme import (
    Capacity,
    Enterprise,
    PairQuota,
    Programme,
    Quota,
    Rules,
    Side,
    Weights,
)

__all__ = ["describe_error", "known_fields", "unknown_key_message"]

_CONTEXT_MODELS: dict[str, type[BaseModel]] = {
    "enterprises": Enterprise,
    "capacity": Capacity,
    "rules": Rules,
    "weights": Weights,
    "quotas": Quota,
    "pair_quotas": PairQuota,
    "left": Side,
    "right": Side,
}
_LEVEL_FIELDS = ("capabilities", "needs")


def known_fields(loc: Loc) -> list[str]:
    """The field names allowed next to the last element of ``loc`` (for unknown-field hints)."""
    names = [x for x in loc[:-1] if isinstance(x, str)]
    model: type[BaseModel] = Programme
    if names:
        model = _CONTEXT_MODELS.get(names[-1], Programme)
    return list(model.model_fields)


def unknown_key_message(key: str, known: list[str], what: str = "field") -> str:
    """``unknown field 'sectr'; expected one of: ... (did you mean 'sector'?)``."""
    text = f"unknown {what} {key!r}; expected one of: {', '.join(known)}"
    close = difflib.get_close_matches(key, known, n=1)
    if close:
        text += f" (did you mean {close[0]!r}?)"
    return text


def _found(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def describe_error(err: Any, what: str = "field") -> str:
    """Explain one pydantic error record (an item of ``ValidationError.errors()``).

    Parameters
    ----------
    err
        The error record: ``type``, ``loc``, ``msg``, ``input`` and sometimes ``ctx``.
    what
        How the input format calls a field (``"field"`` for JSON, ``"key"`` for TOML).
    """
    kind = err["type"]
    loc = tuple(err["loc"])
    value = err.get("input")
    ctx = err.get("ctx") or {}
    is_level = any(x in _LEVEL_FIELDS for x in loc if isinstance(x, str)) and "[key]" not in loc
    if kind == "extra_forbidden":
        return unknown_key_message(str(loc[-1]), known_fields(loc), what)
    if kind == "missing":
        return f"missing required {what} {loc[-1]!r}; add it"
    if is_level and kind == "finite_number":
        return (
            f"level {_found(value)} is not a finite number; use a number from 0 (none) to 1 (full)"
        )
    if is_level and kind in ("less_than_equal", "greater_than_equal"):
        return f"level {_found(value)} outside [0, 1]; use a number from 0 (none) to 1 (full)"
    if kind == "finite_number":
        return f"expected a finite number, found {_found(value)}"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        sign = {"less_than_equal": "≤", "greater_than_equal": "≥", "less_than": "<"}.get(kind, ">")
        bound = next(iter(ctx.values()), "?")
        return f"expected a number {sign} {bound}, found {_found(value)}"
    if kind == "string_too_short":
        return f"expected a non-empty name, found {_found(value)}; fill it in"
    if kind == "string_too_long":
        return f"expected at most {ctx.get('max_length')} characters, found {len(str(value))}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, found {_found(value)}"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"expected a whole number, found {_found(value)}"
    if kind in ("float_parsing", "float_type"):
        return f"expected a number, found {_found(value)}"
    if kind in ("string_type",):
        return f"expected text, found {_found(value)}"
    if kind in ("too_short", "too_long") and ctx.get("field_type") == "Tuple":
        return (
            f"expected a pair [left id, right id], found {_found(value)} "
            f"({ctx.get('actual_length')} items)"
        )
    if kind in ("list_type", "tuple_type"):
        return f"expected a list, found {_found(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected an object (a mapping of names to values), found {_found(value)}"
    if kind == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return f"{err['msg']}; found {_found(value)}"
