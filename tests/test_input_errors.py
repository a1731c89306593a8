"""Every kind of bad input is reported with a message naming where it is and what to do.

Each test pins the message (``pytest.raises(InvalidProgramme, match=...)``), so a change that
makes a message less useful fails here.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from pairing.errors import InvalidProgramme, PairingWarning
from pairing.io import from_scores, load, load_scores, programme_from_data

DATA = Path(__file__).parent / "data" / "io"
HEADER = "id,name,sector,region,size,capabilities,needs,capacity_min,capacity_max"


def _data(**rules: Any) -> dict[str, Any]:
    return {
        "left": {
            "label": "CN",
            "enterprises": [
                {"id": "CN-001", "sector": "AI", "capabilities": {"ai": 0.9}},
                {"id": "CN-002", "sector": "textiles"},
            ],
        },
        "right": {"label": "PK", "enterprises": [{"id": "PK-001"}, {"id": "PK-002"}]},
        "rules": rules,
    }


def _bundle(
    tmp_path: Path, left: str | None = None, right: str | None = None, **files: str
) -> Path:
    """A valid 2 × 2 bundle in ``tmp_path``, with any file replaced by the given text."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    texts = {
        "left.csv": left
        if left is not None
        else f"{HEADER}\nCN-001,A,AI,East,small,ai:0.9,textiles:0.5,,\nCN-002,B,textiles,,,,,,\n",
        "right.csv": right
        if right is not None
        else f"{HEADER}\nPK-001,C,textiles,,,textiles:0.8,ai:0.9,,\nPK-002,D,AI,,,,,,\n",
    }
    texts.update({name.replace("_", "."): text for name, text in files.items()})
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- programme data / JSON ------------------------------------------------------------------


def test_duplicate_id_names_both_positions() -> None:
    data = _data()
    data["left"]["enterprises"][1]["id"] = "CN-001"
    with pytest.raises(
        InvalidProgramme, match=r"left\.enterprises\[0\], \[1\].*duplicate id 'CN-001'"
    ):
        programme_from_data(data)


def test_unknown_field_is_named_with_a_suggestion() -> None:
    data = _data()
    data["left"]["enterprises"][0]["sectr"] = "AI"
    with pytest.raises(
        InvalidProgramme,
        match=r"enterprises\[0\] \(id 'CN-001'\)\.sectr: unknown field 'sectr'"
        r".*did you mean 'sector'",
    ):
        programme_from_data(data, "programme.json")


def test_empty_id() -> None:
    data = _data()
    data["right"]["enterprises"][1]["id"] = "  "
    with pytest.raises(
        InvalidProgramme, match=r"right\.enterprises\[1\]\.id: expected a non-empty"
    ):
        programme_from_data(data)


@pytest.mark.parametrize("level", [1.5, -0.1])
def test_level_outside_unit_interval(level: float) -> None:
    data = _data()
    data["left"]["enterprises"][0]["capabilities"] = {"ai": level}
    with pytest.raises(
        InvalidProgramme, match=rf"capabilities\['ai'\]: level {level} outside \[0, 1\]"
    ):
        programme_from_data(data)


@pytest.mark.parametrize("level", [float("nan"), float("inf")])
def test_nan_and_inf_levels(level: float) -> None:
    data = _data()
    data["left"]["enterprises"][0]["needs"] = {"ai": level}
    with pytest.raises(InvalidProgramme, match=r"needs\['ai'\]: level (nan|inf) is not a finite"):
        programme_from_data(data)


def test_capacity_min_above_max_names_the_enterprise() -> None:
    data = _data()
    data["left"]["enterprises"][1]["capacity"] = {"min": 3, "max": 1}
    with pytest.raises(
        InvalidProgramme,
        match=r"programme\.json: left\.enterprises\[1\] \(id 'CN-002'\)\.capacity: capacity min 3 "
        r"is greater than max 1",
    ):
        programme_from_data(data, "programme.json")


def test_negative_capacity() -> None:
    data = _data()
    data["left"]["enterprises"][1]["capacity"] = {"min": 0, "max": -1}
    with pytest.raises(InvalidProgramme, match=r"capacity\.max: expected a number ≥ 0, found -1"):
        programme_from_data(data)


