"""Results a programme manager can open: CSV with names and a BOM, a real workbook, compare in
the format its extension names, an unknown extension refused, and result CSV/XLSX read back by
check, report, explain and evaluate."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner

import pairing
from pairing.analysis.evaluation import load_result_for
from pairing.cli import main
from pairing.io import dump_programme_json
from strategies import programme_from_matrix

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "instances" / "double-hundred-rules"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def solved(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("results")
    out = {ext: folder / f"r.{ext}" for ext in ("json", "csv", "xlsx")}
    for path in out.values():
        run = invoke("solve", RULES, "-o", path)
        assert run.exit_code == 0, run.output
    return out


def test_result_csv_has_names_sectors_and_a_bom(solved) -> None:
    raw = solved["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    programme = pairing.load(RULES)
    names = {e.id: (e.name, e.sector) for e in programme.left.enterprises}
    assert list(rows[0])[-4:] == ["left_name", "right_name", "left_sector", "right_sector"]
    for row in rows:
        assert (row["left_name"], row["left_sector"]) == names[row["left"]]
    assert len(rows) == len(json.loads(solved["json"].read_text())["pairs"])


def test_result_workbook_has_the_four_sheets(solved) -> None:
    book = openpyxl.load_workbook(solved["xlsx"], read_only=True)
    assert book.sheetnames == ["pairs", "unmatched", "fairness", "summary"]
    result = pairing.Result.model_validate_json(solved["json"].read_text())
    pairs = list(book["pairs"].iter_rows(values_only=True))
    assert pairs[0][:2] == ("left", "right") and len(pairs) == len(result.pairs) + 1
    assert isinstance(pairs[1][2], float)  # numbers stay numbers
    unmatched = list(book["unmatched"].iter_rows(values_only=True))
    assert unmatched[0] == ("id", "name", "side", "why")
    assert {r[0] for r in unmatched[1:]} == set(result.unmatched.right)
    assert all(r[3] for r in unmatched[1:])
    fairness = [r for r in book["fairness"].iter_rows(values_only=True) if r and r[0]]
    assert any(r[1] == "AI" for r in fairness)  # per sector
    summary = dict(r[:2] for r in book["summary"].iter_rows(values_only=True))
    assert summary["pairs"] == len(result.pairs)
    book.close()


def test_workbook_cells_stay_text(tmp_path: Path) -> None:
    programme = programme_from_matrix(np.array([[0.5, 0.2], [0.1, 0.6]]), [(1, 1)] * 2,
                                      [(1, 1)] * 2)
    left = [e.model_copy(update={"name": "=HYPERLINK(\"x\")"}) for e in programme.left.enterprises]
    programme = programme.model_copy(
        update={"left": programme.left.model_copy(update={"enterprises": left})})
    dump_programme_json(programme, tmp_path / "p.json")
    assert invoke("solve", tmp_path / "p.json", "-o", tmp_path / "r.xlsx").exit_code == 0
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    names = [row[6].value for row in book["pairs"].iter_rows(min_row=2)]
    assert names and all(n.startswith("'=") for n in names)
    assert all(row[6].data_type != "f" for row in book["pairs"].iter_rows(min_row=2))


def test_solve_to_a_workbook_compiles_the_programme_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unmatched sheet is explained from the problem the solve compiled, not a new one."""
    import sys

    invoke("solve", RULES, "-o", tmp_path / "warm.xlsx")  # load the lazily imported modules
    compiled: list[int] = []
    module = sys.modules["pairing.core.problem"]
    original = module.build_problem

    def counted(*args: object, **kwargs: object) -> object:
        compiled.append(1)
        return original(*args, **kwargs)

    for loaded in list(sys.modules.values()):
        if getattr(loaded, "__name__", "").startswith("pairing") and \
                getattr(loaded, "build_problem", None) is original:
            monkeypatch.setattr(loaded, "build_problem", counted)
    run = invoke("solve", RULES, "-o", tmp_path / "r.xlsx")
    assert run.exit_code == 0, run.output
    assert len(compiled) == 1
    book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert len(list(book["unmatched"].iter_rows(values_only=True))) > 1  # explained
    book.close()


