"""What leximin's level rounds proved (:mod:`.level_rounds`), and the tally of how: the record
that the rounds, the repairs of their LP points (:mod:`.repairs`) and the rounds on matchings
(:mod:`.on_matchings`) fill in as they go."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pairing.solvers.fair.lp_levels import LevelRounds
from pairing.solvers.fair.zeros import Zeros

__all__ = ["LevelOutcome"]


@dataclass
class LevelOutcome:
    """What the level rounds proved."""

    state: LevelRounds = field(default_factory=lambda: LevelRounds.empty(0))  # levels kept
    x: np.ndarray | None = None  # a matching that keeps them (every other member at the last)
    complete: bool = False  # every level, and x is the best total among matchings keeping them
    lp_rounds: int = 0
    config_rounds: int = 0  # of the LP rounds, those on the configuration LP
    milp_rounds: int = 0  # rounds on matchings, by MILPs over the pairs
    branched_rounds: int = 0  # rounds on matchings, by branching on the configuration LP
    lps: int = 0
    milps: int = 0  # MILPs run
    #: the next position's value when the last round on matchings proved it but could not say
    #: whose it is (several members that cannot all rise), and a matching
    #: that keeps the levels and reaches it
    next_level: tuple[float, np.ndarray] | None = None
    #: the forced zeros as the rounds left them (with the loose group's levels they proved)
    zeros: Zeros | None = None
    #: the last matching whose total was sought among those that keep its rounds' levels
    #: (:func:`.level_rounds._best_total_from`), and whether that total is proven the best
    best_total: tuple[np.ndarray, bool] | None = None
