"""``flow``: OR-Tools min-cost flow for capacities, required pairs and one side's group quotas.

The network, for quotas on the left side (mirror it for the right)::

    source ──[quota min..max]──> group g ──[cap min..max]──> left i ──[0..1, -score]──> right j
       └──────────────[cap min..max]──────> left i (not in any group)     right j ──[cap]──> sink
    source ──────────────────[bypass, cost 0]──────────────────────────────────────────> sink

* one arc per allowed cell (capacity 1, cost minus the score in integer units of
  :mod:`pairing.solvers.scaling`), built with NumPy arrays in one call;
* capacity bounds ``min..max`` on the arcs into left enterprises and out of right ones; lower
  bounds use the standard transformation (the lower bound is moved into the end nodes' supplies
  and the arc keeps ``max - min``);
* side quotas: every enterprise of a group is routed through that group's node, whose arc
  carries the quota's ``min..max``. This needs groups that do not overlap, i.e. quotas of one
  side by a single attribute (sector, region or size); quotas on both sides or pair quotas
  break the network structure and are declined (see :func:`accepts`);
* required pairs are fixed first: their ends' capacities and their group's bounds shrink by
  one and the cell leaves the network;
* the source supplies as many units as could ever be matched and a bypass arc lets unused units
  go straight to the sink at no cost, so the flow maximises the total score, not the number of
  pairs.

Min-cost flow is exact on integer costs: the matching is optimal for the scaled scores (equal to
the float optimum for scores with at most six decimals; see :mod:`pairing.solvers.scaling`).
It takes no time limit: it is strongly polynomial and fast.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from pairing.core.problem import Problem
from pairing.errors import Infeasible, SolverError
from pairing.solvers.base import Assignment, SolveOptions
from pairing.solvers.scaling import to_int_scores
from pairing.solvers.specs import flow_accepts as accepts
from pairing.solvers.specs import flow_groups as _groups

__all__ = ["accepts", "solve"]

_SOURCE, _SINK = 0, 1


class _Network:
    """Arcs with lower bounds, collected as arrays, then solved in one call."""

    def __init__(self, n_nodes: int) -> None:
        self.supply = np.zeros(n_nodes, dtype=np.int64)
        self.tails: list[np.ndarray] = []
        self.heads: list[np.ndarray] = []
        self.caps: list[np.ndarray] = []
        self.costs: list[np.ndarray] = []

    def arcs(self, tails: np.ndarray, heads: np.ndarray, low: np.ndarray | int,
             high: np.ndarray | int, cost: np.ndarray | None = None) -> None:
        tails = np.asarray(tails, dtype=np.int64)
        heads = np.asarray(heads, dtype=np.int64)
        low = np.broadcast_to(np.asarray(low, dtype=np.int64), tails.shape)
        high = np.broadcast_to(np.asarray(high, dtype=np.int64), tails.shape)
        np.subtract.at(self.supply, tails, low)
        np.add.at(self.supply, heads, low)
        self.tails.append(tails)
        self.heads.append(heads)
        self.caps.append(high - low)
        self.costs.append(np.zeros(len(tails), dtype=np.int64) if cost is None else cost)

    def solve(self) -> tuple[min_cost_flow.SimpleMinCostFlow, int]:
        flow = min_cost_flow.SimpleMinCostFlow()
        flow.add_arcs_with_capacity_and_unit_cost(
            np.concatenate(self.tails).astype(np.int32),
            np.concatenate(self.heads).astype(np.int32),
            np.concatenate(self.caps).astype(np.int64),
            np.concatenate(self.costs).astype(np.int64),
        )
        nodes = np.arange(len(self.supply), dtype=np.int32)
        flow.set_nodes_supplies(nodes, self.supply)
        return flow, int(flow.solve())


def solve(problem: Problem, options: SolveOptions) -> Assignment:
    """Maximise the total score by min-cost flow (see the module notes for the network)."""
    del options  # exact and fast: no time limit, threads or seed apply
    found = _groups(problem)
    if isinstance(found, str):
        msg = f"flow cannot express {found}; use milp or cpsat"
        raise SolverError(msg)
    side, groups = found
    n_left, n_right = problem.shape
    left_node = 2 + np.arange(n_left)
    right_node = 2 + n_left + np.arange(n_right)
    group_node = 2 + n_left + n_right + np.arange(len(groups))

    # Fix required pairs: they leave the network and use up capacity and quota room.
    taken_left = np.bincount(problem.required[:, 0], minlength=n_left)
    taken_right = np.bincount(problem.required[:, 1], minlength=n_right)
    min_left = np.maximum(problem.cap_min_left - taken_left, 0)
    max_left = problem.cap_max_left - taken_left
    min_right = np.maximum(problem.cap_min_right - taken_right, 0)
    max_right = problem.cap_max_right - taken_right
    if (max_left < 0).any() or (max_right < 0).any():
        raise Infeasible([])
    usable = problem.allowed.copy()
    usable[problem.required[:, 0], problem.required[:, 1]] = False
    usable &= (max_left > 0)[:, None] & (max_right > 0)[None, :]
    cell_left, cell_right = np.nonzero(usable)

    net = _Network(2 + n_left + n_right + len(groups))
    total_room = int(min(max_left.sum(), max_right.sum(), len(cell_left)))
    net.supply[_SOURCE] += total_room
    net.supply[_SINK] -= total_room
    net.arcs(np.array([_SOURCE]), np.array([_SINK]), 0, total_room)  # bypass

    side_nodes, side_min, side_max, side_taken = (
        (left_node, min_left, max_left, taken_left) if side == "left"
        else (right_node, min_right, max_right, taken_right)
    )
    grouped = np.zeros(len(side_nodes), dtype=bool)
    for node, group in zip(group_node, groups, strict=True):
        members = np.flatnonzero(group.members)
        used = int(side_taken[members].sum())
        room = int(side_max[members].sum())
        low = max(group.low - used, 0)
        high = room if group.high is None else min(room, group.high - used)
        if high < low:
            raise Infeasible([])
        ends = (np.array([_SOURCE]), np.array([node])) if side == "left" else (
            np.array([node]), np.array([_SINK]))
        net.arcs(*ends, low, high)
        if side == "left":
            net.arcs(np.full(len(members), node), side_nodes[members], side_min[members],
                     side_max[members])
        else:
            net.arcs(side_nodes[members], np.full(len(members), node), side_min[members],
                     side_max[members])
        grouped[members] = True
    free = np.flatnonzero(~grouped)
    if side == "left":
        net.arcs(np.full(len(free), _SOURCE), left_node[free], min_left[free], max_left[free])
        net.arcs(right_node, np.full(n_right, _SINK), min_right, max_right)
    else:
        net.arcs(np.full(n_left, _SOURCE), left_node, min_left, max_left)
        net.arcs(right_node[free], np.full(len(free), _SINK), min_right[free], max_right[free])

    first_cell_arc = sum(len(t) for t in net.tails)
    cost = -to_int_scores(problem.weights[cell_left, cell_right])
    net.arcs(left_node[cell_left], right_node[cell_right], 0, 1, cost)
    flow, status = net.solve()
    if status == flow.INFEASIBLE:
        raise Infeasible([])
    if status != flow.OPTIMAL:
        msg = f"flow: OR-Tools min-cost flow failed with status {status}"
        raise SolverError(msg)
    cell_arcs = np.arange(first_cell_arc, first_cell_arc + len(cell_left), dtype=np.int32)
    on = np.asarray(flow.flows(cell_arcs)) > 0
    left = np.concatenate([problem.required[:, 0], cell_left[on]])
    right = np.concatenate([problem.required[:, 1], cell_right[on]])
    order = np.lexsort((right, left))
    return Assignment(left[order], right[order], "optimal", note="min-cost flow")
