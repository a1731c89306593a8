"""Build the benchmark instance of a :class:`~pairing.bench.grid.Case`, reproducibly.

Every instance is a pure function of its case (family, size, seed): the parent process builds
it once and stores it (pickle) so that each measured cell loads the same object instead of
regenerating it. What each family builds:

- ``dense``: ``generate(n, n, profile="uniform")``, default rules (one-to-one, 1..1).
- ``sparse``: the same with capacities 0..1 and ``min_score`` at the 90th percentile of the
  scores, so about 90% of pairs are not allowed.
- ``capacitated``: uniform profile, left capacity 1..k, right 0..1.
- ``rules``: ``double-hundred`` profile with capacities 0..1, a max quota on the two largest
  left sectors (60% of members), min and max quotas on the largest right region (30%–70%),
  a pair quota between the largest sectors of each side, 1% of pairs forbidden at random and
  three required pairs.
- ``fair``: ``double-hundred`` profile, one-to-one, solved under the case's objective.
- ``orlib``: OR-Library ``assign<n>`` (integer costs) as a score matrix ``(M - cost) / M``.
- ``kernel``: the uniform profile's score matrix, as ``float64``, given to raw kernels and,
  through :func:`pairing.from_scores`, to ``pairing.solve``.
- ``realistic``: the same comparison on a generated ``double-hundred`` programme (its score
  matrix, zeros and ties included, to the kernels; the programme itself to ``pairing.solve``):
  the structure of real programmes, on which the dense kernels are many times slower than on
  random scores.
- ``scoring``: a ``double-hundred`` programme, for timing :func:`pairing.score_matrix`.
- ``sources``: a ``double-hundred`` programme with texts, stated interest and one random extra
  score matrix, for timing :func:`pairing.score_matrix` with each score source against the
  tag terms alone (see :data:`SOURCE_TERMS`).

Score matrices are precomputed here (``Instance.matrices``) and passed to ``pairing.solve``
for the solver rows, so that solver times exclude scoring, which the ``scoring`` family and the
``auto-e2e`` rows measure separately.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pairing.bench.grid import FAMILIES, Case
from pairing.core.prepare import prepare
from pairing.errors import InvalidProgramme
from pairing.features import ScoreMatrices, score_matrix
from pairing.generator import generate
from pairing.model.programme import Capacity, Enterprise, PairQuota, Programme, Quota, Rules, Side

__all__ = ["ORLIB_OPTIMA", "SOURCE_TERMS", "Instance", "build_instance", "orlib_dir"]

#: The ``sources`` family's contenders: the weights each one scores with (tags alone first).
SOURCE_TERMS: dict[str, dict[str, float]] = {
    "terms:tags": {},
    "terms:preference": {"preference": 1.0},
    "terms:text": {"text": 1.0},
    "terms:source": {"source": 0.5},
    "terms:all": {"preference": 1.0, "text": 1.0, "source": 0.5},
}

#: Known optimal costs of OR-Library assign100..800 (Beasley's list).
ORLIB_OPTIMA: dict[int, int] = {
    100: 305,
    200: 475,
    300: 626,
    400: 804,
    500: 991,
    600: 1176,
    700: 1362,
    800: 1552,
}


@dataclass
class Instance:
    """A built case: the programme solvers see, plus what references and checks need.

    Attributes
    ----------
    programme
        The programme passed to ``pairing.solve``.
    matrices
        Its precomputed score matrices (solver rows reuse them; ``auto-e2e`` does not).
    description
        One line for the report.
    structure
        The rule kinds of the compiled problem (see ``Problem.structure``).
    arrays
        Family-specific data: ``benefit`` (kernel), ``cost`` (orlib), ``needs``/``caps``
        (scoring's matmul reference).
    known_optimum
        OR-Library's optimal cost, when known.
    """

    case: Case
    programme: Programme
    matrices: ScoreMatrices | None
    description: str
    structure: frozenset[str] = frozenset()
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    known_optimum: int | None = None
    #: ``schedule`` family: the solved result and the event (a mapping as in ``event.toml``).
    payload: dict[str, Any] = field(default_factory=dict)

    def meta(self) -> dict[str, Any]:
        """What the report needs to know about the instance (JSON-ready)."""
        return {
            "id": self.case.id,
            "family": self.case.family,
            "n_left": self.case.n_left,
            "n_right": self.case.n_right,
            "objective": self.case.objective,
            "description": self.description,
            "structure": sorted(self.structure),
            "known_optimum": self.known_optimum,
        }


def orlib_dir() -> Path:
    """Where the OR-Library files are: ``$PAIRING_ORLIB_DIR``, else the repository's copy."""
    env = os.environ.get("PAIRING_ORLIB_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "tests" / "data" / "external" / "lap_orlib"


def _with_capacities(
    programme: Programme,
    left: Capacity | None = None,
    right: Capacity | None = None,
    rules: Rules | None = None,
) -> Programme:
    """A copy of ``programme`` with every enterprise's capacity (per side) and the rules set."""

    def side(s: Side, capacity: Capacity | None) -> Side:
        if capacity is None:
            return s
        members = [e.model_copy(update={"capacity": capacity}) for e in s.enterprises]
        return Side(label=s.label, enterprises=members)

    return Programme(
        name=programme.name,
        left=side(programme.left, left),
        right=side(programme.right, right),
        vocabulary=programme.vocabulary,
        rules=rules if rules is not None else programme.rules,
    )


def _optional() -> Capacity:
    return Capacity(min=0, max=1)


def _dense(case: Case) -> Instance:
    programme = generate(case.n_left, case.n_right, seed=case.seed, profile="uniform")
    return Instance(
        case,
        programme,
        score_matrix(programme),
        f"{FAMILIES['dense']}; {case.n_left}×{case.n_right}",
    )


def _sparse(case: Case) -> Instance:
    base = generate(case.n_left, case.n_right, seed=case.seed, profile="uniform")
    matrices = score_matrix(base)
    sample = matrices.score.ravel()[:: max(1, matrices.score.size // 1_000_000)]
    threshold = round(float(np.quantile(sample, 0.9)), 4)
    rules = Rules(min_score=threshold)
    programme = _with_capacities(base, _optional(), _optional(), rules)
    allowed = float((matrices.score >= np.float32(threshold)).mean())
    text = f"one-to-one, capacity 0..1, min_score {threshold} ({allowed:.1%} of pairs allowed)"
    return Instance(case, programme, matrices, text)


def _capacitated(case: Case) -> Instance:
    base = generate(case.n_left, case.n_right, seed=case.seed, profile="uniform")
    programme = _with_capacities(base, Capacity(min=1, max=case.capacity), _optional())
    text = f"left capacity 1..{case.capacity}, right 0..1 (uniform profile)"
    return Instance(case, programme, score_matrix(programme), text)


def _largest(values: list[str]) -> list[str]:
    names, counts = np.unique(np.asarray(values, dtype=str), return_counts=True)
    return [str(names[k]) for k in np.argsort(-counts, kind="stable")]


def _rules_for(programme: Programme, seed: int) -> Rules:
    left, right = programme.left.enterprises, programme.right.enterprises
    n_left, n_right = len(left), len(right)
    left_sectors = _largest([e.sector for e in left])
    right_regions = _largest([e.region for e in right])
    right_sectors = _largest([e.sector for e in right])

    def members(people: list[Enterprise], by: str, group: str) -> int:
        return sum(getattr(e, by) == group for e in people)

    quotas = [
        Quota(side="left", by="sector", group=g, max=int(0.6 * members(left, "sector", g)))
        for g in left_sectors[:2]
    ]
    region = right_regions[0]
    size = members(right, "region", region)
    quotas.append(
        Quota(side="right", by="region", group=region, min=int(0.3 * size), max=int(0.7 * size))
    )
    pair = PairQuota(
        left_sector=left_sectors[0],
        right_sector=right_sectors[0],
        min=1,
        max=max(1, members(left, "sector", left_sectors[0]) // 3),
    )
    rng = np.random.default_rng(seed)
    n_forbid = max(1, n_left * n_right // 100)
    cells = rng.choice(n_left * n_right, size=n_forbid, replace=False)
    required_rows = rng.choice(min(n_left, n_right), size=min(3, n_left, n_right), replace=False)
    required = [(left[int(i)].id, right[int(i)].id) for i in required_rows]
    forbidden = [
        (left[int(c) // n_right].id, right[int(c) % n_right].id)
        for c in cells
        if not (int(c) // n_right in required_rows and int(c) // n_right == int(c) % n_right)
    ]
    return Rules(quotas=quotas, pair_quotas=[pair], forbidden=forbidden, required=required)


def _rules(case: Case) -> Instance:
    base = generate(case.n_left, case.n_right, seed=case.seed)
    programme = _with_capacities(base, _optional(), _optional(), _rules_for(base, case.seed))
    rules = programme.rules
    text = (
        f"capacity 0..1, {len(rules.quotas)} side quotas, {len(rules.pair_quotas)} pair quota, "
        f"{len(rules.forbidden)} forbidden, {len(rules.required)} required (double-hundred)"
    )
    return Instance(case, programme, score_matrix(programme), text)


def _fair(case: Case) -> Instance:
    programme = generate(case.n_left, case.n_right, seed=case.seed)
    programme = programme.model_copy(
        update={"rules": programme.rules.model_copy(update={"objective": case.objective})}
    )
    text = f"one-to-one, objective {case.objective} (double-hundred)"
    return Instance(case, programme, score_matrix(programme), text)


def _read_orlib(n: int) -> np.ndarray:
    path = orlib_dir() / f"assign{n}.txt"
    try:
        numbers = np.array(path.read_text().split(), dtype=np.int64)
    except OSError as exc:
        msg = f"OR-Library file not found: {path} ({exc}); set PAIRING_ORLIB_DIR"
        raise InvalidProgramme(msg) from None
    if numbers[0] != n or numbers.size != 1 + n * n:
        msg = f"{path}: expected an {n}×{n} cost matrix, got {numbers.size - 1} numbers"
        raise InvalidProgramme(msg)
    return numbers[1:].reshape(n, n)


def _orlib(case: Case) -> Instance:
    from pairing.io import from_scores

    cost = _read_orlib(case.n_left)
    top = float(cost.max())
    programme = from_scores((top - cost) / top)
    text = f"OR-Library assign{case.n_left}, score = (M - cost) / M, M = {top:g}"
    return Instance(
        case,
        programme,
        score_matrix(programme),
        text,
        arrays={"cost": cost},
        known_optimum=ORLIB_OPTIMA.get(case.n_left),
    )


def _kernel(case: Case) -> Instance:
    from pairing.io import from_scores

    base = generate(case.n_left, case.n_right, seed=case.seed, profile="uniform")
    benefit = score_matrix(base).score.astype(np.float64)
    programme = from_scores(benefit)
    text = "uniform profile's score matrix (float64), raw kernels vs pairing.solve(auto)"
    return Instance(case, programme, None, text, arrays={"benefit": benefit})


def _realistic(case: Case) -> Instance:
    programme = generate(case.n_left, case.n_right, seed=case.seed)
    matrices = score_matrix(programme)
    benefit = np.nan_to_num(matrices.score, nan=0.0).astype(np.float64)
    zeros = float((benefit == 0).mean())
    text = (
        f"double-hundred programme's score matrix ({zeros:.0%} zeros), raw kernels vs "
        "pairing.solve(auto) from the programme"
    )
    return Instance(case, programme, matrices, text, arrays={"benefit": benefit})


def _scoring(case: Case) -> Instance:
    from pairing.features.vocabulary import build_vocabulary, level_matrix

    programme = generate(case.n_left, case.n_right, seed=case.seed)
    vocabulary = build_vocabulary(programme)
    needs = level_matrix(programme.left.enterprises, "needs", vocabulary)
    caps = level_matrix(programme.right.enterprises, "capabilities", vocabulary)
    text = (
        f"double-hundred, {len(vocabulary)} tags: score_matrix vs one float32 "
        f"({case.n_left}×{len(vocabulary)}) @ ({len(vocabulary)}×{case.n_right}) matmul"
    )
    arrays = {
        "needs": np.ascontiguousarray(needs, dtype=np.float32),
        "caps": np.ascontiguousarray(caps, dtype=np.float32),
    }
    return Instance(case, programme, None, text, arrays=arrays)


def _sources(case: Case) -> Instance:
    from pairing.model.programme import Source

    programme = generate(case.n_left, case.n_right, seed=case.seed, text=True, preferences=True)
    rng = np.random.default_rng(case.seed)
    history = np.round(rng.random(programme.shape), 2)
    history[rng.random(programme.shape) < 0.5] = np.nan  # half the pairs: no information
    rules = programme.rules.model_copy(
        update={"sources": [Source(name="history", weight=0.5, scores=history)]}
    )
    programme = programme.model_copy(update={"rules": rules})
    text = (
        f"double-hundred with English/Chinese texts, {len(programme.preferences):,} stated "
        "interests and one extra matrix: score_matrix per term vs tags only"
    )
    return Instance(case, programme, None, text)


def source_variant(programme: Programme, contender: str) -> Programme:
    """The ``sources`` instance scored with only the terms of ``contender`` (SOURCE_TERMS)."""
    terms = SOURCE_TERMS[contender]
    weights = programme.rules.weights.model_copy(
        update={"preference": 0.0, "text": 0.0, **{k: v for k, v in terms.items() if k != "source"}}
    )
    sources = programme.rules.sources if "source" in terms else []
    rules = programme.rules.model_copy(update={"weights": weights, "sources": sources})
    keep = programme.preferences if "preference" in terms else []
    return programme.model_copy(update={"rules": rules, "preferences": keep})


def schedule_event(meetings: int) -> dict[str, Any]:
    """Three sessions of eight 20-minute slots, with 5 % more shared tables than the meetings
    need at the least."""
    slots = 24
    sessions = [
        {"name": f"session {k + 1}", "date": f"2026-11-{10 + k // 2:02d}",
         "start": "09:30" if k % 2 == 0 else "14:00", "slots": 8}
        for k in range(3)
    ]
    tables = int(np.ceil(1.05 * meetings / slots)) + 1
    return {"name": "benchmark event", "timezone": "Asia/Karachi", "meeting_minutes": 20,
            "tables": tables, "max_per_session": 2, "session": sessions}


def _schedule(case: Case) -> Instance:
    import pairing
    from pairing.model.programme import Capacity

    base = generate(case.n_left, case.n_right, seed=case.seed)

    def with_capacity(side: Any) -> Any:
        k = case.capacity
        enterprises = [e.model_copy(update={"capacity": Capacity(min=k, max=k)})
                       for e in side.enterprises]
        return side.model_copy(update={"enterprises": enterprises})

    programme = base.model_copy(update={"left": with_capacity(base.left),
                                        "right": with_capacity(base.right)})
    result = pairing.solve(programme)
    event = schedule_event(len(result.pairs))
    text = (f"{len(result.pairs)} meetings of a double-hundred programme (capacity "
            f"{case.capacity} each side), 3 × 8 slots, {event['tables']} tables")
    return Instance(case, programme, None, text, payload={"result": result, "event": event})


def _blocks(case: Case) -> Instance:
    programme = generate(case.n_left, case.n_right, seed=case.seed)
    text = "double-hundred programme, scores built in row blocks by the solver (no n×n matrix)"
    return Instance(case, programme, None, text)


def _startup(case: Case) -> Instance:
    programme = generate(case.n_left, case.n_right, seed=case.seed)
    text = (
        f"whole processes; the solve row runs `pairing solve` on a {case.n_left}×{case.n_right} "
        f"one-to-one double-hundred programme (seed {case.seed}) from its JSON file"
    )
    return Instance(case, programme, None, text)


_BUILDERS = {
    "dense": _dense,
    "sparse": _sparse,
    "capacitated": _capacitated,
    "rules": _rules,
    "fair": _fair,
    "orlib": _orlib,
    "kernel": _kernel,
    "realistic": _realistic,
    "scoring": _scoring,
    "sources": _sources,
    "schedule": _schedule,
    "blocks": _blocks,
    "startup": _startup,
}


def build_instance(case: Case) -> Instance:
    """Build the instance of ``case`` (deterministic in the case's seed).

    Raises
    ------
    InvalidProgramme
        For an unknown family or missing OR-Library data.
    """
    if case.family not in _BUILDERS:
        msg = f"unknown benchmark family {case.family!r}; expected one of {', '.join(_BUILDERS)}"
        raise InvalidProgramme(msg)
    instance = _BUILDERS[case.family](case)
    if instance.matrices is not None:
        prepared = prepare(instance.programme, objective=case.objective,
                           matrices=instance.matrices)
        instance.structure = prepared.problem.structure()
    return instance
