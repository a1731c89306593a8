"""Score sources survive every format: bundle ↔ programme JSON ↔ workbook, and back."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import pairing
from pairing.generator import generate
from pairing.io import dump_programme_json, load, write_bundle
from pairing.io.xlsx import load_workbook, write_workbook
from pairing.model.programme import Source


@pytest.fixture(scope="module")
def sourced() -> pairing.Programme:
    """A generated programme with texts, stated interest and two sources (one with gaps)."""
    base = generate(12, 10, seed=2, text=True, preferences=True)
    rng = np.random.default_rng(3)
    history = np.round(rng.random(base.shape), 2)
    history[rng.random(base.shape) < 0.3] = np.nan  # no information
    rating = np.round(rng.random(base.shape), 3)
    rules = base.rules.model_copy(
        update={
            "weights": base.rules.weights.model_copy(update={"preference": 0.5, "text": 0.8}),
            "sources": [
                Source(name="past-cooperation", weight=0.5, file="history.csv", scores=history),
                Source(name="agency rating", weight=0.25, scores=rating),
            ],
        }
    )
    programme = base.model_copy(update={"rules": rules})
    assert programme.preferences and any(p.interest == "veto" for p in programme.preferences)
    valid = pairing.io.programme_from_data(programme.model_dump(mode="json"))
    assert valid == programme
    return programme  # validated above; keeps the first source's file name


def test_bundle_json_workbook_round_trips(tmp_path: Path, sourced: pairing.Programme) -> None:
    bundle = write_bundle(sourced, tmp_path / "bundle")
    assert (bundle / "preferences.csv").exists() and (bundle / "history.csv").exists()
    assert (bundle / "agency-rating.csv").exists()
    from_bundle = load(bundle)
    assert from_bundle == sourced
    json_path = dump_programme_json(from_bundle, tmp_path / "p.json")
    from_json = load(json_path)
    assert from_json == sourced
    assert "history.csv" not in json_path.read_text()  # where a matrix came from is not data
    book = write_workbook(from_json, tmp_path / "p.xlsx")
    from_book = load_workbook(book)
    assert from_book == sourced
    back = load(write_bundle(from_book, tmp_path / "again"))
    assert back == sourced
    assert pairing.solve(back).objective_value == pairing.solve(sourced).objective_value


def test_text_columns_and_preferences_in_the_bundle(tmp_path: Path, sourced) -> None:
    bundle = write_bundle(sourced, tmp_path / "bundle")
    header = (bundle / "left.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith("description,offers_text,needs_text")
    rules = (bundle / "rules.toml").read_text()
    assert '[[source]]\nname = "past-cooperation"\nfile = "history.csv"\nweight = 0.5' in rules
    first = (bundle / "preferences.csv").read_text().splitlines()[:2]
    assert first[0] == "from,to,interest" and first[1].startswith("CN-")


def test_workbook_source_naming_a_missing_sheet(tmp_path: Path, sourced) -> None:
    import openpyxl

    book = write_workbook(sourced, tmp_path / "p.xlsx")
    workbook = openpyxl.load_workbook(book)
    del workbook["history"]
    workbook.save(book)
    with pytest.raises(pairing.InvalidProgramme) as info:
        load_workbook(book)
    (issue,) = info.value.issues
    assert issue.where == "p.xlsx, sheet 'source', row 2, field 'file'"
    assert issue.message.startswith("no sheet 'history' in the workbook; its sheets:")


def test_workbook_cell_errors_name_the_source_sheet(tmp_path: Path, sourced) -> None:
    import openpyxl

    book = write_workbook(sourced, tmp_path / "p.xlsx")
    workbook = openpyxl.load_workbook(book)
    workbook["history"]["C3"] = 7
    workbook["preferences"]["C2"] = "maybe"
    workbook.save(book)
    with pytest.raises(pairing.InvalidProgramme) as info:
        load_workbook(book)
    found = [f"{i.where}: {i.message}" for i in info.value.issues]
    assert any(
        f.startswith("p.xlsx, sheet 'history', row 3 (left id 'CN-002'), column 3")
        and "(no information), found '7'" in f
        for f in found
    ), found
    assert any(
        f.startswith("p.xlsx, sheet 'preferences', row 2, field 'interest'") for f in found
    ), found


def test_programme_json_carries_the_sources_inline(sourced) -> None:
    data = json.loads(sourced.model_dump_json())
    assert [s["name"] for s in data["rules"]["sources"]] == ["past-cooperation", "agency rating"]
    assert data["rules"]["sources"][0]["scores"][0][0] is None or isinstance(
        data["rules"]["sources"][0]["scores"][0][0], float
    )
    assert {"from", "to", "interest"} == set(data["preferences"][0])


def test_a_bare_score_matrix_combines_with_sources_beside_its_rules(tmp_path: Path) -> None:
    from pairing.io import load_scores

    (tmp_path / "scores.csv").write_text(",PK-1,PK-2\nCN-1,0.2,0.8\nCN-2,0.6,\n")
    (tmp_path / "history.csv").write_text(",PK-2,PK-1\nCN-2,,1\nCN-1,0,1\n")
    rules = '[[source]]\nname = "history"\nfile = "history.csv"\nweight = 1.0\n'
    (tmp_path / "rules.toml").write_text(rules)
    programme = load_scores(tmp_path / "scores.csv", tmp_path / "rules.toml")
    matrices = pairing.score_matrix(programme)
    np.testing.assert_allclose(matrices.score, [[0.6, 0.4], [0.8, np.nan]])
    result = pairing.solve(programme)
    assert result.pair_ids() == [("CN-1", "PK-2"), ("CN-2", "PK-1")]


def test_generator_texts_preferences_and_history_are_reproducible_extras() -> None:
    plain = generate(100, 100, seed=2023)
    full = generate(100, 100, seed=2023, text=True, preferences=True, history=True)
    assert full == generate(100, 100, seed=2023, text=True, preferences=True, history=True)
    strip = {"offers_text": None, "needs_text": None}
    for side in ("left", "right"):  # the same enterprises, now with texts
        enterprises = full.side(side).enterprises
        assert [e.model_copy(update=strip) for e in enterprises] == plain.side(side).enterprises
        assert all(e.offers_text for e in enterprises)
    texts = [e.needs_text or "" for e in full.left.enterprises]
    assert any("We" in t for t in texts) and any("需要" in t or "寻求" in t for t in texts)
    share = len(full.preferences) / (100 * 100)
    vetoes = sum(p.interest == "veto" for p in full.preferences)
    assert 0.02 <= share <= 0.05 and 5 <= vetoes <= 30
    (history,) = full.rules.sources
    rated = np.count_nonzero(~np.isnan(history.scores)) / history.scores.size
    assert 0.01 <= rated <= 0.06
    assert full.rules.weights.text == full.rules.weights.preference == 0.5


def test_generator_extras_are_for_the_double_hundred_profile(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pairing.cli import main

    run = CliRunner().invoke(
        main, ["generate", "--profile", "uniform", "--text", "-o", str(tmp_path / "p.json")]
    )
    assert run.exit_code == 2
    assert "for the 'double-hundred' profile only" in run.output


def test_repair_keeps_the_score_sources_of_the_enterprises_that_remain(sourced) -> None:
    from pairing.analysis.repair import repair

    result = pairing.solve(sourced)
    gone = result.pairs[0].left
    repaired = repair(sourced, result, [gone])
    assert len(repaired.programme.rules.sources[0].scores) == len(sourced.left.enterprises) - 1
    assert gone not in {p.left for p in repaired.result.pairs}
    vetoed = {
        (p.from_, p.to) if p.from_.startswith("CN") else (p.to, p.from_)
        for p in sourced.preferences
        if p.interest == "veto"
    }
    assert not vetoed & set(repaired.result.pair_ids())


def test_suggested_tags_are_mostly_the_tags_the_texts_were_written_from(repo: Path) -> None:
    from pairing.features.suggest import suggest_tags

    programme = load(repo / "instances" / "double-hundred-sources")
    suggestions = suggest_tags(programme)
    proposed = [(s, tag) for s in suggestions for tag in s.levels]
    right = sum(tag in s.current for s, tag in proposed)
    assert len(proposed) > 500 and right / len(proposed) >= 0.9
    assert all(
        0 < level <= 1 and len(s.levels) <= 3 for s, _ in proposed for level in s.levels.values()
    )
    chinese_only = [s for s in suggestions if s.id == "CN-004"]
    assert chinese_only and not any(s.levels for s in chinese_only)  # other language: nothing


def test_suggest_tags_command_writes_a_csv(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pairing.cli import main

    programme = generate(5, 5, seed=1, text=True)
    source = dump_programme_json(programme, tmp_path / "p.json")
    run = CliRunner().invoke(
        main, ["suggest-tags", str(source), "--top", "2", "-o", str(tmp_path / "s.csv")]
    )
    assert run.exit_code == 0, run.output
    lines = (tmp_path / "s.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "side,id,field,suggested,current" and len(lines) == 21


def test_the_input_hash_covers_the_source_matrices(sourced) -> None:
    from pairing.core.hashing import input_sha256

    changed = sourced.rules.sources[1].scores.copy()
    changed[0, 0] = 1.0 - changed[0, 0]
    sources = [
        sourced.rules.sources[0],
        sourced.rules.sources[1].model_copy(update={"scores": changed}),
    ]
    other = sourced.model_copy(
        update={"rules": sourced.rules.model_copy(update={"sources": sources})}
    )
    assert input_sha256(sourced) == input_sha256(_json_copy(sourced))
    assert input_sha256(other) != input_sha256(sourced)


def _json_copy(programme: pairing.Programme) -> pairing.Programme:
    return pairing.io.programme_from_data(json.loads(programme.model_dump_json()))
