"""``pairing init NAME.xlsx``: every rule sheet with its header and one example row, a README
sheet, and an exact round trip."""

from __future__ import annotations

import warnings
from pathlib import Path

import openpyxl
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.io.template_workbook import README_ROWS, template_programme
from pairing.io.xlsx import RULE_SHEETS, write_workbook


def test_every_sheet_has_a_header_and_an_example_and_the_readme_explains_them(tmp_path) -> None:
    book_path = tmp_path / "new.xlsx"
    run = CliRunner().invoke(main, ["init", str(book_path)])
    assert run.exit_code == 0, run.output
    book = openpyxl.load_workbook(book_path)
    assert book.sheetnames == ["README", "left", "right", "rules", "quota", "pair_quota",
                               "partner_quota", "forbidden", "required", "source"]
    for name, columns in RULE_SHEETS.items():
        rows = list(book[name].values)
        assert rows[0] == columns, name
        if name == "source":  # a source needs a matrix sheet of its own: header only
            assert len(rows) == 1
            continue
        assert len(rows) == 2 and any(v is not None for v in rows[1]), name
    settings = {row[0]: row[1] for row in list(book["rules"].values)[1:]}
    assert {"objective", "fair_to", "min_score", "sides.left", "weights.mutual"} <= set(settings)
    explained = {row[0] for row in list(book["README"].values)}
    assert set(RULE_SHEETS) | {"rules", "left / right"} <= explained
    for column in ("capabilities", "needs", "capacity_min, capacity_max"):
        assert any(row[1] == column for row in README_ROWS)


def test_the_template_round_trips_exactly_and_solves(tmp_path: Path) -> None:
    book = tmp_path / "new.xlsx"
    assert CliRunner().invoke(main, ["init", str(book)]).exit_code == 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean template: no notes, no misspelt tags
        programme = pairing.load(book)
    assert programme == template_programme()
    rules = programme.rules
    assert rules.quotas and rules.pair_quotas and rules.partner_quotas
    assert rules.forbidden and rules.required
    again = pairing.load(write_workbook(programme, tmp_path / "again.xlsx"))
    assert again == programme
    result = pairing.solve(programme)
    pairing.check(programme, result)
    assert ("CN-002", "PK-002") in result.pair_ids()


def test_an_unknown_id_in_a_pair_sheet_names_that_sheet_and_row(tmp_path: Path) -> None:
    book_path = tmp_path / "new.xlsx"
    assert CliRunner().invoke(main, ["init", str(book_path)]).exit_code == 0
    book = openpyxl.load_workbook(book_path)
    book["forbidden"]["A2"] = "CN-0O3"
    book["required"].append(["CN-001", "PK-09"])
    book.save(book_path)
    run = CliRunner().invoke(main, ["solve", str(book_path)])
    assert run.exit_code == 2
    output = run.output
    assert "new.xlsx, sheet 'forbidden', row 2, field 'left': unknown left id 'CN-0O3'" in output
    assert "new.xlsx, sheet 'required', row 3, field 'right': unknown right id 'PK-09'" in output


def test_rule_sheet_headers_are_matched_loosely(tmp_path: Path) -> None:
    book_path = tmp_path / "new.xlsx"
    assert CliRunner().invoke(main, ["init", str(book_path)]).exit_code == 0
    book = openpyxl.load_workbook(book_path)
    for column, name in enumerate(("Left Sector", "RIGHT SECTOR", "Min", "max"), start=1):
        book["pair_quota"].cell(row=1, column=column, value=name)
    book.save(book_path)
    assert pairing.load(book_path) == template_programme()
