"""Float scores → integer costs for OR-Tools, in one place, with a documented precision.

OR-Tools' assignment, flow and CP-SAT solvers take integer costs; handing them floats silently
truncates (0.9 becomes 0). Every OR-Tools solver in pairing goes through :func:`to_int_scores`.

Precision
---------
Scores in [0, 1] are multiplied by :data:`SCORE_SCALE` (10⁶) and rounded to the nearest
integer, so each score is off by at most 5·10⁻⁷. A matching of ``k`` pairs that is optimal for
the integer scores is therefore within ``k · 10⁻⁶`` of the float optimum, and it *is* the float
optimum whenever scores have at most six decimals (tested). Sums stay far inside ``int64``:
10,000 pairs × 10⁶ = 10¹⁰.

Every matrix reaches the solvers in [0, 1]: an organisers' matrix of costs or on its own scale
is mapped affinely onto [0, 1] first (:mod:`pairing.features.score_scale`). On the user's
scale the resolution is therefore 10⁻⁶ of the matrix's range ``hi − lo``: cells at least that
far apart keep their order, and a k-pair optimum is within ``k · 10⁻⁶ · (hi − lo)`` of the raw
optimum — equal to LAPJV's when the cells lie on a grid of 10⁻⁶ of the range, whatever their
magnitude (tested with costs around 10⁹).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SCORE_SCALE", "from_int", "to_int_scores"]

#: Integer units per score unit.
SCORE_SCALE = 1_000_000


def to_int_scores(scores: np.ndarray, scale: int = SCORE_SCALE) -> np.ndarray:
    """Round ``scores`` (floats, NaN → 0) to ``int64`` multiples of ``1 / scale``."""
    clean = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=0.0)
    return np.rint(clean * scale).astype(np.int64)


def from_int(value: int | float, scale: int = SCORE_SCALE) -> float:
    """An integer objective back in score units."""
    return float(value) / scale
