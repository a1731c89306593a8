"""Bad score-source input: every kind pinned, all reported at once with file, row and field."""

from __future__ import annotations

from pathlib import Path

import pytest

import pairing
from pairing.io import load, programme_from_data

LEFT = "id,name,sector,region,size,capabilities,needs,capacity_min,capacity_max\n"
RIGHT = LEFT


def _bundle(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "left.csv").write_text(LEFT + "CN-1,a,ai,,,,x:1,,\nCN-2,b,ai,,,,x:1,,\n")
    (folder / "right.csv").write_text(RIGHT + "PK-1,a,tex,,,x:1,,,\nPK-2,b,tex,,,x:1,,,\n")
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(pairing.InvalidProgramme) as info:
        load(folder)
    return [f"{i.where}: {i.message}" for i in info.value.issues]


def test_every_bad_preference_is_reported_at_once(tmp_path: Path) -> None:
    rows = [
        "from,to,interest",
        "CN-1,PK-1,high",  # row 2
        "CN-1,PK-9,low",  # row 3: unknown id
        "CN-1,CN-2,high",  # row 4: same side
        "PK-2,CN-1,1.5",  # row 5: out of range
        "CN-1,PK-1,veto",  # row 6: disagrees with row 2
        "PK-1,CN-2,hgh",  # row 7: not a level
        "PK-1,,low",  # row 8: empty id
        "CN-2,PK-2,Medium",  # row 9: fine
        "PK-2,CN-2,0.6",  # row 10: fine
        "CN-2,PK-2,0.6",  # row 11: agrees with row 9 (medium = 0.6)
    ]
    folder = _bundle(tmp_path / "b", {"preferences.csv": "\n".join(rows) + "\n"})
    problems = _problems(folder)
    assert problems == [
        "preferences.csv, rows 2 and 6, field 'interest': the interest of 'CN-1' in 'PK-1' is "
        "given 2 times with different values (1.0, veto); keep one",
        "preferences.csv, row 3, field 'to': unknown id 'PK-9'; expected the id of a left or "
        "right enterprise",
        "preferences.csv, row 4, field 'to': 'CN-1' and 'CN-2' are both left enterprises; 'to' "
        "must be an enterprise of the other side (right)",
        "preferences.csv, row 5, field 'interest': expected high, medium, low, veto or a number "
        "in [0, 1], found '1.5'",
        "preferences.csv, row 7, field 'interest': expected high, medium, low, veto or a number "
        "in [0, 1], found 'hgh'",
        "preferences.csv, row 8, field 'to': expected a non-empty name, found ''; fill it in",
    ]


def test_preference_file_structure(tmp_path: Path) -> None:
    folder = _bundle(tmp_path / "b", {"preferences.csv": "from,target,interest\nCN-1,PK-1,low\n"})
    problems = _problems(folder)
    assert any("preferences.csv, row 1, column 2" in p and "'target'" in p for p in problems)
    assert any("missing column(s) 'to'" in p for p in problems)


def test_preferences_in_programme_json_are_located_by_path() -> None:
    data = {
        "left": {"label": "CN", "enterprises": [{"id": "CN-1"}]},
        "right": {"label": "PK", "enterprises": [{"id": "PK-1"}]},
        "preferences": [
            {"from": "CN-1", "to": "PK-1", "interest": "veto"},
            {"from": "PK-1", "to": "PK-1", "interest": -0.1},
            {"from": "XX", "to": "PK-1", "interest": 0.2},
        ],
    }
    with pytest.raises(pairing.InvalidProgramme) as info:
        programme_from_data(data, "p.json")
    found = {(i.where, i.message) for i in info.value.issues}
    assert (
        "p.json: preferences[1].interest",
        "expected high, medium, low, veto or a number in [0, 1], found -0.1",
    ) in found
    assert (
        "p.json: preferences[1].to",
        "'PK-1' and 'PK-1' are both PK enterprises; 'to' must be an enterprise of the other "
        "side (CN)",
    ) in found
    assert (
        "p.json: preferences[2].from",
        "unknown id 'XX'; expected the id of a CN or PK enterprise",
    ) in found
    assert len(found) == 3


