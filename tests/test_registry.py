"""The solver registry is read-only; the benchmark times solvers through its own copies."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import pairing
from pairing.bench.contenders import core_timer
from pairing.solvers import registry


def test_the_registry_cannot_be_patched() -> None:
    solvers = registry()
    spec = solvers["scipy"]
    with pytest.raises(TypeError):
        solvers["scipy"] = dataclasses.replace(spec, name="patched")  # type: ignore[index]
    assert registry()["scipy"] is spec


def test_the_bench_times_its_own_copies_and_leaves_the_registry_alone() -> None:
    before = dict(registry())
    programme = pairing.from_scores(np.eye(3) * 0.5 + 0.1, ["a", "b", "c"], ["x", "y", "z"])
    with core_timer() as clock:
        result = pairing.solve(programme, solver="scipy", solvers=clock.solvers)
    assert result.solver.name == "scipy"
    assert clock.seconds > 0
    assert dict(registry()) == before


def test_chosen_because_states_the_structure_not_fixed_timings() -> None:
    programme = pairing.from_scores(np.eye(3) * 0.5 + 0.1, ["a", "b", "c"], ["x", "y", "z"])
    because = pairing.solve(programme).solver.chosen_because
    assert "ms" not in because.split() and " s " not in because
