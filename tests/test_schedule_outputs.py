"""`pairing schedule` outputs: the folder's files agree with schedule.json, calendars parse with
icalendar, agendas are safe to open, writes are atomic, exit codes are the README's."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from icalendar import Calendar

import pairing
from pairing.cli import main
from pairing.scheduling import event_from_data, load_event
from pairing.scheduling.checker import schedule_violations
from pairing.scheduling.stored import load_schedule
from schedule_cases import case, event

REPO = Path(__file__).resolve().parent.parent


def _toml(data: dict) -> str:
    import tomli_w

    return tomli_w.dumps(data)


@pytest.fixture
def files(tmp_path: Path):
    names = {"L0": '=HYPERLINK("http://x")', "R1": "@risky", "L1": "Lahore 织造 Co."}
    programme, result = case(2, 3, [(0, 0), (0, 1), (1, 1), (1, 2)], names=names)
    prog = tmp_path / "programme.json"
    prog.write_text(programme.model_dump_json(), encoding="utf-8")
    res = tmp_path / "result.json"
    res.write_text(result.to_json(), encoding="utf-8")
    data = event([2, 2], tables=1, booth=[{"id": "R2", "name": "Hall 3, B12"}])
    data["unavailable"] = [{"id": "R1", "session": "day 1", "slots": [1]}]
    ev = tmp_path / "event.toml"
    ev.write_text(_toml(data), encoding="utf-8")
    return programme, result, prog, res, ev, data


def run(*args) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_folder_outputs_agree(tmp_path: Path, files) -> None:
    programme, result, prog, res, ev, _ = files
    out = tmp_path / "out"
    done = run("schedule", prog, res, "--event", ev, "-o", out)
    assert done.exit_code == 0, done.output
    assert "optimal: 4 of 4 meetings scheduled" in done.output
    sched = load_schedule(out / "schedule.json")
    assert sched.status == "optimal" and sched.metrics.scheduled == 4
    event_obj = load_event(ev, programme)
    assert schedule_violations(programme, result, event_obj, sched) == []
    for m in sched.meetings:
        start = dt.datetime.fromisoformat(m.start)
        assert start.utcoffset() == dt.timedelta(hours=8)
    booth = [m for m in sched.meetings if m.right == "R2"]
    assert booth[0].booth == "Hall 3, B12" and booth[0].table is None

    rows = list(csv.DictReader((out / "schedule.csv").read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["left"], r["right"], r["start"]) for r in rows] == [
        (m.left, m.right, m.start) for m in sched.meetings
    ]

    # one calendar per enterprise; every VEVENT matches schedule.json; UIDs stable across runs
    calendars = sorted((out / "calendars").iterdir())
    assert [p.name for p in calendars] == ["L0.ics", "L1.ics", "R0.ics", "R1.ics", "R2.ics"]
    seen = {}
    for path in calendars:
        cal = Calendar.from_ical(path.read_bytes())
        assert cal.get("version") == "2.0"
        assert cal.walk("VTIMEZONE"), "the timezone is included"
        for item in cal.walk("VEVENT"):
            seen.setdefault(str(item["uid"]), []).append((path.stem, item))
    by_pair = {(m.left, m.right): m for m in sched.meetings}
    assert len(seen) == 4
    for items in seen.values():
        owners = tuple(sorted(who for who, _ in items))  # the two enterprises' calendars
        meeting = by_pair[owners]
        item = items[0][1]
        assert str(items[1][1]["uid"]) == str(item["uid"])
        assert item.decoded("dtstart") == dt.datetime.fromisoformat(meeting.start)
        assert item.decoded("dtend") == dt.datetime.fromisoformat(meeting.end)
        place = f"booth {meeting.booth}" if meeting.booth else f"table {meeting.table}"
        assert place in str(item["location"])
    again = tmp_path / "again"
    assert run("schedule", prog, res, "--event", ev, "-o", again).exit_code == 0
    uids_again = {
        str(i["uid"])
        for p in (again / "calendars").iterdir()
        for i in Calendar.from_ical(p.read_bytes()).walk("VEVENT")
    }
    assert uids_again == set(seen)
    first = json.loads((out / "schedule.json").read_text())
    second = json.loads((again / "schedule.json").read_text())
    for doc in (first, second):
        doc["solver"].pop("runtime_s")
        for stage in doc["solver"]["stages"]:
            stage.pop("seconds")
    assert first == second

    # agendas: one sheet per enterprise; formula-like text stays text
    book = openpyxl.load_workbook(out / "agendas.xlsx")
    assert book.sheetnames == ["L0", "L1", "R0", "R1", "R2"]
    sheet = book["R0"]
    assert sheet.cell(row=6, column=5).value == '=HYPERLINK("http://x")'
    assert sheet.cell(row=6, column=5).data_type == "s"
    assert book["L0"].cell(row=2, column=1).data_type == "s"
    assert sheet.print_title_rows == "$5:$5"


def test_unplaceable_exits_1_and_writes_nothing_partial_exits_0(tmp_path: Path, files) -> None:
    _, _, prog, res, ev, data = files
    data["unavailable"].append({"id": "L0", "session": "day 2"})
    data["unavailable"].append({"id": "L0", "session": "day 1", "slots": [2]})
    ev.write_text(_toml(data), encoding="utf-8")
    out = tmp_path / "out"
    failed = run("schedule", prog, res, "--event", ev, "-o", out)
    assert failed.exit_code == 1, failed.output
    assert "L0 has 2 meetings but 1 free slot (unavailable: day 2; day 1 slot 2)" in failed.output
    assert "Traceback" not in failed.output
    assert not out.exists() and not list(tmp_path.glob(".out*"))
    partial = run("schedule", prog, res, "--event", ev, "-o", out, "--partial")
    assert partial.exit_code == 0, partial.output
    sched = load_schedule(out)
    assert sched.metrics.unscheduled == 1 and sched.status == "optimal"
    assert "unscheduled L0–R1" in partial.output


def test_existing_folder_is_replaced_only_when_it_holds_a_schedule(tmp_path: Path, files) -> None:
    *_, prog, res, ev, _ = files
    out = tmp_path / "out"
    assert run("schedule", prog, res, "--event", ev, "-o", out).exit_code == 0
    assert run("schedule", prog, res, "--event", ev, "-o", out).exit_code == 0
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    refused = run("schedule", prog, res, "--event", ev, "-o", out)
    assert refused.exit_code == 2 and "holds other files (notes.txt)" in refused.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_keep_via_cli_after_a_withdrawal(tmp_path: Path, files) -> None:
    *_, prog, res, ev, _ = files
    out = tmp_path / "old"
    assert run("schedule", prog, res, "--event", ev, "-o", out).exit_code == 0
    repaired = tmp_path / "repaired.json"
    new_prog = tmp_path / "repaired-programme.json"
    done = run("repair", prog, res, "--withdraw", "R0", "-o", repaired, "--programme-out", new_prog)
    assert done.exit_code == 0, done.output
    new = tmp_path / "new"
    kept = run(
        "schedule", new_prog, repaired, "--event", ev, "-o", new, "--keep", out / "schedule.json"
    )
    assert kept.exit_code == 0, kept.output
    old = {(m.left, m.right): (m.session, m.slot) for m in load_schedule(out).meetings}
    now = load_schedule(new)
    assert now.metrics.moved == 0
    for m in now.meetings:
        if (m.left, m.right) in old:
            assert old[m.left, m.right] == (m.session, m.slot)


def test_library_entry_point(files) -> None:
    programme, result, *_, data = files
    sched = pairing.schedule(programme, result, data)
    assert isinstance(sched, pairing.Schedule)
    assert schedule_violations(programme, result, event_from_data(data, programme), sched) == []


@pytest.mark.slow
def test_shipped_rules_event_proven_optimal_within_30_s(tmp_path: Path) -> None:
    bundle = REPO / "instances" / "double-hundred-rules"
    res = tmp_path / "result.json"
    assert run("solve", bundle, "-o", res).exit_code == 0
    out = tmp_path / "schedule"
    done = run(
        "schedule",
        bundle,
        res,
        "--event",
        REPO / "instances" / "double-hundred-rules-event.toml",
        "-o",
        out,
        "--time-limit",
        "30",
    )
    assert done.exit_code == 0, done.output
    sched = load_schedule(out)
    assert sched.metrics.scheduled == 168 and sched.status == "optimal"
    assert sched.solver.runtime_s <= 30


def test_check_and_report_with_a_schedule(tmp_path: Path, files) -> None:
    *_, prog, res, ev, _ = files
    out = tmp_path / "out"
    assert run("schedule", prog, res, "--event", ev, "-o", out).exit_code == 0
    ok = run("check", prog, res, "--schedule", out / "schedule.json", "--event", ev)
    assert ok.exit_code == 0, ok.output
    missing = run("check", prog, res, "--schedule", out / "schedule.json")
    assert missing.exit_code == 2 and "add --event" in missing.output
    doc = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    for m in doc["meetings"]:
        m["slot"] = 1
        m["start"], m["end"] = doc["meetings"][0]["start"], doc["meetings"][0]["end"]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(doc), encoding="utf-8")
    bad = run("check", prog, res, "--schedule", broken, "--event", ev)
    assert bad.exit_code == 1
    assert "schedule: L0 is in 2 meetings at once" in bad.output
    html = tmp_path / "report.html"
    done = run("report", prog, res, "-o", html, "--schedule", out / "schedule.json")
    assert done.exit_code == 0, done.output
    text = html.read_text(encoding="utf-8")
    assert "<section id='timetable'>" in text and text.index("timetable") < text.index("</main>")
    assert "=HYPERLINK(&quot;http://x&quot;)" in text  # names are escaped
    assert "booth Hall 3, B12" in text and "<th>table 1</th>" in text


def test_report_refuses_a_schedule_of_another_result(tmp_path: Path, files) -> None:
    _, _, prog, res, ev, _ = files
    out = tmp_path / "out"
    assert run("schedule", prog, res, "--event", ev, "-o", out).exit_code == 0
    doc = json.loads((out / "schedule.json").read_text(encoding="utf-8"))
    doc["meetings"][0]["right"] = "R9"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc), encoding="utf-8")
    refused = run("report", prog, res, "-o", tmp_path / "r.html", "--schedule", other)
    assert refused.exit_code == 2, refused.output
    assert "1 meeting(s) are not pairs of the result" in refused.output
    assert "1 pair(s) of the result are not in the schedule" in refused.output
    assert not (tmp_path / "r.html").exists()
