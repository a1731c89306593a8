"""The deadline of one solver run, from ``SolveOptions.time_limit``.

Every exact solver that runs several models in a row (the MILP's pricing rounds, the fair
objectives' levels and rounds) gives each model only the time left before one deadline, so
the whole run keeps the limit the caller set.
"""

from __future__ import annotations

import time

__all__ = ["Clock"]


#: The share of a time limit kept back for what follows the last model (at most
#: :data:`MOST_RESERVE` seconds): HiGHS can run a few tenths of a second past its deadline in
#: steps it does not interrupt (a MIP's root heuristics), and the answer is then checked and
#: written. Leximin on the rules programme with a 10 s limit returned after 10.4-11.1 s.
RESERVE = 0.04
MOST_RESERVE = 1.0


class Clock:
    """The deadline of an optional overall limit: ``start + time_limit``, less a reserve
    (:data:`RESERVE`) so that the caller has the answer within its limit. ``start``: a
    ``time.perf_counter()`` reading when the limit began (default: now)."""

    def __init__(self, limit: float | None, start: float | None = None) -> None:
        self.limit = None if limit is None else limit - min(MOST_RESERVE, RESERVE * limit)
        self.start = time.perf_counter() if start is None else start
        self.deadline = None if self.limit is None else self.start + self.limit
        #: how long the last MILP over every pair took (s): a guide to whether another fits
        self.last_milp = 0.0

    def left(self, share: float = 1.0) -> float | None:
        """Seconds left until ``share`` of the limit is used (at least a millisecond, so a
        solver still returns its incumbent); ``None`` without a limit."""
        if self.deadline is None or self.limit is None:
            return None
        return max(1e-3, self.start + share * self.limit - time.perf_counter())

    def used(self) -> float:
        """The share of the limit used so far (0 without a limit)."""
        if self.limit is None:
            return 0.0
        return (time.perf_counter() - self.start) / self.limit

    def share_after(self, seconds: float, share: float = 1.0) -> float:
        """The share of the limit that will be used ``seconds`` from now, ``share`` at most
        (``share`` without a limit): the share that gives a step that many seconds."""
        if self.limit is None:
            return share
        return min(share, self.used() + seconds / self.limit)

    def expired(self, share: float = 1.0) -> bool:
        """Whether ``share`` of the limit has been used."""
        return self.limit is not None and time.perf_counter() - self.start >= share * self.limit
