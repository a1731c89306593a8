"""Edges of the sweep and bench commands: documented values accepted, odd ones refused (exit 2)."""

from __future__ import annotations

import csv
import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from pairing.bench import load_grid
from pairing.cli import main
from pairing.errors import InvalidProgramme, OutputError
from pairing.generator import generate
from pairing.io import dump_programme_json
from pairing.model.programme import Quota
from pairing.sweeps import ResultsFile, expand_grid
from pairing.sweeps.grid import grid_issues


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture(scope="module")
def programme():
    base = generate(10, 10, seed=1, profile="double-hundred")
    rules = base.rules.model_copy(
        update={"quotas": [Quota(side="left", by="sector", group="new energy", min=1, max=4)]}
    )
    return base.model_copy(update={"rules": rules})


def test_none_is_accepted_when_a_checked_grid_is_checked_again(programme) -> None:
    issues, checked = grid_issues(programme, {"quota.0.max": [3, "none"]})
    assert issues == []
    values = dict((t.key, v) for t, v in checked)["quota.0.max"]
    assert values == [3, None]
    again, _ = grid_issues(programme, {"quota.0.max": values})
    assert again == []
    assert len(expand_grid(programme, {"quota.0.max": values})) == 2


def test_an_unsupported_scheduler_protocol_is_exit_2(programme, tmp_path: Path) -> None:
    dump_programme_json(programme, tmp_path / "p.json")
    sweep = tmp_path / "s.toml"
    sweep.write_text('programme = "p.json"\n[grid]\nobjective = ["total"]\n')
    run = invoke("sweep", sweep, "-o", tmp_path / "r.csv", "--scheduler", "ucx://127.0.0.1:1")
    assert run.exit_code == 2, run.output
    assert "ucx:// protocol is not supported" in run.output
    run = invoke("sweep", sweep, "-o", sweep)
    assert run.exit_code == 2
    assert "inputs" in run.output


@pytest.mark.parametrize("repeats", ['"x"', "-1", "0", "1.5", "true"])
def test_bench_grid_repeats_must_be_a_positive_whole_number(tmp_path: Path, repeats: str) -> None:
    grid = tmp_path / "g.toml"
    grid.write_text(f'repeats = {repeats}\n[[case]]\nfamily = "one-to-one"\nn = [5]\n')
    with pytest.raises(InvalidProgramme, match="key 'repeats': expected a whole number ≥ 1"):
        load_grid(grid)
    assert invoke("bench", "--grid", grid, "--out", tmp_path / "out").exit_code == 2


def test_a_full_disk_during_a_sweep_keeps_whole_rows(
    programme, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs = expand_grid(programme, {"min_score": [0.0, 0.1, 0.2]})
    from pairing.sweeps.grid import grid_issues as check

    targets = [t for t, _ in check(programme, {"min_score": [0.0, 0.1, 0.2]})[1]]
    path = tmp_path / "r.csv"
    results = ResultsFile(path, targets, jobs, resume=False)
    results.append({"job": 0, "min_score": 0.0, "status": "optimal", "error": "=1+1"})
    real_write = os.write
    calls = {"n": 0}

    def full(fd: int, data: bytes) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            return real_write(fd, data[:5])  # a torn row, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OutputError, match=r"No space left on device.*--resume"):
        results.append({"job": 1, "min_score": 0.1, "status": "optimal"})
    monkeypatch.undo()
    results.close(complete=False)
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["job"] for row in rows] == ["0"]
    assert rows[0]["error"] == "'=1+1"
    assert path.read_text().endswith("\n")


_FULL_DISK_AFTER_3_ROWS = """
import errno, os, sys
real_write = os.write
rows = []

def write(fd, data):
    if data.endswith(b"\\n") and b"tcp://" in data:  # a sweep row
        rows.append(data)
        if len(rows) > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return real_write(fd, data)

os.write = write
from pairing.cli import main
main()
"""


def test_a_full_disk_stops_a_sweep_with_one_message(tmp_path: Path) -> None:
    import subprocess
    import sys

    sweep = Path(__file__).resolve().parent.parent / "instances" / "sweep-example.toml"
    out = tmp_path / "rows.csv"
    run = subprocess.run(
        [sys.executable, "-c", _FULL_DISK_AFTER_3_ROWS, "sweep", str(sweep), "-o", str(out),
         "--workers", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    assert "No space left on device" in run.stderr
    assert out.read_text().count("\n") == 4  # the header and three whole rows
