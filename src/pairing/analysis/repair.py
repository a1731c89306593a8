"""Repair a pairing after enterprises withdraw, keeping every pair that can be kept.

When a firm withdraws, a programme manager wants its partners re-paired without reshuffling
everyone else. :func:`repair` does that lexicographically:

1. **Keep as many old pairs as possible.** The surviving old pairs (neither end withdrew) get a
   bonus ``B`` larger than any possible total score (``B`` = the largest possible number of
   pairs + 1, scores lie in [0, 1]), and one exact ``total`` solve of the reduced programme
   maximises ``B · kept + score``: no score gain can ever pay for losing a kept pair. Usually
   every surviving pair is kept; fewer only when a rule forces a change (e.g. a quota minimum
   that the withdrawn firm used to fill).
2. **Then maximise the objective.** The kept pairs are fixed as required pairs and the reduced
   programme is solved with the result's own objective through :func:`pairing.solve`, so the new
   result is validated like every result. For ``total`` this is exactly the lexicographic
   optimum; for the other objectives, ties among equally large kept sets are broken by total
   score before the objective is optimised.

Capacity minimums. An enterprise whose partner withdrew (an *orphan*) may be unable to find a
new partner without breaking a kept pair — with one-to-one capacities on a square programme it
always is. Its minimum is then lowered by the number of partners it lost (never below 0), and
the change is reported. The original minimums are kept whenever they allow as many kept pairs.

Rules that named a withdrawn enterprise (forbidden or required pairs) are dropped, as are quotas
whose group no longer has any enterprise; each drop is reported in :class:`Changes`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from pairing.core.hashing import input_sha256
from pairing.core.prepare import Prepared, prepare
from pairing.core.solve import solve, solve_prepared
from pairing.errors import Infeasible, InvalidProgramme, Issue
from pairing.model.programme import Capacity, Enterprise, Programme, Side
from pairing.model.result import Result

__all__ = ["Changes", "RepairResult", "repair"]

IdPair = tuple[str, str]


class Changes(BaseModel):
    """What a repair changed, pair by pair and rule by rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    withdrawn: dict[str, list[str]] = Field(default_factory=dict)
    kept: list[IdPair] = Field(default_factory=list, description="old pairs still in the result")
    removed: list[IdPair] = Field(
        default_factory=list, description="old pairs with a withdrawn enterprise"
    )
    broken: list[IdPair] = Field(
        default_factory=list,
        description="old pairs between staying enterprises that a rule forced apart",
    )
    added: list[IdPair] = Field(default_factory=list, description="new pairs")
    relaxed: list[str] = Field(
        default_factory=list,
        description="rules dropped or capacity minimums lowered, each with its reason",
    )

    def summary(self) -> str:
        """One line: how many pairs were kept, removed, broken and added."""
        withdrawn = ", ".join(ident for ids in self.withdrawn.values() for ident in ids)
        text = (
            f"repair after the withdrawal of {withdrawn}: kept {len(self.kept)} pair(s), "
            f"removed {len(self.removed)}, broke {len(self.broken)}, added {len(self.added)}"
        )
        if self.relaxed:
            text += f"; {len(self.relaxed)} rule change(s)"
        return text


@dataclasses.dataclass(frozen=True)
class RepairResult:
    """The repaired programme, its new result (valid for it) and what changed; ``prepared`` is
    the repaired programme scored and compiled (the matrices the repair solved with), for
    checking, reporting or writing the result without scoring it again."""

    programme: Programme
    result: Result
    changes: Changes
    prepared: Prepared | None = None


def _resolve(programme: Programme, withdraw: Iterable[str]) -> dict[str, list[str]]:
    """Map each withdrawn id to its side; ``left:ID`` / ``right:ID`` settle an id on both."""
    ids = {"left": set(programme.left.ids), "right": set(programme.right.ids)}
    found: dict[str, list[str]] = {"left": [], "right": []}
    issues = []
    for raw in withdraw:
        side, colon, ident = raw.partition(":")
        if colon and side in ids:
            sides = [side] if ident in ids[side] else []
        else:
            ident = raw
            sides = [s for s in ("left", "right") if ident in ids[s]]
        if len(sides) == 1:
            if ident not in found[sides[0]]:
                found[sides[0]].append(ident)
        elif not sides:
            issues.append(
                Issue(
                    f"withdraw {raw!r}",
                    f"no enterprise has id {ident!r}; expected an id of the "
                    f"{programme.left.label} or {programme.right.label} side",
                )
            )
        else:
            issues.append(
                Issue(
                    f"withdraw {raw!r}",
                    f"both sides have id {ident!r}; write left:{ident} or right:{ident}",
                )
            )
    if issues:
        raise InvalidProgramme(issues)
    if not found["left"] and not found["right"]:
        msg = "name at least one enterprise to withdraw"
        raise InvalidProgramme(msg)
    remaining = {s: len(ids[s]) - len(found[s]) for s in ids}
    empty = [s for s, n in remaining.items() if n == 0]
    if empty:
        msg = f"withdrawing every enterprise of the {empty[0]} side leaves nothing to pair"
        raise InvalidProgramme(msg)
    return found


