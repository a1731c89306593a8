"""The metrics' 10th percentile is NumPy's (linear interpolation), computed without numpy.ma."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from pairing.diagnostics.metrics import tenth_percentile


@given(st.lists(st.floats(0.0, 3.0, width=32), min_size=1, max_size=60))
def test_tenth_percentile_is_numpys(values: list[float]) -> None:
    gains = np.asarray(values, dtype=np.float64)
    assert tenth_percentile(gains) == float(np.percentile(gains, 10))


def test_tenth_percentile_of_nothing_is_zero() -> None:
    assert tenth_percentile(np.empty(0)) == 0.0
