"""A documented path; the code lives in :mod:`pairing.analysis.alternates`."""

from pairing.analysis.alternates import alternates, compute_alternates

__all__ = ["alternates", "compute_alternates"]
