"""Spreadsheets as programme managers keep them: title rows, loose headers, extra columns,
comma-separated tags, empty rows, misspelt tags — read the same way from CSV bundles and
workbooks."""

from __future__ import annotations

import csv
import shutil
import warnings
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.core.hashing import input_sha256
from pairing.errors import PairingWarning
from pairing.io import dump_programme_json, write_bundle
from pairing.io.xlsx import write_workbook

REPO = Path(__file__).resolve().parent.parent
CLEAN = REPO / "instances" / "double-hundred-rules"


def _messy_rows(side: str) -> list[list[object]]:
    """The clean sheet as a person keeps it."""
    with (CLEAN / f"{side}.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    loose = [h.replace("_", " ").title() if "_" in h else h.upper() if h == "id" else h.title()
             for h in header]
    out: list[list[object]] = [[f"Double Hundred pilot — {side} enterprises"],
                               ["exported from the programme office, do not edit column A"],
                               [*loose, "Contact person"]]
    for k, row in enumerate(rows):
        cells: list[object] = list(row)
        if k % 3 == 0:  # comma-separated tags, with spaces
            for column in ("capabilities", "needs"):
                at = header.index(column)
                cells[at] = ", ".join(part.replace(":", ": ") for part in row[at].split(";"))
        for column in ("capacity_min", "capacity_max"):
            at = header.index(column)
            cells[at] = int(row[at]) if row[at] else None
        out.append([*cells, f"Ms. Contact {k}"])
    out += [[], ["", "  "], []]
    return out


def _write_messy_workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "cover"
    cover.append(["Pilot programme workbook"])
    for side in ("left", "right"):
        sheet = book.create_sheet(side)
        for row in _messy_rows(side):
            sheet.append(row)
    book.save(path)
    shutil.copy(CLEAN / "rules.toml", path.with_name(f"{path.stem}.rules.toml"))
    return path


def _write_messy_bundle(folder: Path) -> Path:
    folder.mkdir()
    for side in ("left", "right"):
        with (folder / f"{side}.csv").open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(
                ["" if c is None else c for c in row] for row in _messy_rows(side))
    shutil.copy(CLEAN / "rules.toml", folder / "rules.toml")
    return folder


@pytest.mark.parametrize("kind", ["workbook", "bundle"])
def test_a_messy_sheet_solves_to_the_same_pairs_as_the_clean_bundle(tmp_path, kind) -> None:
    path = (_write_messy_workbook(tmp_path / "pilot.xlsx") if kind == "workbook"
            else _write_messy_bundle(tmp_path / "pilot"))
    with pytest.warns(PairingWarning) as caught:
        messy = pairing.load(path)
    ignored = [str(w.message) for w in caught if "ignored" in str(w.message)]
    sheet = "pilot.xlsx, sheet 'left', row 3" if kind == "workbook" else "left.csv, row 3"
    assert any(m.startswith(sheet) and "'Contact person'" in m for m in ignored), ignored
    assert len(ignored) == 2  # once per sheet, not once per row
    assert all("kept as the enterprises' notes" in m for m in ignored), ignored
    clean = pairing.load(CLEAN)
    for side in ("left", "right"):
        kept = messy.side(side)
        # the contact person is each enterprise's note; nothing else differs
        assert [e.notes for e in kept.enterprises] == [
            {"Contact person": f"Ms. Contact {k}"} for k in range(len(kept.enterprises))]
        plain = [e.model_copy(update={"notes": {}}) for e in kept.enterprises]
        assert plain == clean.side(side).enterprises and kept.label == clean.side(side).label
    solved = pairing.solve(messy)
    assert solved.pair_ids() == pairing.solve(clean).pair_ids()
    assert solved.input_sha256 == input_sha256(messy.model_copy(update={
        side: messy.side(side).model_copy(update={"enterprises": [
            e.model_copy(update={"notes": {}}) for e in messy.side(side).enterprises]})
        for side in ("left", "right")}))  # notes change nothing a result depends on


