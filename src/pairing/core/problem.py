"""The numeric problem that solvers see: matrices, bounds and index arrays, no pydantic.

:func:`build_problem` compiles a validated :class:`~pairing.model.Programme` and its
:class:`~pairing.features.ScoreMatrices` into a :class:`Problem`. Solvers are pure functions of a
``Problem``; they never read enterprises, ids or files. Each quota becomes a
:class:`GroupBound`: the pairs it counts are those whose left end is in ``left_mask`` and whose
right end is in ``right_mask`` (a side quota leaves the other side's mask all true).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from pairing.features import ScoreMatrices
from pairing.features.score_scale import ScoreScale, user_values
from pairing.model.programme import Programme

__all__ = ["GroupBound", "PartnerBound", "Problem", "build_problem"]


@dataclass(frozen=True)
class GroupBound:
    """Bounds on the number of pairs (i, j) with ``left_mask[i] and right_mask[j]``."""

    label: str
    left_mask: np.ndarray
    right_mask: np.ndarray
    min: int | None
    max: int | None
    kind: str  # "side" (one side's group) or "pair" (a left sector × a right sector)
    rule: str = ""  # where the rule came from, e.g. "rules.quotas[2]"
    side: str = ""  # a side quota's side, "left" or "right" ("" for a pair quota)


@dataclass(frozen=True)
class PartnerBound:
    """Bounds on *each* ``side`` enterprise's number of partners in each group.

    ``codes[j]`` is the group of the other side's enterprise ``j`` (``-1``: in no group); a
    named group has one code (0), ``group = "*"`` one per distinct value (``n_groups``).
    """

    label: str
    side: str
    codes: np.ndarray
    n_groups: int
    min: int | None
    max: int | None
    rule: str = ""


@dataclass(frozen=True)
class Problem:
    """A matchmaking problem in array form.

    Attributes
    ----------
    score, gain_left, gain_right
        (n_left, n_right) matrices on the normalised scale (in [0, 1], higher better):
        gains ``float32``, ``score`` ``float32`` (computed) or ``float64`` (an organisers'
        matrix); ``score`` may hold NaN for forbidden cells.
    allowed
        (n_left, n_right) bool: not forbidden (by ``rules.forbidden`` or a veto in the stated
        interest), not NaN, score at least ``min_score``.
    cap_min_left, cap_max_left, cap_min_right, cap_max_right
        Per-enterprise partner bounds (``int64``).
    required
        (k, 2) index pairs that must be in the matching.
    quotas
        Group bounds (side quotas and pair quotas).
    """

    score: np.ndarray
    gain_left: np.ndarray
    gain_right: np.ndarray
    allowed: np.ndarray
    cap_min_left: np.ndarray
    cap_max_left: np.ndarray
    cap_min_right: np.ndarray
    cap_max_right: np.ndarray
    required: np.ndarray
    quotas: tuple[GroupBound, ...] = ()
    partner_quotas: tuple[PartnerBound, ...] = ()
    objective: str = "total"
    proposing: str = "left"
    fair_to: str = "both"  # whose gains the fair objectives count: both | left | right
    min_score: float = 0.0
    left_ids: tuple[str, ...] = ()
    right_ids: tuple[str, ...] = ()
    labels: tuple[str, str] = ("left", "right")
    forbidden_by_rule: np.ndarray | None = field(default=None, repr=False)
    #: How the organisers' raw matrix maps onto ``score`` (None: computed scores); reported
    #: pair scores and totals are the raw cells (:meth:`user_scores`).
    scale: ScoreScale | None = field(default=None, repr=False)

    def user_scores(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        """Scores of pairs (left[k], right[k]) on the user's scale (``float64``; an empty cell
        0): the raw cells of an organisers' matrix on its own scale or in the cost sense, else
        ``score``'s cells."""
        return user_values(self.scale, self.score, left, right)

    @property
    def shape(self) -> tuple[int, int]:
        return self.score.shape

    @cached_property
    def usable(self) -> np.ndarray:
        """``(n_left, n_right)`` bool: allowed pairs whose two ends may take a partner at all
        (capacity max above 0) — the pairs any matching can use. Read-only by contract."""
        return (
            self.allowed
            & (self.cap_max_left > 0)[:, None]
            & (self.cap_max_right > 0)[None, :]
        )

    @cached_property
    def weights(self) -> np.ndarray:
        """Scores with forbidden cells set to 0, as ``float64`` (what solvers maximise)."""
        if self.score.dtype == np.float64 and self.allowed.all():
            return self.score  # nothing to zero: share the (read-only by contract) matrix
        weights = self.score.astype(np.float64)
        weights[~self.allowed] = 0.0
        return weights

    @property
    def is_assignment(self) -> bool:
        """Every enterprise has at most one partner (the linear-assignment family)."""
        return bool(
            self.cap_max_left.max(initial=0) <= 1 and self.cap_max_right.max(initial=0) <= 1
        )

    def structure(self) -> frozenset[str]:
        """The rule kinds this problem uses, as named in the solver registry.

        ``capacity``: some enterprise may have more than one partner; ``side_quota`` /
        ``pair_quota``: group bounds; ``partner_quota``: bounds on each enterprise's partner
        mix; ``required``: required pairs. Forbidden pairs and
        ``min_score`` are supported by every solver and are not listed.
        """
        kinds = set()
        if not self.is_assignment:
            kinds.add("capacity")
        if any(q.kind == "side" for q in self.quotas):
            kinds.add("side_quota")
        if any(q.kind == "pair" for q in self.quotas):
            kinds.add("pair_quota")
        if self.partner_quotas:
            kinds.add("partner_quota")
        if len(self.required):
            kinds.add("required")
        return frozenset(kinds)


