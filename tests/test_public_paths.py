"""The dotted paths the README documents keep working after the package was laid out anew."""

from __future__ import annotations

import importlib

import pytest

import pairing

DOCUMENTED = [
    ("pairing.whynot", "why_not", "pairing.analysis.whynot"),
    ("pairing.repair", "repair", "pairing.analysis.repair"),
    ("pairing.xlsx", "write_workbook", "pairing.io.xlsx"),
    ("pairing.xlsx", "load_workbook", "pairing.io.xlsx"),
    ("pairing.alternates", "compute_alternates", "pairing.analysis.alternates"),
    ("pairing.interrupt", "CANCEL", "pairing.interrupt"),
    ("pairing.interrupt", "Interrupted", "pairing.interrupt"),
    ("pairing.solvers.scaling", "__name__", "pairing.solvers.scaling"),
]


@pytest.mark.parametrize(("path", "name", "home"), DOCUMENTED)
def test_documented_path_reexports_the_real_object(path: str, name: str, home: str) -> None:
    module = importlib.import_module(path)
    assert getattr(module, name) is getattr(importlib.import_module(home), name)


def test_solve_and_check_are_the_functions() -> None:
    assert callable(pairing.solve)
    assert pairing.solve.__module__ == "pairing.core.solve"
    assert callable(pairing.check)
    assert pairing.check.__module__ == "pairing.diagnostics.check"
