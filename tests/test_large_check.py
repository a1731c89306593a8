"""``check`` and ``report`` above the dense size read pairs and row blocks, never n² matrices.

Small programmes are pushed above the threshold by lowering it; dense scoring is then made to
fail, so any n² matrix would show; the answers are compared with the dense ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
import pairing.diagnostics.large_check as large_check
import pairing.features.scoring as scoring
from pairing.cli import main
from pairing.diagnostics.check import violations, violations_by_kind
from pairing.generator import generate


@pytest.fixture
def no_dense(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Programmes of more than 100 pairs count as large, and dense scoring raises."""

    def refuse(programme: pairing.Programme) -> None:
        raise AssertionError("an n² score matrix was built")

    def switch() -> None:
        monkeypatch.setattr(large_check, "LARGE_CELLS", 100)
        monkeypatch.setattr(scoring, "score_matrix", refuse)
        for module in ("pairing.core.prepare", "pairing.features"):
            monkeypatch.setattr(f"{module}.score_matrix", refuse)

    return switch


def _programme(**rules: object) -> pairing.Programme:
    programme = generate(40, 50, seed=3, profile="double-hundred")
    return programme.model_copy(update={"rules": programme.rules.model_copy(update=rules)})


@pytest.mark.parametrize("objective", ["total", "stable", "maxmin"])
def test_a_valid_result_is_valid_without_dense_matrices(no_dense, objective: str) -> None:
    programme = _programme(min_score=0.0 if objective == "stable" else 0.05)
    result = pairing.solve(programme, objective=objective)
    no_dense()
    assert large_check.blockwise(programme)
    assert violations(programme, result) == []


def test_tampered_figures_and_broken_rules_are_found_as_densely(no_dense) -> None:
    programme = _programme()
    result = pairing.solve(programme, objective="stable")
    first, second = result.pairs[0], result.pairs[1]
    swapped = [first.model_copy(update={"right": second.right}),
               second.model_copy(update={"right": first.right})]
    edited = [p.model_copy(update={"score": p.score + 0.25}) for p in result.pairs[2:4]]
    tampered = result.model_copy(update={
        "pairs": (*swapped, *edited, *result.pairs[4:]),
        "objective_value": result.objective_value + 1.0,
        "metrics": result.metrics.model_copy(update={"blocking_pairs": 7}),
    })
    programme = programme.model_copy(update={"rules": programme.rules.model_copy(
        update={"forbidden": [(result.pairs[5].left, result.pairs[5].right)]})})
    dense_rules, dense_figures = violations_by_kind(programme, tampered)
    no_dense()
    rules, figures = violations_by_kind(programme, tampered)
    assert rules and figures
    for ours, theirs in ((rules, dense_rules), (figures, dense_figures)):
        assert _heads(ours) == _heads(theirs)
    assert any("blocking pair" in line for line in rules)
    assert any("forbidden pair" in line for line in rules)


def _heads(lines: list[str]) -> list[str]:
    """The lines up to their recomputed figure (whose last digit may differ by rounding)."""
    return sorted(line.split(" but ")[0] for line in lines)


def test_blockwise_blocking_pairs_equal_the_dense_count(no_dense) -> None:
    """A ``total`` optimum relabelled ``stable``: its blocking pairs, counted block by block
    from the rules, are the dense count (the check reports the same number)."""
    programme = _programme(min_score=0.1)
    result = pairing.solve(programme, objective="total")
    as_stable = result.model_copy(update={"objective": "stable"})
    dense = [line for line in violations(programme, as_stable) if "blocking" in line]
    assert dense  # the total optimum is not stable here, so the count is tested
    no_dense()
    ours = [line for line in violations(programme, as_stable) if "blocking" in line]
    assert ours == dense


def test_check_and_report_commands_run_without_dense_matrices(
        no_dense, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    programme = generate(40, 50, seed=3, profile="double-hundred")
    result = pairing.solve(programme, objective="maxmin")
    prog_file, result_file = tmp_path / "p.json", tmp_path / "r.json"
    prog_file.write_text(programme.model_dump_json())
    result_file.write_text(result.to_json())
    no_dense()
    runner = CliRunner()
    checked = runner.invoke(main, ["check", str(prog_file), str(result_file)])
    assert checked.exit_code == 0, checked.output
    out = tmp_path / "report.html"
    made = runner.invoke(main, ["report", str(prog_file), str(result_file), "-o", str(out)])
    assert made.exit_code == 0, made.output
    html = out.read_text()
    assert "price of fairness" in html and "skipped above 100 pairs" in html
    # 40 × 50 one-to-one: 10 right enterprises stay alone, every left one has its partner
    assert html.count("is at its capacity max") == 10


def test_tag_cells_equal_the_dense_matrices() -> None:
    programme = _programme()
    dense = pairing.score_matrix(programme)
    cells = large_check.TagCells(programme)
    rows, cols = np.divmod(np.arange(40 * 50), 50)
    for got, want in zip(cells.at(rows, cols),
                         (dense.score, dense.gain_left, dense.gain_right), strict=True):
        assert np.allclose(got, want[rows, cols], atol=1e-6)
    for start, gl, gr, score in cells.row_blocks():
        stop = start + gl.shape[0]
        assert np.allclose(gl, dense.gain_left[start:stop], atol=1e-6)
        assert np.allclose(gr, dense.gain_right[start:stop], atol=1e-6)
        assert np.allclose(score, dense.score[start:stop], atol=1e-6)
