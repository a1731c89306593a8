"""``import pairing`` and ``pairing --help`` load no heavy library (ARCHITECTURE.md keeps this).

Each check runs in a fresh interpreter, so what the rest of the test session imported does
not count.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


#: Libraries a one-to-one solve never needs: only the solver that runs is imported.
SOLVE_HEAVY = (
    "highspy", "ortools", "numba", "sklearn", "matplotlib", "dask", "openpyxl",
    "scipy.optimize",
)

DOUBLE_HUNDRED = Path(__file__).resolve().parents[1] / "instances" / "double-hundred.json"

#: ``pairing solve`` on the command line, and ``pairing.solve`` in the library, in one process.
_SOLVE = """
import contextlib, io, os, tempfile
import pairing
from pairing.cli import main
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "result.json")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        with contextlib.suppress(SystemExit):
            main(["solve", {path!r}, "-o", out])
    assert pairing.load_result(out).solver.name == "lapjv"
result = pairing.solve(pairing.load({path!r}))
assert (result.solver.name, len(result.pairs)) == ("lapjv", 100), result.solver
"""


def _loaded(code: str, heavy: tuple[str, ...] = HEAVY) -> list[str]:
    probe = _PROBE.format(code=code, heavy=heavy)
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


def test_a_one_to_one_solve_imports_only_its_solver() -> None:
    """``auto`` reads the specs without importing the solvers it does not run (issue 11)."""
    assert _loaded(_SOLVE.format(path=str(DOUBLE_HUNDRED)), SOLVE_HEAVY) == []


#: Modules a valid programme's one-to-one solve never needs: the messages and locations of a
#: bad programme, ``--alternates``, ``concurrent.futures`` (which loads ``logging``), and
#: NumPy's masked arrays (its percentile loads them; the metrics compute theirs).
SOLVE_UNUSED = (
    "pairing.io.messages", "pairing.io.locations", "pairing.analysis.alternates",
    "concurrent.futures", "logging", "numpy.ma",
)

#: Models a one-to-one programme with no rules never validates on its own.
UNUSED_MODELS = ("Quota", "PairQuota", "PartnerQuota", "Source", "Preference", "Capacity",
                 "Alternate", "QuotaUsage", "ScaleInfo")

_BUILT = """
import json
{code}
from pairing.model import programme, result
models = [getattr(module, name) for module in (programme, result) for name in {names!r}
          if hasattr(module, name)]
print(json.dumps(sorted(m.__name__ for m in models if m.__pydantic_complete__)))
"""


def _built(code: str, names: tuple[str, ...]) -> list[str]:
    """Which of the models ``names`` have built their validator after ``code`` ran."""
    probe = _BUILT.format(code=code, names=names)
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.splitlines()[-1])


def test_a_valid_solve_skips_the_error_and_alternates_code() -> None:
    """Error rendering and ``--alternates`` load when needed, not on every solve (issue 11)."""
    assert _loaded(_SOLVE.format(path=str(DOUBLE_HUNDRED)), SOLVE_UNUSED) == []


def test_models_build_their_validators_when_first_used() -> None:
    """Importing the models builds no validator (``defer_build``); a one-to-one solve builds
    those of the models it fills, and no other (issue 11)."""
    assert _built("import pairing.model", ("Programme", "Result", *UNUSED_MODELS)) == []
    solved = _built(_SOLVE.format(path=str(DOUBLE_HUNDRED)), ("Programme", "Result",
                                                              *UNUSED_MODELS))
    assert solved == ["Programme", "Result"]


#: Eight threads validate a programme and solve it at once, in a fresh interpreter: the first
#: use of each deferred model happens in all of them together.
_CONCURRENT = """
import json, threading
from pairing import solve
from pairing.io import programme_from_data
with open({path!r}, encoding="utf-8") as handle:
    data = json.load(handle)
start, found, failed = threading.Barrier(8), [], []
def run():
    start.wait()
    try:
        found.append(solve(programme_from_data(data)).without_runtime())
    except Exception as exc:
        failed.append(repr(exc))
threads = [threading.Thread(target=run) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps([failed, len(found), all(r == found[0] for r in found)]))
"""


def test_deferred_models_build_once_under_concurrent_first_use() -> None:
    """Models built on first use stay correct when threads use them first at the same time."""
    probe = _CONCURRENT.format(path=str(DOUBLE_HUNDRED))
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.splitlines()[-1]) == [[], 8, True]


def test_public_names_are_listed_and_resolve() -> None:
    import pairing

    assert set(pairing.__all__) <= set(dir(pairing))
    for name in pairing.__all__:
        assert getattr(pairing, name) is not None, name
