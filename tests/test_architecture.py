"""ARCHITECTURE.md stays true: every dotted path it names exists, and the extras match."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import pytest

from pairing.extras import EXTRAS

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
PATHS = sorted(set(re.findall(r"\bpairing(?:\.[A-Za-z_]+)+", DOC)) - {"pairing.solvers.<name>"})


def _resolve(path: str) -> object:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise AssertionError(path)


@pytest.mark.parametrize("path", PATHS)
def test_every_named_path_exists(path: str) -> None:
    assert _resolve(path) is not None


def test_the_extras_table_matches_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert set(EXTRAS) | {"all"} == set(extras)
    for extra, modules in EXTRAS.items():
        declared = " ".join(extras[extra]).lower()
        for module in modules:
            assert module in declared, (extra, module)
    core = " ".join(project["dependencies"]).lower()
    for modules in EXTRAS.values():
        for module in modules:
            assert module not in core, module
