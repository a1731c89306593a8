"""Meeting schedules: CP-SAT against its greedy start, on placed meetings, idle slots and time.

Run from the repository root (it takes two to three minutes)::

    .venv/bin/python benchmarks/schedule_bench.py [--time-limit 50]

Instances (all synthetic; ids as ``pairing generate`` makes them):

- ``rules``: the shipped ``instances/double-hundred-rules`` result (168 meetings) at
  ``instances/double-hundred-rules-event.toml`` (2 sessions × 6 slots, 14 tables, 2 booths);
- ``rules-13``: the same with 13 tables, so 6 meetings cannot be placed (``--partial``);
- ``rules-busy``: the same event with one session of 6 slots per day dropped to 4 and
  ``max_per_session = 3``, so agendas are dense and idle slots are hard to avoid;
- ``rules-scattered``: 15 tables, ``max_per_session = 3``, and every third enterprise away in
  two random middle slots (seeded), which breaks agendas into pieces;
- ``large``: 250 × 250 enterprises with four partners each (1,000 meetings) at
  ``benchmarks/schedule/event-1000.toml`` (3 sessions × 8 slots, 44 tables, 4 booths).

Prints one Markdown table; wall time is the library call (greedy + CP-SAT + explanation +
check), not the CLI's loading and writing.
"""

from __future__ import annotations

import argparse
import time
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

import pairing
from pairing.generator import generate
from pairing.model.programme import Capacity
from pairing.scheduling import event_from_data, schedule
from pairing.scheduling.greedy import greedy_schedule
from pairing.scheduling.instance import build_instance

ROOT = Path(__file__).resolve().parent.parent


def _event(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _large() -> tuple[pairing.Programme, pairing.Result, dict[str, Any]]:
    programme = generate(250, 250, seed=7)
    data = programme.model_dump()
    for side in ("left", "right"):
        for e in data[side]["enterprises"]:
            e["capacity"] = Capacity(min=4, max=4).model_dump()
    programme = pairing.Programme.model_validate(data)
    result = pairing.solve(programme)
    return programme, result, _event(ROOT / "benchmarks" / "schedule" / "event-1000.toml")


def _cases() -> list[tuple[str, pairing.Programme, pairing.Result, dict[str, Any]]]:
    rules = pairing.load(ROOT / "instances" / "double-hundred-rules")
    result = pairing.solve(rules)
    base = _event(ROOT / "instances" / "double-hundred-rules-event.toml")
    tight = dict(base, tables=13)
    busy = dict(base, max_per_session=3, tables=16)
    busy["session"] = [dict(s, slots=4) for s in base["session"]]
    busy["unavailable"] = [u for u in base["unavailable"] if u.get("slots", [0])[-1] <= 4]
    scattered = dict(base, tables=15, max_per_session=3)
    rng = np.random.default_rng(2026)
    ids = [p.left for p in result.pairs] + [p.right for p in result.pairs]
    scattered["unavailable"] = [
        {"id": who, "session": base["session"][int(s)]["name"], "slots": [int(k)]}
        for who in sorted(set(ids))[::3]
        for s, k in zip(rng.integers(0, 2, 2), rng.integers(2, 6, 2), strict=True)
    ]
    return [
        ("rules", rules, result, base),
        ("rules-13", rules, result, tight),
        ("rules-busy", rules, result, busy),
        ("rules-scattered", rules, result, scattered),
        ("large", *_large()),
    ]


def _idle(instance: Any, slot: Any) -> int:
    from pairing.scheduling.build import _idle_metrics

    return _idle_metrics(instance, slot)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=50.0)
    args = parser.parse_args()
    print(
        "| instance | meetings | slots | tables | greedy placed | greedy idle | greedy earliness "
        "| greedy s | CP-SAT placed | CP-SAT idle | status | gap | stages (value/bound) | wall s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, programme, result, data in _cases():
        event = event_from_data(data, programme)
        instance = build_instance(programme, result, event)
        began = time.perf_counter()
        start = greedy_schedule(instance)
        greedy_s = time.perf_counter() - began
        began = time.perf_counter()
        sched = schedule(programme, result, event, time_limit=args.time_limit, partial=True)
        wall = time.perf_counter() - began
        stages = ", ".join(f"{s.name} {s.value}/{s.bound}" for s in sched.solver.stages)
        print(
            f"| {name} | {len(result.pairs)} | {len(event.slots)} | {event.tables} "
            f"| {int((start >= 0).sum())} | {_idle(instance, start)} "
            f"| {int(start[start >= 0].sum())} | {greedy_s:.2f} "
            f"| {sched.metrics.scheduled} | {sched.metrics.idle_slots_total} | {sched.status} "
            f"| {sched.solver.gap:.2%} | {stages} | {wall:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
