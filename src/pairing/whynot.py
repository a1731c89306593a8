"""A documented path; the code lives in :mod:`pairing.analysis.whynot`."""

from pairing.analysis.whynot import Mover, WhyNot, why_not

__all__ = ["Mover", "WhyNot", "why_not"]
