"""``pairing bench``: the quick grid end to end, and the statistics behind the tables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pairing.bench import Case, ratio, spread, summarise
from pairing.bench.grid import builtin_grid, load_grid
from pairing.bench.measure import measure
from pairing.bench.report import read_run
from pairing.bench.runner import plan_contenders
from pairing.cli import main
from pairing.errors import InvalidProgramme


def test_spread_median_quartiles_and_extremes() -> None:
    s = spread([3.0, 1.0, 2.0, 10.0])
    assert s.n == 4
    assert s.median == pytest.approx(2.5)
    assert (s.min, s.max) == (1.0, 10.0)
    assert s.q1 == pytest.approx(1.75) and s.q3 == pytest.approx(4.75)
    assert spread([None, 4.0]).median == 4.0  # type: ignore[list-item]
    assert spread([]).median is None


def test_ratio_handles_missing_and_zero() -> None:
    assert ratio(3.0, 2.0) == pytest.approx(1.5)
    assert ratio(None, 2.0) is None
    assert ratio(1.0, None) is None
    assert ratio(1.0, 0.0) is None


def _record(contender: str, wall: float, status: str = "optimal", **extra: object) -> dict:
    return {
        "instance": "dense-10x10",
        "contender": contender,
        "status": status,
        "wall_s": wall,
        "core_s": wall / 2,
        "peak_mb": 100.0,
        "base_mb": 90.0,
        "objective_value": 5.0,
        "gap": None,
        "extra": extra,
        "message": "",
    }


def test_summarise_ratios_are_medians_over_the_baseline_median() -> None:
    instances = [
        {
            "id": "dense-10x10",
            "family": "dense",
            "contenders": ["scipy", "lapjv", "greedy", "slow"],
            "baselines": ["scipy"],
        }
    ]
    runs = [_record("scipy", t) for t in (2.0, 4.0, 3.0)]
    runs += [_record("lapjv", t) for t in (1.0, 1.5, 0.5)]
    runs += [_record("greedy", 0.1, "feasible")]
    runs += [
        _record("slow", 9.0),
        {"instance": "dense-10x10", "contender": "slow", "status": "timeout", "message": "killed"},
    ]
    rows = {r.contender: r for r in summarise(instances, runs)}
    assert rows["scipy"].ratio == 1.0 and rows["scipy"].baseline == "scipy"
    assert rows["scipy"].wall.median == 3.0 and rows["scipy"].wall.n == 3
    assert rows["lapjv"].ratio == pytest.approx(1.0 / 3.0)
    # the fastest is the fastest *optimal* row: the heuristic's quick answer does not count
    assert rows["lapjv"].ratio_fastest == pytest.approx(1.0)
    assert rows["scipy"].ratio_fastest == pytest.approx(3.0)
    assert rows["greedy"].ratio == pytest.approx(0.1 / 3.0)
    assert rows["slow"].status == "optimal×1, timeout×1"
    assert rows["slow"].wall.median == 9.0
    assert rows["scipy"].core_s == 1.5


def test_summarise_without_a_solved_baseline_gives_no_ratio() -> None:
    instances = [
        {
            "id": "dense-10x10",
            "family": "dense",
            "contenders": ["scipy", "lapjv"],
            "baselines": ["scipy"],
        }
    ]
    runs = [_record("scipy", 1.0, "infeasible"), _record("lapjv", 1.0)]
    rows = {r.contender: r for r in summarise(instances, runs)}
    assert rows["lapjv"].baseline is None and rows["lapjv"].ratio is None


def test_measure_reports_time_and_memory() -> None:
    import numpy as np

    measured = measure(lambda: float(np.ones((2000, 2000)).sum()))
    assert measured.value == 4_000_000.0
    assert measured.wall_s > 0
    assert measured.peak_mb >= measured.base_mb > 0
    assert measured.peak_mb - measured.base_mb > 20  # the 32 MB array was resident at the peak


def test_plan_uses_the_registry_and_puts_the_baseline_first() -> None:
    from pairing.solvers import registry

    names, unsupported = plan_contenders(Case("dense", 10, 10), frozenset())
    assert names[0] == "scipy"
    assert "auto" in names and "auto-e2e" in names
    for name, spec in registry().items():
        assert (name in names) == ("total" in spec.objectives)
        assert (name in unsupported) == ("total" not in spec.objectives)
    chosen, _ = plan_contenders(Case("dense", 10, 10), frozenset(), ["lapjv"])
    assert chosen == ["scipy", "lapjv"]


def test_grid_toml_and_its_errors(tmp_path: Path) -> None:
    grid_file = tmp_path / "mine.toml"
    grid_file.write_text(
        'repeats = 4\n[[case]]\nfamily = "dense"\nn = [10, 20]\n'
        '[[case]]\nfamily = "fair"\nobjective = ["maxmin", "stable"]\nn = 8\n'
    )
    grid = load_grid(grid_file)
    assert grid.repeats == 4
    assert [c.id for c in grid.cases] == [
        "dense-10x10",
        "dense-20x20",
        "fair-maxmin-8x8",
        "fair-stable-8x8",
    ]
    grid_file.write_text('[[case]]\nfamily = "nope"\nn = 3\n[[case]]\nfamily = "dense"\n')
    with pytest.raises(InvalidProgramme, match="2 problems") as info:
        load_grid(grid_file)
    assert "case[0].family" in str(info.value) and "case[1]" in str(info.value)
    assert {c.family for c in builtin_grid("quick").cases} >= {"dense", "orlib", "kernel"}


def test_bench_quick_writes_json_markdown_and_chart(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    run = CliRunner().invoke(main, ["bench", "--quick", "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert "wrote" in run.output

    data = json.loads((out / "results.json").read_text())
    assert data["meta"]["grid"] == "quick"
    summary = data["summary"]
    by_cell = {(r["instance"], r["contender"]): r for r in summary}
    # every baseline that solved has ratio exactly 1 and every solved row of its instance a ratio
    for row in summary:
        if row["baseline"] is not None and row["wall"]["median"] is not None:
            assert row["ratio"] is not None
        if row["contender"] == row["baseline"]:
            assert row["ratio"] == 1.0
    assert by_cell[("dense-100x100", "scipy")]["ratio"] == 1.0
    assert by_cell[("dense-100x100", "scipy")]["status"] == "optimal"
    assert by_cell[("dense-100x100", "auto")]["ratio"] > 0
    assert by_cell[("orlib-assign100", "scipy")]["extra"]["optimum_hit"] is True
    assert by_cell[("kernel-300x300", "kernel:scipy")]["ratio"] == 1.0
    # realistic: the same kernels on a double-hundred matrix; pairing.solve reaches their optimum
    realistic = {
        r["contender"]: r["objective_value"]
        for r in summary
        if r["instance"] == "realistic-300x300" and r["status"] == "optimal"
    }
    assert {"kernel:scipy", "kernel:lapjv", "auto-e2e"} <= set(realistic)
    assert max(realistic.values()) - min(realistic.values()) <= 1e-4
    assert by_cell[("scoring-500x500", "matmul")]["ratio"] == 1.0
    # start-up: whole processes against the baseline import, in the same run
    startup = {c: r for (i, c), r in by_cell.items() if i == "startup-100x100"}
    assert set(startup) == {"startup:baseline", "startup:import", "startup:help", "startup:solve"}
    assert startup["startup:baseline"]["ratio"] == 1.0
    assert all(r["status"] == "optimal" and r["ratio"] > 0 for r in startup.values())
    statuses = {r["status"] for r in summary}
    assert "error" not in statuses, [r for r in summary if r["status"] == "error"]
    objectives = {
        r["objective_value"]
        for r in summary
        if r["instance"] == "dense-100x100" and r["status"] == "optimal"
    }
    assert len(objectives) == 1  # the exact solvers agree
    assert all(r["peak_mb"] > 0 for r in summary if r["wall"]["median"] is not None)
    assert len(data["runs"]) >= len(summary)

    text = (out / "results.md").read_text()
    assert "| dense-100x100 | **scipy** | optimal |" in text
    assert "× baseline" in text and "## orlib" in text
    assert (out / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    again = read_run(out / "results.json")  # tables can be redrawn without running again
    assert len(summarise(again.instances, again.runs)) == len(summary)


def test_bench_rejects_unknown_solvers_and_grids(tmp_path: Path) -> None:
    run = CliRunner().invoke(main, ["bench", "--solvers", "nope", "--out", str(tmp_path)])
    assert run.exit_code == 2 and "unknown solver(s) nope" in run.output
    run = CliRunner().invoke(main, ["bench", "--grid", "huge", "--out", str(tmp_path)])
    assert run.exit_code == 2 and "unknown grid 'huge'" in run.output
