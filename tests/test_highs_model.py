"""The HiGHS wrapper: a model solved again and again (the level rounds' LPs, a MILP run again
without presolve) keeps the time limit it is given on every run, no more and no less."""

from __future__ import annotations

import time

import numpy as np
import scipy.sparse as sp

from pairing.solvers._highs import HighsModel
from test_signals import _hard_mip


def test_each_run_of_a_model_gets_its_own_time_limit() -> None:
    """HiGHS measures its time limit over all the runs of one object: without the wrapper's
    correction, a run after a few long ones would stop at once, unsolved."""
    rng = np.random.default_rng(3)
    n_rows, n_cols = 2000, 20000
    matrix = sp.random_array((n_rows, n_cols), density=0.005, rng=rng, format="csc")
    model = HighsModel(matrix, np.full(n_rows, -np.inf), np.ones(n_rows),
                       -rng.random(n_cols), np.zeros(n_cols), np.ones(n_cols))
    started = time.perf_counter()
    assert model.run().status == "optimal"
    once = time.perf_counter() - started
    statuses = []
    for _ in range(8):  # each from scratch, as long as the first: 8 of them, 3 times the limit
        model._highs.clearSolver()
        statuses.append(model.run(time_limit=3 * once).status)
    assert statuses == ["optimal"] * 8


def test_a_milp_run_again_stops_at_its_own_time_limit() -> None:
    """HiGHS measures a MIP's time limit from the start of its run: a second run must not be
    given the first run's time on top (a feasibility MILP run again without presolve ran 20 s
    past the limit so)."""
    model = _hard_mip(120)
    assert model.run(time_limit=3.0).status in ("timeout", "feasible")
    model.set_option("presolve", "off")
    started = time.perf_counter()
    assert model.run(time_limit=1.0).status in ("timeout", "feasible")
    assert time.perf_counter() - started < 2.5  # not the 4 s of 3 + 1


def test_a_solvers_clock_keeps_a_reserve_for_handing_back_the_answer() -> None:
    """A limit's last 4 % (at most a second) is kept for checking and writing the answer."""
    from pairing.solvers._clock import Clock
    assert Clock(None).left() is None
    left = Clock(10.0).left()
    assert left is not None and 9.5 < left <= 9.6
    left = Clock(100.0).left()
    assert left is not None and 98.9 < left <= 99.0
    clock = Clock(10.0)
    clock.start -= 4.8  # half of the 9.6 s the models may use
    assert Clock(None).used() == 0.0 and 0.5 <= clock.used() < 0.51
