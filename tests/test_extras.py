"""A missing optional extra is one clear line naming it, and exit code 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.errors import MissingExtra
from pairing.extras import require


def _missing(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import module`` fail as if the package were not installed."""
    for name in list(sys.modules):
        if name.split(".")[0] in modules:
            monkeypatch.delitem(sys.modules, name)
    for module in modules:
        monkeypatch.setitem(sys.modules, module, None)  # import raises ImportError


def test_require_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _missing(monkeypatch, "openpyxl")
    with pytest.raises(MissingExtra, match=r"^openpyxl is not installed: install pairing\[xlsx\]$"):
        require("openpyxl", "xlsx")
    with pytest.raises(ImportError):  # still an ImportError for code that probes
        require("openpyxl", "xlsx")


def _programme() -> pairing.Programme:
    return pairing.from_scores(np.full((2, 2), 0.5), ["a", "b"], ["x", "y"])


def test_library_workbook_without_openpyxl(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from pairing.xlsx import write_workbook

    _missing(monkeypatch, "openpyxl")
    with pytest.raises(MissingExtra, match=r"install pairing\[xlsx\]"):
        write_workbook(_programme(), tmp_path / "book.xlsx")


def test_cli_workbook_without_openpyxl_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    _missing(monkeypatch, "openpyxl")
    run = CliRunner().invoke(main, ["init", str(tmp_path / "book.xlsx")])
    assert run.exit_code == 2
    assert run.output.strip() == "error: openpyxl is not installed: install pairing[xlsx]"


def test_cli_sweep_without_dask_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    programme = _programme()
    (tmp_path / "programme.json").write_text(programme.model_dump_json(), encoding="utf-8")
    sweep_file = tmp_path / "sweep.toml"
    sweep_file.write_text('programme = "programme.json"\n[grid]\nseed = [0, 1]\n')
    _missing(monkeypatch, "dask", "distributed")
    run = CliRunner().invoke(main, ["sweep", str(sweep_file), "-o", str(tmp_path / "r.csv")])
    assert run.exit_code == 2, run.output
    assert run.output.strip().splitlines()[-1] == (
        "error: distributed is not installed: install pairing[sweep]"
    )


def test_report_without_matplotlib_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    programme = _programme()
    result = pairing.solve(programme)
    (tmp_path / "p.json").write_text(programme.model_dump_json(), encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps(result.model_dump(mode="json")), "utf-8")
    _missing(monkeypatch, "matplotlib")
    run = CliRunner().invoke(
        main, ["report", str(tmp_path / "p.json"), str(tmp_path / "r.json"),
               "-o", str(tmp_path / "report.html")]
    )
    assert run.exit_code == 2, run.output
    assert run.output.strip() == "error: matplotlib is not installed: install pairing[report]"