def _group_mask(values: list[str], group: str) -> np.ndarray:
    return np.asarray([v == group for v in values], dtype=bool)


def _vetoes(matrices: ScoreMatrices) -> np.ndarray:
    """The (k, 2) pairs vetoed in the programme's stated interest (empty when none)."""
    interest = matrices.terms.interest if matrices.terms is not None else None
    return interest.vetoes if interest is not None else np.empty((0, 2), dtype=np.intp)


def build_problem(
    programme: Programme,
    matrices: ScoreMatrices,
    objective: str | None = None,
    proposing: str | None = None,
    fair_to: str | None = None,
) -> Problem:
    """Compile a programme and its score matrices into a :class:`Problem`."""
    rules = programme.rules
    left, right = programme.left.enterprises, programme.right.enterprises
    left_pos = {e.id: k for k, e in enumerate(left)}
    right_pos = {e.id: k for k, e in enumerate(right)}

    score = matrices.score
    allowed = ~np.isnan(score)
    forbidden_by_rule = np.zeros(score.shape, dtype=bool)
    if rules.forbidden:
        idx = np.asarray([(left_pos[a], right_pos[b]) for a, b in rules.forbidden], dtype=np.intp)
        forbidden_by_rule[idx[:, 0], idx[:, 1]] = True
    vetoes = _vetoes(matrices)
    if len(vetoes):
        forbidden_by_rule[vetoes[:, 0], vetoes[:, 1]] = True  # a veto is a forbidden pair
    if rules.forbidden or len(vetoes):
        allowed &= ~forbidden_by_rule
    if rules.min_score > 0:
        # compare in the matrix's own dtype, so a score equal to min_score is allowed
        allowed &= np.nan_to_num(score, nan=0.0) >= score.dtype.type(rules.min_score)

    required = np.asarray(
        [(left_pos[a], right_pos[b]) for a, b in rules.required], dtype=np.intp
    ).reshape(-1, 2)

    quotas: list[GroupBound] = []
    n_left, n_right = score.shape
    all_left, all_right = np.ones(n_left, dtype=bool), np.ones(n_right, dtype=bool)
    for k, quota in enumerate(rules.quotas):
        members = _group_mask(
            [str(getattr(e, quota.by) or "") for e in programme.side(quota.side).enterprises],
            quota.group,
        )
        left_mask, right_mask = (
            (members, all_right) if quota.side == "left" else (all_left, members)
        )
        quotas.append(
            GroupBound(
                quota.describe(),
                left_mask,
                right_mask,
                quota.min,
                quota.max,
                "side",
                f"rules.quotas[{k}]",
                quota.side,
            )
        )
    for k, pq in enumerate(rules.pair_quotas):
        quotas.append(
            GroupBound(
                pq.describe(),
                _group_mask([e.sector for e in left], pq.left_sector),
                _group_mask([e.sector for e in right], pq.right_sector),
                pq.min,
                pq.max,
                "pair",
                f"rules.pair_quotas[{k}]",
            )
        )

    partner_bounds = []
    for k, mix in enumerate(rules.partner_quotas):
        other = programme.side("right" if mix.side == "left" else "left").enterprises
        values = [str(getattr(e, mix.by) or "") for e in other]
        if mix.group == "*":
            names = sorted({v for v in values if v})
            lookup = {name: code for code, name in enumerate(names)}
            codes = np.asarray([lookup.get(v, -1) for v in values], dtype=np.intp)
            n_groups = len(names)
        else:
            codes = np.where(_group_mask(values, mix.group), 0, -1).astype(np.intp)
            n_groups = 1
        partner_bounds.append(PartnerBound(mix.describe(), mix.side, codes, n_groups, mix.min,
                                           mix.max, f"rules.partner_quotas[{k}]"))

    return Problem(
        score=score,
        gain_left=matrices.gain_left,
        gain_right=matrices.gain_right,
        allowed=allowed,
        cap_min_left=np.asarray([e.capacity.min for e in left], dtype=np.int64),
        cap_max_left=np.asarray([e.capacity.max for e in left], dtype=np.int64),
        cap_min_right=np.asarray([e.capacity.min for e in right], dtype=np.int64),
        cap_max_right=np.asarray([e.capacity.max for e in right], dtype=np.int64),
        required=required,
        quotas=tuple(quotas),
        partner_quotas=tuple(partner_bounds),
        objective=objective or rules.objective,
        proposing=proposing or rules.proposing,
        fair_to=fair_to or rules.fair_to,
        min_score=rules.min_score,
        left_ids=tuple(left_pos),
        right_ids=tuple(right_pos),
        labels=(programme.left.label, programme.right.label),
        forbidden_by_rule=forbidden_by_rule,
        scale=matrices.scale,
    )
