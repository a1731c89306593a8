"""The exact schedule: brute force on tiny events, explained failure, --partial, determinism,
re-scheduling, and the independent checker catching broken schedules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pairing
from pairing.errors import SolverTimeout
from pairing.scheduling import event_from_data, schedule
from pairing.scheduling.build import UnplaceableMeetings
from pairing.scheduling.checker import schedule_violations
from pairing.scheduling.explain import counting_lower_bound, counting_reasons
from pairing.scheduling.instance import build_instance
from pairing.scheduling.timetable import idle_slots
from schedule_cases import brute_force, case, event, tiny_events


def _earliness(sched, data) -> int:
    order = [
        (s["name"], k)
        for s in sorted(data["session"], key=lambda s: s["date"])
        for k in range(1, s["slots"] + 1)
    ]
    return sum(order.index((m.session, m.slot)) for m in sched.meetings)


@given(tiny_events())
@settings(max_examples=60)
def test_lexicographic_optimum_matches_brute_force(drawn) -> None:
    programme, result, data = drawn
    sched = schedule(programme, result, data, partial=True, time_limit=20)
    placed, score, idle, early = brute_force(programme, result, data)
    assert sched.status == "optimal"
    assert sched.metrics.scheduled == placed
    assert round(sum(m.score for m in sched.meetings), 6) == pytest.approx(score, abs=1e-6)
    assert sched.metrics.idle_slots_total == idle
    assert _earliness(sched, data) == early
    assert schedule_violations(programme, result, event_from_data(data, programme), sched) == []
    # the counting arguments are sound: they never claim more than brute force proves
    instance = build_instance(programme, result, event_from_data(data, programme))
    assert counting_lower_bound(instance) <= len(result.pairs) - placed
    if counting_reasons(instance):
        assert placed < len(result.pairs)
    if placed < len(result.pairs):
        with pytest.raises(UnplaceableMeetings):
            schedule(programme, result, data, time_limit=20)


@given(tiny_events(), st.integers(0, 2**16))
@settings(max_examples=40)
def test_keep_moves_the_fewest_meetings_like_brute_force(drawn, salt) -> None:
    programme, result, data = drawn
    old = schedule(programme, result, data, partial=True)
    # the delegation of one enterprise of the first meeting now leaves one slot early
    changed = dict(data, unavailable=list(data["unavailable"]))
    if old.meetings:
        first = old.meetings[salt % len(old.meetings)]
        changed["unavailable"].append(
            {"id": first.left, "session": first.session, "slots": [first.slot]}
        )
    new = schedule(programme, result, changed, partial=True, keep=old)
    before = {(m.left, m.right): (m.session, m.slot) for m in old.meetings}
    placed, score, kept, idle, _ = brute_force(programme, result, changed, before)
    assert new.metrics.scheduled == placed
    assert round(sum(m.score for m in new.meetings), 6) == pytest.approx(score, abs=1e-6)
    assert sum(before.get((m.left, m.right)) == (m.session, m.slot) for m in new.meetings) == kept
    assert new.metrics.idle_slots_total == idle
    assert new.metrics.moved == sum(
        1
        for pair, was in before.items()
        if was
        != next(((m.session, m.slot) for m in new.meetings if (m.left, m.right) == pair), None)
    )


def test_idle_slots_definition() -> None:
    assert idle_slots([1, 4], range(1, 7)) == 2
    assert idle_slots([1, 4], [1, 3, 4]) == 1  # slot 2 unavailable: not idle
    assert idle_slots([5], range(1, 7)) == 0


def test_fewest_idle_slots_beat_the_earliest_schedule() -> None:
    # L0 meets R0 and R1; R1 is unavailable in slot 2, so {1, 3} would leave an idle slot,
    # {2, 3} does not — the later but compact agenda wins (idle slots come before earliness).
    programme, result = case(1, 2, [(0, 0), (0, 1)])
    data = event([3], unavailable=[{"id": "R1", "session": "day 1", "slots": [1, 2]}])
    sched = schedule(programme, result, data)
    assert sorted(m.slot for m in sched.meetings) == [2, 3]
    assert sched.metrics.idle_slots_total == 0


def test_overloaded_enterprise_is_explained_per_meeting() -> None:
    programme, result = case(1, 3, [(0, 0), (0, 1), (0, 2)])
    data = event([2, 2], unavailable=[{"id": "L0", "session": "day 1"}])
    with pytest.raises(UnplaceableMeetings) as info:
        schedule(programme, result, data)
    text = str(info.value)
    assert "2 of 3 meetings cannot be placed" not in text  # only one cannot
    assert "1 of 3 meetings cannot be placed" in text
    assert "L0 has 3 meetings but 2 free slots (unavailable: day 1)" in text
    assert isinstance(info.value, pairing.Infeasible)
    partial = schedule(programme, result, data, partial=True)
    assert partial.metrics.scheduled == 2 and partial.metrics.unscheduled == 1
    (left_out,) = partial.unscheduled
    assert left_out.right == "R2"  # the lowest score is left out
    assert left_out.reasons == ["L0 has 3 meetings but 2 free slots (unavailable: day 1)"]


def test_no_common_slot_and_tables_are_explained() -> None:
    programme, result = case(2, 2, [(0, 0), (1, 1)])
    data = event(
        [2],
        tables=1,
        unavailable=[
            {"id": "L0", "session": "day 1", "slots": [1]},
            {"id": "R0", "session": "day 1", "slots": [2]},
        ],
    )
    partial = schedule(programme, result, data, partial=True)
    (left_out,) = partial.unscheduled
    assert left_out.reasons == [
        "L0 and R0 have no free slot in common (L0 unavailable: day 1 slot 1; "
        "R0 unavailable: day 1 slot 2)"
    ]
    programme, result = case(3, 3, [(0, 0), (1, 1), (2, 2)])
    data = event([2], tables=1)
    partial = schedule(programme, result, data, partial=True)
    assert partial.metrics.scheduled == 2
    assert partial.unscheduled[0].reasons == [
        "session day 1 needs 3 table-slots, 2 exist (1 table × 2 slots)"
    ]
    data = event([2], tables=1, booth=[{"id": "L2", "name": "Hall 2"}])
    full = schedule(programme, result, data)
    assert full.metrics.scheduled == 3
    assert [m.booth for m in full.meetings if m.left == "L2"] == ["Hall 2"]


def test_single_slot_table_count_and_max_per_session() -> None:
    programme, result = case(3, 3, [(0, 0), (1, 1), (2, 2)])
    only_first = [{"id": f"L{k}", "session": "day 1", "slots": [2, 3]} for k in range(3)]
    data = event([3], tables=2, unavailable=only_first)
    partial = schedule(programme, result, data, partial=True)
    assert "slot 1 of day 1 needs 3 tables, 2 exist" in partial.unscheduled[0].reasons
    programme, result = case(1, 3, [(0, 0), (0, 1), (0, 2)])
    data = event([3, 3], max_per_session=1)
    partial = schedule(programme, result, data, partial=True)
    assert partial.unscheduled[0].reasons == [
        "L0 has 3 meetings but 2 free slots (max_per_session 1)"
    ]


def test_same_input_and_seed_same_schedule() -> None:
    programme, result = case(3, 3, [(i, j) for i in range(3) for j in range(3) if (i + j) % 2 == 0])
    data = event([3, 3], tables=2, unavailable=[{"id": "R0", "session": "day 1", "slots": [1]}])
    first = schedule(programme, result, data, seed=3)
    second = schedule(programme, result, data, seed=3)
    assert first.without_runtime() == second.without_runtime()


def test_keep_moves_as_few_meetings_as_possible() -> None:
    programme, result = case(2, 2, [(0, 0), (0, 1), (1, 0), (1, 1)])
    data = event([2, 2], tables=2)
    old = schedule(programme, result, data)
    again = schedule(programme, result, data, keep=old)
    assert again.metrics.moved == 0
    assert [(m.left, m.right, m.session, m.slot) for m in again.meetings] == [
        (m.left, m.right, m.session, m.slot) for m in old.meetings
    ]
    # An old meeting's slot is now taken by an unavailability: only that meeting moves,
    # even though moving others would make the agenda earlier.
    first = old.meetings[0]
    data["unavailable"] = [{"id": first.left, "session": first.session, "slots": [first.slot]}]
    moved = schedule(programme, result, data, keep=old)
    assert moved.metrics.moved == 1
    assert schedule_violations(programme, result, event_from_data(data, programme), moved) == []


def test_time_limit_without_full_schedule_is_a_timeout_or_proof() -> None:
    programme, result = case(3, 3, [(i, j) for i in range(3) for j in range(3)])
    data = event([2], tables=9)
    with pytest.raises((UnplaceableMeetings, SolverTimeout)) as info:
        schedule(programme, result, data, time_limit=5)
    assert "L0 has 3 meetings but 2 free slots" in str(info.value)


def test_checker_finds_every_broken_rule() -> None:
    programme, result = case(2, 2, [(0, 0), (0, 1), (1, 1)])
    data = event(
        [3],
        tables=1,
        max_per_session=2,
        unavailable=[{"id": "R1", "session": "day 1", "slots": [1]}],
    )
    ev = event_from_data(data, programme)
    good = schedule(programme, result, ev)
    assert schedule_violations(programme, result, ev, good) == []
    meetings = [
        m.model_copy(
            update={
                "slot": 1,
                "start": good.meetings[0].start,
                "end": good.meetings[0].end,
                "table": 2,
            }
        )
        for m in good.meetings
    ]
    bad = good.model_copy(update={"meetings": meetings})
    found = "\n".join(schedule_violations(programme, result, ev, bad))
    for piece in (
        "L0 is in 2 meetings at once",
        "R1 is unavailable in slot 1 of 'day 1'",
        "needs a table 1..1, found table 2",
        "slot 1 of 'day 1' uses 3 tables, 1 exist",
        "metrics.busiest_slot does not match",
    ):
        assert piece in found, found
    dropped = good.model_copy(update={"meetings": good.meetings[1:]})
    assert any("listed 0 times" in p for p in schedule_violations(programme, result, ev, dropped))
    wrong_time = good.model_copy(
        update={
            "meetings": [
                good.meetings[0].model_copy(update={"start": "2026-09-01T09:00:00+00:00"}),
                *good.meetings[1:],
            ]
        }
    )
    assert any("do not match" in p for p in schedule_violations(programme, result, ev, wrong_time))


def test_minimal_conflicting_set_when_no_counting_argument_applies() -> None:
    # L1–R1 must take slot 1 (L1 away in slot 2), so L0–R1 takes slot 2, so L0–R0 has no slot
    # (R0 away in slot 1). No enterprise is overloaded and every pair shares a free slot.
    programme, result = case(2, 2, [(0, 0), (0, 1), (1, 1)])
    data = event(
        [2],
        unavailable=[
            {"id": "L1", "session": "day 1", "slots": [2]},
            {"id": "R0", "session": "day 1", "slots": [1]},
        ],
    )
    partial = schedule(programme, result, data, partial=True)
    (left_out,) = partial.unscheduled
    assert (left_out.left, left_out.right) == ("L1", "R1")  # the lowest score
    (reason,) = left_out.reasons
    assert reason.startswith(
        "cannot be placed together with L0–R0, L0–R1: these 3 meetings cannot all fit the rules"
    )
    with pytest.raises(UnplaceableMeetings, match="minimal conflicting set"):
        schedule(programme, result, data)


def test_more_workers_reach_the_same_optimum() -> None:
    programme, result = case(3, 3, [(i, j) for i in range(3) for j in range(3) if (i + j) % 2 == 0])
    data = event([3, 3], tables=2, unavailable=[{"id": "R0", "session": "day 1", "slots": [1]}])
    one = schedule(programme, result, data)
    two = schedule(programme, result, data, workers=2)
    assert two.status == one.status == "optimal" and two.solver.workers == 2
    assert [s.value for s in two.solver.stages] == [s.value for s in one.solver.stages]


def test_slot_times_across_a_daylight_saving_change() -> None:
    # Berlin moves from +01:00 to +02:00 at 02:00 on 29 March 2026: four 30-minute slots from
    # 01:00 run 01:00, 01:30, then 03:00 and 03:30 local time (real time is continuous).
    programme, result = case(1, 4, [(0, 0), (0, 1), (0, 2), (0, 3)])
    data = event([4], timezone="Europe/Berlin")
    data["session"][0].update(date="2026-03-29", start="01:00")
    sched = schedule(programme, result, data)
    starts = sorted(m.start for m in sched.meetings)
    assert starts == [
        "2026-03-29T01:00:00+01:00",
        "2026-03-29T01:30:00+01:00",
        "2026-03-29T03:00:00+02:00",
        "2026-03-29T03:30:00+02:00",
    ]
    assert schedule_violations(programme, result, event_from_data(data, programme), sched) == []


def test_keep_ignores_a_session_that_no_longer_exists() -> None:
    programme, result = case(1, 2, [(0, 0), (0, 1)])
    old = schedule(programme, result, event([1, 1]))
    data = event([2])
    data["session"][0]["name"] = "new day"
    new = schedule(programme, result, data, keep=old)
    assert new.metrics.scheduled == 2 and new.status == "optimal"


def test_bad_options_are_input_errors() -> None:
    programme, result = case(1, 1, [(0, 0)])
    with pytest.raises(pairing.InvalidProgramme, match="time_limit > 0"):
        schedule(programme, result, event([1]), time_limit=0)
    with pytest.raises(pairing.InvalidProgramme, match="workers ≥ 1"):
        schedule(programme, result, event([1]), workers=0)