@pytest.mark.parametrize("name", ["r.txt", "r.xls", "r.html"])
def test_an_unknown_extension_is_refused_before_any_work(tmp_path: Path, name: str) -> None:
    run = invoke("solve", RULES, "-o", tmp_path / name)
    assert run.exit_code == 2
    assert "cannot write" in run.output and ".xlsx" in run.output
    assert not (tmp_path / name).exists()


def test_check_report_explain_read_result_csv_and_xlsx(solved, tmp_path: Path) -> None:
    programme = pairing.load(RULES)
    expected = pairing.Result.model_validate_json(solved["json"].read_text())
    for ext in ("csv", "xlsx"):
        result = load_result_for(programme, solved[ext])
        assert result.pair_ids() == expected.pair_ids()
        assert result.metrics == expected.metrics
        assert invoke("check", RULES, solved[ext]).exit_code == 0
        assert invoke("explain", RULES, solved[ext], "--pair", *expected.pair_ids()[0]
                      ).exit_code == 0
        report = tmp_path / f"report-{ext}.html"
        run = invoke("report", RULES, solved[ext], "-o", report)
        assert run.exit_code == 0, run.output
        assert "CN-001" in report.read_text()


def test_check_of_an_edited_csv_lists_the_broken_rule(solved, tmp_path: Path) -> None:
    text = solved["csv"].read_text(encoding="utf-8-sig").splitlines()
    edited = [line for line in text if not line.startswith("CN-002,PK-003,")]
    (tmp_path / "e.csv").write_text("\n".join(edited) + "\n", encoding="utf-8")
    run = invoke("check", RULES, tmp_path / "e.csv")
    assert run.exit_code == 1
    assert "required pair CN-002–PK-003 is missing" in run.output
    assert "programme gives" not in run.output


def test_compare_writes_the_format_its_extension_names(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    programme = programme_from_matrix(np.round(rng.random((6, 6)), 3), [(1, 1)] * 6,
                                      [(1, 1)] * 6)
    dump_programme_json(programme, tmp_path / "p.json")
    base = ("compare", tmp_path / "p.json", "--objective", "total", "--objective", "maxmin")
    assert invoke(*base, "-o", tmp_path / "c.xlsx").exit_code == 0
    rows = list(openpyxl.load_workbook(tmp_path / "c.xlsx")["compare"].values)
    assert rows[0][0] == "objective" and [r[0] for r in rows[1:]] == ["total", "maxmin"]
    assert invoke(*base, "-o", tmp_path / "c.md").exit_code == 0
    markdown = (tmp_path / "c.md").read_text().splitlines()
    assert markdown[0].startswith("| objective |") and markdown[1].startswith("|---|")
    assert invoke(*base, "-o", tmp_path / "c.csv").exit_code == 0
    assert (tmp_path / "c.csv").read_text().startswith("objective,")
    run = invoke(*base, "-o", tmp_path / "c.pdf")
    assert run.exit_code == 2 and not (tmp_path / "c.pdf").exists()
    run = invoke(*base, "--format", "json", "-o", tmp_path / "c.csv")
    assert run.exit_code == 2 and "--format json" in run.output


def test_other_outputs_are_written_as_their_extension_says(solved, tmp_path: Path) -> None:
    run = invoke("report", RULES, solved["json"], "-o", tmp_path / "report.pdf")
    assert run.exit_code == 2 and ".html" in run.output
    assert not (tmp_path / "report.pdf").exists()
    gen = ("generate", "--left", "4", "--right", "4", "--seed", "2", "-o")
    assert invoke(*gen, tmp_path / "g.xlsx").exit_code == 0
    assert pairing.load(tmp_path / "g.xlsx").shape == (4, 4)
    run = invoke(*gen, tmp_path / "g.csv")
    assert run.exit_code == 2 and "or a folder name" in run.output
    assert not (tmp_path / "g.csv").exists()
    assert invoke(*gen, tmp_path / "bundle.v2").exit_code == 0  # a folder with a dot
    assert (tmp_path / "bundle.v2" / "left.csv").exists()
    repair = ("repair", RULES, solved["json"], "--withdraw", "PK-001", "-o", tmp_path / "n.json")
    assert invoke(*repair, "--programme-out", tmp_path / "p.xlsx").exit_code == 0
    assert pairing.load(tmp_path / "p.xlsx").shape == (100, 99)
    assert invoke(*repair, "--programme-out", tmp_path / "p.txt").exit_code == 2
