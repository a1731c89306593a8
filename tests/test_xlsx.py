"""Workbooks (.xlsx) load like bundles, with errors naming sheet, row and field; `pairing init`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.io.xlsx import write_workbook

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO / "instances" / "double-hundred"


def _workbook_from_bundle(folder: Path, target: Path) -> Path:
    """An .xlsx built cell by cell from the bundle's CSVs (numbers typed as numbers)."""
    import csv

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("left", "right"):
        sheet = book.create_sheet(name.upper() if name == "left" else name)  # case-insensitive
        with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            for k, row in enumerate(csv.reader(handle)):
                if k and row:
                    row = [*row[:7], int(row[7]), int(row[8]), *row[9:]]
                sheet.append(row)
    book.create_sheet("cover").append(["ignored"])
    book.save(target)
    shutil.copyfile(folder / "rules.toml", target.with_name("rules.toml"))
    return target


def test_xlsx_of_the_shipped_bundle_gives_the_same_result(tmp_path: Path) -> None:
    book = _workbook_from_bundle(BUNDLE, tmp_path / "double-hundred.xlsx")
    from_csv = pairing.load(BUNDLE)
    from_xlsx = pairing.load(book)
    assert from_xlsx == from_csv
    assert pairing.solve(from_xlsx).without_runtime() == pairing.solve(from_csv).without_runtime()
    runner = CliRunner()
    out_csv, out_xlsx = tmp_path / "a.json", tmp_path / "b.json"
    assert runner.invoke(main, ["solve", str(BUNDLE), "-o", str(out_csv)]).exit_code == 0
    assert runner.invoke(main, ["solve", str(book), "-o", str(out_xlsx)]).exit_code == 0
    a, b = json.loads(out_csv.read_text()), json.loads(out_xlsx.read_text())
    a["solver"].pop("runtime_s"), b["solver"].pop("runtime_s")
    assert a == b


def test_write_workbook_round_trips_rules_in_sheets(tmp_path: Path) -> None:
    programme = pairing.load(BUNDLE)
    rules = programme.rules.model_copy(
        update={
            "min_score": 0.05,
            "forbidden": [("CN-001", "PK-002")],
            "required": [("CN-003", "PK-004")],
            "quotas": [
                pairing.Quota(side="left", by="sector", group="AI", min=1, max=9),
            ],
        }
    )
    programme = programme.model_copy(update={"rules": rules})
    book = write_workbook(programme, tmp_path / "p.xlsx")
    assert {"left", "right", "rules", "quota", "forbidden", "required"} <= set(
        openpyxl.load_workbook(book).sheetnames
    )
    assert pairing.load(book) == programme


def test_errors_name_the_sheet_row_and_field(tmp_path: Path) -> None:
    book_path = write_workbook(pairing.load(BUNDLE), tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(book_path)
    book["left"].cell(row=7, column=9).value = "lots"  # capacity_max
    book["right"].cell(row=3, column=6).value = "ai0.5"  # capabilities
    rules = book["rules"]
    rules.append(["min_score", "high"])
    bad_row = rules.max_row
    quota = book.create_sheet("quota")
    quota.append(["side", "by", "group", "min", "max"])
    quota.append(["left", "sector", "Nope", 1, 2])
    book.save(book_path)
    with pytest.raises(pairing.InvalidProgramme) as info:
        pairing.load(book_path)
    text = str(info.value)
    assert "p.xlsx, sheet 'left', row 7, field 'capacity_max'" in text
    assert "p.xlsx, sheet 'right', row 3, field 'capabilities'" in text
    assert f"p.xlsx, sheet 'rules', row {bad_row}, key 'min_score'" in text
    assert "p.xlsx, sheet 'quota', row 2" in text and "'Nope'" in text
    assert len(info.value.issues) == 4


def test_workbooks_are_read_and_written_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No temporary bundle in or out: the only temporary file is the atomic write's own, in
    the target's folder."""
    import tempfile

    from pairing.io.template_workbook import write_template_workbook

    programme = pairing.load(BUNDLE)
    sources = programme.rules.model_copy(update={"sources": [pairing.model.Source(
        name="past", scores=[[0.5] * len(programme.right.enterprises)]
        * len(programme.left.enterprises))], "quotas": [
        pairing.Quota(side="left", by="sector", group="AI", min=1)]})
    programme = programme.model_copy(update={"rules": sources})

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("a temporary folder was made")

    for name in ("TemporaryDirectory", "mkdtemp", "NamedTemporaryFile", "TemporaryFile"):
        monkeypatch.setattr(tempfile, name, refused)
    book = write_workbook(programme, tmp_path / "p.xlsx")
    assert pairing.load(book) == programme
    assert pairing.load(book.read_bytes()) == programme  # an upload
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.xlsx"]
    write_template_workbook(tmp_path / "t.xlsx")
    assert pairing.load(tmp_path / "t.xlsx").rules.quotas


def test_errors_in_rule_sheets_name_their_rows(tmp_path: Path) -> None:
    """Rule-sheet places come from the rows each entry and key was read from: blank rows
    are skipped, dotted keys keep their row."""
    book_path = write_workbook(pairing.load(BUNDLE), tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(book_path)
    book["rules"].append(["weights.sector", -1])
    weight_row = book["rules"].max_row
    quota = book.create_sheet("quota")
    quota.append(["side", "by", "group", "min", "max"])
    quota.append([])  # a blank row means nothing
    quota.append(["left", "sector", "AI", 1])
    quota.append(["left", "sector", "AI", 3, 2])
    book.save(book_path)
    with pytest.raises(pairing.InvalidProgramme) as info:
        pairing.load(book_path)
    wheres = [issue.where for issue in info.value.issues]
    assert wheres == [f"p.xlsx, sheet 'rules', row {weight_row}, key 'weights.sector'",
                      "p.xlsx, sheet 'quota', row 4"]


def test_missing_sheet_and_not_a_workbook(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "left"
    book.save(tmp_path / "one.xlsx")
    with pytest.raises(pairing.InvalidProgramme, match="no sheet 'right'"):
        pairing.load(tmp_path / "one.xlsx")
    (tmp_path / "fake.xlsx").write_text("not a zip")
    with pytest.raises(pairing.InvalidProgramme, match=r"cannot read as an \.xlsx workbook"):
        pairing.load(tmp_path / "fake.xlsx")


def test_init_writes_a_bundle_that_solves(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "new"
    run = runner.invoke(main, ["init", str(folder)])
    assert run.exit_code == 0, run.output
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.txt",
        "left.csv",
        "right.csv",
        "rules.toml",
    ]
    assert "[[quota]]" in (folder / "rules.toml").read_text()
    programme = pairing.load(folder)
    result = pairing.solve(programme)
    pairing.check(programme, result)
    again = runner.invoke(main, ["init", str(folder)])
    assert again.exit_code == 2 and "--force" in again.output
    assert runner.invoke(main, ["init", str(folder), "--force"]).exit_code == 0
    book = tmp_path / "new.xlsx"
    assert runner.invoke(main, ["init", str(book)]).exit_code == 0
    from_book = pairing.load(book)  # the same enterprises, plus one example of every rule
    assert (from_book.left, from_book.right) == (programme.left, programme.right)
