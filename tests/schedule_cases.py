"""Small scheduling cases for the tests: programmes whose result has exactly the pairs we want,
events as plain dicts, a hypothesis strategy for tiny events, and a brute-force scheduler."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from hypothesis import strategies as st

import pairing
from pairing.model.programme import Programme
from pairing.model.result import Result
from strategies import programme_from_matrix


def case(
    n_left: int, n_right: int, edges: list[tuple[int, int]], names: dict[str, str] | None = None
) -> tuple[Programme, Result]:
    """A programme whose optimal result pairs exactly ``edges`` (scores distinct, others NaN)."""
    scores = np.full((n_left, n_right), np.nan)
    for k, (i, j) in enumerate(edges):
        scores[i, j] = 0.9 - 0.01 * k
    programme = programme_from_matrix(scores, [(0, n_right)] * n_left, [(0, n_left)] * n_right)
    if names:
        data = programme.model_dump()
        for side in ("left", "right"):
            for e in data[side]["enterprises"]:
                e["name"] = names.get(e["id"], e["name"])
        programme = Programme.model_validate(data)
    result = pairing.solve(programme, objective="total")
    assert sorted(result.pair_ids()) == sorted((f"L{i}", f"R{j}") for i, j in edges)
    return programme, result


def event(sessions: list[int], **extra: Any) -> dict[str, Any]:
    """An event dict with sessions of the given slot counts, 30-minute meetings, Shanghai time."""
    data: dict[str, Any] = {
        "name": "test event",
        "timezone": "Asia/Shanghai",
        "meeting_minutes": 30,
        "tables": 10,
        "session": [
            {"name": f"day {k + 1}", "date": f"2026-09-0{k + 1}", "start": "09:00", "slots": n}
            for k, n in enumerate(sessions)
        ],
    }
    data.update(extra)
    return data


@st.composite
def tiny_events(draw: st.DrawFn) -> tuple[Programme, Result, dict[str, Any]]:
    """Up to 5 meetings between 1–3 enterprises a side, 1–2 sessions of 1–4 slots, random
    tables, max_per_session, unavailability and booths."""
    n_left = draw(st.integers(1, 3))
    n_right = draw(st.integers(1, 3))
    cells = list(itertools.product(range(n_left), range(n_right)))
    edges = draw(
        st.lists(st.sampled_from(cells), min_size=1, max_size=min(5, len(cells)), unique=True)
    )
    programme, result = case(n_left, n_right, sorted(edges))
    sessions = draw(st.lists(st.integers(1, 4), min_size=1, max_size=2))
    data = event(sessions, tables=draw(st.integers(0, 3)))
    if draw(st.booleans()):
        data["max_per_session"] = draw(st.integers(1, 2))
    unavailable = []
    for side, n in (("L", n_left), ("R", n_right)):
        for k in range(n):
            if draw(st.integers(0, 2)) == 0:
                s = draw(st.integers(0, len(sessions) - 1))
                entry: dict[str, Any] = {"id": f"{side}{k}", "session": f"day {s + 1}"}
                if draw(st.booleans()):
                    entry["slots"] = [draw(st.integers(1, sessions[s]))]
                unavailable.append(entry)
    data["unavailable"] = unavailable
    if draw(st.booleans()):
        data["booth"] = [{"id": f"L{draw(st.integers(0, n_left - 1))}", "name": "B1"}]
    return programme, result, data


def brute_force(
    programme: Programme,
    result: Result,
    data: dict[str, Any],
    old: dict[tuple[str, str], tuple[str, int]] | None = None,
) -> tuple:
    """The lexicographic optimum by enumeration: (placed, total score, idle slots, earliness),
    or with ``old`` ((left, right) → (session, slot)): (placed, score, kept, idle, earliness).

    Written from the rules in the design, sharing nothing with the solver.
    """
    slots = [
        (s["name"], k)
        for s in sorted(data["session"], key=lambda s: s["date"])
        for k in range(1, s["slots"] + 1)
    ]
    away = set()
    sizes = {s["name"]: s["slots"] for s in data["session"]}
    for u in data.get("unavailable", []):
        for k in u.get("slots") or range(1, sizes[u["session"]] + 1):
            away.add((u["id"], u["session"], k))
    booth_ids = {b["id"] for b in data.get("booth", [])}
    pairs = [(p.left, p.right, p.score) for p in result.pairs]
    best = None
    for choice in itertools.product(range(-1, len(slots)), repeat=len(pairs)):
        used: set = set()
        tables: dict[int, int] = {}
        per_session: dict = {}
        ok = True
        for (a, b, _), t in zip(pairs, choice, strict=True):
            if t < 0:
                continue
            name, k = slots[t]
            for e in (a, b):
                if (e, t) in used or (e, name, k) in away:
                    ok = False
                used.add((e, t))
                per_session[e, name] = per_session.get((e, name), 0) + 1
                if per_session[e, name] > data.get("max_per_session", 99):
                    ok = False
            if a not in booth_ids and b not in booth_ids:
                tables[t] = tables.get(t, 0) + 1
                if tables[t] > data["tables"]:
                    ok = False
        if not ok:
            continue
        placed = sum(t >= 0 for t in choice)
        score = round(sum(s for (_, _, s), t in zip(pairs, choice, strict=True) if t >= 0), 6)
        idle = 0
        for e in {x for a, b, _ in pairs for x in (a, b)}:
            for name in sizes:
                mine = [
                    slots[t][1] for t in range(len(slots)) if (e, t) in used and slots[t][0] == name
                ]
                if len(mine) >= 2:
                    idle += sum(
                        1
                        for k in range(min(mine) + 1, max(mine))
                        if k not in mine and (e, name, k) not in away
                    )
        early = sum(t for t in choice if t >= 0)
        kept = sum(
            1
            for (a, b, _), t in zip(pairs, choice, strict=True)
            if t >= 0 and old is not None and old.get((a, b)) == slots[t]
        )
        key = (-placed, -score, -kept, idle, early)
        if best is None or key < best:
            best = key
    assert best is not None
    if old is None:
        return (-best[0], -best[1], best[3], best[4])
    return (-best[0], -best[1], -best[2], best[3], best[4])
