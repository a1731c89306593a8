"""Answer "why was my firm not paired with X?" for one pair outside a result.

:func:`why_not` first checks the rules that exclude the pair outright — forbidden by
``rules.forbidden`` or vetoed in the stated interest, no score (an empty cell of the organisers'
matrix), a score below ``min_score``, a capacity max of 0 on either side. If none does, it
re-solves the programme with the pair appended to ``rules.required`` (through
:func:`pairing.solve`, so the alternative is an optimal, validated matching) and reports what
including the pair would cost: the change in total score and objective value, the pairs that
would change, and the enterprises whose gains move most. If no matching can contain the pair,
the :class:`~pairing.errors.Infeasible` reasons say which rule stands in the way (e.g. a quota).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from pairing.core.prepare import Prepared, prepared_for
from pairing.core.solve import solve
from pairing.errors import Infeasible, InvalidProgramme, Issue
from pairing.features import ScoreMatrices, score_matrix
from pairing.model.programme import Programme
from pairing.model.result import Result

__all__ = ["Mover", "WhyNot", "why_not"]

WhyNotStatus = Literal["in_result", "not_allowed", "infeasible", "possible"]


class Mover(BaseModel):
    """An enterprise whose gain would change if the pair were forced in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    side: Literal["left", "right"]
    id: str
    gain_before: float
    gain_after: float

    @property
    def change(self) -> float:
        return self.gain_after - self.gain_before


