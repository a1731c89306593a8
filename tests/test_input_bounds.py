"""Bounded input: every hostile input of the reliability report is exit 2 with its place named."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.errors import InvalidProgramme, PairingWarning
from pairing.io.xlsx import write_workbook

REPO = Path(__file__).resolve().parent.parent
INSTANCE = REPO / "instances" / "double-hundred.json"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def _small() -> dict:
    programme = pairing.load(INSTANCE)
    data = programme.model_dump(mode="json")
    data["left"]["enterprises"] = data["left"]["enterprises"][:4]
    data["right"]["enterprises"] = data["right"]["enterprises"][:4]
    return data


def _json(tmp_path: Path, data: object, raw: str | None = None) -> Path:
    path = tmp_path / "p.json"
    path.write_text(raw if raw is not None else json.dumps(data))
    return path


@pytest.mark.parametrize("capacity", [10**30, 2**63, 10**10])
def test_huge_capacities_are_exit_2(tmp_path: Path, capacity: int) -> None:
    data = _small()
    data["left"]["enterprises"][0]["capacity"] = {"min": 0, "max": capacity}
    run = invoke("solve", _json(tmp_path, data))
    assert run.exit_code == 2, run.output
    assert "capacity.max: expected a number ≤ 1000000000" in run.output


def test_huge_weights_are_exit_2_not_infeasible(tmp_path: Path) -> None:
    data = _small()
    data["rules"]["weights"] = {"mutual": 1e308, "sector": 1e308}
    run = invoke("solve", _json(tmp_path, data))
    assert run.exit_code == 2, run.output
    assert "weights" in run.output


@pytest.mark.parametrize(
    ("raw", "words"),
    [("[" * 100_000, "nested too deeply"), ('{"a": ' + "9" * 100_000 + "}", "4,300 digits"),
     ('{"left": ' + "[" * 40 + "]" * 40 + "}", "nested more than")],
)
def test_absurd_json_is_exit_2(tmp_path: Path, raw: str, words: str) -> None:
    run = invoke("solve", _json(tmp_path, None, raw))
    assert run.exit_code == 2, run.output
    assert words in run.output


def test_a_device_is_refused_not_read(tmp_path: Path) -> None:
    run = invoke("solve", "/dev/zero")
    assert run.exit_code == 2
    assert "device" in run.output


def test_the_size_limit_is_stated_and_can_be_changed(tmp_path: Path) -> None:
    path = _json(tmp_path, _small())
    run = invoke("--max-input-size", "1K", "solve", path)
    assert run.exit_code == 2
    assert "--max-input-size" in run.output
    assert invoke("--max-input-size", "10M", "solve", path).exit_code == 0
    assert invoke("--max-input-size", "lots", "solve", path).exit_code == 2


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "b"
    pairing.io.write_bundle(pairing.Programme.model_validate(_small()), folder)
    return folder


@pytest.mark.parametrize("cell", ["99999999999999999999999", "1e300", "-1"])
def test_huge_capacity_cells_are_exit_2(bundle: Path, cell: str) -> None:
    import csv

    path = bundle / "left.csv"
    with path.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("capacity_max")] = cell
    with path.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    run = invoke("solve", bundle)
    assert run.exit_code == 2, run.output
    assert "left.csv, row 2, field 'capacity_max'" in run.output


def test_a_short_row_is_reported(bundle: Path) -> None:
    with (bundle / "left.csv").open("a") as handle:
        handle.write("CN-901,Foo,AI\n")
    run = invoke("solve", bundle)
    assert run.exit_code == 2
    assert "row 6: 3 cells but the header has 10 columns" in run.output


@pytest.mark.parametrize("edit", ["empty id", "blank line", "duplicate line"])
def test_bad_lines_never_crash(tmp_path: Path, edit: str) -> None:
    import numpy as np

    programme = pairing.Programme.model_validate(_small())
    folder = pairing.io.write_bundle(
        programme.model_copy(update={"scores": np.full((4, 4), 0.5)}), tmp_path / "s"
    )
    for name in ("left.csv", "scores.csv"):
        lines = (folder / name).read_text().splitlines()
        if edit == "empty id":
            lines[1] = "," + lines[1].split(",", 1)[1]
        elif edit == "blank line":
            lines.insert(2, "")
        else:
            lines.append(lines[1])
        (folder / name).write_text("\n".join(lines) + "\n")
        run = invoke("solve", folder)
        assert run.exit_code in (0, 2), run.output
        assert "internal error" not in run.output


def test_dollar_signs_in_labels_are_plain_text(tmp_path: Path) -> None:
    data = _small()
    data["left"]["label"] = "$x^"
    for enterprise in data["left"]["enterprises"]:
        enterprise["sector"] = r"$\frac{a}{"
    path = _json(tmp_path, data)
    result = tmp_path / "r.json"
    assert invoke("solve", path, "-o", result).exit_code == 0
    run = invoke("report", path, result, "-o", tmp_path / "r.html")
    assert run.exit_code == 0, run.output
    assert "$x^" in (tmp_path / "r.html").read_text()


# --- workbooks ---------------------------------------------------------------------------------


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return write_workbook(pairing.Programme.model_validate(_small()), tmp_path / "p.xlsx")


def test_a_formula_without_a_saved_value_is_reported(book: Path) -> None:
    workbook = openpyxl.load_workbook(book)
    workbook["left"]["H2"] = "=1+1"
    workbook.save(book)
    with pytest.raises(InvalidProgramme, match=r"sheet 'left', cell H2: the formula '=1\+1'"):
        pairing.load(book)


def test_a_huge_number_in_a_workbook_cell_is_exit_2(book: Path) -> None:
    workbook = openpyxl.load_workbook(book)
    sheet = workbook["left"]
    column = [c.value for c in sheet[1]].index("capacity_max") + 1
    sheet.cell(2, column).value = 1e300
    workbook.save(book)
    run = invoke("solve", book)
    assert run.exit_code == 2, run.output
    assert "sheet 'left', row 2, field 'capacity_max'" in run.output


def test_sheet_names_differing_in_case_or_space_are_refused(book: Path) -> None:
    workbook = openpyxl.load_workbook(book)
    workbook.copy_worksheet(workbook["left"]).title = "Left "
    workbook.save(book)
    with pytest.raises(InvalidProgramme, match="differ only in case or spaces"):
        pairing.load(book)


def test_a_hidden_sheet_is_read_with_a_warning(book: Path) -> None:
    workbook = openpyxl.load_workbook(book)
    workbook["rules"].sheet_state = "veryHidden"
    workbook.save(book)
    with pytest.warns(PairingWarning, match="'rules' is hidden"):
        pairing.load(book)


def test_a_damaged_sheet_inside_a_readable_zip_is_exit_2(book: Path, tmp_path: Path) -> None:
    import zipfile

    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    run = invoke("solve", damaged)
    assert run.exit_code == 2, run.output
    assert "cannot read as an .xlsx workbook" in run.output


def test_a_stale_dimension_does_not_drop_rows(book: Path, tmp_path: Path) -> None:
    import zipfile

    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(stale, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index("<dimension ref=")
                end = text.index("/>", start) + 2
                data = (text[:start] + '<dimension ref="A1:J3"/>' + text[end:]).encode()
            target.writestr(item, data)
    assert pairing.load(stale).shape == (4, 4)
