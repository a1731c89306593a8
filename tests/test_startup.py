"""``import pairing`` and ``pairing --help`` load no heavy library (ARCHITECTURE.md keeps this).

Each check runs in a fresh interpreter, so what the rest of the test session imported does
not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: Top-level packages (or submodules) that must wait until the code that needs them runs.
HEAVY = (
    "ortools",
    "highspy",
    "lapjv",
    "lap",
    "scipy.optimize",
    "matplotlib",
    "dask",
    "distributed",
    "openpyxl",
    "pandas",
    "pyarrow",
    "sklearn",
)

_PROBE = """
import json, sys
{code}
heavy = {heavy!r}
loaded = sorted(m for m in heavy if m in sys.modules)
print(json.dumps(loaded))
"""

_HELP = """
import contextlib, io
from pairing.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main(["--help"])
"""


def _loaded(code: str) -> list[str]:
    probe = _PROBE.format(code=code, heavy=HEAVY)
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


@pytest.mark.parametrize(
    "code",
    ["import pairing", "import pairing.cli", _HELP],
    ids=["import pairing", "import pairing.cli", "pairing --help"],
)
def test_start_up_loads_no_heavy_library(code: str) -> None:
    assert _loaded(code) == []


def test_public_names_are_listed_and_resolve() -> None:
    import pairing

    assert set(pairing.__all__) <= set(dir(pairing))
    for name in pairing.__all__:
        assert getattr(pairing, name) is not None, name