def _reduced(programme: Programme, withdrawn: dict[str, list[str]]) -> tuple[Programme, list[str]]:
    """The programme without the withdrawn enterprises and the rules that named them."""
    gone = {side: set(ids) for side, ids in withdrawn.items()}
    notes: list[str] = []
    keep_left = [e.id not in gone["left"] for e in programme.left.enterprises]
    keep_right = [e.id not in gone["right"] for e in programme.right.enterprises]
    left = [e for e, k in zip(programme.left.enterprises, keep_left, strict=True) if k]
    right = [e for e, k in zip(programme.right.enterprises, keep_right, strict=True) if k]
    rules = programme.rules

    def live(pairs: list[tuple[str, str]], kind: str) -> list[tuple[str, str]]:
        kept = []
        for a, b in pairs:
            if a in gone["left"] or b in gone["right"]:
                notes.append(f"dropped {kind} pair {a}–{b}: it names a withdrawn enterprise")
            else:
                kept.append((a, b))
        return kept

    sides = {"left": left, "right": right}
    quotas = []
    for quota in rules.quotas:
        if any(str(getattr(e, quota.by) or "") == quota.group for e in sides[quota.side]):
            quotas.append(quota)
        else:
            notes.append(f"dropped {quota.describe()}: no enterprise of that group remains")
    pair_quotas = []
    for pq in rules.pair_quotas:
        if any(e.sector == pq.left_sector for e in left) and any(
            e.sector == pq.right_sector for e in right
        ):
            pair_quotas.append(pq)
        else:
            notes.append(f"dropped {pq.describe()}: one of its sectors has no enterprise left")
    kept_cells = np.ix_(np.asarray(keep_left), np.asarray(keep_right))
    new_rules = rules.model_copy(
        update={
            "forbidden": live(list(rules.forbidden), "forbidden"),
            "required": live(list(rules.required), "required"),
            "quotas": quotas,
            "pair_quotas": pair_quotas,
            "sources": [
                s.model_copy(update={"scores": s.scores[kept_cells]}) for s in rules.sources
            ],
        }
    )
    scores = None
    if programme.scores is not None:
        scores = programme.scores[kept_cells]
    ids = {e.id for e in left}, {e.id for e in right}
    preferences = [  # stated interest (and vetoes) between enterprises that remain
        p
        for p in programme.preferences
        if (p.from_ in ids[0] and p.to in ids[1]) or (p.from_ in ids[1] and p.to in ids[0])
    ]
    reduced = Programme(
        name=programme.name,
        left=Side(label=programme.left.label, enterprises=left),
        right=Side(label=programme.right.label, enterprises=right),
        vocabulary=programme.vocabulary,
        rules=new_rules,
        scores=scores,
        preferences=preferences,
    )
    return reduced, notes


def _relaxed(programme: Programme, lost: dict[str, dict[str, int]]) -> tuple[Programme, list[str]]:
    """Lower each orphan's capacity min by the number of partners it lost."""
    notes: list[str] = []

    def side(name: str) -> Side:
        current = programme.side(name)
        enterprises: list[Enterprise] = []
        for e in current.enterprises:
            n = lost[name].get(e.id, 0)
            if n and e.capacity.min > 0:
                low = max(0, e.capacity.min - n)
                notes.append(
                    f"capacity min of {current.label} {e.id} lowered from {e.capacity.min} to "
                    f"{low}: its partner withdrew and no new partner is free without breaking "
                    "a kept pair"
                )
                e = e.model_copy(update={"capacity": Capacity(min=low, max=e.capacity.max)})
            enterprises.append(e)
        return current.model_copy(update={"enterprises": enterprises})

    relaxed = programme.model_copy(update={"left": side("left"), "right": side("right")})
    return relaxed, notes


