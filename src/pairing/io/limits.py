"""Limits on what the input readers accept, and the words for a document past them.

A programme nests at most a few levels (programme → side → enterprise → capabilities), so a
document nested deeper than :data:`MAX_DEPTH` is not a programme; refusing it early keeps the
validators' recursion bounded. Python's parsers stop by themselves on absurd input — a
``RecursionError`` for 100,000 nested brackets, a ``ValueError`` for a number of more than 4,300
digits — and these helpers turn those into messages a person can act on.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_DEPTH", "too_deep", "unreadable_json", "unreadable_toml"]

#: The deepest nesting of lists and objects accepted in a programme JSON document.
MAX_DEPTH = 32


def too_deep(data: Any, limit: int = MAX_DEPTH) -> str | None:
    """Why ``data`` (parsed JSON) nests too deeply, or ``None`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return (
                f"lists and objects nested more than {limit} levels deep; a programme nests "
                "only a few — is it the right file?"
            )
        if isinstance(node, dict):
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
    return None


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply to read"
    if "digits" in str(exc):
        return "a number has more than 4,300 digits"
    return f"a value cannot be read ({exc})"


def unreadable_json(exc: Exception) -> str:
    """The message for a JSON document Python's parser gave up on."""
    return f"not a programme JSON document: {_reason(exc)}; is it the right file?"


def unreadable_toml(exc: Exception) -> str:
    """The message for a TOML document Python's parser gave up on."""
    return f"not a readable TOML document: {_reason(exc)}; is it the right file?"
