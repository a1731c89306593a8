"""pairing: optimisation engine for bilateral enterprise matchmaking.

>>> import pairing
>>> programme = pairing.load("instances/double-hundred.json")        # doctest: +SKIP
>>> result = pairing.solve(programme, objective="total")              # doctest: +SKIP
>>> pairing.check(programme, result)                                  # doctest: +SKIP

No printing, no global state; every error is a :class:`pairing.PairingError`.

``import pairing`` is cheap: every public name is imported on first use (module
``__getattr__``), so no solver, chart, sweep or spreadsheet library is loaded until the code
that needs it runs (a test keeps it so).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

__version__ = "0.1.0"

#: Public name → the module that defines it (imported on first use).
_LAZY: dict[str, str] = {
    # errors
    "CheckFailed": "pairing.errors",
    "HeuristicFailed": "pairing.errors",
    "Infeasible": "pairing.errors",
    "InvalidProgramme": "pairing.errors",
    "Issue": "pairing.errors",
    "OutputError": "pairing.errors",
    "PairingError": "pairing.errors",
    "SolverError": "pairing.errors",
    "SolverTimeout": "pairing.errors",
    "UnsupportedProblem": "pairing.errors",
    # models
    "Capacity": "pairing.model.programme",
    "Enterprise": "pairing.model.programme",
    "PairQuota": "pairing.model.programme",
    "PartnerQuota": "pairing.model.programme",
    "Programme": "pairing.model.programme",
    "Quota": "pairing.model.programme",
    "Rules": "pairing.model.programme",
    "Side": "pairing.model.programme",
    "Weights": "pairing.model.programme",
    "Result": "pairing.model.result",
    # input and output
    "load": "pairing.io.loader",
    "from_scores": "pairing.io.scores_only",
    "load_scores": "pairing.io.scores_only",
    "load_result": "pairing.io.results_file",
    # the pipeline
    "ScoreMatrices": "pairing.features",
    "score_matrix": "pairing.features",
    "Prepared": "pairing.core.prepare",
    "prepare": "pairing.core.prepare",
    "solve": "pairing.core.solve",
    "check": "pairing.diagnostics.check",
    "violations": "pairing.diagnostics.check",
    # analysis and applications
    "Evaluation": "pairing.analysis.evaluation",
    "evaluate": "pairing.analysis.evaluation",
    "compare": "pairing.analysis.compare",
    "why_not": "pairing.analysis.whynot",
    "Schedule": "pairing.scheduling",
    "schedule": "pairing.scheduling",
    "UnplaceableMeetings": "pairing.scheduling.build",
    "sweep": "pairing.sweeps",
}

if TYPE_CHECKING:  # what the lazy names are, for type checkers and IDEs
    from pairing.analysis.compare import compare
    from pairing.analysis.evaluation import Evaluation, evaluate
    from pairing.analysis.whynot import why_not
    from pairing.core.prepare import Prepared, prepare
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
    from pairing.io.loader import load
    from pairing.io.results_file import load_result
    from pairing.io.scores_only import from_scores, load_scores
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
    from pairing.scheduling import Schedule, schedule
    from pairing.scheduling.build import UnplaceableMeetings
    from pairing.sweeps import sweep


def __getattr__(name: str) -> object:
    """Import a public name's module on first use and cache the name here."""
    module = _LAZY.get(name)
    if module is None:
        msg = f"module 'pairing' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


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
    "Prepared",
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
    "compare",
    "evaluate",
    "from_scores",
    "load",
    "load_result",
    "load_scores",
    "prepare",
    "schedule",
    "score_matrix",
    "solve",
    "sweep",
    "violations",
    "why_not",
]


def __dir__() -> list[str]:
    """The module's names, the lazily imported ones included (``load``, ``sweep``, ...)."""
    return sorted(set(globals()) | set(__all__))
