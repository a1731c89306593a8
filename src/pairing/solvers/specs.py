"""Every solver's :class:`~pairing.solvers.base.SolverSpec`, without importing any solver.

A spec names its solving module (``module``) and carries what ``auto`` and ``pairing solvers``
read: objectives, rule kinds, exactness, summary, library, limits, and the few acceptance
tests finer than rule kinds (``flow``'s disjoint quota groups, ``sparse``'s capacity plan),
which need only NumPy and live here. The module, with its solver libraries (SciPy, HiGHS,
OR-Tools, numba, …), is imported when ``spec.solve`` is first called, so choosing a solver
loads none of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.util import find_spec

import numpy as np

from pairing.core.problem import Problem
from pairing.solvers.base import RULE_KINDS, LazySolve, SolverSpec

__all__ = ["SPECS", "FlowGroup", "flow_accepts", "flow_groups", "sparse_accepts", "sparse_plan"]


@dataclass(frozen=True)
class FlowGroup:
    """One group of the quota side in ``flow``'s network."""

    members: np.ndarray  # bool mask over the quota side's enterprises
    low: int
    high: int | None


def flow_groups(problem: Problem) -> tuple[str, list[FlowGroup]] | str:
    """The side carrying quotas and its disjoint groups (bounds merged), or why it cannot."""
    if any(q.kind != "side" for q in problem.quotas):
        return "pair quotas (a flow network routes one side's groups only)"
    if not problem.quotas:
        return "left", []
    sides = {q.side for q in problem.quotas}
    if len(sides) > 1:
        return "side quotas on both sides (a flow network routes one side's groups only)"
    side = sides.pop()
    merged: list[FlowGroup] = []
    for quota in problem.quotas:
        members = quota.left_mask if side == "left" else quota.right_mask
        for k, group in enumerate(merged):
            if np.array_equal(group.members, members):
                high = group.high if quota.max is None else (
                    quota.max if group.high is None else min(group.high, quota.max))
                merged[k] = FlowGroup(members, max(group.low, quota.min or 0), high)
                break
        else:
            merged.append(FlowGroup(np.asarray(members, dtype=bool), quota.min or 0, quota.max))
    cover = np.zeros(len(merged[0].members), dtype=np.int64)
    for group in merged:
        cover += group.members
    if cover.max(initial=0) > 1:
        return (
            "overlapping quota groups on one side (e.g. a sector quota and a region quota); "
            "a flow network needs quotas by a single attribute"
        )
    return side, merged


def flow_accepts(problem: Problem) -> str | None:
    """Why ``flow`` cannot take ``problem`` (None when it can)."""
    found = flow_groups(problem)
    return found if isinstance(found, str) else None


def sparse_plan(problem: Problem) -> tuple[np.ndarray, np.ndarray, str | None, bool]:
    """``sparse``'s plan: (free rows, free cols, mode or None when mixed, transposed)."""
    from pairing.solvers._assignment import _free_after_required, _saturating

    rows, cols = _free_after_required(problem)
    need_rows = problem.cap_min_left[rows] > 0
    need_cols = problem.cap_min_right[cols] > 0
    if not need_rows.any() and not need_cols.any():
        return rows, cols, "optional", False
    saturating = _saturating(need_rows, need_cols)
    if saturating is None:
        return rows, cols, None, False
    return rows, cols, "saturate", not saturating


def sparse_accepts(problem: Problem) -> str | None:
    """Why ``sparse`` cannot take ``problem`` (None when it can)."""
    if sparse_plan(problem)[2] is None:
        return (
            "some enterprises need a partner and others of the same side may stay alone "
            "(use lapjv or scipy)"
        )
    return None


def _spec(module: str, **fields: object) -> SolverSpec:
    return SolverSpec(solve=LazySolve(f"pairing.solvers.{module}"), **fields)  # type: ignore[arg-type]


_STABLE_LIMITS = (
    "a stable matching is defined by preferences and capacities only: quotas and "
    "required pairs are not part of it — remove them or choose another objective "
    "(total, maxmin, leximin, balanced)"
)

