"""Valid rows for "counted enterprise ``e`` gains at least ``level``" — the fair MILPs' cuts.

With several partners a counted gain is a sum, and the plain row ``gain_e(x) ≥ level`` is weak
in the LP relaxation: a fraction of one excellent cell satisfies it. Every matching in which
``e`` reaches ``level`` with at most ``cap_e`` partners also satisfies three rows that the LP
does not see on its own:

* **clipped** — ``Σ_cells min(1, gain/level)·x ≥ 1``: ``e`` reaches the level either on one cell
  at or above it, or on several below it whose gains add up to it;
* **fewest partners** — ``Σ_cells x ≥ k_e``, where ``k_e`` is the smallest ``k`` whose ``k``
  best cells of ``e`` add up to the level (one more than ``e`` may have — ``cap_e`` or its
  number of cells, whichever is smaller — when none do: ``e`` cannot reach it at all);
* **a decisive partner** — ``Σ_{cells with gain ≥ level − top_e} x ≥ 1``, ``top_e`` the sum of
  ``e``'s ``cap_e − 1`` best cells: with at most ``cap_e`` partners, the best of them carries
  at least that much.

Measured on a 300 × 300 programme with capacities 1..3 and every counted CN enterprise needing a
sum: the LP bound on the max-min level fell from 0.754 to 0.6624 (the optimum is 0.6624), and
HiGHS proved a level infeasible in 0.6 s where it had needed 18 s without the rows.

Each row holds for any level at or above the one it was built for, so rows built at a lower
bound on a level (a counting bracket's ``low``) stay valid for the whole bracket. The
fewest-partners and decisive rows compare sums with the level less :data:`~.milp.LEVEL_SLACK`,
so that HiGHS's tolerance on the gain rows never makes them cut off a matching the gain rows
accept; the clipped row is the gain row divided by the level, with the same tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.optimize import LinearConstraint

__all__ = ["ReachRows", "ReachTable"]


@dataclass(frozen=True)
class ReachRows:
    """The three row families of the module docstring for one level, over the cells."""

    clipped: sp.csr_array  # (m, n): gain / level clipped to [0, 1] on e's cells
    partners: sp.csr_array  # (m, n): 1 on e's cells
    fewest: np.ndarray  # (m,): the fewest partners that reach the level (see the docstring)
    decisive: sp.csr_array  # (m, n): 1 on e's cells that can be the best of a reaching set
    need: np.ndarray | float = 1.0  # (m,): the clipped and decisive rows' bound (-inf: no row)

    def constraints(self, total_cols: int) -> list[LinearConstraint]:
        """The rows for a model where *every* counted enterprise must reach the level (cells
        first, then ``total_cols − n`` other columns with zero coefficients)."""
        pad = sp.csr_array((self.clipped.shape[0], total_cols - self.clipped.shape[1]))
        return [
            LinearConstraint(sp.hstack([self.clipped, pad], format="csr"), self.need, np.inf),
            LinearConstraint(sp.hstack([self.partners, pad], format="csr"), self.fewest, np.inf),
            LinearConstraint(sp.hstack([self.decisive, pad], format="csr"), self.need, np.inf),
        ]

    def indicator_constraints(self, y_col: int, total_cols: int) -> list[LinearConstraint]:
        """The rows for a model where binary ``y_e`` (columns ``y_col …``) says that ``e``
        reaches the level: each family's right-hand side is multiplied by ``y_e`` (no rows for
        members at a level ≤ 0)."""
        m, n = self.clipped.shape
        lower = np.where(np.isfinite(self.need), 0.0, -np.inf)
        before = sp.csr_array((m, y_col - n))
        after = sp.csr_array((m, total_cols - y_col - m))
        eye = sp.eye_array(m, format="csr")
        out = []
        for cells, need in ((self.clipped, 1.0), (self.partners, self.fewest),
                            (self.decisive, 1.0)):
            # (a member without rows has no finite need: its coefficient is 0)
            y = eye if np.isscalar(need) else sp.diags_array(
                np.where(np.isfinite(need), np.asarray(need, dtype=np.float64), 0.0))
            out.append(LinearConstraint(sp.hstack([cells, before, -y, after], format="csr"),
                                        lower, np.inf))
        return out


class ReachTable:
    """Each counted member's best cells, sorted once, to build the rows at any levels.

    Leximin by LP levels (:mod:`.lp_levels`) rebuilds the rows at a new level for every LP;
    the sort is the costly part, so it is done here once (one table per model:
    :attr:`.milp.FairModel.reach`). ``gain_rows`` (members × cells) and ``caps`` (the most
    partners each member may have) are the model's; ``slack`` is the relative tolerance the
    gain rows are held to (:data:`.milp.LEVEL_SLACK`), which the sums are compared with the
    level less of.
    """

    def __init__(self, gain_rows: sp.sparray, caps: np.ndarray, slack: float) -> None:
        self.slack = slack
        gains = sp.csr_array(gain_rows)
        gains.sort_indices()
        m = gains.shape[0]
        lengths = np.diff(gains.indptr)
        self.gains = gains
        self.rows = np.repeat(np.arange(m), lengths)  # each cell entry's member
        # each member's cell gains, best first, in a padded (m, longest) array
        width = int(lengths.max(initial=0))
        padded = np.zeros((m, max(width, 1)))
        # negative gains count as 0: a set of partners reaching the level without them does too
        padded[self.rows, np.arange(gains.nnz) - gains.indptr[self.rows]] = np.maximum(
            gains.data, 0.0)
        best_first = -np.sort(-padded, axis=1)
        self.caps = np.minimum(caps, lengths)  # no more partners than cells
        depth = int(self.caps.max(initial=0))
        self.sums = np.cumsum(best_first[:, :max(depth, 1)], axis=1)  # [e, k-1]: k best cells
        self.within = np.arange(self.sums.shape[1])[None, :] < self.caps[:, None]
        caps = self.caps
        self.others = np.where(caps >= 2, self.sums[np.arange(m), np.maximum(caps - 2, 0)], 0.0)
        #: the most each member can gain: its ``cap`` best cells
        self.most = np.where(caps >= 1, self.sums[np.arange(m), np.maximum(caps - 1, 0)], 0.0)

    def at(self, levels: np.ndarray) -> ReachRows:
        """The rows for per-member ``levels`` (members at a level ≤ 0 get no rows)."""
        gains, rows = self.gains, self.rows
        active = levels > 0
        level = np.where(active, levels, 1.0)
        floor = level - self.slack * np.maximum(1.0, np.abs(level))
        short = self.within & (self.sums < floor[:, None])
        fewest = short.sum(axis=1) + 1.0  # one more than it may have when none reach
        clipped = gains.copy()
        clipped.data = np.clip(gains.data / level[rows], 0.0, 1.0)
        partners = gains.copy()
        partners.data = np.ones(gains.nnz)
        decisive = gains.copy()
        decisive.data = (gains.data >= floor[rows] - self.others[rows]).astype(np.float64)
        if not active.all():
            keep = sp.diags_array(active.astype(np.float64))
            clipped, partners, decisive = (sp.csr_array(keep @ a)
                                           for a in (clipped, partners, decisive))
        decisive.eliminate_zeros()
        return ReachRows(clipped, partners, np.where(active, fewest, -np.inf), decisive,
                         np.where(active, 1.0, -np.inf))

    def at_level(self, level: float) -> ReachRows:
        """The rows for one ``level`` > 0, every member's (vectorised over members and
        cells)."""
        return self.at(np.full(len(self.caps), float(level)))

    @cached_property
    def breakpoints(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each member's rows jump: ``(levels, members)``, sorted by level.

        The fewest-partner row changes where a sum of best cells meets the level, the
        decisive row where ``gain + top`` of one of its cells does (the clipped row changes
        continuously).
        """
        m = len(self.caps)
        sums_members = np.broadcast_to(np.arange(m)[:, None], self.sums.shape)[self.within]
        levels = np.concatenate([self.sums[self.within],
                                 self.gains.data + self.others[self.rows]])
        members = np.concatenate([sums_members, self.rows])
        order = np.argsort(levels, kind="stable")
        return levels[order], members[order]
