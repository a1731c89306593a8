"""pairing: optimisation engine for bilateral enterprise matchmaking.

>>> import pairing
>>> programme = pairing.load("instances/double-hundred.json")        # doctest: +SKIP
>>> result = pairing.solve(programme, objective="total")              # doctest: +SKIP
>>> pairing.check(programme, result)                                  # doctest: +SKIP

No printing, no global state; every error is a :class:`pairing.PairingError`.
"""

__version__ = "0.1.0"

from pairing.core.solve import solve
from pairing.diagnostics.check import check, violations
from pairing.errors import (
    CheckFailed,
    HeuristicFailed,
    Infeasible,
    InvalidProgramme,
    Issue,
    OutputError,
    PairingError,
    SolverError,
    SolverTimeout,
    UnsupportedProblem,
)
from pairing.features import ScoreMatrices, score_matrix
from pairing.io.results_file import load_result
from pairing.model.programme import (
    Capacity,
    Enterprise,
    PairQuota,
    PartnerQuota,
    Programme,
    Quota,
    Rules,
    Side,
    Weights,
)
from pairing.model.result import Result

_IO_NAMES = ("from_scores", "load", "load_scores")


def __getattr__(name: str) -> object:
    """Import the input layer on first use (keeps ``import pairing`` light)."""
    if name in _IO_NAMES:
        from pairing import io

        return getattr(io, name)
    if name in ("schedule", "Schedule", "UnplaceableMeetings"):
        # pairing.scheduling imports OR-Tools only when a schedule is solved
        from pairing import scheduling
        from pairing.scheduling.build import UnplaceableMeetings

        return {
            "schedule": scheduling.schedule,
            "Schedule": scheduling.Schedule,
            "UnplaceableMeetings": UnplaceableMeetings,
        }[name]
    if name in ("evaluate", "Evaluation"):
        from pairing.analysis import evaluation as module

        return getattr(module, name)
    if name == "sweep":  # pairing.sweeps imports Dask only when a sweep starts
        from pairing.sweeps import sweep

        return sweep
    msg = f"module 'pairing' has no attribute {name!r}"
    raise AttributeError(msg)


__all__ = [
    "Capacity",
    "CheckFailed",
    "Enterprise",
    "Evaluation",
    "HeuristicFailed",
    "Infeasible",
    "InvalidProgramme",
    "Issue",
    "OutputError",
    "PairQuota",
    "PairingError",
    "PartnerQuota",
    "Programme",
    "Quota",
    "Result",
    "Rules",
    "Schedule",
    "ScoreMatrices",
    "Side",
    "SolverError",
    "SolverTimeout",
    "UnplaceableMeetings",
    "UnsupportedProblem",
    "Weights",
    "__version__",
    "check",
    "evaluate",
    "from_scores",
    "load",
    "load_result",
    "load_scores",
    "schedule",
    "score_matrix",
    "solve",
    "sweep",
    "violations",
]


def __dir__() -> list[str]:
    """The module's names, the lazily imported ones included (``load``, ``sweep``, ...)."""
    return sorted(set(globals()) | set(__all__))
