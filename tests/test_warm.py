"""``python -m pairing.warm`` compiles every kernel the shipped paths call (the Makefile runs it
at set-up, so that no first run pays numba's compile time against its limit)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("numba")

#: module -> the compiled kernels a tiny run of each path must have called
KERNELS = {
    "pairing.features.combine": ["combine_rows"],
    "pairing.solvers._stable_compiled": ["_deferred_acceptance"],
    "pairing.solvers.sparse._kernels": ["initial_duals", "shortest_augmenting_paths"],
    "pairing.core.large": ["_block_kernel"],
    "pairing.solvers.fair._cover_compiled": ["cover_rows"],
    "pairing.solvers.fair._pricing_compiled": ["cheapest_set", "cheapest_sets"],
}

_PROBE = """
import importlib, json
from pairing.warm import warm
seconds = warm()
kernels = {kernels!r}
called = {{f"{{module}}.{{name}}": len(getattr(importlib.import_module(module), name).signatures)
          for module, names in kernels.items() for name in names}}
print(json.dumps({{"seconds": seconds, "called": called}}))
"""


def test_warm_calls_every_compiled_path_once() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE.format(kernels=KERNELS)],
                         capture_output=True, text=True, check=True, timeout=600)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["seconds"] > 0
    assert {name: count for name, count in found["called"].items() if count == 0} == {}


def test_warm_runs_as_a_module() -> None:
    out = subprocess.run([sys.executable, "-m", "pairing.warm"], capture_output=True, text=True,
                         check=True, timeout=600)
    assert out.stdout.startswith("compiled pairing's kernels in ")
