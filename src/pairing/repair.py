"""A documented path; the code lives in :mod:`pairing.analysis.repair`."""

from pairing.analysis.repair import Changes, RepairResult, repair

__all__ = ["Changes", "RepairResult", "repair"]
