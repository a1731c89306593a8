"""The deadline of one solver run, from ``SolveOptions.time_limit``.

Every exact solver that runs several models in a row (the MILP's pricing rounds, the fair
objectives' levels and rounds) gives each model only the time left before one deadline, so
the whole run keeps the limit the caller set.
"""

from __future__ import annotations

import time

__all__ = ["Clock"]


class Clock:
    """The deadline of an optional overall limit (``start + time_limit``)."""

    def __init__(self, limit: float | None) -> None:
        self.limit = limit
        self.start = time.perf_counter()
        self.deadline = None if limit is None else self.start + limit

    def left(self, share: float = 1.0) -> float | None:
        """Seconds left until ``share`` of the limit is used (at least a millisecond, so a
        solver still returns its incumbent); ``None`` without a limit."""
        if self.deadline is None or self.limit is None:
            return None
        return max(1e-3, self.start + share * self.limit - time.perf_counter())

    def expired(self, share: float = 1.0) -> bool:
        """Whether ``share`` of the limit has been used."""
        return self.limit is not None and time.perf_counter() - self.start >= share * self.limit
