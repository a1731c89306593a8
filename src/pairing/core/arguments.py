"""Checks of the public functions' arguments, before any work is done.

A backend that passes ``None`` for a programme, ``"5"`` for a time limit or ``1.5`` alternates
gets an :class:`~pairing.errors.InvalidArgument` saying what was expected — never an
``AttributeError`` from deep inside, and never after a long solve. Each check is one small
function so that every public entry point states its expectations the same way.
"""

from __future__ import annotations

import math
import numbers
import os
from typing import Any

from pairing.errors import InvalidArgument

__all__ = ["require_instance", "require_path", "require_seconds", "require_whole"]


def _found(value: Any) -> str:
    return "None" if value is None else f"{type(value).__name__} {value!r}"[:80]


def require_instance(value: Any, kind: type, name: str, hint: str = "") -> None:
    """Raise unless ``value`` is a ``kind`` (e.g. a :class:`~pairing.model.Programme`)."""
    if not isinstance(value, kind):
        message = f"{name}: expected a {kind.__name__}, got {_found(value)}"
        raise InvalidArgument(message + (f"; {hint}" if hint else ""))


def require_path(value: Any, what: str) -> None:
    """Raise unless ``value`` is a non-empty path (``str`` or ``os.PathLike``) to ``what``."""
    if not isinstance(value, (str, os.PathLike)):
        message = f"expected the path of {what} (str or PathLike), got {_found(value)}"
        raise InvalidArgument(message)
    if not str(os.fspath(value)).strip():
        message = f"expected the path of {what}, got an empty path"
        raise InvalidArgument(message)


def require_seconds(value: Any, name: str = "time_limit") -> float | None:
    """``None``, or a positive finite number of seconds (not a string, not a bool)."""
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(float(value))
        or not float(value) > 0
    ):
        message = (
            f"{name.replace('_', ' ')} must be a positive number of seconds (or None), "
            f"got {_found(value)}"
        )
        raise InvalidArgument(message)
    return float(value)


def require_whole(value: Any, name: str, minimum: int | None = None) -> int:
    """A whole number (``int`` or a NumPy integer, not a bool), at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        message = f"{name}: expected a whole number, got {_found(value)}"
        raise InvalidArgument(message)
    if minimum is not None and value < minimum:
        message = f"{name}: expected a whole number ≥ {minimum}, got {value}"
        raise InvalidArgument(message)
    return int(value)