def test_quota_group_no_enterprise_has() -> None:
    data = _data(quotas=[{"side": "left", "by": "sector", "group": "energy", "min": 1}])
    with pytest.raises(
        InvalidProgramme,
        match=r"rules\.quotas\[0\] \(quota left sector='energy'\): no CN enterprise has "
        r"sector 'energy'; known sectors: AI, textiles",
    ):
        programme_from_data(data)


def test_pair_both_required_and_forbidden() -> None:
    data = _data(forbidden=[["CN-001", "PK-002"]], required=[["CN-001", "PK-002"]])
    with pytest.raises(InvalidProgramme, match="is both required and forbidden; keep one"):
        programme_from_data(data)


def test_unknown_id_in_rules() -> None:
    data = _data(forbidden=[["CN-001", "PK-404"]])
    with pytest.raises(
        InvalidProgramme, match=r"rules\.forbidden\[0\]\[1\]: unknown right id 'PK-404'"
    ):
        programme_from_data(data)


def test_unknown_objective() -> None:
    with pytest.raises(InvalidProgramme, match=r"rules\.objective: expected one of .*found 'best'"):
        programme_from_data(_data(objective="best"))


def test_scores_outside_unit_interval_in_data() -> None:
    data = _data()
    data["scores"] = [[0.5, 1.5], [0.1, None]]
    with pytest.raises(InvalidProgramme, match=r"scores: score cells must be in \[0, 1\]"):
        programme_from_data(data)


def test_scores_wrong_shape() -> None:
    data = _data()
    data["scores"] = [[0.5, 0.5, 0.5]]
    with pytest.raises(
        InvalidProgramme, match=r"scores: expected a 2×2 matrix \(left × right\), got 1×3"
    ):
        programme_from_data(data)


def test_not_a_mapping() -> None:
    with pytest.raises(InvalidProgramme, match="expected a programme object"):
        programme_from_data([1, 2])  # type: ignore[arg-type]


def test_field_and_cross_field_problems_reported_together_once() -> None:
    data = _data(quotas=[{"side": "left", "by": "sector", "group": "energy", "max": 1}])
    data["left"]["enterprises"][1]["id"] = "CN-001"
    data["left"]["enterprises"][0]["capabilities"] = {"ai": 2.0}
    with pytest.raises(InvalidProgramme) as info:
        programme_from_data(data)
    messages = [issue.message for issue in info.value.issues]
    assert len(messages) == 3
    assert sum("duplicate id" in m for m in messages) == 1
    assert sum("'energy'" in m for m in messages) == 1
    assert sum("level 2.0" in m for m in messages) == 1


def test_cross_field_only_problems_are_not_duplicated() -> None:
    data = _data(forbidden=[["CN-001", "PK-001"]], required=[["CN-001", "PK-001"]])
    data["left"]["enterprises"][1]["id"] = "CN-001"
    with pytest.raises(InvalidProgramme) as info:
        programme_from_data(data)
    assert len(info.value.issues) == 2


