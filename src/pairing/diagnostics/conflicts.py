"""Explain an infeasible programme: isolate a small set of rules that cannot hold together.

When the counting checks of :mod:`pairing.diagnostics.feasibility` find nothing yet a solver
proves that no matching exists, "no solution" is not an answer a programme manager can act on.
This module finds *which* rules conflict with a **deletion filter** over rule groups: starting
from every rule, it drops one group at a time and keeps it dropped if the rest is still
infeasible. What remains is an irreducible conflict: all of its rules together admit no
matching, and dropping any single one of them does (within the rules that are not groups, see
below). Each rule is then explained in words — its id, side, sector/region and bounds — with
what would relax it.

Rule groups: each side's capacity maximums, each side's capacity minimums, each quota's min and
its max (separately), ``min_score``, each forbidden pair (or all of them together when there are
many), and each required pair. Pairs without a score (empty cells of a score matrix) are not a
rule and are never relaxed.

Every test is a feasibility problem on the shared linear model
(:mod:`pairing.solvers._linear_model`) solved by HiGHS: the LP relaxation first (an infeasible
LP proves an infeasible MIP), the MIP only when the LP is feasible. The search is bounded by a
time budget; if it runs out, the conflict found so far is reported as not minimal.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pairing.core.problem import Problem
from pairing.diagnostics.feasibility import counting_conflicts
from pairing.solvers._highs import HighsModel
from pairing.solvers._linear_model import LinearRules, build_linear_rules

__all__ = ["RuleGroup", "explain_infeasibility", "find_conflict"]

_MAX_SINGLE_FORBIDDEN = 30
_MAX_NAMED = 5


@dataclass(frozen=True)
class RuleGroup:
    """One relaxable rule (or family of rules) and the model change that relaxes it.

    Attributes
    ----------
    name
        Which rule, in the user's words (``"rules.quotas[0] (quota left sector=AI min 12)"``).
    relax_hint
        What the user could change.
    relax
        Applies the relaxation to a :class:`_Bounds` (in place).
    """

    name: str
    relax_hint: str
    relax: Callable[[_Bounds], None]


@dataclass
class _Bounds:
    lower: np.ndarray
    upper: np.ndarray
    var_lower: np.ndarray
    var_upper: np.ndarray

    def copy(self) -> _Bounds:
        return _Bounds(self.lower.copy(), self.upper.copy(), self.var_lower.copy(),
                       self.var_upper.copy())


def _names(ids: tuple[str, ...], index: np.ndarray) -> str:
    shown = [ids[k] if ids else str(k) for k in index[:_MAX_NAMED]]
    more = f" and {len(index) - _MAX_NAMED} more" if len(index) > _MAX_NAMED else ""
    return ", ".join(shown) + more


def _pair_name(problem: Problem, i: int, j: int) -> str:
    left = problem.left_ids[i] if problem.left_ids else str(i)
    right = problem.right_ids[j] if problem.right_ids else str(j)
    return f"{left}–{right}"


def _wide_model(problem: Problem) -> tuple[LinearRules, _Bounds]:
    """Every scored pair as a cell, with the problem's rules as bounds (not yet relaxed)."""
    wide_caps = dataclasses.replace(
        problem,
        cap_max_left=np.maximum(problem.cap_max_left, 1),
        cap_max_right=np.maximum(problem.cap_max_right, 1),
    )
    scored = ~np.isnan(np.asarray(problem.score, dtype=np.float64))
    rules = build_linear_rules(wide_caps, allowed=scored, fix_required=False)
    upper = rules.upper.copy()
    n_left, n_right = problem.shape
    upper[:n_left] = problem.cap_max_left
    upper[n_left:n_left + n_right] = problem.cap_max_right
    var_upper = rules.var_upper.copy()
    var_upper[~problem.allowed[rules.cells_left, rules.cells_right]] = 0.0
    var_lower = rules.var_lower.copy()
    if len(problem.required):
        pos = rules.cell_positions(problem.required[:, 0], problem.required[:, 1])
        var_lower[pos[pos >= 0]] = 1.0
    return rules, _Bounds(rules.lower.copy(), upper, var_lower, var_upper)


