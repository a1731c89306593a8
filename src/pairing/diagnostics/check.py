"""The independent validator: does a result obey its programme?

It reads the programme's rules as a user wrote them (ids, sectors, regions, sizes) and the
result's pairs by id, recomputes scores and gains from the programme, and lists every violation:
unknown ids, repeated pairs, capacities, forbidden (or vetoed), required and below-``min_score``
pairs, quotas, scores/gains/objective that do not match the programme, unmatched lists, the
metrics' totals, and blocking pairs for a ``stable`` result. It shares no code with the solvers,
so a solver bug cannot hide behind the check. Every solver's result goes through it before it is
returned; ``pairing check`` runs it on any result file.

Independence, precisely: the objective value is recomputed here from the pairs' gains and the
``fair_to`` sides, not by :mod:`pairing.core.objectives` (which produced the claimed value). The
blocking pairs of a ``stable`` result are counted by :mod:`pairing.diagnostics.stability` over
the compiled problem's acceptable pairs, so the check first rebuilds "acceptable" from the
programme's rules (scored, not forbidden or vetoed, at least ``min_score``) and reports any pair
where the compiled problem disagrees. The only shared inputs are the score matrices themselves.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

import numpy as np

from pairing.core.arguments import require_instance
from pairing.core.hashing import input_sha256
from pairing.core.prepare import Prepared, prepared_for
from pairing.diagnostics.feasibility import counting_conflicts
from pairing.diagnostics.large_check import TagCells, blockwise
from pairing.diagnostics.stability import blocking_in_blocks, capacitated_thresholds
from pairing.errors import CheckFailed
from pairing.features import ScoreMatrices
from pairing.model.programme import PartnerQuota, Programme
from pairing.model.result import Result

__all__ = ["capacity_problems", "check", "pair_indices", "violations", "violations_by_kind"]

_TOLERANCE = 2e-6


def _close(a: float, b: float, scale: float = 1.0) -> bool:
    return abs(a - b) <= _TOLERANCE * max(1.0, scale, abs(b))


def _positions(programme: Programme) -> tuple[dict[str, int], dict[str, int]]:
    """Each side's ids to their row / column index, read from the programme."""
    return (
        {e.id: k for k, e in enumerate(programme.left.enterprises)},
        {e.id: k for k, e in enumerate(programme.right.enterprises)},
    )


