"""Any scale, either sense: an organisers' matrix of costs or on its own scale (score_scale)."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

import pairing
from pairing.analysis.whynot import why_not
from pairing.cli import main
from pairing.diagnostics.check import violations
from pairing.errors import InvalidProgramme
from pairing.features.score_scale import normalise
from pairing.io import dump_programme_json, from_scores, write_bundle
from pairing.io.xlsx import write_workbook


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args])


def _pairs(result: pairing.Result) -> list[tuple[str, str]]:
    return sorted(result.pair_ids())


def _csv(matrix: np.ndarray, path: Path) -> Path:
    n_left, n_right = matrix.shape
    lines = ["," + ",".join(f"R{j}" for j in range(n_right))]
    for i in range(n_left):
        cells = ["" if np.isnan(v) else repr(float(v)) for v in matrix[i]]
        lines.append(f"L{i}," + ",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- the map itself --------------------------------------------------------------------------


def test_normalise_maps_each_sense_and_scale_as_documented() -> None:
    raw = np.array([[10.0, 40.0], [np.nan, 20.0]])
    unit, scale = normalise(raw, "cost", "auto")
    assert (scale.lo, scale.hi) == (10.0, 40.0)
    np.testing.assert_allclose(unit, [[1.0, 0.0], [np.nan, 2 / 3]])
    unit, _ = normalise(raw, "score", "auto")
    np.testing.assert_allclose(unit, [[0.0, 1.0], [np.nan, 1 / 3]])
    cells = np.array([[0.25, 1.0]])
    assert normalise(cells)[0] is cells  # the default shares the matrix
    np.testing.assert_allclose(normalise(cells, "cost", "unit")[0], [[0.75, 0.0]])
    constant, _ = normalise(np.array([[7.0, np.nan], [7.0, 7.0]]), "cost", "auto")
    np.testing.assert_array_equal(constant, [[1.0, np.nan], [1.0, 1.0]])
    huge, _ = normalise(np.array([[-1e308, 1e308, 0.0]]), "score", "auto")  # hi − lo overflows
    np.testing.assert_allclose(huge, [[0.0, 1.0, 0.5]])


# --- same pairs whatever the affine scale ----------------------------------------------------


@pytest.mark.parametrize("solver", ["lapjv", "flow", "milp", "cpsat"])
def test_cost_matrix_solves_like_its_affine_rescaling_and_its_negation(solver: str) -> None:
    rng = np.random.default_rng(17)
    cost = rng.uniform(-1000, 1000, size=(7, 9))
    rows, cols = linear_sum_assignment(cost)  # the minimum-cost assignment, for reference
    expected = sorted((f"L{i}", f"R{j}") for i, j in zip(rows, cols, strict=True))
    variants = [
        (cost, "cost"),
        (0.037 * cost + 512.5, "cost"),  # the same costs in other units, shifted
        (-cost, "score"),  # the negated costs as scores
        ((cost + 1000) / 2000, "cost"),  # rescaled by hand into [0, 1]
    ]
    for matrix, sense in variants:
        programme = from_scores(matrix, sense=sense, score_scale="auto")
        result = pairing.solve(programme, solver=solver)
        assert _pairs(result) == expected, (sense, solver)
        assert result.status == "optimal"
        raw_total = float(matrix[rows, cols].sum())
        assert result.objective_value == pytest.approx(raw_total, abs=1e-5)
        assert result.metrics.total_score == pytest.approx(raw_total, abs=1e-5)


@pytest.mark.parametrize("solver", ["flow", "milp", "cpsat"])
def test_cost_matrix_with_capacities_minimises_the_raw_cost(solver: str) -> None:
    # k = 2 reviewers per paper, loads 0..2: the number of pairs is fixed (8), so maximising
    # the normalised total is minimising the raw cost.
    rng = np.random.default_rng(5)
    cost = np.round(rng.uniform(-1000, 1000, size=(4, 5)), 3)
    caps = {"capacity_left": (2, 2), "capacity_right": (0, 2)}
    runs = [
        from_scores(cost, sense="cost", score_scale="auto", **caps),
        from_scores(cost * 4 - 7, sense="cost", score_scale="auto", **caps),
        from_scores(-cost, score_scale="auto", **caps),
    ]
    results = [pairing.solve(p, solver=solver) for p in runs]
    assert len(results[0].pairs) == 8
    assert _pairs(results[0]) == _pairs(results[1]) == _pairs(results[2])
    chosen = [(int(a[1:]), int(b[1:])) for a, b in results[0].pair_ids()]
    best = _brute_min_cost(cost, k=2, load=2)
    assert sum(cost[i, j] for i, j in chosen) == pytest.approx(best, abs=1e-6)
    assert results[0].objective_value == pytest.approx(best, abs=1e-5)


def _brute_min_cost(cost: np.ndarray, k: int, load: int) -> float:
    """Minimum cost of exactly k partners per row, at most ``load`` per column, by brute force."""
    n_left, n_right = cost.shape
    choices = list(itertools.combinations(range(n_right), k))
    best = math.inf
    for pick in itertools.product(choices, repeat=n_left):
        counts = np.bincount(np.ravel(pick), minlength=n_right)
        if counts.max() <= load:
            best = min(best, sum(cost[i, j] for i, row in enumerate(pick) for j in row))
    return best


def test_a_cost_run_with_a_variable_number_of_pairs_still_pairs_everyone_it_can() -> None:
    cost = np.array([[5.0, 9.0], [7.0, 6.0]])
    programme = from_scores(cost, sense="cost", score_scale="auto", capacity_left=(0, 1),
                            capacity_right=(0, 1))
    result = pairing.solve(programme)
    # every pair is worth ≥ 0 after normalisation: the cheapest full matching, not no pairs
    assert _pairs(result) == [("L0", "R0"), ("L1", "R1")]
    assert result.objective_value == pytest.approx(11.0)


# --- values on the user's scale --------------------------------------------------------------


def test_values_are_reported_on_the_users_scale_by_hand() -> None:
    # costs 10..40: normalised (40 − c)/30 = [[1, 0], [1/3, 2/3]]; the cheapest assignment is
    # L0–R0 (10) + L1–R1 (20) = 30, against 40 + 30 = 70.
    cost = np.array([[10.0, 40.0], [30.0, 20.0]])
    programme = from_scores(cost, sense="cost", score_scale="auto")
    result = pairing.solve(programme)
    assert result.pair_ids() == [("L0", "R0"), ("L1", "R1")]
    assert [p.score for p in result.pairs] == [10.0, 20.0]  # the raw cells, exact
    assert [p.gain_left for p in result.pairs] == [1.0, 0.666667]  # gains: normalised
    assert result.objective_value == 30.0
    assert (result.metrics.total_score, result.metrics.mean_score) == (30.0, 15.0)
    assert result.metrics.scale is not None
    assert result.metrics.scale.model_dump() == {"sense": "cost", "lo": 10.0, "hi": 40.0}
    data = json.loads(result.to_json())
    assert data["metrics"]["scale"] == {"sense": "cost", "lo": 10.0, "hi": 40.0}
    assert result.pairs[0].reasons[0].text == "organisers' cost 10 (+1.00 score)"
    assert violations(programme, result) == []
    fair = pairing.solve(programme, objective="maxmin")
    assert fair.objective_value == pytest.approx(2 / 3, abs=1e-6)  # a gain: normalised
    assert violations(programme, fair) == []


def test_scores_in_unit_scale_keep_their_json_and_have_no_scale_entry() -> None:
    result = pairing.solve(from_scores(np.array([[0.2, 0.9], [0.4, 0.1]])))
    assert result.metrics.scale is None
    assert "scale" not in json.loads(result.to_json())["metrics"]
    assert result.objective_value == pytest.approx(1.3)


def test_cost_matrix_in_unit_scale_is_one_minus_the_cost() -> None:
    cost = np.array([[0.1, 0.9], [0.8, 0.3]])
    programme = from_scores(cost, sense="cost")
    result = pairing.solve(programme)
    assert result.pair_ids() == [("L0", "R0"), ("L1", "R1")]
    assert [p.score for p in result.pairs] == [0.1, 0.3]
    assert [p.gain_left for p in result.pairs] == [0.9, 0.7]
    assert result.objective_value == pytest.approx(0.4)
    assert result.metrics.scale is not None
    assert (result.metrics.scale.lo, result.metrics.scale.hi) == (0.0, 1.0)


def test_the_validator_compares_claimed_scores_on_the_users_scale() -> None:
    cost = np.array([[10.0, 40.0], [30.0, 20.0]])
    programme = from_scores(cost, sense="cost", score_scale="auto")
    result = pairing.solve(programme)
    normalised = result.pairs[0].model_copy(update={"score": 1.0})  # the normalised value
    edited = result.model_copy(update={"pairs": (normalised, *result.pairs[1:])})
    found = violations(programme, edited)
    assert any("score 1.0 but the programme gives 10.000000" in f for f in found), found
    wrong_total = result.model_copy(update={"objective_value": 1.666667})
    assert any("objective_value" in f for f in violations(programme, wrong_total))


def test_evaluate_and_alternates_report_the_users_scale() -> None:
    cost = np.array([[10.0, 40.0, 25.0], [30.0, 20.0, 35.0]])
    programme = from_scores(cost, sense="cost", score_scale="auto")
    evaluation = pairing.evaluate(programme, [("L0", "R1"), ("L1", "R0")])
    assert evaluation.objectives["total"] == 70.0
    assert evaluation.metrics.total_score == 70.0
    result = pairing.solve(programme, alternates=2)
    assert result.alternates is not None
    first = result.alternates["left"]["L0"][0]
    assert (first.id, first.score) == ("R2", 25.0)  # the next cheapest, at its own cost


# --- errors ----------------------------------------------------------------------------------


def test_an_infinite_cell_is_an_error_naming_the_cell() -> None:
    with pytest.raises(InvalidProgramme) as caught:
        from_scores(np.array([[1.0, np.inf], [2.0, 3.0]]), sense="cost", score_scale="auto")
    text = str(caught.value)
    assert "scores[0, 1]" in text and "finite" in text


def test_a_cell_out_of_unit_range_names_the_cell_and_the_option() -> None:
    with pytest.raises(InvalidProgramme) as caught:
        from_scores(np.array([[1.0, 250.0]]))
    text = str(caught.value)
    assert "scores[0, 1]" in text and 'score_scale="auto"' in text


def test_unknown_sense_or_scale_names_the_key_and_the_choices() -> None:
    with pytest.raises(InvalidProgramme) as caught:
        from_scores(np.ones((2, 2)), sense="minimise")
    assert "sense" in str(caught.value) and "score, cost" in str(caught.value)
    with pytest.raises(InvalidProgramme) as caught:
        from_scores(np.ones((2, 2)), score_scale="log")
    assert "score_scale" in str(caught.value) and "unit, auto" in str(caught.value)
    with pytest.raises(InvalidProgramme) as caught:
        from_scores(np.ones((2, 2)), rules={"sense": "costs"})
    assert "sense" in str(caught.value)
    with pytest.raises(InvalidProgramme) as caught:
        from_scores(np.ones((2, 2)), sense="cost", rules={"sense": "score"})
    assert "give it once" in str(caught.value)


def test_a_programme_json_checks_its_matrix_against_its_own_scale() -> None:
    data = {
        "left": {"label": "L", "enterprises": [{"id": "a"}]},
        "right": {"label": "R", "enterprises": [{"id": "x"}]},
        "scores": [[-3.5]],
    }
    with pytest.raises(InvalidProgramme, match="score_scale"):
        pairing.io.programme_from_data(data)
    auto = pairing.io.programme_from_data({**data, "rules": {"score_scale": "auto"}})
    assert auto.scores is not None and auto.scores[0, 0] == -3.5


def test_other_score_terms_with_a_scaled_matrix_are_refused_with_the_rule() -> None:
    with pytest.raises(InvalidProgramme) as caught:
        from_scores(np.array([[3.0, 5.0]]), score_scale="auto",
                    rules={"weights": {"preference": 1.0}})
    text = str(caught.value)
    assert "only score term" in text and "weights.preference" in text
    programme = pairing.load(Path(__file__).parent.parent / "instances" / "double-hundred.json")
    with pytest.raises(InvalidProgramme, match="has none"):
        pairing.io.programme_from_data(
            {**programme.model_dump(mode="json"), "rules": {"sense": "cost"}}
        )


# --- files and the CLI -----------------------------------------------------------------------


def test_round_trips_keep_sense_and_scale(tmp_path: Path) -> None:
    cost = np.array([[-12.5, 400.0, np.nan], [3.25, -999.0, 17.0]])
    programme = from_scores(cost, ["a", "b"], ["x", "y", "z"], sense="cost",
                            score_scale="auto", labels=("CN", "PK"))
    assert (programme.rules.sense, programme.rules.score_scale) == ("cost", "auto")
    folder = write_bundle(programme, tmp_path / "bundle")
    assert 'sense = "cost"' in (folder / "rules.toml").read_text(encoding="utf-8")
    for path in (
        folder,
        dump_programme_json(programme, tmp_path / "p.json"),
        write_workbook(programme, tmp_path / "p.xlsx"),
    ):
        back = pairing.load(path)
        assert back == programme, path
        assert (back.rules.sense, back.rules.score_scale) == ("cost", "auto")
    schema = json.dumps(pairing.Programme.model_json_schema())
    assert "score_scale" in schema and "sense" in schema


def test_cli_scores_scale_auto_and_minimize(tmp_path: Path) -> None:
    cost = np.array([[10.0, 40.0], [30.0, 20.0]])
    scores = _csv(cost, tmp_path / "costs.csv")
    out = tmp_path / "r.json"
    run = invoke("solve", "--scores", scores, "--scores-scale", "auto", "--minimize", "-o", out)
    assert run.exit_code == 0, run.output
    result = json.loads(out.read_text())
    assert [(p["left"], p["right"], p["score"]) for p in result["pairs"]] == [
        ("L0", "R0", 10.0), ("L1", "R1", 20.0)]
    assert result["objective_value"] == 30.0
    assert result["metrics"]["scale"] == {"sense": "cost", "lo": 10.0, "hi": 40.0}
    # the same from rules.toml
    rules = tmp_path / "rules.toml"
    rules.write_text('sense = "cost"\nscore_scale = "auto"\n', encoding="utf-8")
    run = invoke("solve", "--scores", scores, "--rules", rules, "-o", out)
    assert run.exit_code == 0, run.output
    assert json.loads(out.read_text())["objective_value"] == 30.0


def test_cli_refuses_an_out_of_range_matrix_saying_what_to_try(tmp_path: Path) -> None:
    scores = _csv(np.array([[10.0, 40.0], [30.0, 20.0]]), tmp_path / "s.csv")
    run = invoke("solve", "--scores", scores)
    assert run.exit_code == 2
    assert "row 2 (left id 'L0'), column 2 (right id 'R0')" in run.output
    assert "--scores-scale auto" in run.output
    (tmp_path / "inf.csv").write_text(",R0,R1\nL0,1,inf\nL1,2,3\n", encoding="utf-8")
    run = invoke("solve", "--scores", tmp_path / "inf.csv", "--scores-scale", "auto")
    assert run.exit_code == 2
    assert "column 3 (right id 'R1')" in run.output and "finite" in run.output
    run = invoke("solve", str(tmp_path), "--minimize")
    assert run.exit_code == 2 and "go with --scores" in run.output
    (tmp_path / "bad.toml").write_text('sense = "min"\n', encoding="utf-8")
    run = invoke("solve", "--scores", scores, "--rules", tmp_path / "bad.toml",
                 "--scores-scale", "auto")
    assert run.exit_code == 2 and "sense" in run.output


def test_why_not_prices_a_forced_pair_in_the_users_costs() -> None:
    cost = np.array([[10.0, 40.0], [30.0, 20.0]])
    programme = from_scores(cost, sense="cost", score_scale="auto")
    result = pairing.solve(programme)
    why = why_not(programme, result, "L0", "R1")
    assert why.score == 40.0
    assert why.alternative_total_score == 70.0
    assert why.score_cost == pytest.approx(40.0)  # the total cost rises by 40
    assert why.objective_cost == pytest.approx(40.0)


def test_price_of_fairness_of_a_cost_run_is_a_share_of_the_normalised_total() -> None:
    from pairing.analysis.compare import compare
    from pairing.features.score_scale import comparable_total

    cost = np.array([[10.0, 40.0], [30.0, 20.0]])
    programme = from_scores(cost, sense="cost", score_scale="auto")
    result = pairing.solve(programme)
    # normalised: 1 + 2/3, from (2·40 − 30) / 30
    assert comparable_total(result.metrics) == pytest.approx(5 / 3)
    rows = {row.objective: row for row in compare(programme, ["total", "maxmin"])}
    assert rows["total"].price_of_fairness_pct == 0.0
    assert rows["maxmin"].price_of_fairness_pct is not None
    assert rows["maxmin"].price_of_fairness_pct >= 0.0
    shifted = from_scores(cost * 3 - 500, sense="cost", score_scale="auto")
    again = {row.objective: row for row in compare(shifted, ["total", "maxmin"])}
    assert again["maxmin"].price_of_fairness_pct == pytest.approx(
        rows["maxmin"].price_of_fairness_pct, abs=1e-3)


def test_from_scores_reads_sense_and_scale_from_a_rules_model() -> None:
    rules = pairing.Rules(sense="cost", score_scale="auto")
    programme = from_scores(np.array([[10.0, 40.0], [30.0, 20.0]]), rules=rules)
    assert pairing.solve(programme).objective_value == 30.0


def test_explain_and_evaluate_show_the_users_costs(tmp_path: Path) -> None:
    cost = np.array([[10.0, 40.0], [30.0, 20.0]])
    folder = write_bundle(from_scores(cost, sense="cost", score_scale="auto"), tmp_path / "b")
    out = tmp_path / "r.json"
    assert invoke("solve", folder, "-o", out).exit_code == 0
    run = invoke("explain", folder, out, "--pair", "L0", "R1")
    assert run.exit_code == 0, run.output
    assert "score: 40 (the organisers' cost; 0.000000 normalised)" in run.output
    run = invoke("evaluate", folder, out)
    assert run.exit_code == 0, run.output
    assert "sum of pair costs" in run.output
    assert invoke("check", folder, out).exit_code == 0


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 7),
    st.integers(1, 7),
    st.floats(1e-3, 1e3),
    st.floats(-1e4, 1e4),
)
def test_any_affine_rescaling_of_costs_reaches_the_minimum_cost(
    seed: int, n_left: int, n_right: int, factor: float, shift: float
) -> None:
    cost = np.random.default_rng(seed).uniform(-1000, 1000, size=(n_left, n_right))
    rows, cols = linear_sum_assignment(cost)
    for matrix in (cost, cost * factor + shift):
        result = pairing.solve(from_scores(matrix, sense="cost", score_scale="auto"))
        scale = abs(matrix).max() * len(rows)
        assert result.objective_value == pytest.approx(
            float(matrix[rows, cols].sum()), abs=1e-9 * scale + 1e-6)