def _capacity_groups(problem: Problem) -> list[RuleGroup]:
    groups = []
    n_left, n_right = problem.shape
    for side, label, rows, mins, maxs, ids in (
        ("left", problem.labels[0], slice(0, n_left), problem.cap_min_left,
         problem.cap_max_left, problem.left_ids),
        ("right", problem.labels[1], slice(n_left, n_left + n_right), problem.cap_min_right,
         problem.cap_max_right, problem.right_ids),
    ):
        def relax_max(b: _Bounds, rows: slice = rows) -> None:
            b.upper[rows] = np.inf

        def relax_min(b: _Bounds, rows: slice = rows) -> None:
            b.lower[rows] = 0.0

        groups.append(RuleGroup(
            f"capacity max of the {label} ({side}) enterprises (from {int(maxs.min())} to "
            f"{int(maxs.max())} partners each, {int(maxs.sum())} in all)",
            f"raise some {label} capacity maximums",
            relax_max,
        ))
        needing = np.flatnonzero(mins > 0)
        if len(needing):
            groups.append(RuleGroup(
                f"capacity min of the {label} ({side}) enterprises ({len(needing)} must have "
                f"partners, at least {int(mins.sum())} pairs in all; e.g. {_names(ids, needing)})",
                f"lower some {label} capacity minimums (min 0 lets an enterprise stay unmatched)",
                relax_min,
            ))
    return groups


def _bound_groups(where: str, rows: int | slice, low: int | None, high: int | None,
                  unit: str) -> list[RuleGroup]:
    """The relaxable min and max of one bound on ``rows`` of the model."""
    groups = []
    if low:
        def relax_min(b: _Bounds, rows: int | slice = rows) -> None:
            b.lower[rows] = 0.0

        groups.append(RuleGroup(f"{where}: at least {low} {unit}", "lower its min", relax_min))
    if high is not None:
        def relax_max(b: _Bounds, rows: int | slice = rows) -> None:
            b.upper[rows] = np.inf

        groups.append(RuleGroup(f"{where}: at most {high} {unit}", "raise its max", relax_max))
    return groups


def _quota_groups(problem: Problem) -> list[RuleGroup]:
    groups = []
    first = problem.shape[0] + problem.shape[1]
    for k, quota in enumerate(problem.quotas):
        where = f"{quota.rule} ({quota.label})" if quota.rule else quota.label
        groups += _bound_groups(where, first + k, quota.min, quota.max, "pairs")
    return groups


def _partner_groups(problem: Problem) -> list[RuleGroup]:
    """One group per partner-quota bound: all its (enterprise, partner group) rows at once."""
    groups = []
    n_left, n_right = problem.shape
    row = n_left + n_right + len(problem.quotas)
    for bound in problem.partner_quotas:
        size = (n_left if bound.side == "left" else n_right) * bound.n_groups
        where = f"{bound.rule} ({bound.label})" if bound.rule else bound.label
        groups += _bound_groups(where, slice(row, row + size), bound.min, bound.max,
                                "per enterprise")
        row += size
    return groups


def _pair_groups(problem: Problem, rules: LinearRules) -> list[RuleGroup]:
    groups = []
    cells_l, cells_r = rules.cells_left, rules.cells_right
    score = np.nan_to_num(problem.score[cells_l, cells_r], nan=0.0)
    forbidden = (
        problem.forbidden_by_rule[cells_l, cells_r]
        if problem.forbidden_by_rule is not None else np.zeros(rules.n_cells, dtype=bool)
    )
    if problem.min_score > 0:
        below = np.flatnonzero((score < score.dtype.type(problem.min_score)) & ~forbidden)
        if len(below):
            def relax_min_score(b: _Bounds, cells: np.ndarray = below) -> None:
                b.var_upper[cells] = 1.0

            groups.append(RuleGroup(
                f"min_score {problem.min_score} (excludes {len(below)} scored pairs)",
                "lower min_score", relax_min_score,
            ))
    forbidden_cells = np.flatnonzero(forbidden)
    if 0 < len(forbidden_cells) <= _MAX_SINGLE_FORBIDDEN:
        for cell in forbidden_cells:
            def relax_one(b: _Bounds, cell: int = int(cell)) -> None:
                b.var_upper[cell] = 1.0

            name = _pair_name(problem, int(cells_l[cell]), int(cells_r[cell]))
            groups.append(RuleGroup(f"forbidden pair {name}", "allow this pair", relax_one))
    elif len(forbidden_cells):
        def relax_all(b: _Bounds, cells: np.ndarray = forbidden_cells) -> None:
            b.var_upper[cells] = 1.0

        groups.append(RuleGroup(f"the {len(forbidden_cells)} forbidden pairs",
                                "allow some forbidden pairs", relax_all))
    if len(problem.required):
        positions = rules.cell_positions(problem.required[:, 0], problem.required[:, 1])
        for (i, j), pos in zip(problem.required.tolist(), positions.tolist(), strict=True):
            if pos < 0:
                continue

            def relax_required(b: _Bounds, pos: int = pos) -> None:
                b.var_lower[pos] = 0.0

            groups.append(RuleGroup(f"required pair {_pair_name(problem, i, j)}",
                                    "drop the requirement", relax_required))
    return groups