def test_cross_field_checks_run_once_per_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading runs the cross-field checks once, on the raw data; the model does not again."""
    from pairing.io import validate
    from pairing.model import programme as model

    calls: list[str] = []
    for module in (validate, model):
        original = module.cross_checks

        def counted(data: Any, _f: Any = original, _name: str = module.__name__) -> Any:
            calls.append(_name)
            return _f(data)

        monkeypatch.setattr(module, "cross_checks", counted)
    programme_from_data(_data())
    assert calls == ["pairing.io.validate"]
    calls.clear()
    with pytest.raises(InvalidProgramme):
        programme_from_data(_data(forbidden=[["CN-404", "PK-001"]]))
    assert calls == ["pairing.io.validate"]


@pytest.mark.parametrize(
    "rules",
    [
        {"forbidden": [["CN-404", "PK-001"]], "required": [["CN-001", "PK-001"]] * 2},
        {"quotas": [{"side": "left", "by": "sector", "group": "energy", "max": 1}],
         "pair_quotas": [{"left_sector": "AI", "right_sector": "x", "min": 1}]},
        {"sense": "cost"},
        {"sources": [{"name": "s", "scores": [[0.5, 0.5]]}, {"name": "s",
                                                           "scores": [[0.5, 0.5]] * 2}]},
    ],
)
def test_a_programme_built_in_code_reports_what_loading_reports(rules: dict[str, Any]) -> None:
    """One cross-field check: the model runs it on itself, the loaders on the raw data."""
    from pairing.model.programme import Programme

    data = _data(**rules)
    data["left"]["enterprises"][1]["id"] = "CN-001"  # and a duplicate id
    with pytest.raises(InvalidProgramme) as loaded:
        programme_from_data(data)
    with pytest.raises(InvalidProgramme) as built:
        Programme(**data)
    assert [i.message for i in built.value.issues] == [i.message for i in loaded.value.issues]
    assert [i.where for i in built.value.issues] == [i.where for i in loaded.value.issues]


def test_broken_json_reports_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "programme.json"
    path.write_text('{"left": {\n  "label": "CN",,\n}}', encoding="utf-8")
    with pytest.raises(
        InvalidProgramme, match=r"programme\.json: not valid JSON: .* line 2, column 17"
    ):
        load(path)


def test_json_top_level_must_be_an_object(tmp_path: Path) -> None:
    path = tmp_path / "programme.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(
        InvalidProgramme, match=r"programme\.json: expected a JSON object .*an array"
    ):
        load(path)


def test_json_problems_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "programme.json"
    data = _data()
    data["left"]["enterprises"][0]["capabilities"] = {"ai": 1.5}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        InvalidProgramme, match=r"programme\.json: left\.enterprises\[0\] \(id 'CN-001'\)"
    ):
        load(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidProgramme, match=r"nope\.json: no such file or folder"):
        load(tmp_path / "nope.json")


def test_csv_file_is_not_a_programme(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(",R\nL,0.5\n", encoding="utf-8")
    with pytest.raises(InvalidProgramme, match="use `pairing solve --scores FILE`"):
        load(path)


# --- bundles --------------------------------------------------------------------------------


def test_bundle_missing_sheet(tmp_path: Path) -> None:
    folder = _bundle(tmp_path)
    (folder / "right.csv").unlink()
    with pytest.raises(InvalidProgramme, match=r"right\.csv: missing; a bundle needs right\.csv"):
        load(folder)


def test_bundle_duplicate_id_names_rows(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,,,,\nCN-002,B,,,,,,,\nCN-001,C,,,,,,,\n"
    with pytest.raises(
        InvalidProgramme, match=r"left\.csv, rows 2 and 4, field 'id': duplicate id 'CN-001'"
    ):
        load(_bundle(tmp_path, left=left))


def test_bundle_empty_id(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,,,,\n,B,,,,,,,\n"
    with pytest.raises(
        InvalidProgramme, match=r"left\.csv, row 3, field 'id': expected a non-empty"
    ):
        load(_bundle(tmp_path, left=left))


def test_bundle_unknown_and_missing_columns(tmp_path: Path) -> None:
    right = (
        "id,name,sectr,region,size,capabilities,needs,capacity_min,capacity_max\nPK-001,,,,,,,,\n"
    )
    with pytest.raises(InvalidProgramme) as info, pytest.warns(PairingWarning) as caught:
        load(_bundle(tmp_path, right=right))
    text = str(info.value)
    # an extra column is a note, reported once as ignored; the missing one names it as a typo
    assert "right.csv, row 1: missing column(s) 'sector'" in text
    assert "is 'sectr' one of them, misspelt?" in text
    assert [str(w.message) for w in caught if "ignored" in str(w.message)] == [
        "right.csv, row 1: column(s) 'sectr' ignored for matching (not pairing columns; kept as "
        "the enterprises' notes)"
    ]


def test_bundle_level_outside_unit_interval(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,ai:0.5;ml:1.5,,,\n"
    with pytest.raises(
        InvalidProgramme,
        match=r"left\.csv, row 2, field 'capabilities' \(tag 'ml'\): level 1\.5 outside \[0, 1\]",
    ):
        load(_bundle(tmp_path, left=left))


@pytest.mark.parametrize("text", ["nan", "inf", "-inf"])
def test_bundle_nan_and_inf_levels(tmp_path: Path, text: str) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,,ai:{text},,\n"
    with pytest.raises(
        InvalidProgramme,
        match=r"left\.csv, row 2, field 'needs' \(tag 'ai'\): level .* not a finite",
    ):
        load(_bundle(tmp_path, left=left))


def test_bundle_tag_without_level(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,ai,,,\n"
    with pytest.raises(
        InvalidProgramme, match=r"row 2, field 'capabilities': expected 'tag:level' entries .*'ai'"
    ):
        load(_bundle(tmp_path, left=left))


def test_bundle_level_not_a_number(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,ai:high,,,\n"
    with pytest.raises(
        InvalidProgramme, match=r"\(tag 'ai'\): expected a level in \[0, 1\].*'high'"
    ):
        load(_bundle(tmp_path, left=left))


def test_bundle_duplicate_tag_in_cell(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,ai:0.1;ai:0.2,,,\n"
    with pytest.raises(InvalidProgramme, match=r"tag 'ai' appears twice in one cell"):
        load(_bundle(tmp_path, left=left))


def test_bundle_capacity_min_above_max(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,,,3,1\n"
    with pytest.raises(
        InvalidProgramme,
        match=r"left\.csv, row 2, fields 'capacity_min' and 'capacity_max': capacity min 3 is "
        r"greater than max 1",
    ):
        load(_bundle(tmp_path, left=left))


def test_bundle_capacity_not_a_whole_number(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,,,,two\n"
    with pytest.raises(
        InvalidProgramme, match=r"row 2, field 'capacity_max': expected a whole number .*'two'"
    ):
        load(_bundle(tmp_path, left=left))


def test_bundle_bad_size(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,huge,,,,\n"
    with pytest.raises(InvalidProgramme, match=r"row 2, field 'size': expected one of .*'huge'"):
        load(_bundle(tmp_path, left=left))


def test_bundle_row_with_too_many_cells(tmp_path: Path) -> None:
    left = f"{HEADER}\nCN-001,A,AI,,,,,,,surplus\n"
    with pytest.raises(InvalidProgramme, match=r"left\.csv, row 2: 10 cells but the header has 9"):
        load(_bundle(tmp_path, left=left))


def test_bundle_not_utf8(tmp_path: Path) -> None:
    folder = _bundle(tmp_path)
    (folder / "left.csv").write_bytes(f"{HEADER}\nCN-001,Caf\xe9,,,,,,,\n".encode("latin-1"))
    with pytest.raises(InvalidProgramme, match=r"left\.csv: not UTF-8 text .*line 2"):
        load(folder)


def test_scores_outside_unit_interval(tmp_path: Path) -> None:
    scores = ",PK-001,PK-002\nCN-001,0.5,1.2\nCN-002,0.1,\n"
    with pytest.raises(
        InvalidProgramme,
        match=r"scores\.csv, row 2 \(left id 'CN-001'\), column 3 \(right id 'PK-002'\): "
        r"expected a score in \[0, 1\] or an empty cell .*'1\.2'",
    ):
        load(_bundle(tmp_path, scores_csv=scores))


@pytest.mark.parametrize("cell", ["nan", "inf", "-0.5", "high"])
def test_scores_bad_cells(tmp_path: Path, cell: str) -> None:
    scores = f",PK-001,PK-002\nCN-001,0.5,0.2\nCN-002,{cell},\n"
    with pytest.raises(
        InvalidProgramme, match=rf"row 3 \(left id 'CN-002'\), column 2 .*found '{cell}'"
    ):
        load(_bundle(tmp_path, scores_csv=scores))


def test_scores_unknown_and_missing_ids(tmp_path: Path) -> None:
    scores = ",PK-001,PK-009\nCN-001,0.5,0.2\nCN-007,0.1,\n"
    with pytest.raises(InvalidProgramme) as info:
        load(_bundle(tmp_path, scores_csv=scores))
    text = str(info.value)
    assert "scores.csv, row 3, column 1: left id 'CN-007' is not in left.csv" in text
    assert "scores.csv, row 1, column 3: right id 'PK-009' is not in right.csv" in text
    assert "no row for left id 'CN-002' (left.csv, row 3)" in text
    assert "no column for right id 'PK-002' (right.csv, row 3)" in text


def test_scores_row_length_mismatch(tmp_path: Path) -> None:
    scores = ",PK-001,PK-002\nCN-001,0.5\nCN-002,0.1,0.2\n"
    with pytest.raises(
        InvalidProgramme, match=r"scores\.csv, row 2 \(left id 'CN-001'\): 1 score cells but row 1"
    ):
        load(_bundle(tmp_path, scores_csv=scores))


def test_unknown_objective_in_rules(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidProgramme, match=r"rules\.toml, key 'objective': expected one of .*found 'fairest'"
    ):
        load(_bundle(tmp_path, rules_toml='objective = "fairest"\n'))


def test_broken_toml_reports_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidProgramme, match=r"rules\.toml: not valid TOML: .*at line 2, column \d+"
    ):
        load(_bundle(tmp_path, rules_toml='objective = "total"\nmin_score = \n'))


def test_unknown_key_in_rules(tmp_path: Path) -> None:
    with pytest.raises(
        InvalidProgramme,
        match=r"rules\.toml, key 'quotas': unknown key 'quotas'.*did you mean 'quota'",
    ):
        load(_bundle(tmp_path, rules_toml="quotas = []\n"))


def test_unknown_key_in_quota_table(tmp_path: Path) -> None:
    rules = '[[quota]]\nside = "left"\nby = "sector"\ngroup = "AI"\nminimum = 1\n'
    with pytest.raises(
        InvalidProgramme, match=r"rules\.toml, \[\[quota\]\] #1, key 'minimum': unknown key"
    ):
        load(_bundle(tmp_path, rules_toml=rules))


def test_quota_table_written_as_a_single_table(tmp_path: Path) -> None:
    rules = '[quota]\nside = "left"\nby = "sector"\ngroup = "AI"\nmin = 1\n'
    with pytest.raises(InvalidProgramme, match=r"write each entry as \[\[quota\]\]"):
        load(_bundle(tmp_path, rules_toml=rules))


def test_bundle_quota_group_no_enterprise_has(tmp_path: Path) -> None:
    rules = (
        '[sides]\nleft = "CN"\nright = "PK"\n'
        '[[quota]]\nside = "right"\nby = "sector"\ngroup = "energy"\nmax = 2\n'
    )
    with pytest.raises(
        InvalidProgramme,
        match=r"rules\.toml, \[\[quota\]\] #1: no PK enterprise has sector 'energy'",
    ):
        load(_bundle(tmp_path, rules_toml=rules))


def test_bundle_pair_both_required_and_forbidden(tmp_path: Path) -> None:
    rules = 'forbidden = [["CN-001", "PK-001"]]\nrequired = [["CN-001", "PK-001"]]\n'
    with pytest.raises(
        InvalidProgramme,
        match=r"rules\.toml, required item 1: pair 'CN-001'–'PK-001' is both required "
        r"and forbidden",
    ):
        load(_bundle(tmp_path, rules_toml=rules))


def test_bundle_unknown_id_in_rules(tmp_path: Path) -> None:
    rules = 'forbidden = [["CN-404", "PK-001"]]\n'
    with pytest.raises(
        InvalidProgramme,
        match=r"rules\.toml, forbidden item 1 \(left id\): unknown left id 'CN-404'",
    ):
        load(_bundle(tmp_path, rules_toml=rules))


def test_key_given_twice_through_toml_tables(tmp_path: Path) -> None:
    rules = (
        'forbidden = []\n[[pair_quota]]\nleft_sector = "AI"\nright_sector = "AI"\nmin = 1\n'
        "forbidden = []\n"
    )
    with pytest.raises(InvalidProgramme, match=r"'forbidden' is given twice"):
        load(_bundle(tmp_path, rules_toml=rules))


def test_missing_bundle_folder(tmp_path: Path) -> None:
    with pytest.raises(InvalidProgramme, match="no such file or folder"):
        load(tmp_path / "missing-bundle")


def test_bundle_reports_every_problem_in_every_file_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(DATA / "bundle_broken", folder)
    with pytest.raises(InvalidProgramme) as info, pytest.warns(PairingWarning, match="ignored"):
        load(folder)  # the extra column is a warning, the rest errors
    wheres = [issue.where for issue in info.value.issues]
    expected = [
        "left.csv, rows 2 and 3, field 'id'",  # duplicate id
        "left.csv, row 3, field 'capabilities' (tag 'ai')",  # level 1.5
        "left.csv, row 4, field 'capabilities'",  # tag without level
        "left.csv, row 4, fields 'capacity_min' and 'capacity_max'",  # min > max
        "right.csv, row 3, field 'id'",  # empty id
        "right.csv, row 3, field 'size'",  # bad size
        "right.csv, row 3, field 'needs' (tag 'ai')",  # NaN level
        "scores.csv, row 1, column 3",  # unknown right id
        "scores.csv, row 2 (left id 'CN-001'), column 3 (right id 'PK-002')",  # 1.2
        "rules.toml, key 'objective'",  # unknown objective
        "rules.toml, [[quota]] #1",  # group nobody has
    ]
    assert wheres == expected
    assert str(info.value).startswith(f"invalid input in {folder}: 11 problems")


# --- score matrices alone --------------------------------------------------------------------


def test_load_scores_bad_cell_and_duplicate_id(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(",R1,R1\nL1,0.5,2\nL2,,0.1\n", encoding="utf-8")
    with pytest.raises(InvalidProgramme) as info:
        load_scores(path)
    text = str(info.value)
    assert re.search(r"scores\.csv, row 2 \(left id 'L1'\), column 3 .*found '2'", text)
    assert re.search(r"scores\.csv, row 1 \(right ids\), columns 2, 3: duplicate id 'R1'", text)


def test_load_scores_rules_with_sector_quota(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(",R1,R2\nL1,0.5,0.2\n", encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text('[[quota]]\nside = "left"\nby = "sector"\ngroup = "AI"\nmin = 1\n')
    with pytest.raises(
        InvalidProgramme, match=r"rules\.toml, \[\[quota\]\] #1: no left enterprise has sector 'AI'"
    ):
        load_scores(path, rules)


def test_load_scores_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidProgramme, match=r"scores\.csv: no such CSV file"):
        load_scores(tmp_path / "scores.csv")


def test_load_scores_missing_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(",R1\nL1,0.5\n", encoding="utf-8")
    with pytest.raises(InvalidProgramme, match=r"rules\.toml: no such rules file"):
        load_scores(path, tmp_path / "rules.toml")


def test_from_scores_values_outside_unit_interval() -> None:
    matrix = np.array([[0.5, 2.0], [np.inf, np.nan]])
    with pytest.raises(InvalidProgramme) as info:
        from_scores(matrix, ["a", "b"], ["x", "y"])
    text = str(info.value)
    assert "scores[0, 1] (left id 'a', right id 'y'): expected a score in [0, 1]" in text
    assert "found inf" in text


def test_from_scores_not_a_matrix() -> None:
    with pytest.raises(InvalidProgramme, match=r"expected a matrix \(2-D array\), got a 1-D array"):
        from_scores(np.zeros(3))


def test_from_scores_ragged_lists() -> None:
    with pytest.raises(InvalidProgramme, match="expected a rectangular matrix"):
        from_scores([[0.1, 0.2], [0.3]])


def test_from_scores_ids_do_not_match_shape() -> None:
    with pytest.raises(InvalidProgramme, match=r"right_ids: expected 3 right ids .* got 2"):
        from_scores(np.zeros((2, 3)), right_ids=["x", "y"])


def test_from_scores_bad_rules() -> None:
    with pytest.raises(InvalidProgramme, match=r"rules\.objective: expected one of"):
        from_scores(np.zeros((2, 2)), rules={"objective": "best"})