def test_notes_round_trip_bundle_json_workbook(tmp_path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        messy = pairing.load(_write_messy_workbook(tmp_path / "pilot.xlsx"))
    assert messy.left.enterprises[0].notes == {"Contact person": "Ms. Contact 0"}
    bundle = write_bundle(messy, tmp_path / "bundle")
    header = (bundle / "left.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",Contact person")
    with pytest.warns(PairingWarning, match="kept as the enterprises' notes"):
        from_bundle = pairing.load(bundle)
    assert from_bundle == messy
    from_json = pairing.load(dump_programme_json(from_bundle, tmp_path / "p.json"))
    assert from_json == messy
    assert '"Contact person": "Ms. Contact 0"' in (tmp_path / "p.json").read_text(
        encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        from_book = pairing.load(write_workbook(from_json, tmp_path / "again.xlsx"))
    assert from_book == messy
    # an enterprise without a note leaves its cell empty, and reads back without one
    first = messy.left.enterprises[0].model_copy(update={"notes": {}})
    fewer = messy.model_copy(update={"left": messy.left.model_copy(
        update={"enterprises": [first, *messy.left.enterprises[1:]]})})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        assert pairing.load(write_bundle(fewer, tmp_path / "fewer")) == fewer
    # a clean programme's JSON has no notes at all
    clean = pairing.load(CLEAN)
    assert '"notes"' not in dump_programme_json(clean, tmp_path / "c.json").read_text(
        encoding="utf-8")


def test_notes_that_look_like_formulas_round_trip_as_text(tmp_path) -> None:
    clean = pairing.load(CLEAN)
    first = clean.left.enterprises[0].model_copy(
        update={"notes": {"=HYPERLINK(1)": "+86 10 1234", "phone": "=1+1"}})
    odd = clean.model_copy(update={"left": clean.left.model_copy(
        update={"enterprises": [first, *clean.left.enterprises[1:]]})})
    folder = write_bundle(odd, tmp_path / "b")
    assert "'=HYPERLINK(1)" in (folder / "left.csv").read_text(encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PairingWarning)
        assert pairing.load(folder) == odd
        assert pairing.load(write_workbook(odd, tmp_path / "b.xlsx")) == odd


@pytest.mark.parametrize("name", ["Capacity Min", "ID", "offers-text", " "])
def test_a_note_named_like_a_pairing_column_is_refused_by_the_writer(tmp_path, name) -> None:
    clean = pairing.load(CLEAN)
    first = clean.left.enterprises[0].model_copy(update={"notes": {name: "x"}})
    odd = clean.model_copy(update={"left": clean.left.model_copy(
        update={"enterprises": [first, *clean.left.enterprises[1:]]})})
    with pytest.raises(pairing.InvalidProgramme, match="could not be read back"):
        write_bundle(odd, tmp_path / "b")


def test_the_cli_shows_the_warnings_and_solves(tmp_path) -> None:
    book = _write_messy_workbook(tmp_path / "pilot.xlsx")
    run = CliRunner().invoke(main, ["solve", str(book), "--format", "table"])
    assert run.exit_code == 0, run.output
    assert "warning: pilot.xlsx, sheet 'right', row 3: column(s) 'Contact person'" in run.output


HEADER = "id,name,sector,region,size,capabilities,needs,capacity_min,capacity_max"


def _bundle(tmp_path: Path, left: str, right: str) -> Path:
    folder = tmp_path / "b"
    folder.mkdir(parents=True)
    (folder / "left.csv").write_text(left, encoding="utf-8")
    (folder / "right.csv").write_text(right, encoding="utf-8")
    return folder


def test_comma_tags_are_read_when_unambiguous_and_reported_with_the_cell(tmp_path) -> None:
    right = f"{HEADER}\nPK-1,,,,,\"ai:0.9, cloud:0.7\",\"agri, food:0.5\",,\n"
    left = f"{HEADER}\nCN-1,,,,,\"agri, food:0.4\",ai:0.5;cloud:0.5,,\n"
    programme = pairing.load(_bundle(tmp_path, left, right))
    assert programme.right.enterprises[0].capabilities == {"ai": 0.9, "cloud": 0.7}
    assert programme.right.enterprises[0].needs == {"agri, food": 0.5}
    ambiguous = f"{HEADER}\nPK-1,,,,,\"ai:0,9\",,,\n"
    with pytest.raises(pairing.InvalidProgramme,
                       match=r"right\.csv, row 2, field 'capabilities': cannot tell where the "
                       r"entries of 'ai:0,9' begin and end.*decimal comma"):
        pairing.load(_bundle(tmp_path / "2", left, ambiguous))


def test_a_tag_used_by_one_side_only_is_a_warning_naming_the_closest_tag(tmp_path) -> None:
    left = f"{HEADER}\nCN-1,,,,,textile-machinery:0.9,logistics:0.5,,\n"
    right = (f"{HEADER}\nPK-1,,,,,logistics:0.6,textile-machinary:0.8,,\n"
             f"PK-2,,,,,logistics:0.6,textile-machinery:0.8,,\n")
    with pytest.warns(PairingWarning) as caught:
        pairing.load(_bundle(tmp_path, left, right))
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1, messages
    assert "tag 'textile-machinary' appears only in right needs (PK-1)" in messages[0]
    assert "did you mean 'textile-machinery' (used in left capabilities; right needs)?" in (
        messages[0])


def test_clean_programmes_give_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pairing.load(CLEAN)
        pairing.load(REPO / "instances" / "double-hundred.json")


def test_two_neighbouring_one_sided_tags_are_reported_once_from_the_rarer(tmp_path) -> None:
    left = (f"{HEADER}\nCN-1,,,,,ai-platform:0.9,logistics:0.5,,\n"
            f"CN-2,,,,,ai-platform:0.8,logistics:0.5,,\n")
    right = f"{HEADER}\nPK-1,,,,,logistics:0.6,ai-platfrom:0.8,,\n"
    with pytest.warns(PairingWarning) as caught:
        pairing.load(_bundle(tmp_path, left, right))
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "tag 'ai-platfrom'" in messages[0], messages
    assert "did you mean 'ai-platform' (used in left capabilities)?" in messages[0]


@pytest.mark.parametrize(("tag", "one"), [("agri, food", True), (",0", False), ("a:1,b", False),
                                          ("ai", True)])
def test_the_bundle_writer_refuses_tags_that_would_read_back_differently(tag, one) -> None:
    from pairing.io.tag_cells import reads_as_one_tag

    assert reads_as_one_tag(tag) is one
