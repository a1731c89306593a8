"""``pairing.compare`` and ``pairing compare``: every objective side by side."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
from pairing.analysis.compare import compare
from pairing.cli import main
from pairing.io import dump_programme_json
from strategies import programme_from_matrix


def _programme(rules: pairing.Rules | None = None) -> pairing.Programme:
    rng = np.random.default_rng(12)
    return programme_from_matrix(np.round(rng.random((8, 8)), 3), [(1, 1)] * 8, [(1, 1)] * 8, rules)


def test_rows_in_order_with_price_of_fairness() -> None:
    rows = compare(_programme())
    assert [r.objective for r in rows] == ["total", "maxmin", "leximin", "balanced", "stable"]
    by = {r.objective: r for r in rows}
    assert by["total"].price_of_fairness_pct == 0.0
    optimum = by["total"].total_score
    assert optimum is not None
    for row in rows:
        assert row.status == "optimal", row
        assert row.total_score is not None and row.total_score <= optimum + 1e-6
        assert row.price_of_fairness_pct == pytest.approx(
            100 * (optimum - row.total_score) / optimum, abs=1e-3
        )
    assert by["stable"].blocking_pairs == 0
    assert by["maxmin"].min_gain_left is not None and by["total"].min_gain_left is not None
    worst = min(by["maxmin"].min_gain_left, by["maxmin"].min_gain_right)  # type: ignore[type-var]
    assert worst >= min(by["total"].min_gain_left, by["total"].min_gain_right) - 1e-9  # type: ignore[type-var]


def test_stable_is_skipped_with_quotas_and_says_why() -> None:
    rules = pairing.Rules(quotas=[pairing.Quota(side="left", by="sector", group="ai", min=1)])
    rows = compare(_programme(rules), ["total", "stable"])
    stable = rows[1]
    assert stable.status == "skipped"
    assert "not part of it" in stable.note
    assert stable.price_of_fairness_pct is None


def test_total_reference_is_computed_even_when_not_listed() -> None:
    rows = compare(_programme(), ["maxmin"])
    assert len(rows) == 1 and rows[0].price_of_fairness_pct is not None


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_cli_formats(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "programme.json"
    dump_programme_json(_programme(), path)
    runner = CliRunner()
    out = tmp_path / ("cmp.txt" if fmt == "table" else f"cmp.{fmt}")
    result = runner.invoke(main, ["compare", str(path), "--format", fmt, "-o", str(out),
                                  "--time-limit", "30"])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    if fmt == "json":
        data = json.loads(text)
        assert data[0]["objective"] == "total"
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {r["objective"] for r in rows} == set(pairing.model.OBJECTIVES)
        assert "price_of_fairness_pct" in rows[0]
    else:
        assert "price of fairness" in text and "leximin" in text


def test_cli_stdout_and_objective_choice(tmp_path: Path) -> None:
    path = tmp_path / "programme.json"
    dump_programme_json(_programme(), path)
    result = CliRunner().invoke(main, ["compare", str(path), "--objective", "stable",
                                       "--objective", "maxmin", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [d["objective"] for d in json.loads(result.stdout)] == ["stable", "maxmin"]


def test_a_stopped_leximin_row_carries_its_proven_positions() -> None:
    """A leximin answer cut short carries how many of its sorted gains are proven (its gap, on
    the smallest gain, is often 0) as a column of the JSON and CSV; other rows leave it empty."""
    from pairing.analysis.compare import ComparisonRow
    from pairing.cli.compare_cmd import comparison_csv, comparison_json

    rows = [ComparisonRow("leximin", "feasible", "leximin-milp", gap=0.0, positions_proven=22),
            ComparisonRow("maxmin", "feasible", "maxmin-milp", gap=0.5)]
    assert [row["positions_proven"] for row in json.loads(comparison_json(rows))] == [22, None]
    assert [row["positions_proven"] for row in
            csv.DictReader(io.StringIO(comparison_csv(rows)))] == ["22", ""]