class WhyNot(BaseModel):
    """Why a pair is not in a result, and what forcing it in would cost.

    ``status``: ``in_result`` (it is paired already), ``not_allowed`` (a rule excludes it; see
    ``blocked_by``), ``infeasible`` (allowed, but no matching satisfying every rule contains it;
    see ``infeasible_reasons``) or ``possible`` (``alternative`` is the best matching that contains
    it, and the ``*_cost`` fields say what it loses against the result).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    left: str
    right: str
    labels: tuple[str, str]
    status: WhyNotStatus
    score: float | None
    gain_left: float
    gain_right: float
    left_partners: list[str] = Field(default_factory=list)
    right_partners: list[str] = Field(default_factory=list)
    blocked_by: list[str] = Field(default_factory=list)
    infeasible_reasons: list[str] = Field(default_factory=list)
    objective: str
    objective_value: float
    alternative_objective_value: float | None = None
    total_score: float
    alternative_total_score: float | None = None
    removed_pairs: list[tuple[str, str]] = Field(default_factory=list)
    added_pairs: list[tuple[str, str]] = Field(default_factory=list)
    movers: list[Mover] = Field(default_factory=list)
    alternative: Result | None = None
    #: ``cost`` when the organisers' matrix holds costs: scores and totals are then the user's
    #: costs, and forcing a pair in raises them (see :mod:`pairing.features.score_scale`).
    sense: str = "score"

    @property
    def objective_cost(self) -> float | None:
        """How much the objective worsens (≥ 0 for an optimal result) if the pair is forced
        in: a drop, or for a total of costs a rise."""
        if self.alternative_objective_value is None:
            return None
        change = self.objective_value - self.alternative_objective_value
        if self.sense == "cost" and self.objective in ("total", "stable"):
            return -change
        return change

    @property
    def score_cost(self) -> float | None:
        """How much the total score drops (a total cost rises) if the pair is forced in."""
        if self.alternative_total_score is None:
            return None
        change = self.total_score - self.alternative_total_score
        return -change if self.sense == "cost" else change

    def lines(self) -> list[str]:
        """A readable explanation, one line per fact (for the CLI; the library never prints)."""
        label_l, label_r = self.labels
        head = f"why not {self.left} ({label_l}) – {self.right} ({label_r})?"
        score = f"{self.score:.6f}" if self.score is not None else "none"
        out = [
            head,
            f"  score {score}; gain {label_l} {self.gain_left:.6f}, gain {label_r} "
            f"{self.gain_right:.6f}",
            f"  in the result {self.left} is paired with "
            f"{', '.join(self.left_partners) or 'nobody'}, {self.right} with "
            f"{', '.join(self.right_partners) or 'nobody'}",
        ]
        if self.status == "in_result":
            out.append("  the pair is in the result already")
        elif self.status == "not_allowed":
            out += [f"  not allowed: {reason}" for reason in self.blocked_by]
        elif self.status == "infeasible":
            out.append("  no matching that obeys every rule contains this pair:")
            out += [f"    - {reason}" for reason in self.infeasible_reasons]
        else:
            assert self.objective_cost is not None and self.score_cost is not None
            out.append(
                f"  the best matching with this pair: {self.objective} = "
                f"{self.alternative_objective_value:.6f} (costs {self.objective_cost:.6f}); "
                f"total score {self.alternative_total_score:.6f} (costs {self.score_cost:.6f})"
            )
            out.append(
                f"  it changes {len(self.removed_pairs)} pair(s): removes "
                f"{', '.join(f'{a}–{b}' for a, b in self.removed_pairs) or 'none'}; adds "
                f"{', '.join(f'{a}–{b}' for a, b in self.added_pairs)}"
            )
            for m in self.movers:
                label = label_l if m.side == "left" else label_r
                out.append(
                    f"  {label} {m.id}: gain {m.gain_before:.3f} → {m.gain_after:.3f} "
                    f"({m.change:+.3f})"
                )
        return out


def _gains(result: Result) -> dict[tuple[str, str], float]:
    gains: dict[tuple[str, str], float] = {}
    for p in result.pairs:
        gains[("left", p.left)] = gains.get(("left", p.left), 0.0) + p.gain_left
        gains[("right", p.right)] = gains.get(("right", p.right), 0.0) + p.gain_right
    return gains


def _movers(before: Result, after: Result, top: int) -> list[Mover]:
    old, new = _gains(before), _gains(after)
    keys = sorted(set(old) | set(new))
    changes = np.asarray([new.get(k, 0.0) - old.get(k, 0.0) for k in keys])
    order = np.argsort(-np.abs(changes), kind="stable")
    movers = []
    for k in order[:top].tolist():
        if abs(changes[k]) < 1e-9:
            break
        side, ident = keys[k]
        movers.append(
            Mover(
                side="left" if side == "left" else "right",
                id=ident,
                gain_before=round(old.get(keys[k], 0.0), 6),
                gain_after=round(new.get(keys[k], 0.0), 6),
            )
        )
    return movers


def _blocked_by(programme: Programme, matrices: ScoreMatrices, i: int, j: int) -> list[str]:
    left = programme.left.enterprises[i]
    right = programme.right.enterprises[j]
    rules = programme.rules
    found = []
    if (left.id, right.id) in set(rules.forbidden):
        k = list(rules.forbidden).index((left.id, right.id))
        found.append(f"forbidden by rules.forbidden[{k}]")
    interest = matrices.terms.interest if matrices.terms is not None else None
    for side in interest.vetoed_by(i, j) if interest is not None else ():
        found.append(f"vetoed by {left.id if side == 'left' else right.id} (preferences)")
    score = float(matrices.score[i, j])
    if np.isnan(score):
        found.append("no score: the organisers' score matrix leaves this cell empty")
    elif score < matrices.score.dtype.type(rules.min_score):
        found.append(f"score {score:.6f} is below min_score {rules.min_score}")
    for label, e in ((programme.left.label, left), (programme.right.label, right)):
        if e.capacity.max == 0:
            found.append(f"{label} {e.id} has capacity max 0")
    return found


def _rules_touching(programme: Programme, i: int, j: int) -> list[str]:
    """When the solver proves infeasibility without naming a rule: the rules the pair meets."""
    left = programme.left.enterprises[i]
    right = programme.right.enterprises[j]
    rules = programme.rules
    found = []
    for k, q in enumerate(rules.quotas):
        member = left if q.side == "left" else right
        if str(getattr(member, q.by) or "") == q.group and q.max is not None:
            found.append(f"rules.quotas[{k}] ({q.describe()}) counts this pair")
    for k, pq in enumerate(rules.pair_quotas):
        if left.sector == pq.left_sector and right.sector == pq.right_sector and pq.max is not None:
            found.append(f"rules.pair_quotas[{k}] ({pq.describe()}) counts this pair")
    for k, (a, b) in enumerate(rules.required):
        if a == left.id or b == right.id:
            found.append(f"rules.required[{k}] ({a}–{b}) uses the same enterprise's capacity")
    found.append(
        "the solver proved that no matching obeying every rule (capacities, quotas, required "
        "pairs) contains this pair"
    )
    return found


def _capacity_taken_by_required(programme: Programme, i: int, j: int) -> list[str]:
    """The enterprises of the pair whose capacity the *other* required pairs already fill."""
    pair = (programme.left.enterprises[i].id, programme.right.enterprises[j].id)
    found = []
    for index, side_name in ((0, "left"), (1, "right")):
        side = programme.side(side_name)
        enterprise = side.enterprises[i if index == 0 else j]
        others = [f"{a}–{b}" for a, b in programme.rules.required
                  if (a, b)[index] == enterprise.id and (a, b) != pair]
        if len(others) + 1 > enterprise.capacity.max:
            found.append(
                f"{side.label} {enterprise.id} is already in {len(others)} other required "
                f"pair(s) ({', '.join(others)}) and its capacity max is "
                f"{enterprise.capacity.max}; forcing {pair[0]}–{pair[1]} as well would need "
                f"{len(others) + 1} — raise its capacity or drop a requirement"
            )
    return found


def why_not(
    programme: Programme,
    result: Result,
    left_id: str,
    right_id: str,
    *,
    solver: str = "auto",
    time_limit: float | None = None,
    top: int = 5,
    matrices: ScoreMatrices | None = None,
    prepared: Prepared | None = None,
) -> WhyNot:
    """Explain why ``left_id``–``right_id`` is not in ``result``, and what including it costs.

    Parameters
    ----------
    programme
        The programme ``result`` solves.
    result
        The pairing being questioned.
    left_id, right_id
        The pair asked about.
    solver, time_limit
        For the re-solve with the pair required.
    top
        How many enterprises whose gain changes most to report.
    matrices
        Precomputed score matrices.
    prepared
        :func:`pairing.core.prepare.prepare` of ``programme``: its matrices are used (the
        re-solve with the pair required compiles only that programme).

    Returns
    -------
    WhyNot

    Raises
    ------
    InvalidProgramme
        An id that is not in the programme.
    """
    left_ids, right_ids = programme.left.ids, programme.right.ids
    issues = [
        Issue(f"{side} id {ident!r}", f"not an enterprise of the {programme.side(side).label} side")
        for side, ident, ids in (("left", left_id, left_ids), ("right", right_id, right_ids))
        if ident not in ids
    ]
    if issues:
        raise InvalidProgramme(issues)
    if prepared is not None:
        matrices = prepared_for(programme, prepared).matrices
    matrices = matrices if matrices is not None else score_matrix(programme)
    i, j = left_ids.index(left_id), right_ids.index(right_id)
    raw_score = float(matrices.score[i, j])
    scale = matrices.scale
    if scale is not None and not scale.identity and not np.isnan(raw_score):
        raw_score = float(scale.raw[i, j])  # on the user's scale, like a result's pairs
    base = {
        "left": left_id,
        "right": right_id,
        "labels": (programme.left.label, programme.right.label),
        "score": None if np.isnan(raw_score) else round(raw_score, 6),
        "gain_left": round(float(matrices.gain_left[i, j]), 6),
        "gain_right": round(float(matrices.gain_right[i, j]), 6),
        "left_partners": [p.right for p in result.pairs if p.left == left_id],
        "right_partners": [p.left for p in result.pairs if p.right == right_id],
        "objective": result.objective,
        "objective_value": result.objective_value,
        "total_score": result.metrics.total_score,
        "sense": scale.sense if scale is not None else "score",
    }
    if (left_id, right_id) in set(result.pair_ids()):
        return WhyNot(status="in_result", **base)
    blocked = _blocked_by(programme, matrices, i, j)
    if blocked:
        return WhyNot(status="not_allowed", blocked_by=blocked, **base)
    crowded = _capacity_taken_by_required(programme, i, j)
    if crowded:
        return WhyNot(status="infeasible", infeasible_reasons=crowded, **base)
    rules = programme.rules
    forced = programme.model_copy(
        update={
            "rules": rules.model_copy(update={"required": [*rules.required, (left_id, right_id)]})
        }
    )
    try:
        alternative = solve(
            forced,
            objective=result.objective,
            solver=solver,
            time_limit=time_limit,
            seed=result.solver.seed,
            matrices=matrices,
        )
    except Infeasible as exc:
        reasons = list(exc.reasons) or _rules_touching(programme, i, j)
        return WhyNot(status="infeasible", infeasible_reasons=reasons, **base)
    old, new = set(result.pair_ids()), set(alternative.pair_ids())
    return WhyNot(
        status="possible",
        alternative_objective_value=alternative.objective_value,
        alternative_total_score=alternative.metrics.total_score,
        removed_pairs=[p for p in result.pair_ids() if p not in new],
        added_pairs=[p for p in alternative.pair_ids() if p not in old],
        movers=_movers(result, alternative, top),
        alternative=alternative,
        **base,
    )
