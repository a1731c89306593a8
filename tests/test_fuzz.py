"""Fuzzing the inputs: whatever a file holds, the CLI answers 0, 1, 2 or 3 — never a crash.

Valid bundles, rules, programme JSON files and workbooks are mutated the way files really get
broken — flipped and cut bytes, odd cells, swapped columns, duplicated or dropped lines, huge
numbers, odd unicode, formulas, hidden or renamed sheets — and ``pairing solve`` runs on each.
The property, for every case:

- the exit code is 0, 1, 2 or 3 (never 4, "a bug"), and nothing escapes as an exception;
- no traceback is printed;
- the output file that existed before is untouched when the command fails.

The CI corpus is fixed-seed (``derandomize``) and about 500 cases; ``-m slow`` runs 10,000.
"""

from __future__ import annotations

import io
import json
import random
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.cli import main
from pairing.generator import generate
from pairing.io import dump_programme_json, write_bundle
from pairing.io.xlsx import write_workbook

SENTINEL = "the result of an earlier run\n"
TOKENS = [
    "", ",", ";", ":", "\n", "\r\n", '"', "'", "=1+1", "=HYPERLINK(\"x\")", "+1", "-", "@x",
    "1e300", "-1", "0", "2", "99999999999999999999999", "9" * 5000, "nan", "inf", "-inf",
    "\u202e", "\ufeff", "\x00", "\t", "𝔘", "١٢٣", "你好", "اردو", "[" * 60, "{", "}", "]",
    "\\", "$x^$", "none", "true", "1.5", "0.5", "[[quota]]", "min = 1", "id", "capacity_max",
]
RULES = """objective = "total"
min_score = 0.0
forbidden = [["CN-001", "PK-002"]]
[weights]
mutual = 1.0
sector = 0.5
[[quota]]
side = "left"
by = "sector"
group = "{group}"
max = 3
"""


def _base() -> dict[str, Any]:
    programme = generate(4, 5, seed=5, profile="double-hundred")
    folder = Path(tempfile.mkdtemp(prefix="pairing-fuzz-"))
    write_bundle(programme, folder / "bundle")
    group = programme.left.enterprises[0].sector
    (folder / "bundle" / "rules.toml").write_text(RULES.format(group=group), encoding="utf-8")
    files = {p.name: p.read_bytes() for p in (folder / "bundle").iterdir()}
    scores = "," + ",".join(programme.right.ids) + "\n" + "".join(
        f"{i}," + ",".join("0.5" for _ in programme.right.ids) + "\n" for i in programme.left.ids
    )
    dump_programme_json(programme, folder / "p.json")
    write_workbook(programme, folder / "p.xlsx")
    base = {
        "bundle": files,
        "scores": scores.encode(),
        "json": (folder / "p.json").read_bytes(),
        "xlsx": (folder / "p.xlsx").read_bytes(),
    }
    shutil.rmtree(folder)
    return base


BASE = _base()


# --- mutations ---------------------------------------------------------------------------------


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    kind = rng.choice(["flip", "cut", "insert", "insert", "lines", "cell", "swap", "cell"])
    if not data:
        return rng.choice(TOKENS).encode()
    at = rng.randrange(len(data) + 1)
    if kind == "flip":
        position = min(at, len(data) - 1)
        return data[:position] + bytes([rng.randrange(256)]) + data[position + 1 :]
    if kind == "cut":
        return data[:at]
    if kind == "insert":
        return data[:at] + rng.choice(TOKENS).encode() + data[at:]
    lines = data.split(b"\n")
    k = rng.randrange(len(lines))
    if kind == "lines":
        action = rng.choice(["duplicate", "drop", "blank", "move"])
        if action == "duplicate":
            lines.insert(k, lines[k])
        elif action == "drop":
            del lines[k]
        elif action == "blank":
            lines.insert(k, b"")
        else:
            lines.insert(rng.randrange(len(lines)), lines.pop(k))
        return b"\n".join(lines)
    cells = lines[k].split(b",")
    c = rng.randrange(len(cells))
    if kind == "cell":
        cells[c] = rng.choice(TOKENS).encode()
    else:  # swap two columns in every line
        d = rng.randrange(len(cells))
        for index, line in enumerate(lines):
            row = line.split(b",")
            if max(c, d) < len(row):
                row[c], row[d] = row[d], row[c]
            lines[index] = b",".join(row)
        return b"\n".join(lines)
    lines[k] = b",".join(cells)
    return b"\n".join(lines)


HOSTILE_VALUES: list[Any] = [
    None, True, -1, 0, 10**30, 2**63, 1e300, -1e-300, float("inf"), "", " ", "=1+1", "x" * 300,
    [], {}, [[[[[]]]]], "CN-001", "\u202e", 1.5, "none", {"min": 5, "max": 1},
]


def _mutate_json(data: bytes, rng: random.Random) -> bytes:
    try:
        document = json.loads(data)
    except ValueError:  # already broken by an earlier mutation
        return _mutate_bytes(data, rng)
    if rng.random() < 0.4:
        return _mutate_bytes(data, rng)
    node: Any = document
    for _ in range(rng.randrange(1, 7)):
        if isinstance(node, dict) and node:
            key = rng.choice(sorted(node))
            if rng.random() < 0.3 or not isinstance(node[key], dict | list):
                node[key] = rng.choice(HOSTILE_VALUES)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            k = rng.randrange(len(node))
            if rng.random() < 0.3 or not isinstance(node[k], dict | list):
                node[k] = rng.choice(HOSTILE_VALUES)
                break
            node = node[k]
        else:
            break
    return json.dumps(document).encode()