def pair_indices(
    programme: Programme, result: Result, problems: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The result's pairs as index arrays; unknown ids and repeated pairs go to ``problems``
    (a pair with an unknown id is left out of the arrays)."""
    left_pos, right_pos = _positions(programme)
    left, right = [], []
    for k, pair in enumerate(result.pairs):
        bad = False
        if pair.left not in left_pos:
            problems.append(f"pair #{k + 1}: unknown left id {pair.left!r}")
            bad = True
        if pair.right not in right_pos:
            problems.append(f"pair #{k + 1}: unknown right id {pair.right!r}")
            bad = True
        if not bad:
            left.append(left_pos[pair.left])
            right.append(right_pos[pair.right])
    for (a, b), n in Counter(result.pair_ids()).items():
        if n > 1:
            problems.append(f"pair {a}–{b} appears {n} times")
    return np.asarray(left, dtype=np.intp), np.asarray(right, dtype=np.intp)


def capacity_problems(programme: Programme, left: np.ndarray, right: np.ndarray) -> list[str]:
    """Every enterprise whose number of partners lies outside its capacity."""
    problems = []
    for side_name, index in (("left", left), ("right", right)):
        side = programme.side(side_name)
        counts = np.bincount(index, minlength=len(side.enterprises))
        for enterprise, count in zip(side.enterprises, counts.tolist(), strict=True):
            cap = enterprise.capacity
            if not cap.min <= count <= cap.max:
                problems.append(
                    f"{side.label} {enterprise.id}: {count} partner(s), capacity is "
                    f"{cap.min}..{cap.max}"
                )
    return problems


def vetoed_pairs(programme: Programme) -> list[tuple[str, tuple[str, str]]]:
    """(who vetoed, (left id, right id)) for each veto, read from the preferences directly."""
    left_ids = set(programme.left.ids)
    return [
        (p.from_, (p.from_, p.to) if p.from_ in left_ids else (p.to, p.from_))
        for p in programme.preferences
        if p.interest == "veto"
    ]


class _Cells:
    """What the checks read at the result's pairs: the programme's normalised score (NaN: no
    score), the score on the user's scale and both gains. From the dense matrices here; from
    the tag levels alone above the dense size (:class:`_TagValues`)."""

    def __init__(self, matrices: ScoreMatrices) -> None:
        self.matrices = matrices
        self.dtype = matrices.score.dtype

    def at(self, rows: np.ndarray, cols: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        m = self.matrices
        score = m.score[rows, cols]
        return (score, _user_scores(m, rows, cols, score),
                m.gain_left[rows, cols].astype(np.float64),
                m.gain_right[rows, cols].astype(np.float64))


class _TagValues:
    """:class:`_Cells` of a programme scored by its tags alone, pair by pair
    (:class:`~pairing.diagnostics.large_check.TagCells`): no n² matrix."""

    def __init__(self, cells: TagCells) -> None:
        self.cells = cells
        self.dtype = cells.dtype

    def at(self, rows: np.ndarray, cols: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        score, gain_left, gain_right = self.cells.at(rows, cols)
        return (score, score.astype(np.float64), gain_left.astype(np.float64),
                gain_right.astype(np.float64))


_Values = _Cells | _TagValues


def _rule_problems(
    programme: Programme, result: Result, matrices: _Values, figures: list[str]
) -> list[str]:
    """Broken rules; a pair's score or gain that differs from the programme's goes to
    ``figures`` instead (a stale or edited number, not a broken rule)."""
    problems = []
    rules = programme.rules
    chosen = set(result.pair_ids())
    for a, b in rules.forbidden:
        if (a, b) in chosen:
            problems.append(f"forbidden pair {a}–{b} is in the matching")
    for vetoer, (a, b) in vetoed_pairs(programme):
        if (a, b) in chosen:
            problems.append(f"pair {a}–{b} is in the matching but vetoed by {vetoer}")
    for a, b in rules.required:
        if (a, b) not in chosen:
            problems.append(f"required pair {a}–{b} is missing")
    left_of = {e.id: e for e in programme.left.enterprises}
    right_of = {e.id: e for e in programme.right.enterprises}
    problems += _claimed_value_problems(programme, result, matrices, figures)
    for k, quota in enumerate(rules.quotas):
        ents = left_of if quota.side == "left" else right_of
        count = sum(
            1
            for pair in result.pairs
            if (e := ents.get(pair.left if quota.side == "left" else pair.right)) is not None
            and str(getattr(e, quota.by) or "") == quota.group
        )
        problems += _bound_problems(
            f"rules.quotas[{k}] ({quota.describe()})", count, quota.min, quota.max
        )
    for k, pq in enumerate(rules.pair_quotas):
        count = sum(
            1
            for pair in result.pairs
            if pair.left in left_of
            and pair.right in right_of
            and left_of[pair.left].sector == pq.left_sector
            and right_of[pair.right].sector == pq.right_sector
        )
        problems += _bound_problems(
            f"rules.pair_quotas[{k}] ({pq.describe()})", count, pq.min, pq.max
        )
    problems += _partner_problems(programme, result)
    return problems


def partner_quota_breaches(
    programme: Programme, pairs: Iterable[tuple[str, str]]
) -> list[tuple[int, PartnerQuota, list[str]]]:
    """Every partner quota some enterprise breaks, with one line per (enterprise, group) out of
    bounds ("CN-001 has 0 partner(s) with size 'small'"), by plain loops over the pairs
    (``check`` and ``evaluate`` both word it from here)."""
    pairs = list(pairs)
    found = []
    for k, pq in enumerate(programme.rules.partner_quotas):
        partners = {
            e.id: str(getattr(e, pq.by) or "")
            for e in programme.side("right" if pq.side == "left" else "left").enterprises
        }
        counts: Counter[tuple[str, str]] = Counter()
        for left, right in pairs:
            owner, partner = (left, right) if pq.side == "left" else (right, left)
            value = partners.get(partner, "")
            if value and (pq.group == "*" or value == pq.group):
                counts[(owner, value)] += 1
        groups = sorted(set(partners.values()) - {""}) if pq.group == "*" else [pq.group]
        broken = [
            f"{e.id} has {counts[(e.id, group)]} partner(s) with {pq.by} {group!r}"
            for e in programme.side(pq.side).enterprises
            for group in groups
            if (pq.min is not None and counts[(e.id, group)] < pq.min)
            or (pq.max is not None and counts[(e.id, group)] > pq.max)
        ]
        if broken:
            found.append((k, pq, broken))
    return found


def _partner_problems(programme: Programme, result: Result) -> list[str]:
    """Each breached partner quota as one line (the first five enterprises named)."""
    problems = []
    for k, pq, broken in partner_quota_breaches(programme, result.pair_ids()):
        shown = "; ".join(broken[:5]) + (f"; and {len(broken) - 5} more" if len(broken) > 5
                                         else "")
        problems.append(
            f"rules.partner_quotas[{k}] ({pq.describe()}): {len(broken)} "
            f"{programme.side(pq.side).label} enterprise/group(s) out of bounds: {shown}"
        )
    return problems


def _claimed_value_problems(
    programme: Programme, result: Result, matrices: _Values, figures: list[str]
) -> list[str]:
    """Pairs with no score or one below min_score (broken rules, returned), and claimed
    score/gains that differ from the programme's (stale figures, added to ``figures``).

    Compared as arrays (one gather per matrix), then only the offending pairs are worded.
    """
    left_pos, right_pos = _positions(programme)
    known = [p for p in result.pairs if p.left in left_pos and p.right in right_pos]
    if not known:
        return []
    rows = np.fromiter((left_pos[p.left] for p in known), dtype=np.intp, count=len(known))
    cols = np.fromiter((right_pos[p.right] for p in known), dtype=np.intp, count=len(known))
    true_scores, user, gain_left, gain_right = matrices.at(rows, cols)
    no_score = np.isnan(true_scores)
    below = ~no_score & (true_scores < matrices.dtype.type(programme.rules.min_score))
    fields = ("score", "gain_left", "gain_right")
    # Claimed scores are on the user's scale: the organisers' raw cells when their matrix was
    # given as costs or on its own scale (min_score applies to the normalised score above).
    expected = np.stack([user, gain_left, gain_right], axis=1)
    claimed = np.asarray([[p.score, p.gain_left, p.gain_right] for p in known], dtype=np.float64)
    scale = np.maximum(1.0, np.abs(expected))
    wrong = ~(np.abs(claimed - expected) <= _TOLERANCE * scale) & ~no_score[:, None]
    problems = []
    for k in np.flatnonzero(no_score | below | wrong.any(axis=1)).tolist():
        pair = known[k]
        if no_score[k]:
            problems.append(f"pair {pair.left}–{pair.right} has no score (forbidden by scores.csv)")
            continue
        if below[k]:
            problems.append(
                f"pair {pair.left}–{pair.right} scores {float(true_scores[k]):.6f}, below "
                f"min_score {programme.rules.min_score}"
            )
        for f in np.flatnonzero(wrong[k]).tolist():
            figures.append(
                f"pair {pair.left}–{pair.right}: {fields[f]} {getattr(pair, fields[f])} but the "
                f"programme gives {float(expected[k, f]):.6f}"
            )
    return problems


def _user_scores(
    matrices: ScoreMatrices, rows: np.ndarray, cols: np.ndarray, normalised: np.ndarray
) -> np.ndarray:
    """The pairs' scores as a result reports them: the raw cells of an organisers' matrix read
    as costs or on its own scale (``matrices.scale``), else the score matrix's cells."""
    scale = matrices.scale
    if scale is not None and not scale.identity:
        return np.where(np.isnan(normalised), np.nan, scale.raw[rows, cols])
    return normalised.astype(np.float64)


def _bound_problems(name: str, count: int, low: int | None, high: int | None) -> list[str]:
    if low is not None and count < low:
        return [f"{name}: {count} pair(s), fewer than min {low}"]
    if high is not None and count > high:
        return [f"{name}: {count} pair(s), more than max {high}"]
    return []


def _unmatched_problems(programme: Programme, result: Result) -> list[str]:
    problems = []
    for side_name in ("left", "right"):
        side = programme.side(side_name)
        matched = {getattr(p, side_name) for p in result.pairs}
        expected = [e.id for e in side.enterprises if e.id not in matched]
        listed = getattr(result.unmatched, side_name)
        if sorted(listed) != sorted(expected):
            problems.append(
                f"unmatched.{side_name} lists {len(listed)} id(s), expected {len(expected)}: "
                f"{sorted(set(listed) ^ set(expected))[:5]} differ"
            )
    return problems


def _claim_problems(result: Result, prepared: Prepared | None) -> list[str]:
    """A result without a matching: it has no pairs, and an 'infeasible' claim has a proof."""
    if result.pairs:
        return [f"a {result.status} result must have no pairs, this one has {len(result.pairs)}"]
    if result.status != "infeasible":
        return []
    if prepared is None:
        return [
            "status 'infeasible' is not confirmed: above the dense size the counting argument "
            "(which needs the compiled problem) is skipped; re-solve with `pairing solve`"
        ]
    if not counting_conflicts(prepared.problem):
        return [
            "status 'infeasible' is not confirmed: no counting argument shows the rules "
            "conflict; re-solve with `pairing solve` (an exact solver proves or refutes it)"
        ]
    return []


def violations(
    programme: Programme,
    result: Result,
    matrices: ScoreMatrices | None = None,
    *,
    check_input_hash: bool = True,
    prepared: Prepared | None = None,
) -> list[str]:
    """Every way ``result`` breaks ``programme`` (empty list: the result is valid).

    ``check_input_hash=False`` skips comparing ``result.input_sha256`` with the programme's
    hash (the solver, which has just computed it, passes False). ``prepared``
    (:func:`pairing.core.prepare.prepare` of ``programme``) saves scoring and compiling it again.
    """
    rules, figures = violations_by_kind(programme, result, matrices,
                                        check_input_hash=check_input_hash, prepared=prepared)
    return rules + figures


def violations_by_kind(
    programme: Programme,
    result: Result,
    matrices: ScoreMatrices | None = None,
    *,
    check_input_hash: bool = True,
    prepared: Prepared | None = None,
) -> tuple[list[str], list[str]]:
    """:func:`violations` in two lists: broken rules (ids, capacities, forbidden, required,
    ``min_score``, quotas, stability, claims) and figures of the file that differ from what the
    programme gives (scores, gains, objective value, totals, unmatched lists, input hash) — so
    that a hand-edited file's real breaches are not buried under its stale numbers.
    """
    require_instance(programme, Programme, "programme", "build one with pairing.load(path)")
    require_instance(result, Result, "result", "pass what pairing.solve returned")
    values: _Values
    if matrices is None and prepared is None and blockwise(programme):
        # above the dense size: each pair's values from the tags, all-pairs counts by blocks
        programme = programme.with_fair_to(result.metrics.fair_to)
        values, prepared = _TagValues(TagCells(programme)), None
    else:
        prepared = prepared_for(programme, prepared, objective=result.objective,
                                fair_to=result.metrics.fair_to, matrices=matrices)
        programme, values = prepared.programme, _Cells(prepared.matrices)
    problems: list[str] = []
    figures: list[str] = []
    if check_input_hash and result.input_sha256 != input_sha256(programme):
        figures.append(
            "input_sha256 does not match this programme: the result was computed for another "
            "programme, or the programme changed since"
        )
    if result.status == "infeasible":
        return problems + _claim_problems(result, prepared), figures
    left, right = pair_indices(programme, result, problems)
    problems += capacity_problems(programme, left, right)
    problems += _rule_problems(programme, result, values, figures)
    figures += _unmatched_problems(programme, result)
    value = _objective_value(programme, result, values, left, right)
    if not _close(result.objective_value, value, scale=float(len(left)) * 1e-3):
        figures.append(
            f"objective_value {result.objective_value} but the pairs give {value:.6f} "
            f"for objective '{result.objective}'"
        )
    total = float(np.nansum(values.at(left, right)[1]))
    if not _close(result.metrics.total_score, total, scale=float(len(left)) * 1e-3):
        figures.append(
            f"metrics.total_score {result.metrics.total_score} but the pairs sum to {total:.6f}"
        )
    if result.metrics.pairs != len(result.pairs):
        figures.append(
            f"metrics.pairs {result.metrics.pairs} but there are {len(result.pairs)} pairs"
        )
    if result.objective == "stable":
        if prepared is None:
            assert isinstance(values, _TagValues)
            blocking = _blocking_by_blocks(programme, values.cells, left, right)
        else:
            problems += _acceptable_problems(programme, prepared.matrices, prepared)
            blocking = prepared.blocking_count(left, right)
        if blocking:
            problems.append(f"objective 'stable' but the matching has {blocking} blocking pair(s)")
        if result.metrics.blocking_pairs != blocking:
            figures.append(
                f"metrics.blocking_pairs {result.metrics.blocking_pairs} but there are {blocking}"
            )
    return problems, figures


def _objective_value(
    programme: Programme, result: Result, matrices: _Values,
    left: np.ndarray, right: np.ndarray,
) -> float:
    """The result's objective value from its pairs, by the contract's words alone: total and
    stable sum the scores (on the user's scale); maxmin and leximin take the smallest gain of
    an enterprise on a ``fair_to`` side (the sum over its partners, 0 alone); balanced the
    smaller of those sides' mean gains."""
    _, user, gain_left, gain_right = matrices.at(left, right)
    if result.objective in ("total", "stable"):
        return float(np.nansum(user))
    fair_to = result.metrics.fair_to
    per_side = []
    for side_name, owners, gains in (("left", left, gain_left), ("right", right, gain_right)):
        if fair_to not in ("both", side_name):
            continue
        size = len(programme.side(side_name).enterprises)
        totals = np.zeros(size)
        np.add.at(totals, owners, gains)
        per_side.append(totals)
    if not any(len(t) for t in per_side):
        return 0.0
    if result.objective == "balanced":
        return float(min(t.mean() for t in per_side if len(t)))
    return float(min(t.min() for t in per_side if len(t)))


def _acceptable_problems(
    programme: Programme, matrices: ScoreMatrices, prepared: Prepared
) -> list[str]:
    """Pairs the compiled problem accepts (or refuses) against the programme's own rules, so
    that the blocking-pair count below cannot miss a pair the compilation dropped."""
    score = matrices.score
    acceptable = ~np.isnan(score)
    if programme.rules.min_score > 0:  # a score equal to min_score is acceptable
        acceptable &= np.nan_to_num(score, nan=0.0) >= score.dtype.type(programme.rules.min_score)
    left_pos, right_pos = _positions(programme)
    barred = list(programme.rules.forbidden) + [pair for _, pair in vetoed_pairs(programme)]
    for a, b in barred:
        if a in left_pos and b in right_pos:
            acceptable[left_pos[a], right_pos[b]] = False
    differ = np.argwhere(acceptable != prepared.problem.allowed)
    if not len(differ):
        return []
    left_ids, right_ids = programme.left.ids, programme.right.ids
    shown = ", ".join(f"{left_ids[i]}–{right_ids[j]}" for i, j in differ[:5].tolist())
    return [
        f"the compiled problem disagrees with the rules on {len(differ)} pair(s) ({shown}): "
        "blocking pairs cannot be counted reliably; please report this as a bug"
    ]


def _blocking_by_blocks(programme: Programme, cells: TagCells, left: np.ndarray,
                       right: np.ndarray) -> int:
    """The blocking pairs of a matching of a tag-scored programme, counted one row block at a
    time (the dense count's definition and tie-breaks, bounded memory). Acceptable pairs are
    read from the rules directly: scored, at least ``min_score``, not forbidden."""
    left_pos, right_pos = _positions(programme)
    _, gain_left, gain_right = cells.at(left, right)
    caps = [np.array([e.capacity.max for e in side.enterprises], dtype=np.int64)
            for side in (programme.left, programme.right)]
    thresholds = capacitated_thresholds(left, right, gain_left, gain_right, *caps)
    barred = np.array(
        [(left_pos[a], right_pos[b]) for a, b in programme.rules.forbidden
         if a in left_pos and b in right_pos], dtype=np.intp).reshape(-1, 2)
    min_score = np.float32(programme.rules.min_score)

    def blocks() -> Iterator[tuple[int, np.ndarray, np.ndarray, np.ndarray | None]]:
        for start, gl, gr, score in cells.row_blocks():
            stop = start + gl.shape[0]
            allowed = score >= min_score if min_score > 0 else None
            here = barred[(barred[:, 0] >= start) & (barred[:, 0] < stop)]
            if len(here):
                if allowed is None:
                    allowed = np.ones(gl.shape, dtype=bool)
                allowed[here[:, 0] - start, here[:, 1]] = False
            yield start, gl, gr, allowed

    return len(blocking_in_blocks(thresholds, blocks(), left, right, cells.n_right))


def check(
    programme: Programme, result: Result, matrices: ScoreMatrices | None = None, *,
    prepared: Prepared | None = None,
) -> None:
    """Raise :class:`~pairing.errors.CheckFailed` listing every violation, if there is any.

    ``prepared`` (:func:`pairing.core.prepare.prepare` of ``programme``) saves scoring and
    compiling it again.
    """
    found = violations(programme, result, matrices, prepared=prepared)
    if found:
        raise CheckFailed(found)
