"""Branch and price on the configuration LP: whether a *matching* reaches given levels.

Where the configuration LP is not integral (the rules programme counting PK, at its 33rd
round: a half-integral point, 16 firms each on two sets at ½), its rounds' levels lie above the
matchings', and a round on matchings took MILPs over the pairs of 8–19 s each. Branching on the
LP itself settles the same questions in a few nodes: the LP point's most fractional pair is
*forced* (the first side's sets must hold it: one row, whose dual prices the pair, so pricing
stays exact) in one branch and *forbidden* (no set may hold it) in the other, depth first. A
node whose LP refutes its levels is closed; a node whose point holds every pair wholly or not
at all is a matching (each member's sets in use hold only its pairs in it, so it gains at
least as much as each of them). There, at 0.8054 the search refuted the level in 5 nodes
(0.25 s), and found a matching at 0.8044 in 6.

Refutations are proofs: every node's LP is a relaxation of the matchings in its branch, and the
branches cover them all. A search that outgrows :data:`NODES` nodes, or the time limit, raises
:class:`~.config_lp.LPStopped` and proves nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from pairing.solvers.fair.config_lp import ConfigLP, LPStopped
from pairing.solvers.fair.config_matching import holds, thresholds
from pairing.solvers.fair.zeros import Zeros

__all__ = ["NODES", "ExactTests", "integral_point"]

#: Most nodes one search may take.
NODES = 100
#: A pair's value this close to 0 or 1 counts as whole.
WHOLE = 1e-6
#: Most fractional pairs whose branches are probed at a node (:func:`_probe`).
PROBES = 8
#: Most matchings :class:`ExactTests` keeps to try before a search (the newest first).
KNOWN = 4


def integral_point(lp: ConfigLP, levels: np.ndarray, nodes: int = NODES) -> np.ndarray | None:
    """A matching (0/1 per pair) where every member reaches ``levels[e]`` as in
    :meth:`~.config_lp.ConfigLP.reachable` (loose members counted), or ``None`` when the
    branches prove there is none. Raises :class:`~.config_lp.LPStopped` past ``nodes`` nodes
    or the time limit. The LP is left as it was (every branch ended)."""
    left = [nodes]

    def node() -> np.ndarray | None:
        left[0] -= 1
        if left[0] < 0:
            raise LPStopped
        if not lp.reachable(levels)[0]:
            return None
        values = lp.cell_values(lp.point)
        distance = np.minimum(values, 1.0 - values)
        cell = int(np.argmax(distance))
        if distance[cell] < WHOLE:
            return np.round(values)
        sides: tuple[bool, ...] = (True, False)  # (forced first: a dive towards a matching)
        probed = _probe(lp, levels, distance)
        if probed is not None:
            cell, closed = probed
            sides = (not closed,)
        for force in sides:
            with _branch(lp, cell, force):
                found = node()
            if found is not None:
                return found
        return None

    with lp.branching():
        return node()


@contextmanager
def _branch(lp: ConfigLP, cell: int, force: bool) -> Iterator[None]:
    """The branch that forces (``force``) or forbids ``cell``, ended on the way out."""
    lp.branch(cell, force=force, on=True)
    try:
        yield
    finally:
        lp.branch(cell, force=force, on=False)


def _probe(lp: ConfigLP, levels: np.ndarray, distance: np.ndarray) -> tuple[int, bool] | None:
    """Among the :data:`PROBES` most fractional pairs, the first with a branch whose LP refutes
    ``levels`` (forced, then forbidden), and that branch (``True``: forced); ``None`` when no
    such branch closes. Only the other branch is then searched: a tree that closes one side
    of a pair at once is far smaller (150 × 150 counting CN, a test that the most fractional
    pair did not settle in 100 nodes, or settled in 9 from another LP point)."""
    if PROBES <= 0:
        return None
    order = np.argsort(-distance, kind="stable")[:PROBES]
    for cell in order[distance[order] >= WHOLE]:
        for force in (True, False):
            with _branch(lp, int(cell), force):
                reached = lp.reachable(levels)[0]
            if not reached:
                return int(cell), force
    return None


class ExactTests:
    """:meth:`~.config_lp.ConfigLP.reachable` on matchings instead of LP points, for a
    configuration round (:func:`.config_rounds.config_rounds`) where the LP is not integral:
    each test is a branch and price search, and :attr:`last` keeps the matching of the last
    level test that found one.

    ``known``: a matching that keeps the rounds so far (the caller's). The matchings known
    are tried before each search, and :meth:`reached` gives the level they prove, where the
    round's search begins: a search that *finds* a matching just above the last round's level
    is a dive, which can take thousands of nodes (150 × 150 counting CN, the 32nd round: 7,644
    nodes in 129 s without one), while the refutation just above the level the known matching
    reaches took 9 nodes (0.14 s)."""

    def __init__(self, lp: ConfigLP, zeros: Zeros | None,
                 known: np.ndarray | None = None) -> None:
        self.lp = lp
        self.zeros = zeros
        self.last: np.ndarray | None = None
        self.known: list[np.ndarray] = [] if known is None else [known]
        self.loose = np.zeros(lp.m, dtype=bool) if zeros is None else zeros.loose

    def _gains(self, x: np.ndarray) -> np.ndarray:
        """Each member's gain in ``x`` (a loose member's: its group's rising level)."""
        gains = np.asarray(self.lp.gain_rows @ x, dtype=np.float64)
        if self.zeros is not None and self.loose.any():
            gains[self.loose] = self.zeros.rising_level(gains)
        return gains

    def _holds(self, x: np.ndarray, levels: np.ndarray) -> bool:
        """Whether ``x`` obeys the rules and reaches ``levels`` (:func:`.config_matching.holds`,
        the loose group counted by its thresholds)."""
        return holds(self.lp, x, levels, thresholds(levels, self.zeros), self.loose)

    def reached(self, unfixed: np.ndarray, kept: np.ndarray, rising: np.ndarray) -> float:
        """The highest level a known matching is checked to give every ``unfixed`` member
        (``rising``: the members that must reach it, the loose group's rising ones counted by
        their group's level) with the others at ``kept``; 0 when none does."""
        best = 0.0
        for x in self.known:
            gains = self._gains(x)
            level = float(gains[rising].min(initial=np.inf))
            if np.isfinite(level) and level > best and self._holds(
                    x, np.where(unfixed, level, kept)):
                best = level
        return best

    def test(self, levels: np.ndarray, *, keep: bool = False) -> tuple[bool, np.ndarray]:
        """Whether a matching reaches ``levels``, and each member's gain in it (a loose
        member's: its group's rising level); ``keep``: remember that matching. A known
        matching that reaches them is the answer; else a branch and price search. A matching
        that fails the independent check stops the search (:class:`~.config_lp.LPStopped`)."""
        x = next((known for known in self.known if self._holds(known, levels)), None)
        if x is None:
            x = integral_point(self.lp, levels)
            if x is None:
                return False, np.full(self.lp.m, -np.inf)
            if not self._holds(x, levels):
                raise LPStopped
            self.known = [x, *self.known[:KNOWN - 1]]
        if keep:
            self.last = x
        return True, self._gains(x)