#: In the order ``pairing solvers`` lists them.
SPECS: tuple[SolverSpec, ...] = (
    _spec(
        "lapjv_lsa",
        name="lapjv",
        objectives=frozenset({"total"}),
        rules=frozenset({"required"}),
        exact=True,
        summary="LAPJV (Jonker-Volgenant, lapjv package): fastest dense one-to-one assignment",
        library="lapjv",
    ),
    _spec(
        "sparse",
        name="sparse",
        objectives=frozenset({"total"}),
        rules=frozenset({"required"}),
        exact=True,
        summary=(
            "Sparse candidate graph (top-k partners + greedy) solved with duals, every other "
            "pair priced out blockwise: one-to-one, proven optimal; fastest on large real matrices"
        ),
        library="numba",
        accepts=sparse_accepts,
    ),
    _spec(
        "scipy_lsa",
        name="scipy",
        objectives=frozenset({"total"}),
        rules=frozenset({"required"}),
        exact=True,
        summary="SciPy linear_sum_assignment: one-to-one and rectangular assignment",
        library="scipy",
    ),
    _spec(
        "ortools_lsa",
        name="ortools-lsa",
        objectives=frozenset({"total"}),
        rules=frozenset({"required"}),
        exact=True,
        summary="OR-Tools linear sum assignment (integer costs, sparse arcs)",
        library="ortools",
    ),
    _spec(
        "greedy",
        name="greedy",
        objectives=frozenset({"total"}),
        rules=frozenset({"capacity", "required"}),
        exact=False,
        summary="Greedy baseline (best pair first, capacities respected; heuristic)",
        library="numpy",
    ),
    _spec(
        "stable",
        name="stable",
        objectives=frozenset({"stable"}),
        rules=frozenset({"capacity"}),
        exact=True,
        summary=(
            "Deferred acceptance (Gale-Shapley, capacitated): proposer-optimal stable matching"
        ),
        # Compiled when numba is installed (``stable.COMPILED``), found without importing it.
        library="numba" if find_spec("numba") is not None else "numpy",
        extra={"limits": _STABLE_LIMITS},
    ),
    _spec(
        "fair.maxmin_threshold",
        name="maxmin-threshold",
        objectives=frozenset({"maxmin"}),
        rules=frozenset({"required"}),
        exact=True,
        summary=(
            "Max-min gain, one-to-one: threshold search (augmenting paths) + assignment"
        ),
        library="numba, ortools, lapjv",
    ),
    _spec(
        "fair.maxmin_milp",
        name="maxmin-milp",
        objectives=frozenset({"maxmin"}),
        rules=frozenset(RULE_KINDS),
        exact=True,
        summary=("Max-min gain, then total: level-0 test, then a proven level search (LPs "
                 "and MILPs, HiGHS), any rules"),
        library="highspy",
    ),
    _spec(
        "fair.balanced",
        name="balanced-milp",
        objectives=frozenset({"balanced"}),
        rules=frozenset(RULE_KINDS),
        exact=True,
        summary=(
            "Max of the smaller side mean gain, then total: two-phase MILP (HiGHS), any rules"
        ),
        library="highspy, lapjv",
    ),
    _spec(
        "fair.leximin_matching",
        name="leximin-matching",
        objectives=frozenset({"leximin"}),
        rules=frozenset({"required"}),
        exact=True,
        summary="Leximin gains, one-to-one: levels by Hopcroft-Karp + LAPJV on the tight pairs",
        library="scipy, lapjv",
    ),
    _spec(
        "fair.leximin",
        name="leximin-milp",
        objectives=frozenset({"leximin"}),
        rules=frozenset(RULE_KINDS),
        exact=True,
        summary="Leximin gains, any rules: ordered-outcomes MILP rounds (HiGHS)",
        library="highspy",
    ),
    _spec(
        "milp",
        name="milp",
        objectives=frozenset({"total"}),
        rules=frozenset({"capacity", "side_quota", "pair_quota", "partner_quota", "required"}),
        exact=True,
        summary="HiGHS MILP (LP first, column generation on large problems): any rules",
        library="highspy",
    ),
    _spec(
        "cpsat",
        name="cpsat",
        objectives=frozenset({"total"}),
        rules=frozenset({"capacity", "side_quota", "pair_quota", "partner_quota", "required"}),
        exact=True,
        summary="OR-Tools CP-SAT (integer scores, 1e-6 precision): any rules",
        library="ortools",
    ),
    _spec(
        "flow",
        name="flow",
        objectives=frozenset({"total"}),
        rules=frozenset({"capacity", "side_quota", "required"}),
        exact=True,
        summary=(
            "OR-Tools min-cost flow: capacities, required pairs, quotas of one side by one "
            "attribute"
        ),
        library="ortools",
        accepts=flow_accepts,
    ),
)
