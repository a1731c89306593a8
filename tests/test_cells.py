"""Formula injection: every CSV/XLSX writer neutralises risky cells, and every reader undoes it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pairing
from pairing.io import write_bundle
from pairing.io.cells import RISKY_STARTS, _is_number, neutralise, restore
from pairing.io.results_file import result_csv
from pairing.io.xlsx import write_workbook

HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "'=x", "-"]


@given(st.text() | st.from_regex(r"[-+]?[0-9.eE+-]{0,8}", fullmatch=True))
def test_restore_undoes_neutralise(text: str) -> None:
    assert restore(neutralise(text)) == text
    safe = neutralise(text)
    assert not safe.startswith(RISKY_STARTS) or _is_number(safe)


@pytest.mark.parametrize("text", ["=1+1", "+x", "-x", "@x", "\tx", "\rx", "'=x", "''+x"])
def test_risky_text_gets_one_quote(text: str) -> None:
    assert neutralise(text) == "'" + text
    assert restore("'" + text) == text


@pytest.mark.parametrize("number", ["-0.25", "+3", "1e-6", "-7", "0.5"])
def test_numbers_are_never_altered(number: str) -> None:
    assert neutralise(number) == number
    assert neutralise(float(number)) == float(number)


def _hostile_programme() -> pairing.Programme:
    ids = ["=CN-1", "+CN-2", "@CN-3"]
    programme = pairing.from_scores(np.full((3, 2), 0.5), ids, ["-PK-1", "PK-2"])
    data = programme.model_dump()
    for k, enterprise in enumerate(data["left"]["enterprises"]):
        enterprise.update(name=HOSTILE[k], sector=HOSTILE[k + 3])
    return pairing.Programme.model_validate(data)


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


def test_bundles_written_are_safe_and_read_back(tmp_path: Path) -> None:
    programme = _hostile_programme()
    folder = write_bundle(programme, tmp_path / "b")
    for name in ("left.csv", "right.csv", "scores.csv"):
        risky = [c for c in _cells(folder / name) if c.startswith(RISKY_STARTS)]
        assert [c for c in risky if not _is_number(c)] == []
    assert pairing.load(folder) == programme


def test_workbooks_written_are_safe_and_read_back(tmp_path: Path) -> None:
    programme = _hostile_programme()
    path = write_workbook(programme, tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert pairing.load(path) == programme


def test_result_csv_is_safe() -> None:
    programme = _hostile_programme()
    result = pairing.solve(programme)
    rows = list(csv.reader(io.StringIO(result_csv(result))))
    for row in rows[1:]:
        assert row[0].startswith("'") and row[0][1:] in programme.left.ids
        assert not row[1].startswith(("=", "+", "-", "@"))


def test_solve_format_csv_is_safe(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pairing.cli import main
    from pairing.io import dump_programme_json

    path = dump_programme_json(_hostile_programme(), tmp_path / "p.json")
    run = CliRunner().invoke(main, ["solve", str(path), "--format", "csv"])
    assert run.exit_code == 0, run.output
    rows = list(csv.reader(io.StringIO(run.stdout)))
    assert {row[0] for row in rows[1:]} <= {"'=CN-1", "'+CN-2", "'@CN-3"}