CELL_VALUES: list[Any] = [
    None, "=1+1", "=SUM(A1:A2)", 1e300, -1, 10**30, "", "  ", True, "left", "'=x", "𝔘", 0.5, 3,
    "1e400", "capacity_max", "ai:0.9, cloud:0.7",
]


def _mutate_inside_zip(data: bytes, rng: random.Random) -> bytes:
    """Damage one part (a sheet's XML, the workbook's list of sheets) of a readable zip."""
    source = zipfile.ZipFile(io.BytesIO(data))
    parts = [i for i in source.infolist() if i.filename.endswith(".xml")]
    victim = rng.choice(parts).filename
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            part = source.read(item.filename)
            target.writestr(item, _mutate_bytes(part, rng) if item.filename == victim else part)
    return buffer.getvalue()


def _mutate_workbook(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.1:
        return _mutate_bytes(data, rng)
    if rng.random() < 0.15:
        return _mutate_inside_zip(data, rng)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = rng.choice(book.worksheets)
    kind = rng.choice(["cell", "cell", "cell", "rename", "hide", "copy", "delete-row", "far"])
    if kind == "cell":
        row, column = rng.randrange(1, sheet.max_row + 2), rng.randrange(1, sheet.max_column + 2)
        sheet.cell(row, column).value = rng.choice(CELL_VALUES)
    elif kind == "rename":
        sheet.title = rng.choice(["Left ", "RIGHT", "scores", "rules ", "other", "left"]) + (
            "" if rng.random() < 0.5 else str(rng.randrange(3))
        )
    elif kind == "hide":
        sheet.sheet_state = rng.choice(["hidden", "veryHidden"])
    elif kind == "copy":
        book.copy_worksheet(sheet).title = sheet.title.upper() + " "
    elif kind == "delete-row":
        sheet.delete_rows(rng.randrange(1, sheet.max_row + 1))
    else:
        sheet.cell(rng.randrange(50, 5000), rng.randrange(1, 30)).value = rng.choice(CELL_VALUES)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- the property ------------------------------------------------------------------------------


def _check(folder: Path, programme: Path, extra: tuple[str, ...] = ()) -> None:
    out = folder / "out.json"
    out.write_text(SENTINEL)
    run = CliRunner().invoke(main, ["solve", str(programme), "-o", str(out), *extra])
    assert run.exception is None or isinstance(run.exception, SystemExit), repr(run.exception)
    assert run.exit_code in (0, 1, 2, 3), run.output
    assert "Traceback" not in run.output
    assert "internal error" not in run.output
    if run.exit_code != 0:
        assert out.read_text() == SENTINEL


def _bundle_case(seed: int, mutations: int) -> None:
    rng = random.Random(seed)
    files = dict(BASE["bundle"])
    if rng.random() < 0.3:
        files["scores.csv"] = BASE["scores"]
    with tempfile.TemporaryDirectory(prefix="pairing-fuzz-") as temp:
        folder = Path(temp)
        for _ in range(mutations):
            name = rng.choice(sorted(files))
            files[name] = _mutate_bytes(files[name], rng)
        (folder / "bundle").mkdir()
        for name, data in files.items():
            (folder / "bundle" / name).write_bytes(data)
        _check(folder, folder / "bundle")


def _json_case(seed: int, mutations: int) -> None:
    rng = random.Random(seed)
    data = BASE["json"]
    for _ in range(mutations):
        data = _mutate_json(data, rng)
    with tempfile.TemporaryDirectory(prefix="pairing-fuzz-") as temp:
        folder = Path(temp)
        (folder / "p.json").write_bytes(data)
        _check(folder, folder / "p.json")


def _workbook_case(seed: int, mutations: int) -> None:
    rng = random.Random(seed)
    data = BASE["xlsx"]
    for _ in range(mutations):
        try:
            data = _mutate_workbook(data, rng)
        except Exception:  # a flipped byte made it unreadable for the mutator: use it as is
            break
    with tempfile.TemporaryDirectory(prefix="pairing-fuzz-") as temp:
        folder = Path(temp)
        (folder / "p.xlsx").write_bytes(data)
        _check(folder, folder / "p.xlsx")


CASES: dict[str, Callable[[int, int], None]] = {
    "bundle": _bundle_case,
    "json": _json_case,
    "workbook": _workbook_case,
}
#: Fixed-seed examples per input kind in CI (about 500 in all) and in the slow run (10,000).
CI_EXAMPLES = {"bundle": 250, "json": 200, "workbook": 60}
SLOW_EXAMPLES = {"bundle": 5000, "json": 3500, "workbook": 1500}


def _run(kind: str, examples: int) -> None:
    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(seed=st.integers(0, 2**32 - 1), mutations=st.integers(1, 4))
    def case(seed: int, mutations: int) -> None:
        CASES[kind](seed, mutations)

    case()


@pytest.mark.parametrize("kind", sorted(CI_EXAMPLES))
def test_fuzzed_inputs_never_crash(kind: str) -> None:
    _run(kind, CI_EXAMPLES[kind])


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(SLOW_EXAMPLES))
def test_fuzzed_inputs_never_crash_long_run(kind: str) -> None:
    _run(kind, SLOW_EXAMPLES[kind])