def test_a_preference_that_is_not_an_object_is_an_input_error() -> None:
    """Found by the long fuzz run: a list entry crashed the cross-checks (internal error)."""
    data = {
        "left": {"label": "CN", "enterprises": [{"id": "CN-1"}]},
        "right": {"label": "PK", "enterprises": [{"id": "PK-1"}]},
        "preferences": [["CN-1", "PK-1", "high"], 3, {"from": "CN-1", "to": "PK-1"}],
    }
    with pytest.raises(pairing.InvalidProgramme) as info:
        programme_from_data(data, "p.json")
    where = {i.where for i in info.value.issues}
    assert {"p.json: preferences[0]", "p.json: preferences[1]"} <= where


def test_ids_on_both_sides_make_a_preference_ambiguous() -> None:
    data = {
        "left": {"label": "CN", "enterprises": [{"id": "A"}, {"id": "B"}]},
        "right": {"label": "PK", "enterprises": [{"id": "B"}, {"id": "A"}]},
        "preferences": [{"from": "A", "to": "B", "interest": "low"}],
    }
    with pytest.raises(pairing.InvalidProgramme, match="the direction is ambiguous"):
        programme_from_data(data)


def test_every_bad_source_is_reported_at_once(tmp_path: Path) -> None:
    rules = "\n".join(
        [
            "[[source]]",
            'name = "history"',
            'file = "history.csv"',
            "weight = 0.5",
            "[[source]]",
            'name = "history"',
            'file = "missing.csv"',
            "[[source]]",
            'name = "rating"',
            'file = "rating.csv"',
            "weight = -1",
            "[[source]]",
            'name = "nofile"',
        ]
    )
    files = {
        "rules.toml": rules + "\n",
        "history.csv": ",PK-1\nCN-1,0.5\nCN-7,1\n",
        "rating.csv": ",PK-1,PK-2\nCN-1,0.5,2\nCN-2,x,\n",
    }
    problems = _problems(_bundle(tmp_path / "b", files))
    expected = [
        "history.csv: left id(s) not in the left enterprises: 'CN-7'; fix the ids or drop "
        "those rows",
        "history.csv: no row for 1 left enterprise(s): 'CN-2'; a source must cover every "
        "enterprise — add the rows (empty cells mean no information)",
        "history.csv: no column for 1 right enterprise(s): 'PK-2'; a source must cover every "
        "enterprise — add the columns (empty cells mean no information)",
        "rating.csv, row 2 (left id 'CN-1'), column 3 (right id 'PK-2'): expected a score in "
        "[0, 1] or an empty cell (no information), found '2'",
        "rating.csv, row 3 (left id 'CN-2'), column 2 (right id 'PK-1'): expected a score in "
        "[0, 1] or an empty cell (no information), found 'x'",
        "rules.toml, [[source]] #2, key 'file': no such file 'missing.csv' in the bundle folder "
        "(from [[source]] #2)",
        "rules.toml, [[source]] #4, key 'file': expected 'file', a score-matrix CSV relative to "
        "the bundle folder",
        "rules.toml, [[source]] #3, key 'weight': expected a number ≥ 0.0, found -1",
        "rules.toml, [[source]] #1, #2, key 'name': source name 'history' is used 2 times; give "
        "each source its own name (sweeps address a source's weight by name)",
    ]
    assert sorted(problems) == sorted(expected)


def test_source_matrix_of_the_wrong_shape_in_json() -> None:
    data = {
        "left": {"label": "CN", "enterprises": [{"id": "CN-1"}]},
        "right": {"label": "PK", "enterprises": [{"id": "PK-1"}, {"id": "PK-2"}]},
        "rules": {"sources": [{"name": "s", "scores": [[0.5]]}]},
    }
    with pytest.raises(pairing.InvalidProgramme, match=r"expected a 1×2 matrix .* got 1×1"):
        programme_from_data(data)


def test_a_vetoed_pair_cannot_be_required(tmp_path: Path) -> None:
    files = {
        "preferences.csv": "from,to,interest\nPK-2,CN-1,veto\n",
        "rules.toml": 'required = [["CN-1", "PK-2"]]\n',
    }
    assert _problems(_bundle(tmp_path / "b", files)) == [
        "preferences.csv, row 2, field 'interest': 'PK-2' vetoes 'CN-1', but rules.required "
        "has this pair; drop one of them"
    ]
