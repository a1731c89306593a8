"""event.toml: every problem reported at once, naming the key; exit 2 and nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pairing.cli import main
from pairing.errors import InvalidProgramme
from pairing.scheduling import event_from_data, load_event
from schedule_cases import case, event

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "instances" / "double-hundred-rules-event.toml"


@pytest.fixture(scope="module")
def small():
    return case(2, 2, [(0, 0), (0, 1), (1, 1)])


def _issues(data, programme) -> list[str]:
    with pytest.raises(InvalidProgramme) as info:
        event_from_data(data, programme, source="event.toml")
    return [str(i) for i in info.value.issues]


def test_valid_event_orders_sessions_and_resolves_ids(small) -> None:
    programme, _ = small
    data = event([3, 2], unavailable=[{"id": "R1", "session": "day 2", "slots": [2]}])
    data["session"].reverse()
    data["booth"] = [{"id": "L0", "name": "Hall 1"}]
    ev = event_from_data(data, programme)
    assert [s.name for s in ev.sessions] == ["day 1", "day 2"]
    assert [(s.session, s.number) for s in ev.slots] == [(0, 1), (0, 2), (0, 3), (1, 1), (1, 2)]
    assert ev.slots[1].start.isoformat() == "2026-09-01T09:30:00+08:00"
    assert ev.unavailable_slots("right", "R1") == {4}
    assert ev.booth_of("left", "L0") is not None and ev.booth_of("right", "R0") is None


def test_every_problem_at_once(small) -> None:
    programme, _ = small
    data = event([3, 2], timezone="Asia/Shangai", max_per_session=0)
    data["session"][1]["date"] = "2026-09-01"  # now overlaps day 1 (09:00–10:30)
    data["session"].append({"name": "day 1", "date": "2026-09-09", "start": "25:00"})
    data["unavailable"] = [
        {"id": "CN-404", "session": "day 1"},
        {"id": "L0", "session": "day 9"},
        {"id": "R1", "session": "day 2", "slots": [3]},
    ]
    data["booth"] = [{"id": "L1"}, {"id": "L1", "name": "again"}]
    data["colour"] = "blue"
    issues = _issues(data, programme)
    text = "\n".join(issues)
    expected = [
        "key 'timezone': unknown timezone 'Asia/Shangai'; use an IANA name "
        "(did you mean 'Asia/Shanghai'?)",
        "key 'max_per_session': expected a whole number ≥ 1, found 0",
        "key 'colour': unknown key 'colour'",
        "[[session]] #3 ('day 1'), key 'name': session 'day 1' is defined 2 times",
        "[[session]] #3 ('day 1'), key 'start': "
        "expected a local time like \"09:00\", found '25:00'",
        "[[session]] #3 ('day 1'), key 'slots': missing",
        "[[unavailable]] #1, key 'id': 'CN-404' is not an enterprise of the programme",
        "[[unavailable]] #2, key 'session': no session named 'day 9'",
        "[[unavailable]] #3, key 'slots': "
        "slot(s) 3 outside session 'day 2', which has slots 1 to 2",
        "[[booth]] #2, key 'id': 'L1' already has a booth",
    ]
    for piece in expected:
        assert piece in text, f"missing {piece!r} in:\n{text}"
    assert all(i.startswith("event.toml, ") for i in issues)


def test_overlapping_sessions(small) -> None:
    programme, _ = small
    data = event([3, 2])
    data["session"][1].update(date="2026-09-01", start="10:00")
    (issue,) = _issues(data, programme)
    assert "overlaps session 'day 1', which runs until 10:30 on 2026-09-01" in issue


def test_top_level_key_after_a_table_header_is_explained(small) -> None:
    programme, _ = small
    data = event([2])
    data["session"][0]["tables"] = 4
    issues = _issues(data, programme)
    assert any(
        "'tables' is a top-level key, but it follows this table's header" in i for i in issues
    )


def test_missing_keys_and_ambiguous_id(tmp_path) -> None:
    programme, _ = case(1, 1, [(0, 0)])
    data = programme.model_dump()
    data["right"]["enterprises"][0]["id"] = "L0"  # the same id on both sides
    from pairing.model.programme import Programme

    twin = Programme.model_validate(data)
    issues = _issues({"session": [], "unavailable": [{"id": "L0", "session": "x"}]}, twin)
    text = "\n".join(issues)
    for piece in (
        "key 'timezone': missing",
        "key 'meeting_minutes': missing",
        "key 'tables': missing",
        "no session; add at least one [[session]]",
        '\'L0\' is an id on both sides; add side = "left" or side = "right"',
    ):
        assert piece in text, text
    ok = event([1], unavailable=[{"id": "L0", "side": "PK", "session": "day 1"}])
    assert event_from_data(ok, twin).unavailable[0].side == "right"


def test_broken_toml_names_the_file(tmp_path, small) -> None:
    path = tmp_path / "event.toml"
    path.write_text('timezone = "UTC"\ntables = [\n', encoding="utf-8")
    with pytest.raises(InvalidProgramme, match="not valid TOML"):
        load_event(path, small[0])


def test_shipped_example_event_is_valid() -> None:
    import pairing

    programme = pairing.load(REPO / "instances" / "double-hundred-rules")
    ev = load_event(EXAMPLE, programme)
    assert len(ev.slots) == 12 and len(ev.booths) == 2 and ev.tables == 14


def test_cli_exit_2_and_nothing_written(tmp_path, small) -> None:
    programme, result = small
    prog = tmp_path / "programme.json"
    prog.write_text(programme.model_dump_json(), encoding="utf-8")
    res = tmp_path / "result.json"
    res.write_text(result.to_json(), encoding="utf-8")
    bad = tmp_path / "event.toml"
    bad.write_text(
        'timezone = "Mars/Olympus"\nmeeting_minutes = 30\ntables = 2\n'
        '[[session]]\nname = "a"\ndate = "2026-09-01"\nstart = "09:00"\nslots = 99x\n',
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main, ["schedule", str(prog), str(res), "--event", str(bad), "-o", str(out)]
    )
    assert run.exit_code == 2, run.output
    assert "not valid TOML" in run.output and "Traceback" not in run.output
    bad.write_text(
        'timezone = "Mars/Olympus"\nmeeting_minutes = 30\ntables = 2\n'
        '[[session]]\nname = "a"\ndate = "2026-09-01"\nstart = "09:00"\nslots = 2\n'
        '[[unavailable]]\nid = "nobody"\nsession = "a"\n',
        encoding="utf-8",
    )
    run = CliRunner().invoke(
        main, ["schedule", str(prog), str(res), "--event", str(bad), "-o", str(out)]
    )
    assert run.exit_code == 2, run.output
    assert "2 problems" in run.output and "Mars/Olympus" in run.output and "'nobody'" in run.output
    assert not out.exists()
    assert json.loads(res.read_text())  # inputs untouched
