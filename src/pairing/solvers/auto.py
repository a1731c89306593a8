"""``auto``: pick the fastest exact solver that supports the problem, and say why.

The order below follows ``benchmarks/`` (median of repeated runs on this project's reference
machine): for one-to-one problems LAPJV beat SciPy 2–8× and OR-Tools' assignment 3–16× on dense
matrices of 1,000–5,000. Problems with other rule kinds go to the first exact solver in
:data:`PREFERENCE` that can express all of them.
"""

from __future__ import annotations

from collections.abc import Mapping

from pairing.core.problem import Problem
from pairing.errors import UnsupportedProblem
from pairing.solvers import registry
from pairing.solvers.base import SolverSpec

__all__ = ["PREFERENCE", "SPARSE_FROM", "choose_solver"]

#: Exact solvers, fastest first for the structures each supports.
PREFERENCE: tuple[str, ...] = (
    "lapjv", "scipy", "ortools-lsa", "stable", "maxmin-threshold", "flow", "milp", "cpsat",
    "maxmin-milp", "balanced-milp", "leximin-matching", "leximin-milp",
)


# The order above comes from these measurements (best of 3 runs at 100×100, one run above;
# double-hundred programmes with capacities CN 1–3, PK 0–2, a forbidden and a required pair,
# min_score 0.1; single-threaded; same optimum everywhere):
#
# ============  =========================  ================================
# size          one side's sector quota     every rule kind (both sides,
#               (flow / milp / cpsat)       overlapping groups, pair quota)
# ============  =========================  ================================
# 100×100       2 ms / 19 ms / 156 ms       milp 18 ms / cpsat 288 ms
# 300×300       32 ms / 86 ms / 7.1 s       milp 120 ms / cpsat 5.3 s
# 1,000×1,000   0.25 s / 0.60 s / none      milp 2.2 s / cpsat none in 60 s
# ============  =========================  ================================
#
#: They are not copied into results: a result's ``chosen_because`` states the structural reason
#: (what the problem's rules need and which solver expresses them), which holds for any instance.
_REASON: dict[str, str] = {
    "flow": (
        "capacities, required pairs and one side's quotas by one attribute fit a min-cost flow "
        "network, the first exact choice for that structure"
    ),
    "milp": (
        "the rules need an integer program (pair quotas, partner quotas, quotas on both sides "
        "or overlapping groups); HiGHS with LP-first column generation is the first exact "
        "choice for that structure"
    ),
}


def _structure_text(problem: Problem, objective: str) -> str:
    kinds = sorted(problem.structure())
    shape = f"{problem.shape[0]}×{problem.shape[1]}"
    rules = ", ".join(kinds) if kinds else "one-to-one, no quotas"
    return f"objective '{objective}', {shape}, {rules}"


def choose_solver(
    problem: Problem,
    objective: str,
    name: str = "auto",
    solvers: Mapping[str, SolverSpec] | None = None,
) -> tuple[SolverSpec, str]:
    """The solver to run and the reason, for ``name`` (``auto`` or a name in ``solvers``).

    ``solvers`` defaults to the read-only :func:`~pairing.solvers.registry`.
    """
    solvers = registry() if solvers is None else solvers
    if name != "auto":
        if name not in solvers:
            known = ", ".join(["auto", *solvers])
            msg = f"unknown solver {name!r}; expected one of: {known}"
            raise UnsupportedProblem(msg)
        spec = solvers[name]
        missing = spec.unsupported(problem, objective)
        if missing:
            able = [s.name for s in solvers.values() if not s.unsupported(problem, objective)]
            msg = (
                f"solver '{name}' does not support {', '.join(missing)}; "
                f"solvers that do: {', '.join(able) or 'none'}"
            ) + (_limits(objective) if any(m.startswith("rule") for m in missing) else "")
            raise UnsupportedProblem(msg)
        return spec, "requested by the user"
    sparse = _sparse_choice(problem, objective, solvers)
    if sparse is not None:
        return sparse
    candidates = [solvers[n] for n in PREFERENCE if n in solvers] + [
        s for n, s in solvers.items() if n not in PREFERENCE
    ]
    for spec in candidates:
        if spec.exact and not spec.unsupported(problem, objective):
            why = _REASON.get(
                spec.name, "the first exact solver in the preference order that supports it"
            )
            declined = solvers["flow"].unsupported(problem, objective) if (
                spec.name == "milp" and "flow" in solvers) else []
            if declined:
                why += f"; flow cannot: {', '.join(declined)}"
            return spec, f"{why} for {_structure_text(problem, objective)}"
    msg = f"no solver supports {_structure_text(problem, objective)}"
    raise UnsupportedProblem(msg + _limits(objective))


#: Smallest side at which ``auto`` prefers the ``sparse`` solver to ``lapjv``. Measured through
#: ``pairing.solve`` (medians of 3, loaded 2-core machine): double-hundred programmes 0.54 s vs
#: 0.79 s at 1,000, 1.34 s vs 2.74 s at 2,000, 3.97 s vs 10.4 s at 3,000, 4.64 s vs 15.6 s at
#: 5,000; uniform random scores 0.39 s vs 0.34 s at 1,000, 1.46 s vs 1.35 s at 2,000, 1.51 s vs
#: 2.29 s at 3,000, 3.98 s vs 6.53 s at 5,000 — faster on both from 2,500.
SPARSE_FROM = 2500


def _sparse_choice(
    problem: Problem, objective: str, solvers: Mapping[str, SolverSpec]
) -> tuple[SolverSpec, str] | None:
    """``sparse`` for one-to-one ``total`` problems from :data:`SPARSE_FROM` per side, where it
    measured faster than every dense kernel (see ``benchmarks/``), else None."""
    spec = solvers.get("sparse")
    if spec is None or min(problem.shape) < SPARSE_FROM or spec.unsupported(problem, objective):
        return None
    why = (
        f"from {SPARSE_FROM:,} per side a sparse candidate graph priced out with duals "
        "measured faster than LAPJV on both generated double-hundred and uniform matrices "
        "(4.6 s vs 15.6 s and 4.0 s vs 6.5 s at 5,000), and proves the same optimum"
    )
    return spec, f"{why} for {_structure_text(problem, objective)}"


def _limits(objective: str) -> str:
    """Why the solvers of ``objective`` refuse some rules (their specs' ``extra['limits']``)."""
    notes = [s.extra["limits"] for s in registry().values()
             if objective in s.objectives and "limits" in s.extra]
    return "".join(f": {note}" for note in dict.fromkeys(notes))