class _Tester:
    """Feasibility of the wide model under given bounds (LP first, then MIP)."""

    def __init__(self, rules: LinearRules, bounds: _Bounds, deadline: float) -> None:
        self.rules = rules
        self.deadline = deadline
        # One model for every test: only bounds change, so each LP starts from the last basis.
        self.model = HighsModel(rules.A, bounds.lower, bounds.upper, np.zeros(rules.n_cells),
                                bounds.var_lower, bounds.var_upper)
        self.columns = np.arange(rules.n_cells)

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def feasible(self, bounds: _Bounds) -> bool | None:
        """True/False, or None when the budget ran out before an answer."""
        if self.left() <= 0:
            return None
        model = self.model
        model.set_continuous()
        model.set_row_bounds(bounds.lower, bounds.upper)
        model.set_bounds(self.columns, bounds.var_lower, bounds.var_upper)
        relaxed = model.run(self.left())
        if relaxed.status == "infeasible":
            return False
        if relaxed.status != "optimal":
            return None
        if relaxed.integral:
            return True
        model.set_integer()
        found = model.run(max(self.left(), 1e-3))
        if found.status == "infeasible":
            return False
        if found.status in ("optimal", "feasible"):
            return True
        return None


def find_conflict(problem: Problem, *, time_limit: float = 20.0) -> tuple[list[RuleGroup], bool]:
    """A set of rule groups that together admit no matching, and whether it is minimal.

    Returns ``([], False)`` when the problem turns out to be feasible (or the budget ran out
    before even that was decided).
    """
    deadline = time.perf_counter() + time_limit
    rules, bounds = _wide_model(problem)
    groups = (_pair_groups(problem, rules) + _quota_groups(problem) + _partner_groups(problem)
              + _capacity_groups(problem))
    if rules.n_cells == 0:
        return [], False
    tester = _Tester(rules, bounds, deadline)
    if tester.feasible(bounds) is not False:
        return [], False
    # Deletion filter: relax each group for good if the rest stays infeasible.
    kept: list[RuleGroup] = []
    current = bounds
    minimal = True
    for index, group in enumerate(groups):
        trial = current.copy()
        group.relax(trial)
        verdict = tester.feasible(trial)
        if verdict is None:
            kept += groups[index:]
            minimal = False
            break
        if verdict:
            kept.append(group)
        else:
            current = trial
    return kept, minimal


def explain_infeasibility(problem: Problem, *, time_limit: float = 20.0) -> list[str]:
    """Reasons, in words, why no matching satisfies the rules of ``problem``.

    Counting arguments (:func:`pairing.diagnostics.feasibility.counting_conflicts`) come first;
    when they find nothing, :func:`find_conflict` isolates the conflicting rules. Always returns
    at least one reason.
    """
    reasons = counting_conflicts(problem)
    if reasons:
        return reasons
    conflict, minimal = find_conflict(problem, time_limit=time_limit)
    if not conflict:
        return [
            "the solver proved that no matching satisfies the rules, but no conflicting set of "
            f"rules could be isolated within {time_limit:g} s; try relaxing quotas, capacity "
            "minimums, required pairs or min_score one at a time"
        ]
    if len(conflict) == 1:
        only = conflict[0]
        return [f"{only.name} cannot be met by any matching under the other rules; "
                f"to fix it: {only.relax_hint}"]
    head = (
        f"these {len(conflict)} rules cannot all hold together"
        + (" (relaxing any one of them removes this conflict):" if minimal
           else " (search stopped at the time budget; the set may not be minimal):")
    )
    return [head] + [f"{group.name} — to relax: {group.relax_hint}" for group in conflict]
