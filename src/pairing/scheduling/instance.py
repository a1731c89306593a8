"""The scheduling problem as arrays: meetings, enterprises, slots and who is free when.

Every pair of the result is one meeting. Enterprises are indexed once (those in a meeting, left
side first in programme order), slots globally in chronological order, and ``allowed[m, t]``
says whether both enterprises of meeting ``m`` are free in slot ``t``. A meeting with a booth
host takes place at that booth and needs no shared table; when both enterprises host a booth
the meeting is at the left enterprise's (a fixed, documented choice: either way it needs no
table, and each enterprise is in one meeting per slot, so a booth never holds two).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from pairing.errors import InvalidProgramme, Issue
from pairing.model.programme import Enterprise, Programme
from pairing.model.result import Result
from pairing.scheduling.event import Event

__all__ = ["Instance", "MeetingSpec", "build_instance"]

#: Scores are mapped affinely onto 0..SCORE_SCALE integers for CP-SAT (see :func:`score_weights`).
SCORE_SCALE = 1_000_000


@dataclass(frozen=True)
class MeetingSpec:
    """One meeting to place: the pair, its score and, if any, the booth it takes place at."""

    left: str
    right: str
    score: float
    booth: str | None = None


@dataclass(frozen=True)
class Instance:
    """Arrays describing one scheduling problem (see the module docstring)."""

    event: Event
    meetings: tuple[MeetingSpec, ...]
    enterprises: tuple[tuple[str, str], ...]
    ends: np.ndarray
    free: np.ndarray
    session_of: np.ndarray
    info: dict[tuple[str, str], Enterprise]

    @property
    def n_slots(self) -> int:
        return len(self.event.slots)

    @property
    def at_table(self) -> np.ndarray:
        """``True`` for meetings that need a shared table (no booth)."""
        return np.array([m.booth is None for m in self.meetings], dtype=bool)

    @property
    def allowed(self) -> np.ndarray:
        """``(meetings, slots)``: both enterprises free."""
        if not self.meetings:
            return np.zeros((0, self.n_slots), dtype=bool)
        return self.free[self.ends[:, 0]] & self.free[self.ends[:, 1]]

    def score_weights(self) -> np.ndarray:
        """Integer weights 0..SCORE_SCALE, an affine map of the scores.

        With the number of placed meetings fixed, an affine map with a positive slope keeps the
        order of total scores, so maximising these weights is maximising the total score (up to
        the rounding of one part in ``SCORE_SCALE`` of the score range per meeting).
        """
        scores = np.array([m.score for m in self.meetings], dtype=np.float64)
        if scores.size == 0:
            return np.zeros(0, dtype=np.int64)
        low, high = float(scores.min()), float(scores.max())
        if high <= low:
            return np.full(scores.size, SCORE_SCALE, dtype=np.int64)
        return np.rint((scores - low) / (high - low) * SCORE_SCALE).astype(np.int64)

    def label(self, m: int) -> str:
        meeting = self.meetings[m]
        return f"{meeting.left}–{meeting.right}"


def build_instance(programme: Programme, result: Result, event: Event) -> Instance:
    """The arrays of the problem of scheduling ``result``'s pairs at ``event``.

    Raises
    ------
    InvalidProgramme
        When the result names an enterprise the programme does not have, or a pair twice.
    """
    issues = []
    left = {e.id: e for e in programme.left.enterprises}
    right = {e.id: e for e in programme.right.enterprises}
    for k, pair in enumerate(result.pairs, start=1):
        for side, ident, known in (("left", pair.left, left), ("right", pair.right, right)):
            if ident not in known:
                issues.append(
                    Issue(
                        f"result, pair #{k}",
                        f"{side} id {ident!r} is not in the programme; "
                        "was the result solved from this programme?",
                    )
                )
    for (a, b), n in Counter(result.pair_ids()).items():
        if n > 1:
            issues.append(Issue("result", f"pair {a}–{b} appears {n} times; each pair meets once"))
    if issues:
        raise InvalidProgramme(issues)

    used_left = {p.left for p in result.pairs}
    used_right = {p.right for p in result.pairs}
    enterprises = tuple(
        [("left", e.id) for e in programme.left.enterprises if e.id in used_left]
        + [("right", e.id) for e in programme.right.enterprises if e.id in used_right]
    )
    index = {key: k for k, key in enumerate(enterprises)}
    n_slots = len(event.slots)
    free = np.ones((len(enterprises), n_slots), dtype=bool)
    for k, (side, ident) in enumerate(enterprises):
        for t in event.unavailable_slots(side, ident):
            free[k, t] = False
    meetings = []
    for pair in result.pairs:
        booth = event.booth_of("left", pair.left) or event.booth_of("right", pair.right)
        meetings.append(
            MeetingSpec(pair.left, pair.right, pair.score, booth.name if booth else None)
        )
    ends = np.array(
        [[index[("left", m.left)], index[("right", m.right)]] for m in meetings], dtype=np.intp
    ).reshape(-1, 2)
    session_of = np.array([s.session for s in event.slots], dtype=np.intp)
    info = {("left", k): e for k, e in left.items()} | {("right", k): e for k, e in right.items()}
    return Instance(event, tuple(meetings), enterprises, ends, free, session_of, info)
