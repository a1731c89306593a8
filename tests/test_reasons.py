"""Structured reasons: each a Reason {term, tag, direction, contribution, text}; contributions
are shares of the score that add up to it; generic tags are named after distinctive ones; old
results with plain-text reasons still read."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.features import score_matrix
from pairing.features.reasons import make_reason, pair_reasons, tag_rarity
from pairing.io.result_xlsx import result_workbook_sheets
from pairing.io.results_file import load_result, result_csv
from pairing.model.programme import Programme
from pairing.model.result import Pair, Reason

REPO = Path(__file__).resolve().parent.parent
SOURCES = REPO / "instances" / "double-hundred-sources"
SHIPPED = REPO / "instances" / "double-hundred.json"


def _enterprise(ident: str, needs: dict[str, float], caps: dict[str, float]) -> dict[str, object]:
    return {"id": ident, "name": ident, "sector": "s", "region": "r", "needs": needs,
            "capabilities": caps}


def _programme(left: list[dict[str, object]], right: list[dict[str, object]]) -> Programme:
    return Programme.model_validate({
        "left": {"label": "CN", "enterprises": left},
        "right": {"label": "PK", "enterprises": right},
    })


def test_contributions_add_up_to_the_score_and_texts_come_from_the_fields() -> None:
    programme = pairing.load(SOURCES)
    m = score_matrix(programme)
    rows = np.arange(0, 100, 7)
    cols = (rows * 13) % 100
    tags = len(m.vocabulary.tags)
    reasons = pair_reasons(m, rows, cols, ("CN", "PK"), top=tags)
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        found = reasons[k]
        assert all(isinstance(r, Reason) for r in found)
        total = sum(r.contribution or 0.0 for r in found)
        # terms below 5e-4 of the score are left out; nothing else is missing
        assert total == pytest.approx(float(m.score[i, j]), abs=3e-3), (i, j, found)
        for r in found:
            assert r.term in {"tags", "preference", "text", "source:past-cooperation"}, r
            if r.term == "tags" and r.tag is not None:
                again = make_reason("tags", tag=r.tag, direction=r.direction,
                                    contribution=r.contribution or 0.0, labels=("CN", "PK"))
                assert again == r
                assert r.direction in ("left_to_right", "right_to_left", "both")


def test_a_tags_direction_names_who_offers_to_whom() -> None:
    # CN-1 offers x (PK-1 needs it); PK-1 offers y (CN-1 needs it); both offer and need z
    programme = _programme(
        [_enterprise("CN-1", {"y": 1.0, "z": 1.0}, {"x": 1.0, "z": 1.0})],
        [_enterprise("PK-1", {"x": 1.0, "z": 1.0}, {"y": 1.0, "z": 1.0})],
    )
    m = score_matrix(programme)
    found = {r.tag: r for r in pair_reasons(m, np.array([0]), np.array([0]), ("CN", "PK"))[0]}
    assert found["x"].direction == "left_to_right"
    assert found["x"].text == "x: CN offers, PK needs (+0.25 score)"
    assert found["y"].direction == "right_to_left"
    assert found["y"].text == "y: PK offers, CN needs (+0.25 score)"
    assert found["z"].direction == "both"
    assert found["z"].text == "z: CN offers, PK needs; PK offers, CN needs (+0.50 score)"
    assert sum(r.contribution or 0 for r in found.values()) == pytest.approx(1.0)


def test_a_one_sided_tag_is_named_but_adds_nothing_to_the_score() -> None:
    programme = _programme(
        [_enterprise("CN-1", {"y": 1.0}, {})],
        [_enterprise("PK-1", {"x": 1.0}, {"y": 1.0})],
    )
    m = score_matrix(programme)
    (reason,) = pair_reasons(m, np.array([0]), np.array([0]), ("CN", "PK"))[0]
    assert (reason.term, reason.tag, reason.direction, reason.contribution) == (
        "tags", "y", "right_to_left", 0.0)
    assert reason.text == "y: PK offers, CN needs (one-sided: adds nothing to the score)"


def test_no_complementary_tags_is_said_as_such() -> None:
    programme = _programme([_enterprise("CN-1", {"a": 1.0}, {})],
                           [_enterprise("PK-1", {"b": 1.0}, {})])
    (reason,) = pair_reasons(score_matrix(programme), np.array([0]), np.array([0]))[0]
    assert reason.term == "tags" and reason.tag is None and reason.direction is None
    assert reason.contribution == 0.0 and reason.text.startswith("no complementary tags")


def test_a_generic_tag_ranks_below_a_distinctive_one_with_less_contribution() -> None:
    # Every CN firm offers 'market-access' (generic); only CN-0 offers 'cold-chain'. PK-0 needs
    # market-access a little more than cold-chain, so market-access contributes more.
    left = [_enterprise("CN-0", {"ai": 1.0}, {"market-access": 1.0, "cold-chain": 1.0})]
    left += [_enterprise(f"CN-{k}", {"ai": 1.0}, {"market-access": 1.0}) for k in range(1, 10)]
    right = [_enterprise("PK-0", {"market-access": 0.55, "cold-chain": 0.45}, {"ai": 1.0})]
    right += [_enterprise(f"PK-{k}", {"textiles": 1.0}, {"ai": 0.5}) for k in range(1, 10)]
    programme = _programme(left, right)
    m = score_matrix(programme)
    found = pair_reasons(m, np.array([0]), np.array([0]), ("CN", "PK"), top=3)[0]
    by_tag = {r.tag: r for r in found}
    generic, distinctive = by_tag["market-access"], by_tag["cold-chain"]
    assert generic.contribution is not None and distinctive.contribution is not None
    assert generic.contribution > distinctive.contribution  # it adds more to the score ...
    order = [r.tag for r in found]
    assert order.index("cold-chain") < order.index("market-access")  # ... yet is named later
    # ranking only: the score is the tags' plain sum, whatever the ranking
    assert sum(r.contribution or 0 for r in found) == pytest.approx(float(m.score[0, 0]))
    rarity = tag_rarity(m.caps_left)
    tags = m.vocabulary.tags
    assert rarity[tags.index("market-access")] == pytest.approx(1.0)
    assert rarity[tags.index("cold-chain")] == pytest.approx(1 + np.log(11 / 2))
    # top=1 names the distinctive tag alone
    (first,) = pair_reasons(m, np.array([0]), np.array([0]), ("CN", "PK"), top=1)[0]
    assert first.tag == "cold-chain"


def test_a_generic_tag_with_far_more_contribution_still_comes_first() -> None:
    left = [_enterprise("CN-0", {"ai": 1.0}, {"market-access": 1.0, "cold-chain": 1.0})]
    left += [_enterprise(f"CN-{k}", {"ai": 1.0}, {"market-access": 1.0}) for k in range(1, 10)]
    right = [_enterprise("PK-0", {"market-access": 0.95, "cold-chain": 0.05}, {"ai": 1.0})]
    m = score_matrix(_programme(left, right))
    found = pair_reasons(m, np.array([0]), np.array([0]), ("CN", "PK"))[0]
    assert [r.tag for r in found][:2] == ["ai", "market-access"]


def test_result_json_schema_csv_and_determinism(tmp_path) -> None:
    programme = pairing.load(SHIPPED)
    result = pairing.solve(programme)
    again = pairing.solve(programme)
    assert result.without_runtime() == again.without_runtime()
    data = json.loads(result.to_json())
    reason = data["pairs"][0]["reasons"][0]
    assert set(reason) == {"term", "tag", "direction", "contribution", "text"}
    assert reason["term"] == "tags" and isinstance(reason["contribution"], float)
    schema = json.loads(CliRunner().invoke(main, ["schema", "result"]).output)
    fields = schema["$defs"]["Reason"]["properties"]
    assert set(fields) == {"term", "tag", "direction", "contribution", "text"}
    rows = list(csv.DictReader(io.StringIO(result_csv(result, programme))))
    assert rows[0]["reasons"] == " | ".join(r.text for r in result.pairs[0].reasons)
    sheet = result_workbook_sheets(programme, result)["pairs"]
    at = sheet[0].index("reasons")
    assert sheet[1][at] == rows[0]["reasons"]


def test_reasons_in_blocks_are_the_reasons_at_once(monkeypatch) -> None:
    import pairing.features.reasons as module

    m = score_matrix(pairing.load(SOURCES))
    rows, cols = np.arange(100), (np.arange(100) * 7) % 100
    whole = pair_reasons(m, rows, cols, ("CN", "PK"))
    monkeypatch.setattr(module, "_BLOCK", 7)
    assert pair_reasons(m, rows, cols, ("CN", "PK")) == whole


def test_a_result_with_plain_text_reasons_still_reads(tmp_path) -> None:
    programme = pairing.load(SHIPPED)
    result = pairing.solve(programme)
    data = json.loads(result.to_json())
    for pair in data["pairs"]:  # as results were written before reasons were structured
        pair["reasons"] = [r["text"] for r in pair["reasons"]]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    read = load_result(old)
    first = read.pairs[0].reasons[0]
    assert first == Reason(text=result.pairs[0].reasons[0].text)
    assert (first.term, first.tag, first.direction, first.contribution) == (None,) * 4
    assert Pair(left="a", right="b", score=0, gain_left=0, gain_right=0,
                reasons=("why",)).reasons == (Reason(text="why"),)
    runner = CliRunner()
    for command in (["check", str(SHIPPED), str(old)], ["evaluate", str(SHIPPED), str(old)],
                    ["solve", str(SHIPPED), "--format", "table"]):
        run = runner.invoke(main, command)
        assert run.exit_code == 0, (command, run.output)
    run = runner.invoke(main, ["report", str(SHIPPED), str(old), "-o", str(tmp_path / "r.html")])
    assert run.exit_code == 0, run.output
    assert result.pairs[0].reasons[0].text in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_explain_and_table_show_the_reason_texts(tmp_path) -> None:
    programme = pairing.load(SHIPPED)
    result = pairing.solve(programme)
    path = tmp_path / "r.json"
    path.write_text(result.to_json(), encoding="utf-8")
    pair = result.pairs[0]
    run = CliRunner().invoke(main, ["explain", str(SHIPPED), str(path), "--pair", pair.left,
                                    pair.right])
    assert run.exit_code == 0, run.output
    for reason in pair.reasons:
        assert f"  reason: {reason.text}\n" in run.output
    run = CliRunner().invoke(main, ["solve", str(SHIPPED), "--format", "table"])
    assert run.exit_code == 0, run.output
    assert pair.reasons[0].text[:30] in run.output


def test_runner_ups_are_said_alike_in_explain_the_table_and_the_report(tmp_path) -> None:
    programme = pairing.load(SHIPPED)
    result = pairing.solve(programme)
    path = tmp_path / "r.json"
    path.write_text(result.to_json(), encoding="utf-8")
    pair = result.pairs[0]
    assert pair.runner_up is not None and pair.runner_up.left is not None
    left_words, right_words = pair.runner_up.describe()
    assert left_words.startswith(f"{pair.runner_up.left}, ")
    assert left_words.endswith(" less") or "more (kept away" in left_words
    run = CliRunner().invoke(main, ["explain", str(SHIPPED), str(path), "--pair", pair.left,
                                    pair.right])
    assert run.exit_code == 0, run.output
    long_left, _ = pair.runner_up.describe(6)
    assert f"  runner-up of {pair.left}: {long_left}\n" in run.output
    from pairing.cli.tables import result_table

    table = result_table(result, programme=programme)
    assert "runner-up" in table and pair.runner_up.left in table
    report = tmp_path / "r.html"
    run = CliRunner().invoke(main, ["report", str(SHIPPED), str(path), "-o", str(report)])
    assert run.exit_code == 0, run.output
    html = report.read_text(encoding="utf-8")
    assert "runner-ups</th>" in html
    assert f"{pair.left}: {left_words}<br>{pair.right}: {right_words}" in html


def test_a_runner_up_that_would_give_more_or_does_not_exist_is_said_so() -> None:
    from pairing.model.result import RunnerUp

    up = RunnerUp(left="PK-2", left_less=-0.25, right=None, right_less=None)
    assert up.describe() == (
        "PK-2, 0.250 more (kept away by the rules or better pairs)",
        "none (no other allowed partner)",
    )
