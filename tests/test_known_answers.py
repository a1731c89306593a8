"""Known answers written by others: OR-Library assign100..800 and small LAP cases.

The instances are minimisation problems with integer costs; ``pairing`` maximises scores in
[0, 1]. Every complete assignment has the same number k of pairs, so the affine map
``score = (M - cost) / M`` (M = the largest finite cost) turns the cost optimum into the score
optimum, and the cost is recovered as ``M * (k - total score)``. Sources and optima:
``tests/data/external/PROVENANCE.md``.
"""

from __future__ import annotations

import csv
import itertools
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from pairing.cli import main
from pairing.solvers import registry

EXTERNAL = Path(__file__).resolve().parent / "data" / "external"
ORLIB_OPTIMA = {100: 305, 200: 475, 300: 626, 400: 804, 500: 991, 600: 1176, 700: 1362, 800: 1552}
LSA_SOLVERS = ["lapjv", "scipy", "ortools-lsa", "sparse"]


def read_orlib(n: int) -> np.ndarray:
    numbers = np.array(
        (EXTERNAL / "lap_orlib" / f"assign{n}.txt").read_text().split(), dtype=np.int64
    )
    assert numbers[0] == n
    return numbers[1:].reshape(n, n)


def write_scores_csv(path: Path, cost: list[list[float | None]]) -> float:
    """Write the affine score transform of ``cost`` as a scores.csv; return M."""
    finite = [c for row in cost for c in row if c is not None]
    top = float(max(finite)) if finite and max(finite) > 0 else 1.0
    n_right = len(cost[0])
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["", *[f"R{j}" for j in range(n_right)]])
        for i, row in enumerate(cost):
            writer.writerow([f"L{i}", *["" if c is None else repr((top - c) / top) for c in row]])
    return top


def solve_cli(scores: Path, out: Path, solver: str) -> tuple[int, str]:
    runner = CliRunner()
    run = runner.invoke(
        main, ["solve", "--scores", str(scores), "--solver", solver, "-o", str(out)]
    )
    return run.exit_code, run.output


def recovered_cost(out: Path, top: float) -> int:
    result = json.loads(out.read_text())
    k = len(result["pairs"])
    return round(top * (k - result["objective_value"]))


@pytest.mark.parametrize("solver", LSA_SOLVERS)
@pytest.mark.parametrize("n", [100, 200, 300])
def test_orlib_optimum(tmp_path: Path, n: int, solver: str) -> None:
    scores = tmp_path / "scores.csv"
    top = write_scores_csv(scores, read_orlib(n).tolist())
    code, output = solve_cli(scores, tmp_path / "result.json", solver)
    assert code == 0, output
    assert recovered_cost(tmp_path / "result.json", top) == ORLIB_OPTIMA[n]


@pytest.mark.slow
@pytest.mark.parametrize("solver", LSA_SOLVERS)
@pytest.mark.parametrize("n", [400, 500, 600, 700, 800])
def test_orlib_optimum_large(tmp_path: Path, n: int, solver: str) -> None:
    test_orlib_optimum(tmp_path, n, solver)


def test_orlib_through_a_real_subprocess(tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    top = write_scores_csv(scores, read_orlib(100).tolist())
    out = tmp_path / "result.json"
    pairing = Path(sys.executable).parent / "pairing"
    run = subprocess.run(
        [str(pairing), "solve", "--scores", str(scores), "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert recovered_cost(out, top) == 305
    assert "wrote" in run.stderr and run.stdout == ""


SMALL = json.loads((EXTERNAL / "small_fixtures" / "lap_small_cases.json").read_text())["cases"]


@pytest.mark.parametrize("solver", LSA_SOLVERS)
@pytest.mark.parametrize("case", SMALL, ids=[c["id"] for c in SMALL])
def test_small_lap_cases(tmp_path: Path, case: dict, solver: str) -> None:
    scores = tmp_path / "scores.csv"
    top = write_scores_csv(scores, case["cost"])
    out = tmp_path / "result.json"
    code, output = solve_cli(scores, out, solver)
    if case["opt"] == "infeasible":
        assert code == 1, output
        assert "forbidden" in output or "allowed" in output
        assert not out.exists()
        return
    assert code == 0, output
    assert recovered_cost(out, top) == case["opt"]
    if "x" in case and _unique_optimum(case["cost"]):
        pairs = {(p["left"], p["right"]) for p in json.loads(out.read_text())["pairs"]}
        expected = {(f"L{i}", f"R{j}") for i, j in enumerate(case["x"])}
        assert pairs == expected


def _unique_optimum(cost: list[list[float | None]]) -> bool:
    """True when exactly one assignment reaches the optimum (brute force; small cases only)."""
    n_rows, n_cols = len(cost), len(cost[0])
    totals = []
    for cols in itertools.permutations(range(n_cols), n_rows):
        cells = [cost[i][j] for i, j in enumerate(cols)]
        if all(c is not None for c in cells):
            totals.append(sum(cells))  # type: ignore[arg-type]
    best = min(totals)
    return totals.count(best) == 1


def test_lsa_solver_list_is_the_registry() -> None:
    assert set(LSA_SOLVERS) <= set(registry())
