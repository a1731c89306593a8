"""Reading and writing programmes: bundles, JSON, score matrices, and exact round trips."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.errors import InvalidProgramme
from pairing.io import (
    dump_programme_json,
    from_scores,
    load,
    load_scores,
    programme_from_data,
    write_bundle,
)
from pairing.io.tag_cells import reads_as_one_tag
from pairing.model.programme import Programme, Rules

DATA = Path(__file__).parent / "data" / "io"
HEADER = "id,name,sector,region,size,capabilities,needs,capacity_min,capacity_max"


def _caps(programme: Programme, side: str) -> list[tuple[int, int]]:
    return [(e.capacity.min, e.capacity.max) for e in programme.side(side).enterprises]


# --- bundles --------------------------------------------------------------------------------


def test_load_bundle_fixture() -> None:
    programme = load(DATA / "bundle_ok")
    assert (programme.left.label, programme.right.label) == ("CN", "PK")
    assert programme.left.ids == ["CN-001", "CN-002", "CN-003"]
    # Column order is free; empty capacity cells mean 1; empty size means none.
    assert _caps(programme, "right") == [(1, 2), (1, 1), (0, 1)]
    assert programme.right.enterprises[2].size is None
    assert programme.left.enterprises[1].capabilities == {"ai": 0.95, "robotics": 0.6}
    # The design's rules.toml example, keys after [[pair_quota]] included, reads as intended.
    rules = programme.rules
    assert rules.quotas[0].group == "AI" and (rules.quotas[0].min, rules.quotas[0].max) == (1, 2)
    assert rules.pair_quotas[0].left_sector == "textiles"
    assert rules.forbidden == [("CN-003", "PK-001")]
    assert rules.required == [("CN-002", "PK-001")]
    assert rules.pair_quotas[0].min == 1


def test_bundle_scores_are_aligned_to_the_sheets() -> None:
    programme = load(DATA / "bundle_ok")
    assert programme.scores is not None
    # scores.csv lists rows CN-002, CN-001, CN-003 and columns PK-003, PK-001, PK-002.
    expected = np.array([[0.75, 0.4, np.nan], [0.9, 0.6, 0.2], [0.1, np.nan, 0.85]])
    np.testing.assert_array_equal(programme.scores, expected)


def test_bundle_without_rules_uses_default_labels(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "left.csv").write_text(f"{HEADER}\nL1,,,,,,,,\n", encoding="utf-8")
    (folder / "right.csv").write_text(f"{HEADER}\nR1,,,,,,,,\n", encoding="utf-8")
    programme = load(folder)
    assert (programme.left.label, programme.right.label) == ("left", "right")
    assert programme.rules == Rules()
    assert programme.scores is None


def test_bundle_accepts_bom_blank_lines_crlf_and_case(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    header = HEADER.upper().replace(",", " , ")
    left = f"\ufeff{header}\r\nL1,Alpha,AI,,Small,ai:0.5;,,,\r\n\r\nL2,Beta,,,,,,0,3\r\n\r\n\r\n"
    (folder / "left.csv").write_bytes(left.encode("utf-8"))
    (folder / "right.csv").write_text(f"{HEADER}\nR1,,,,,,,,\n,,,,,,,,\n", encoding="utf-8")
    programme = load(folder)
    assert programme.left.ids == ["L1", "L2"]
    assert programme.left.enterprises[0].size == "small"
    assert programme.left.enterprises[0].capabilities == {"ai": 0.5}
    assert _caps(programme, "left") == [(1, 1), (0, 3)]
    assert programme.right.ids == ["R1"]


def test_bundle_rows_are_counted_like_a_spreadsheet(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "left.csv").write_text(f"{HEADER}\nL1,,,,,,,,\n\nL2,,,,,ai:7,,,\n", encoding="utf-8")
    (folder / "right.csv").write_text(f"{HEADER}\nR1,,,,,,,,\n", encoding="utf-8")
    with pytest.raises(InvalidProgramme, match=r"left\.csv, row 4, field 'capabilities'"):
        load(folder)


def test_bundle_with_description_column(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    text = f'description,{HEADER}\n"Makes looms, exports",L1,,,,,,,,\n,L2,,,,,,,,\n'
    (folder / "left.csv").write_text(text, encoding="utf-8")
    (folder / "right.csv").write_text(f"{HEADER}\nR1,,,,,,,,\n", encoding="utf-8")
    programme = load(folder)
    assert [e.description for e in programme.left.enterprises] == ["Makes looms, exports", None]


# --- score matrices alone: the linear-assignment capacity convention -------------------------


@pytest.mark.parametrize(
    ("shape", "left", "right"),
    [
        ((3, 3), (1, 1), (1, 1)),
        ((2, 4), (1, 1), (0, 1)),
        ((4, 2), (0, 1), (1, 1)),
    ],
)
def test_from_scores_capacity_convention(
    shape: tuple[int, int], left: tuple[int, int], right: tuple[int, int]
) -> None:
    programme = from_scores(np.full(shape, 0.5))
    assert programme.shape == shape
    assert set(_caps(programme, "left")) == {left}
    assert set(_caps(programme, "right")) == {right}
    assert programme.left.ids[:2] == ["L0", "L1"] and programme.right.ids[:2] == ["R0", "R1"]


@pytest.mark.parametrize(
    ("text", "left", "right"),
    [
        (",A,B\nx,0.1,0.2\ny,0.3,\n", (1, 1), (1, 1)),
        (",A,B,C\nx,0.1,0.2,0.3\n", (1, 1), (0, 1)),
        (",A\nx,0.1\ny,\nz,1\n", (0, 1), (1, 1)),
    ],
)
def test_load_scores_capacity_convention(
    tmp_path: Path, text: str, left: tuple[int, int], right: tuple[int, int]
) -> None:
    path = tmp_path / "scores.csv"
    path.write_text(text, encoding="utf-8")
    programme = load_scores(path)
    assert set(_caps(programme, "left")) == {left}
    assert set(_caps(programme, "right")) == {right}
    assert programme.left.ids[0] == "x" and programme.right.ids[0] == "A"
    assert programme.scores is not None and np.isnan(programme.scores).sum() == text.count(",\n")


def test_load_scores_with_rules(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    path.write_text("\ufeffcorner,A,B\nx,0.1,0.2\ny,0.3,0.4\n", encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text(
        'objective = "maxmin"\nmin_score = 0.15\nforbidden = [["x", "B"]]\n'
        '[sides]\nleft = "CN"\nright = "PK"\n',
        encoding="utf-8",
    )
    programme = load_scores(path, rules)
    assert programme.rules.objective == "maxmin"
    assert programme.rules.forbidden == [("x", "B")]
    assert (programme.left.label, programme.right.label) == ("CN", "PK")


def test_from_scores_keeps_the_array_and_accepts_none() -> None:
    matrix = np.array([[0.1, np.nan], [0.2, 0.3]])
    programme = from_scores(matrix, ["a", "b"], ["x", "y"], labels=("CN", "PK"))
    assert programme.scores is matrix
    lists = from_scores([[0.1, None], [0.2, 0.3]], ["a", "b"], ["x", "y"], labels=("CN", "PK"))
    assert lists == programme
    with_rules = from_scores(matrix, rules=Rules(objective="balanced", required=[("L0", "R0")]))
    assert with_rules.rules.objective == "balanced"


def test_from_scores_integer_ids_become_text() -> None:
    programme = from_scores(np.eye(2), [101, 102], np.array([7, 8]))
    assert programme.left.ids == ["101", "102"] and programme.right.ids == ["7", "8"]


# --- round trips ------------------------------------------------------------------------------

_name = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
    min_size=1,
    max_size=8,
).filter(lambda s: s == s.strip() and ";" not in s and reads_as_one_tag(s))
_free = st.text(max_size=12).map(str.strip)
_level = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def _enterprise(draw: st.DrawFn, ident: str) -> dict[str, Any]:
    low = draw(st.integers(0, 3))
    return {
        "id": ident,
        "name": draw(_free),
        "sector": draw(st.sampled_from(["", "AI", "textiles", "agri, food"])),
        "region": draw(_free),
        "size": draw(st.sampled_from([None, "micro", "small", "medium", "large"])),
        "capabilities": draw(st.dictionaries(_name, _level, max_size=3)),
        "needs": draw(st.dictionaries(_name, _level, max_size=3)),
        "capacity": {"min": low, "max": low + draw(st.integers(0, 2))},
        "description": draw(st.one_of(st.none(), _free.filter(bool))),
        # a spreadsheet's other columns, kept as notes (an empty cell is no note)
        "notes": draw(st.dictionaries(
            st.sampled_from(["Contact person", "电话", "notes 2"]), _free.filter(bool),
            max_size=2)),
    }


@st.composite
def _programmes(draw: st.DrawFn) -> Programme:
    sides = {}
    for side in ("left", "right"):
        ids = draw(st.lists(_name, min_size=1, max_size=4, unique=True))
        sides[side] = {
            "label": draw(st.sampled_from([side, "CN", "PK", "中国"])),
            "enterprises": [draw(_enterprise(i)) for i in ids],
        }
    lefts = sides["left"]["enterprises"]
    rights = sides["right"]["enterprises"]
    pairs = [(a["id"], b["id"]) for a in lefts for b in rights]
    chosen = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=4))
    cut = draw(st.integers(0, len(chosen)))
    rules: dict[str, Any] = {
        "objective": draw(st.sampled_from(["total", "maxmin", "leximin", "balanced", "stable"])),
        "proposing": draw(st.sampled_from(["left", "right"])),
        "min_score": draw(_level),
        "weights": {"mutual": draw(st.floats(0.1, 3)), "region": draw(st.floats(0, 1))},
        "forbidden": chosen[:cut],
        "required": chosen[cut:],
    }
    sector = lefts[0]["sector"]
    if sector:
        rules["quotas"] = [{"side": "left", "by": "sector", "group": sector, "max": 5}]
    if lefts[0]["sector"] and rights[0]["sector"]:
        rules["pair_quotas"] = [
            {"left_sector": lefts[0]["sector"], "right_sector": rights[0]["sector"], "min": 0}
        ]
    data: dict[str, Any] = {
        **sides,
        "rules": rules,
        "name": draw(st.sampled_from(["programme", "Double Hundred 2025"])),
        "vocabulary": draw(st.dictionaries(_name, _free, max_size=2)),
    }
    if draw(st.booleans()):
        shape = (len(lefts), len(rights))
        cells = draw(
            st.lists(
                st.one_of(st.none(), _level),
                min_size=shape[0] * shape[1],
                max_size=shape[0] * shape[1],
            )
        )
        data["scores"] = [cells[i * shape[1] : (i + 1) * shape[1]] for i in range(shape[0])]
    return programme_from_data(data)


_settings = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.mark.filterwarnings("ignore:.*kept as the enterprises' notes")
@_settings
@given(programme=_programmes())
def test_bundle_round_trip_is_exact(tmp_path: Path, programme: Programme) -> None:
    folder = tmp_path / "bundle"
    shutil.rmtree(folder, ignore_errors=True)
    assert load(write_bundle(programme, folder)) == programme


@_settings
@given(programme=_programmes())
def test_json_round_trip_is_exact(tmp_path: Path, programme: Programme) -> None:
    assert load(dump_programme_json(programme, tmp_path / "programme.json")) == programme


def test_fixture_round_trips_through_both_formats(tmp_path: Path) -> None:
    programme = load(DATA / "bundle_ok")
    assert load(write_bundle(programme, tmp_path / "b")) == programme
    assert load(dump_programme_json(programme, tmp_path / "p.json")) == programme
    rules = (tmp_path / "b" / "rules.toml").read_text(encoding="utf-8")
    assert "[[quota]]" in rules and "[[pair_quota]]" in rules
    assert "[weights]" not in rules  # only non-default settings are written


def test_levels_round_trip_exactly(tmp_path: Path) -> None:
    level = 1 / 3
    programme = from_scores(np.array([[math.pi / 4]]))
    data = programme.model_dump(mode="json")
    data["left"]["enterprises"][0]["capabilities"] = {"ai": level, "x": 5e-324}
    programme = programme_from_data(data)
    again = load(write_bundle(programme, tmp_path / "b"))
    assert again.left.enterprises[0].capabilities == {"ai": level, "x": 5e-324}
    assert again.scores is not None and again.scores[0, 0] == math.pi / 4


def test_write_bundle_replaces_stale_scores_and_leaves_no_temp_files(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    with_scores = load(DATA / "bundle_ok")
    write_bundle(with_scores, folder)
    (folder / "README.txt").write_text("notes", encoding="utf-8")
    without = programme_from_data({**with_scores.model_dump(mode="json"), "scores": None})
    write_bundle(without, folder)
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.txt",
        "left.csv",
        "right.csv",
        "rules.toml",
    ]
    assert load(folder) == without


def test_write_bundle_rejects_tags_with_semicolons(tmp_path: Path) -> None:
    data = from_scores(np.eye(1)).model_dump(mode="json")
    data["left"]["enterprises"][0]["needs"] = {"a;b": 0.5}
    with pytest.raises(InvalidProgramme, match="contains ';'"):
        write_bundle(programme_from_data(data), tmp_path / "b")


def test_fast_scores_reader_agrees_with_the_careful_one(tmp_path: Path, monkeypatch) -> None:
    import numpy as np

    from pairing.io import scores_csv

    rng = np.random.default_rng(4)
    matrix = np.round(rng.random((30, 20)), 4)
    matrix[rng.random(matrix.shape) < 0.2] = np.nan
    path = tmp_path / "scores.csv"
    lines = ["," + ",".join(f"R{j}" for j in range(20))]
    lines += [
        f"L{i}," + ",".join("" if np.isnan(v) else repr(float(v)) for v in row)
        for i, row in enumerate(matrix)
    ]
    path.write_text("\n".join(lines) + "\n")
    fast = scores_csv._read_clean_scores(path.read_text(), "scores.csv")
    assert fast is not None
    monkeypatch.setattr(scores_csv, "_read_clean_scores", lambda _text, _name: None)
    careful, issues = scores_csv.read_scores(path)
    assert not issues and careful is not None
    assert fast.left_ids == careful.left_ids and fast.right_ids == careful.right_ids
    assert fast.rows == careful.rows
    np.testing.assert_array_equal(fast.matrix, careful.matrix)
    short = path.read_text().replace(",0.", ",,0.", 0).splitlines()
    short[3] = short[3].rsplit(",", 1)[0]  # one cell missing: must fall back and report
    path.write_text("\n".join(short) + "\n")
    assert scores_csv._read_clean_scores(path.read_text(), "scores.csv") is None