def _most_kept(
    prepared: Prepared,
    survivors: Sequence[IdPair],
    time_limit: float | None,
    seed: int,
) -> list[IdPair]:
    """The largest set of survivors that some feasible matching keeps (ties: best total).

    One exact ``total`` solve (``prepared`` is for the ``total`` objective) with a bonus larger
    than any total score on the survivors' cells. It goes through the pipeline of every solve
    (:func:`pairing.core.solve.solve_prepared`): the counting checks, the explanation of an
    infeasible programme, and the validation of the matching against the rules.
    """
    problem = prepared.problem
    left_pos = {ident: k for k, ident in enumerate(problem.left_ids)}
    right_pos = {ident: k for k, ident in enumerate(problem.right_ids)}
    index = np.asarray([(left_pos[a], right_pos[b]) for a, b in survivors], dtype=np.intp).reshape(
        -1, 2
    )
    most_pairs = min(int(problem.cap_max_left.sum()), int(problem.cap_max_right.sum()))
    boosted_score = problem.score.astype(np.float64)
    boosted_score[index[:, 0], index[:, 1]] += float(most_pairs + 1)
    result = solve_prepared(prepared, time_limit=time_limit, seed=seed, score=boosted_score)
    chosen = set(result.pair_ids())
    return [pair for pair in survivors if pair in chosen]


def repair(
    programme: Programme,
    result: Result,
    withdraw: Iterable[str],
    *,
    solver: str = "auto",
    time_limit: float | None = None,
) -> RepairResult:
    """Re-pair after enterprises withdraw, keeping every pair that can be kept.

    Parameters
    ----------
    programme
        The programme ``result`` solves.
    result
        The current pairing (a valid result of ``programme``).
    withdraw
        Ids of the enterprises that withdraw (either side); ``left:ID`` or ``right:ID`` when
        both sides use the id.
    solver
        Solver of the final solve (the objective step); ``auto`` by default.
    time_limit
        Seconds for each exact solve.

    Returns
    -------
    RepairResult
        The reduced programme (withdrawn enterprises and the rules naming them removed, orphans'
        minimums lowered when needed), its new validated result — whose ``message`` summarises
        the changes — and the :class:`Changes` in detail.

    Raises
    ------
    InvalidProgramme
        An unknown or ambiguous id, or nothing left to pair.
    Infeasible
        The remaining enterprises cannot be paired under the rules (e.g. a quota minimum can no
        longer be met), whatever is kept.
    """
    withdrawn = _resolve(programme, withdraw)
    gone_left, gone_right = set(withdrawn["left"]), set(withdrawn["right"])
    reduced, notes = _reduced(programme, withdrawn)
    survivors: list[IdPair] = []
    removed: list[IdPair] = []
    lost: dict[str, dict[str, int]] = {"left": {}, "right": {}}
    for a, b in result.pair_ids():
        if a in gone_left or b in gone_right:
            removed.append((a, b))
            if a not in gone_left:
                lost["left"][a] = lost["left"].get(a, 0) + 1
            if b not in gone_right:
                lost["right"][b] = lost["right"].get(b, 0) + 1
        else:
            survivors.append((a, b))
    # scored and compiled once: the strict attempt below solves this same problem
    strict = prepare(reduced, objective="total")
    matrices, problem = strict.matrices, strict.problem
    left_pos = {ident: k for k, ident in enumerate(problem.left_ids)}
    right_pos = {ident: k for k, ident in enumerate(problem.right_ids)}
    keepable = [p for p in survivors if problem.allowed[left_pos[p[0]], right_pos[p[1]]]]
    for a, b in survivors:
        if (a, b) not in keepable:
            notes.append(f"old pair {a}–{b} is no longer allowed after the re-scoring")
    seed = result.solver.seed
    relaxed, relax_notes = _relaxed(reduced, lost)
    # the relaxed programme differs from the reduced one only when a minimum was lowered
    kept = _most_kept(
        prepare(relaxed, objective="total", matrices=matrices) if relax_notes else strict,
        keepable, time_limit, seed,
    )
    chosen = relaxed
    if relax_notes:
        try:
            strict_kept = _most_kept(strict, keepable, time_limit, seed)
        except Infeasible:
            strict_kept = []
        if len(strict_kept) == len(kept):
            chosen, kept = reduced, strict_kept
        else:
            notes += relax_notes
    already = set(chosen.rules.required)
    fixed = chosen.model_copy(
        update={
            "rules": chosen.rules.model_copy(
                update={
                    "required": [*chosen.rules.required, *(p for p in kept if p not in already)]
                }
            )
        }
    )
    new = solve(
        fixed,
        objective=result.objective,
        solver=solver,
        time_limit=time_limit,
        seed=seed,
        matrices=matrices,
    )
    old = set(result.pair_ids())
    kept_set = set(kept)
    changes = Changes(
        withdrawn={side: ids for side, ids in withdrawn.items() if ids},
        kept=[p for p in result.pair_ids() if p in kept_set],
        removed=removed,
        broken=[p for p in survivors if p not in kept_set],
        added=[p for p in new.pair_ids() if p not in old],
        relaxed=notes,
    )
    new = new.model_copy(
        update={"input_sha256": input_sha256(chosen), "message": changes.summary()}
    )
    prepared = prepare(chosen, objective=result.objective, matrices=matrices)
    return RepairResult(programme=chosen, result=new, changes=changes, prepared=prepared)
