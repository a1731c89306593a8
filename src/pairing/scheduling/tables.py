"""Table numbers, given after the search (tables are interchangeable, so the solver only counts).

Within each slot, in chronological order, every meeting at the shared tables gets a number
1..tables. A meeting first tries the table its left enterprise sat at in its previous meeting
(a host delegation keeps its table and its banner), then its right enterprise's, then the
table it had in the old schedule when re-scheduling, then the lowest free number. The slot
counts from the solver guarantee a free table always exists.
"""

from __future__ import annotations

import numpy as np

from pairing.scheduling.instance import Instance

__all__ = ["assign_tables"]


def assign_tables(
    instance: Instance, slot: np.ndarray, old_table: np.ndarray | None = None
) -> np.ndarray:
    """Table number per meeting (0 for a booth meeting or an unplaced one).

    Parameters
    ----------
    instance
        The problem.
    slot
        Global slot per meeting (-1 unplaced); at most ``tables`` table meetings per slot.
    old_table
        Optional table per meeting in an earlier schedule (0 for none), preferred when free.
    """
    tables = np.zeros(len(instance.meetings), dtype=np.intp)
    last: dict[int, int] = {}
    at_table = instance.at_table
    for t in range(instance.n_slots):
        here = [int(m) for m in np.flatnonzero((slot == t) & at_table)]
        taken: set[int] = set()
        for m in here:
            a, b = (int(e) for e in instance.ends[m])
            wishes = [last.get(a), last.get(b)]
            if old_table is not None and old_table[m] > 0:
                wishes.insert(0, int(old_table[m]))
            choice = next(
                (
                    w
                    for w in wishes
                    if w is not None and w <= instance.event.tables and w not in taken
                ),
                None,
            )
            if choice is None:
                choice = next(k for k in range(1, instance.event.tables + 1) if k not in taken)
            taken.add(choice)
            tables[m] = choice
            last[a] = last[b] = choice
    return tables
