"""A fast greedy schedule: the hint for CP-SAT and the baseline it is measured against.

Like DSatur edge colouring (slots are colours, an enterprise's meetings must get different
ones), it repeatedly places the meeting with the fewest slots still open to it — ties to the
busier enterprises, then the higher score, then input order — in the open slot that adds the
fewest idle slots to its two enterprises, then (for a table meeting) the one with the most
tables left — so that no slot's tables run out early — then the earliest. Open means: both
enterprises free and available, under ``max_per_session``, and a shared table left when the
meeting needs one.
Deterministic; a meeting with no open slot left stays unplaced (-1).
"""

from __future__ import annotations

import numpy as np

from pairing.scheduling.instance import Instance

__all__ = ["greedy_schedule"]


def _added_idle(row: np.ndarray, t: int, session: np.ndarray) -> int:
    """Idle slots added to an enterprise (busy mask ``row``) by a meeting at slot ``t``."""
    same = np.flatnonzero(row & (session == session[t]))
    if same.size == 0:
        return 0
    if t < same[0]:
        return int(same[0] - t - 1)
    if t > same[-1]:
        return int(t - same[-1] - 1)
    return -1  # fills a gap


def greedy_schedule(
    instance: Instance,
    keep: np.ndarray | None = None,
    only: np.ndarray | None = None,
    *,
    balance: bool = True,
) -> np.ndarray:
    """The slot of each meeting (global index), or -1 where the greedy could not place it.

    Parameters
    ----------
    instance
        The problem.
    keep
        Optional preferred slot per meeting (-1 for none), from an earlier schedule: a meeting
        whose preferred slot is open is placed there first.
    only
        Optional mask of the meetings to place (the others stay -1).
    balance
        Prefer the slot with the most tables left before the earliest (the default); without
        it the earliest slot wins, which gives earlier agendas when tables are not scarce.
    """
    event = instance.event
    n_meetings, n_slots = len(instance.meetings), instance.n_slots
    slot = np.full(n_meetings, -1, dtype=np.intp)
    if n_meetings == 0:
        return slot
    allowed = instance.allowed
    ends = instance.ends
    table = instance.at_table
    session = instance.session_of
    n_sessions = len(event.sessions)
    limit = event.max_per_session if event.max_per_session is not None else n_slots
    busy = np.zeros(instance.free.shape, dtype=bool)
    per_session = np.zeros((len(instance.enterprises), n_sessions), dtype=np.intp)
    tables_used = np.zeros(n_slots, dtype=np.intp)
    degree = np.bincount(ends.ravel(), minlength=len(instance.enterprises))
    pressure = degree[ends[:, 0]] + degree[ends[:, 1]]
    weights = instance.score_weights()
    todo = np.ones(n_meetings, dtype=bool) if only is None else only.copy()

    def open_slots() -> np.ndarray:
        room = per_session < limit
        ok = allowed & ~busy[ends[:, 0]] & ~busy[ends[:, 1]]
        ok &= room[ends[:, 0]][:, session] & room[ends[:, 1]][:, session]
        ok[table] &= (tables_used < event.tables)[None, :]
        return ok

    def place(m: int, t: int) -> None:
        a, b = ends[m]
        slot[m] = t
        busy[a, t] = busy[b, t] = True
        per_session[a, session[t]] += 1
        per_session[b, session[t]] += 1
        if table[m]:
            tables_used[t] += 1
        todo[m] = False

    if keep is not None:
        for k in np.flatnonzero((keep >= 0) & todo).tolist():
            if open_slots()[k, keep[k]]:
                place(k, int(keep[k]))
    while todo.any():
        ok = open_slots()
        counts = np.where(todo, ok.sum(axis=1), n_slots + 1)
        dead = todo & (counts == 0)
        todo[dead] = False
        candidates = np.flatnonzero(todo)
        if candidates.size == 0:
            break
        order = np.lexsort(
            (candidates, -weights[candidates], -pressure[candidates], counts[candidates])
        )
        m = int(candidates[order[0]])
        a, b = (int(e) for e in ends[m])
        options = np.flatnonzero(ok[m])
        load = tables_used if table[m] and balance else np.zeros(n_slots, dtype=np.intp)
        costs = [
            (_added_idle(busy[a], t, session) + _added_idle(busy[b], t, session), load[t], t)
            for t in options.tolist()
        ]
        place(m, min(costs)[2])
    return slot
