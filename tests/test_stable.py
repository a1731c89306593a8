"""The ``stable`` solver: known answers, a loop-based reference, stability and its limits.

Preference lists are encoded as gains through tags: right enterprise ``j`` offers tag ``R:j``
at level 1 and left ``i`` needs it at a level that decreases with ``j``'s rank in ``i``'s list,
so ``gain_left[i, j]`` (the need-weighted share) ranks exactly as the list; the same the other
way round. Pairs missing from either list are forbidden (unacceptable).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pairing
from pairing.core.problem import Problem
from pairing.diagnostics.stability import count_blocking_pairs
from pairing.errors import Infeasible, UnsupportedProblem
from pairing.solvers import stable
from pairing.solvers.base import SolveOptions

FIXTURES = Path(__file__).parent / "data" / "external" / "small_fixtures"
CASES = json.loads((FIXTURES / "matching_cases.json").read_text())


def programme_from_preferences(
    left_prefs: dict[str, list[str]],
    right_prefs: dict[str, list[str]],
    left_caps: dict[str, int] | None = None,
    right_caps: dict[str, int] | None = None,
    rules: dict | None = None,
) -> pairing.Programme:
    """A programme whose gains induce exactly the given (partial) preference lists."""
    left_ids, right_ids = list(left_prefs), list(right_prefs)

    def needs(prefs: list[str], tag: str) -> dict[str, float]:
        return {f"{tag}:{other}": (len(prefs) - k) / len(prefs) for k, other in enumerate(prefs)}

    left = [
        pairing.Enterprise(
            id=i, capabilities={f"L:{i}": 1.0}, needs=needs(left_prefs[i], "R"),
            capacity=pairing.Capacity(min=0, max=(left_caps or {}).get(i, 1)),
        )
        for i in left_ids
    ]
    right = [
        pairing.Enterprise(
            id=j, capabilities={f"R:{j}": 1.0}, needs=needs(right_prefs[j], "L"),
            capacity=pairing.Capacity(min=0, max=(right_caps or {}).get(j, 1)),
        )
        for j in right_ids
    ]
    forbidden = [
        (i, j) for i in left_ids for j in right_ids
        if j not in left_prefs[i] or i not in right_prefs[j]
    ]
    return pairing.Programme(
        left=pairing.Side(label="A", enterprises=left),
        right=pairing.Side(label="B", enterprises=right),
        rules=pairing.Rules(forbidden=forbidden, **(rules or {})),
    )


def reference_deferred_acceptance(
    prop_gain: np.ndarray, recv_gain: np.ndarray, acceptable: np.ndarray,
    prop_cap: list[int], recv_cap: list[int],
) -> set[tuple[int, int]]:
    """Textbook one-proposal-at-a-time deferred acceptance, plain loops (many-to-many)."""
    n_p, n_r = prop_gain.shape
    prefs = [
        sorted((r for r in range(n_r) if acceptable[p, r]),
               key=lambda r, p=p: (-prop_gain[p, r], r))
        for p in range(n_p)
    ]
    next_choice = [0] * n_p
    held: dict[int, list[int]] = {r: [] for r in range(n_r)}
    partners = [0] * n_p
    free = [p for p in range(n_p)]
    while free:
        p = free.pop()
        while partners[p] < prop_cap[p] and next_choice[p] < len(prefs[p]):
            r = prefs[p][next_choice[p]]
            next_choice[p] += 1
            if recv_cap[r] == 0:
                continue
            held[r].append(p)
            partners[p] += 1
            held[r].sort(key=lambda q, r=r: (-recv_gain[q, r], q))
            if len(held[r]) > recv_cap[r]:
                loser = held[r].pop()
                partners[loser] -= 1
                if loser != p:
                    free.append(loser)
    return {(p, r) for r, ps in held.items() for p in ps}


def _problem(gl: np.ndarray, gr: np.ndarray, allowed: np.ndarray, cap_l: list[int],
             cap_r: list[int], min_l: list[int] | None = None) -> Problem:
    n_l, n_r = gl.shape
    return Problem(
        score=np.sqrt(gl * gr).astype(np.float32), gain_left=gl, gain_right=gr, allowed=allowed,
        cap_min_left=np.asarray(min_l or [0] * n_l, dtype=np.int64),
        cap_max_left=np.asarray(cap_l, dtype=np.int64),
        cap_min_right=np.zeros(n_r, dtype=np.int64),
        cap_max_right=np.asarray(cap_r, dtype=np.int64),
        required=np.empty((0, 2), dtype=np.intp),
        left_ids=tuple(f"L{i}" for i in range(n_l)), right_ids=tuple(f"R{j}" for j in range(n_r)),
    )


# --- known answers (daffidwilde/matching test suite) ----------------------------------------

@pytest.mark.parametrize("case", CASES["stable_marriage"], ids=lambda c: c["id"])
def test_stable_marriage_suitor_optimal(case: dict) -> None:
    programme = programme_from_preferences(case["suitor_prefs"], case["reviewer_prefs"])
    result = pairing.solve(programme, objective="stable", proposing="left")
    assert dict(result.pair_ids()) == case["expected_suitor_optimal"]
    assert result.status == "optimal"
    assert result.metrics.blocking_pairs == 0
    pairing.check(programme, result)


@pytest.mark.parametrize("case", CASES["stable_marriage"], ids=lambda c: c["id"])
def test_stable_marriage_reviewer_proposing_is_the_mirror(case: dict) -> None:
    """Right-proposing on (suitors, reviewers) = left-proposing with the sides swapped."""
    programme = programme_from_preferences(case["suitor_prefs"], case["reviewer_prefs"])
    mirrored = programme_from_preferences(case["reviewer_prefs"], case["suitor_prefs"])
    right = pairing.solve(programme, objective="stable", proposing="right")
    swapped = pairing.solve(mirrored, objective="stable", proposing="left")
    assert set(right.pair_ids()) == {(b, a) for a, b in swapped.pair_ids()}
    pairing.check(programme, right)


@pytest.mark.parametrize("case", CASES["hospital_resident"], ids=lambda c: c["id"])
def test_hospital_resident_resident_optimal(case: dict) -> None:
    programme = programme_from_preferences(
        case["resident_prefs"], case["hospital_prefs"], right_caps=case["capacities"]
    )
    result = pairing.solve(programme, objective="stable")  # residents (left) propose
    got: dict[str, set[str]] = {h: set() for h in case["hospital_prefs"]}
    for resident, hospital in result.pair_ids():
        got[hospital].add(resident)
    assert got == {h: set(rs) for h, rs in case["expected_resident_optimal"].items()}
    pairing.check(programme, result)


# --- the reference implementation, both proposing sides -------------------------------------

@st.composite
def markets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int], list[int]]:
    n_l, n_r = draw(st.integers(1, 7)), draw(st.integers(1, 7))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    grid = draw(st.sampled_from([4, 1000]))  # coarse grids force ties
    gl = (rng.integers(0, grid + 1, (n_l, n_r)) / grid).astype(np.float32)
    gr = (rng.integers(0, grid + 1, (n_l, n_r)) / grid).astype(np.float32)
    allowed = rng.random((n_l, n_r)) >= draw(st.sampled_from([0.0, 0.3]))
    cap_l = [int(c) for c in rng.integers(0, draw(st.integers(1, 3)) + 1, n_l)]
    cap_r = [int(c) for c in rng.integers(0, draw(st.integers(1, 3)) + 1, n_r)]
    return gl, gr, allowed, cap_l, cap_r


@given(market=markets(), proposing=st.sampled_from(["left", "right"]))
def test_matches_loop_reference_and_is_stable(market: tuple, proposing: str) -> None:
    gl, gr, allowed, cap_l, cap_r = market
    problem = _problem(gl, gr, allowed, cap_l, cap_r)
    got = stable.solve(problem, SolveOptions(objective="stable", proposing=proposing))
    if proposing == "left":
        expected = reference_deferred_acceptance(gl, gr, allowed, cap_l, cap_r)
    else:
        flipped = reference_deferred_acceptance(gr.T, gl.T, allowed.T, cap_r, cap_l)
        expected = {(i, j) for j, i in flipped}
    assert set(zip(got.left.tolist(), got.right.tolist(), strict=True)) == expected
    assert count_blocking_pairs(problem, got.left, got.right) == 0
    assert np.all(np.bincount(got.left, minlength=len(cap_l)) <= cap_l)
    assert np.all(np.bincount(got.right, minlength=len(cap_r)) <= cap_r)
    assert allowed[got.left, got.right].all()


@settings(max_examples=15)
@given(seed=st.integers(0, 2**32 - 1), proposing=st.sampled_from(["left", "right"]))
def test_programmes_with_capacities_pass_the_validator(seed: int, proposing: str) -> None:
    rng = np.random.default_rng(seed)
    n_l, n_r = int(rng.integers(2, 7)), int(rng.integers(2, 7))
    left = {f"a{i}": [f"b{j}" for j in rng.permutation(n_r)] for i in range(n_l)}
    right = {f"b{j}": [f"a{i}" for i in rng.permutation(n_l)] for j in range(n_r)}
    programme = programme_from_preferences(
        left, right,
        left_caps={k: int(rng.integers(1, 3)) for k in left},
        right_caps={k: int(rng.integers(1, 3)) for k in right},
    )
    result = pairing.solve(programme, objective="stable", proposing=proposing)
    pairing.check(programme, result)
    assert result.metrics.blocking_pairs == 0


def test_batches_refill_and_widen_in_deep_lists() -> None:
    """Identical preferences send proposers deep into their lists (many refills)."""
    n = 120
    rng = np.random.default_rng(4)
    gl = np.broadcast_to(rng.random(n, dtype=np.float32), (n, n)).copy()
    gr = rng.random((n, n), dtype=np.float32)
    allowed = np.ones((n, n), dtype=bool)
    caps = [1] * n
    left, right = stable.deferred_acceptance(gl, gr, allowed, np.asarray(caps), np.asarray(caps))
    expected = reference_deferred_acceptance(gl, gr, allowed, caps, caps)
    assert set(zip(left.tolist(), right.tolist(), strict=True)) == expected


# --- the compiled path against the NumPy rounds (its oracle) ---------------------------------

@st.composite
def gain_markets(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """Markets with ties, signed zeros, negative gains, deep identical lists and capacities."""
    n_p, n_r = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    grid = draw(st.sampled_from([1, 3, 1000]))
    gp = (rng.integers(-grid, grid + 1, (n_p, n_r)) / grid).astype(np.float32)
    gr = (rng.integers(-grid, grid + 1, (n_p, n_r)) / grid).astype(np.float32)
    if draw(st.booleans()):  # everyone ranks receivers alike: proposers go deep, refills
        gp = np.broadcast_to(gp[:1], (n_p, n_r)).copy()
    if draw(st.booleans()):
        gp[gp == 0] = -0.0
    if draw(st.booleans()):
        gp = np.abs(gp)
        gr = np.abs(gr)
    acceptable = rng.random((n_p, n_r)) >= draw(st.sampled_from([0.0, 0.2, 0.7]))
    top = draw(st.integers(1, 4))
    cap_p = rng.integers(0, top + 1, n_p).astype(np.int64)
    cap_r = rng.integers(0, draw(st.integers(1, 4)) + 1, n_r).astype(np.int64)
    return gp, gr, acceptable, cap_p, cap_r


@pytest.mark.skipif(not stable.COMPILED, reason="numba is not installed")
@settings(max_examples=300, deadline=None)
@given(market=gain_markets(), transposed=st.booleans())
def test_compiled_matches_numpy_rounds(market: tuple, transposed: bool) -> None:
    """Same matching, same tie-breaking as the vectorised NumPy implementation."""
    from pairing.solvers._stable_compiled import deferred_acceptance_compiled

    gp, gr, acceptable, cap_p, cap_r = market
    if transposed:  # right-proposing hands the solver transposed views
        gp, gr, acceptable = (np.ascontiguousarray(m.T).T for m in (gp, gr, acceptable))
    expected = stable.deferred_acceptance_numpy(gp, gr, acceptable, cap_p, cap_r)
    got = deferred_acceptance_compiled(gp, gr, acceptable, cap_p, cap_r)
    assert np.array_equal(got[0], expected[0])
    assert np.array_equal(got[1], expected[1])


@pytest.mark.skipif(not stable.COMPILED, reason="numba is not installed")
@pytest.mark.parametrize("n", [300, 1500])
def test_compiled_matches_numpy_rounds_on_hub_markets(n: int) -> None:
    """Hub receivers everyone wants, wide ties, a third of pairs unacceptable, capacities 1–3:
    widths grow to the largest refill size on this market."""
    from pairing.solvers._stable_compiled import deferred_acceptance_compiled

    rng = np.random.default_rng(n)
    appeal = rng.pareto(1.5, n).astype(np.float32)
    gp = (np.round(rng.random((n, n)) * 4) / 4 * appeal[None, :]).astype(np.float32)
    gr = np.round(rng.random((n, n)) * 20).astype(np.float32) / 20
    acceptable = rng.random((n, n)) > 0.33
    cap_p = rng.integers(1, 4, n)
    cap_r = rng.integers(1, 3, n)
    for args in ((gp, gr, acceptable, cap_p, cap_r), (gr.T, gp.T, acceptable.T, cap_r, cap_p)):
        expected = stable.deferred_acceptance_numpy(*args)
        got = deferred_acceptance_compiled(*args)
        assert np.array_equal(got[0], expected[0])
        assert np.array_equal(got[1], expected[1])


def test_ties_go_to_the_enterprise_listed_earlier() -> None:
    gl = np.full((2, 2), 0.5, dtype=np.float32)
    gr = np.full((2, 2), 0.5, dtype=np.float32)
    problem = _problem(gl, gr, np.ones((2, 2), dtype=bool), [1, 1], [1, 1])
    got = stable.solve(problem, SolveOptions(objective="stable"))
    assert list(zip(got.left.tolist(), got.right.tolist(), strict=True)) == [(0, 0), (1, 1)]


# --- limits: minimums, quotas, required ------------------------------------------------------

def test_capacity_minimum_conflict_cites_rural_hospitals() -> None:
    # both left enterprises want only R0; the stable matching leaves L1 unmatched
    gl = np.asarray([[1.0, 0.0], [1.0, 0.0]], dtype=np.float32)
    gr = np.asarray([[1.0, 1.0], [0.5, 0.5]], dtype=np.float32)
    allowed = np.asarray([[True, False], [True, False]])
    problem = _problem(gl, gr, allowed, [1, 1], [1, 1], min_l=[1, 1])
    with pytest.raises(Infeasible, match="rural hospitals theorem") as info:
        stable.solve(problem, SolveOptions(objective="stable"))
    assert "L1" in str(info.value)


def test_quotas_and_required_are_refused_plainly() -> None:
    prefs_l = {"a": ["x", "y"], "b": ["y", "x"]}
    prefs_r = {"x": ["a", "b"], "y": ["b", "a"]}
    programme = programme_from_preferences(prefs_l, prefs_r, rules={"required": [("a", "y")]})
    with pytest.raises(UnsupportedProblem, match="quotas and required pairs are not part of it"):
        pairing.solve(programme, objective="stable")
    with pytest.raises(UnsupportedProblem, match="stable"):
        pairing.solve(programme, objective="stable", solver="stable")


@pytest.mark.slow
@pytest.mark.parametrize("n", [2000, 10_000])
def test_scale_random_markets(n: int) -> None:
    rng = np.random.default_rng(n)
    gl = rng.random((n, n), dtype=np.float32)
    gr = rng.random((n, n), dtype=np.float32)
    caps = np.ones(n, dtype=np.int64)
    problem = _problem(gl, gr, np.ones((n, n), dtype=bool), caps.tolist(), caps.tolist())
    got = stable.solve(problem, SolveOptions(objective="stable"))
    assert len(got.left) == n
    assert count_blocking_pairs(problem, got.left, got.right) == 0
