"""``pairing evaluate`` and ``pairing.evaluate``: a hand-made matching, checked once by rule and
valued under every objective."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import pairing
from pairing.analysis.evaluation import evaluate, result_from_pairs
from pairing.cli import main

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "instances" / "double-hundred-rules"
ONE_TO_ONE = REPO / "instances" / "double-hundred.json"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def rules_case() -> tuple[pairing.Programme, pairing.Result]:
    programme = pairing.load(RULES)
    return programme, pairing.solve(programme)


def _write_pairs(path: Path, pairs: list[tuple[str, str]], title: bool = True) -> Path:
    lines = ["Hand-made pairing for the March meeting,,", ",,"] if title else []
    lines.append("Left, RIGHT ,comment")
    lines += [f"{a},{b},by hand" for a, b in pairs]
    path.write_text("\n".join([*lines, ",,", ""]), encoding="utf-8")
    return path


def test_a_solved_result_keeps_every_rule_and_values_match(rules_case) -> None:
    programme, result = rules_case
    evaluation = evaluate(programme, result)
    assert evaluation.ok and evaluation.violations == ()
    assert evaluation.objectives["total"] == pytest.approx(result.objective_value, abs=1e-6)
    assert evaluation.metrics == result.metrics
    assert evaluation.objectives["stable"] == result.metrics.blocking_pairs
    assert evaluation.optimum is None


def test_hand_edits_are_listed_once_by_rule_without_score_lines(rules_case, tmp_path) -> None:
    programme, result = rules_case
    pairs = [p for p in result.pair_ids() if p != ("CN-002", "PK-003")]  # drop the MOU pair
    pairs.append(("CN-001", "PK-017"))  # a forbidden pair
    pairs += [("CN-005", f"PK-0{k}") for k in range(50, 54)]  # CN-005 beyond its capacity 3
    evaluation = evaluate(programme, _write_pairs(tmp_path / "hand.csv", pairs))
    rules = [v.rule for v in evaluation.violations]
    assert len(rules) == len(set(rules)), rules
    assert {"forbidden", "required", "capacity (left)"} <= set(rules)
    by_rule = {v.rule: v for v in evaluation.violations}
    assert by_rule["forbidden"].items == ("CN-001–PK-017",)
    assert by_rule["required"].items == ("CN-002–PK-003",)
    assert any(item.startswith("CN-005 has") for item in by_rule["capacity (left)"].items)
    assert not any("programme gives" in v.message for v in evaluation.violations)
    assert evaluation.metrics.pairs == len(set(pairs))


def test_cli_exit_codes_and_json_shape(rules_case, tmp_path) -> None:
    _, result = rules_case
    good = _write_pairs(tmp_path / "good.csv", result.pair_ids())
    run = invoke("evaluate", RULES, good)
    assert run.exit_code == 0, run.output
    assert "every rule holds" in run.output
    bad = _write_pairs(tmp_path / "bad.csv", [*result.pair_ids(), ("CN-001", "PK-017")])
    run = invoke("evaluate", RULES, bad, "--format", "json")
    assert run.exit_code == 1, run.output
    data = json.loads(run.stdout)
    assert set(data) == {"violations", "objectives", "optimum", "metrics"}
    assert set(data["objectives"]) == {"total", "maxmin", "leximin", "balanced", "stable"}
    assert data["optimum"] is None
    assert [v["rule"] for v in data["violations"]].count("forbidden") == 1


def test_unknown_ids_and_repeats_are_rules_and_a_row_without_an_id_is_bad_input(
        rules_case, tmp_path) -> None:
    programme, result = rules_case
    pairs = [*result.pair_ids(), ("CN-999", "PK-001"), result.pair_ids()[0]]
    evaluation = evaluate(programme, _write_pairs(tmp_path / "p.csv", pairs))
    by_rule = {v.rule: v for v in evaluation.violations}
    assert "CN-999" in by_rule["unknown ids"].message
    assert "row" in by_rule["unknown ids"].message
    assert "repeated pairs" in by_rule
    broken = tmp_path / "broken.csv"
    broken.write_text("left,right\nCN-001,\n", encoding="utf-8")
    run = invoke("evaluate", RULES, broken)
    assert run.exit_code == 2
    assert "broken.csv, row 2" in run.output and "no right id" in run.output


def test_xlsx_pair_list_and_python_tuples(rules_case, tmp_path) -> None:
    programme, result = rules_case
    book = openpyxl.Workbook()
    book.active.title = "cover"
    book.active.append(["notes only"])
    sheet = book.create_sheet("My pairs")
    sheet.append(["Pairing proposal"])
    sheet.append(["Left", "Right"])
    for a, b in result.pair_ids():
        sheet.append([a, b])
    book.save(tmp_path / "pairs.xlsx")
    from_book = evaluate(programme, tmp_path / "pairs.xlsx")
    from_tuples = evaluate(programme, result.pair_ids())
    assert from_book.ok and from_book.objectives == from_tuples.objectives
    with pytest.raises(pairing.InvalidProgramme, match="expected a"):
        evaluate(programme, [("CN-001",)])


def test_optimum_gives_each_objective_and_the_difference(tmp_path) -> None:
    programme = pairing.load(ONE_TO_ONE)
    best = pairing.solve(programme)
    swapped = best.pair_ids()
    (a, b), (c, d) = swapped[0], swapped[1]
    swapped[0], swapped[1] = (a, d), (c, b)
    evaluation = pairing.evaluate(programme, swapped, optimum=True, time_limit=10)
    assert evaluation.ok
    assert evaluation.optimum is not None
    assert evaluation.optimum["total"] == pytest.approx(best.objective_value, abs=1e-6)
    assert evaluation.objectives["total"] < evaluation.optimum["total"]
    assert evaluation.optimum["stable"] == 0
    for name in ("maxmin", "balanced"):
        assert evaluation.objectives[name] <= evaluation.optimum[name] + 1e-6
    run = invoke("evaluate", ONE_TO_ONE, _write_pairs(tmp_path / "s.csv", swapped), "--optimum",
                 "--time-limit", "10")
    assert run.exit_code == 0, run.output
    assert "difference" in run.output


def test_partner_quotas_are_one_violation_each_and_agree_with_the_validator() -> None:
    from pairing.diagnostics.check import violations

    programme = pairing.load(REPO / "instances" / "reviewer-assignment")
    result = pairing.solve(programme)
    assert evaluate(programme, result).ok
    senior = {e.id for e in programme.right.enterprises if e.sector == "senior"}
    juniors = [e.id for e in programme.right.enterprises if e.id not in senior]
    paper = result.pairs[0].left
    edited = [(a, b) for a, b in result.pair_ids() if a != paper]
    edited += [(paper, b) for b in juniors[:3]]  # three junior reviewers for one paper
    evaluation = evaluate(programme, edited)
    partner = [v for v in evaluation.violations if v.rule.startswith("rules.partner_quotas")]
    assert len(partner) == 1 and partner[0].items == (f"{paper} has 0 partner(s) with sector "
                                                      "'senior'",)
    checked, _ = result_from_pairs(programme, edited)
    lines = [line for line in violations(programme, checked, check_input_hash=False)
             if line.startswith("rules.partner_quotas[0]")]
    assert len(lines) == 1 and "1 " in lines[0] and paper in lines[0]


def test_check_puts_broken_rules_before_stale_figures(rules_case, tmp_path) -> None:
    _, result = rules_case
    data = json.loads(result.to_json())
    pairs = data["pairs"]
    mou = next(k for k, p in enumerate(pairs) if (p["left"], p["right"]) == ("CN-002", "PK-003"))
    other = next(k for k, p in enumerate(pairs) if p["left"] != "CN-002" and p["right"] !=
                 "PK-003")
    pairs[mou]["right"], pairs[other]["right"] = pairs[other]["right"], pairs[mou]["right"]
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    run = invoke("check", RULES, path)
    assert run.exit_code == 1
    text = run.output
    assert text.index("rules broken") < text.index("required pair CN-002–PK-003 is missing")
    assert text.index("required pair CN-002–PK-003 is missing") < text.index("figures in the file")
    assert text.index("figures in the file") < text.index("but the programme gives")
    assert "pairing evaluate" in text


def test_a_vetoed_pair_is_a_broken_rule() -> None:
    """A hand-made pairing with a pair one side vetoed breaks a rule, like a forbidden pair."""
    programme = pairing.load(REPO / "instances" / "double-hundred-sources")
    veto = next(p for p in programme.preferences if p.interest == "veto")
    left_ids = set(programme.left.ids)
    pair = (veto.from_, veto.to) if veto.from_ in left_ids else (veto.to, veto.from_)
    evaluation = evaluate(programme, [pair])
    vetoed = [v for v in evaluation.violations if v.rule == "vetoed"]
    assert len(vetoed) == 1
    assert vetoed[0].items == (f"{pair[0]}–{pair[1]} (vetoed by {veto.from_})",)
