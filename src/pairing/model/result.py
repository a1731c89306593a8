"""Typed, immutable result models: what ``pairing solve`` writes and the library returns.

The JSON form is the design's result format; :meth:`Result.to_json` is deterministic (two
runs with the same input and seed differ only in ``solver.runtime_s``).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "HEADLINE_METRICS",
    "Alternate",
    "Metrics",
    "Pair",
    "QuotaUsage",
    "Reason",
    "ReasonDirection",
    "Result",
    "RunnerUp",
    "ScaleInfo",
    "SideMetrics",
    "SolverInfo",
    "Unmatched",
]

#: ``optimal`` and ``feasible`` are what solving produces (DESIGN: infeasibility and a time limit
#: with no matching are errors, not results). ``infeasible`` stays readable because ``pairing
#: check`` tests such a claim in a result written elsewhere (it needs a counting proof).
ResultStatus = Literal["optimal", "feasible", "infeasible"]


class _Frozen(BaseModel):
    """Frozen, strict result models, each built when first used (``defer_build``): a solve
    builds the ones it fills; a result that carries no alternates or quota usage never builds
    those (start-up of ``pairing solve``)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class RunnerUp(_Frozen):
    """Each end's next-best allowed partner and how much less it would gain with it.

    ``left``: the right enterprise the pair's left enterprise would gain most with besides its
    partners (``left_less``: its gain here minus its gain there); ``right`` likewise. ``None``
    when there is no other allowed partner (see :mod:`pairing.analysis.runner_up`).
    """

    left: str | None = None
    left_less: float | None = None
    right: str | None = None
    right_less: float | None = None

    def describe(self, digits: int = 3) -> tuple[str, str]:
        """Each end's runner-up in words (explain, the table and the report say it alike):
        ``"PK-040, 0.120 less"``; ``"more"`` when the runner-up would give more (the rules or
        better pairs elsewhere kept it away); ``"none"`` without another allowed partner."""
        out = []
        for other, less in ((self.left, self.left_less), (self.right, self.right_less)):
            if other is None or less is None:
                out.append("none (no other allowed partner)")
                continue
            verb = "less" if less >= 0 else "more (kept away by the rules or better pairs)"
            out.append(f"{other}, {abs(less):.{digits}f} {verb}")
        return out[0], out[1]


#: Which way a reason runs: ``left_to_right`` — the left enterprise offers and the right one
#: needs (so the right one gains), or the left one stated interest in the right one;
#: ``right_to_left`` the reverse; ``both`` both ways.
ReasonDirection = Literal["left_to_right", "right_to_left", "both"]


class Reason(_Frozen):
    """One reason a pair scores what it scores: a tag of the tags term, or another score term.

    ``contribution`` is always what the reason adds to the pair's **score** (not to a gain): the
    contributions of all tags and all other terms of a pair add up to its score (see
    :mod:`pairing.features.reasons`). ``text`` is the sentence rendered from the other fields.
    A reason read from a result file written before reasons were structured has only ``text``.
    """

    term: str | None = Field(
        None,
        description="the score term: tags, scores (the organisers' matrix), preference, text, "
        "sector, region, size or source:NAME; null in a result written before reasons were "
        "structured",
    )
    tag: str | None = Field(
        None, description="the tag (term tags) or the shared phrase (term text); else null"
    )
    direction: ReasonDirection | None = Field(
        None,
        description="left_to_right: the left enterprise offers, the right one needs (or the "
        "left one stated the interest); right_to_left: the reverse; both; null for a term "
        "without a direction (sector, region, size, sources, the organisers' score)",
    )
    contribution: float | None = Field(
        None, description="what this reason adds to the pair's score (the score, not a gain)"
    )
    text: str = Field(description="the reason as a sentence, rendered from the fields above")


class Pair(_Frozen):
    """One chosen pair, with its score, both gains, the reasons that explain it and each end's
    runner-up."""

    left: str
    right: str
    score: float
    gain_left: float
    gain_right: float
    reasons: tuple[Reason, ...] = ()
    runner_up: RunnerUp | None = None

    @field_validator("reasons", mode="before")
    @classmethod
    def _plain_text_reasons(cls, value: Any) -> Any:
        """Reasons written as plain sentences (results of earlier versions) read as
        ``Reason(text=...)`` with every other field ``None``."""
        if isinstance(value, list | tuple):
            return [{"text": item} if isinstance(item, str) else item for item in value]
        return value


class Unmatched(_Frozen):
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()


class SideMetrics(_Frozen):
    """Fairness figures of one side; gains are per enterprise (sum over its partners)."""

    label: str
    enterprises: int
    matched: int
    min_gain: float
    p10_gain: float
    mean_gain: float
    gini: float


class QuotaUsage(_Frozen):
    """How many pairs a quota counts against its bounds."""

    rule: str
    description: str
    count: int
    min: int | None = None
    max: int | None = None
    ok: bool


class ScaleInfo(_Frozen):
    """How the organisers' score matrix was read, when not as scores in [0, 1].

    ``sense`` ``score`` or ``cost``; ``lo``/``hi`` its smallest and largest cell (``0``/``1``
    for a cost matrix in [0, 1]). The solvers work on the matrix mapped onto [0, 1], higher
    better (``(v − lo)/(hi − lo)``, for costs ``(hi − v)/(hi − lo)``). Pair scores,
    ``objective_value`` of ``total``/``stable``, ``total_score`` and ``mean_score`` are the raw
    values on this scale; gains, the fair objectives' values, ``min_score`` and
    ``solver.bound``/``gap`` are on the normalised scale.
    """

    sense: Literal["score", "cost"]
    lo: float
    hi: float


#: The keys of :meth:`Metrics.headline`, in column order.
HEADLINE_METRICS: tuple[str, ...] = (
    "pairs",
    "total_score",
    "mean_score",
    "min_gain_left",
    "mean_gain_left",
    "min_gain_right",
    "mean_gain_right",
    "gini",
    "blocking_pairs",
)


class Metrics(_Frozen):
    """Fairness metrics reported for every result, whatever its objective."""

    pairs: int
    total_score: float
    mean_score: float
    left: SideMetrics
    right: SideMetrics
    gini: float
    blocking_pairs: int
    fair_to: str = Field(
        "both", description="whose gains the fair objectives count: both | left | right"
    )
    sorted_gains: tuple[float, ...] = Field(
        (),
        description="the counted enterprises' gains, ascending (the leximin vector)",
    )
    worst_off: tuple[str, ...] = Field(
        (),
        description="the counted enterprises with the smallest gain (at most 5), worst first",
    )
    pairs_by_sector: dict[str, dict[str, int]] = Field(default_factory=dict)
    quotas: tuple[QuotaUsage, ...] = ()
    scale: ScaleInfo | None = Field(
        None,
        description="how the organisers' matrix was read (sense, lo, hi) when given as costs "
        "or on its own scale; absent for scores in [0, 1]",
    )

    def headline(self) -> dict[str, float | int]:
        """The metrics a table row shows (compare, sweeps), flat and named for columns."""
        values: dict[str, float | int] = {
            "pairs": self.pairs,
            "total_score": self.total_score,
            "mean_score": self.mean_score,
            "min_gain_left": self.left.min_gain,
            "mean_gain_left": self.left.mean_gain,
            "min_gain_right": self.right.min_gain,
            "mean_gain_right": self.right.mean_gain,
            "gini": self.gini,
            "blocking_pairs": self.blocking_pairs,
        }
        return {key: values[key] for key in HEADLINE_METRICS}


class SolverInfo(_Frozen):
    name: str
    chosen_because: str
    runtime_s: float
    seed: int
    gap: float | None = None
    #: The best proven bound on the objective value when the answer is not proven optimal.
    bound: float | None = None
    time_limit: float | None = None
    note: str = ""
    positions_proven: int | None = Field(
        None,
        description="leximin stopped by its time limit: how many of the sorted counted gains "
        "(metrics.sorted_gains) are proven, from the lowest; absent otherwise",
    )
    next_position_bound: float | None = Field(
        None,
        description="leximin stopped by its time limit: a proven upper bound on the first "
        "sorted gain not proven, in every leximin-optimal matching; absent when none is known",
    )


class Alternate(_Frozen):
    """A backup partner: its id, the pair's score, the asking enterprise's gain, and whether the
    partner has spare capacity (else it would swap one of its partners; see
    :mod:`pairing.analysis.alternates`)."""

    id: str
    score: float
    gain: float
    spare: bool


class Result(_Frozen):
    """A solved programme: pairs, unmatched enterprises, objective, metrics and provenance."""

    status: ResultStatus
    objective: str
    objective_value: float
    pairs: tuple[Pair, ...]
    unmatched: Unmatched
    metrics: Metrics
    solver: SolverInfo
    input_sha256: str
    version: str
    message: str = ""
    alternates: dict[str, dict[str, tuple[Alternate, ...]]] | None = Field(
        default=None,
        description="per side and enterprise id, the best backup partners (solve --alternates K)",
    )

    def to_json(self, indent: int | None = 1) -> str:
        # Results without alternates keep the JSON they had before the field existed.
        # Likewise ``metrics.scale`` shows only for a matrix read as costs or on its own scale.
        exclude: dict[str, Any] = {}
        if self.alternates is None:
            exclude["alternates"] = True
        if self.metrics.scale is None:
            exclude["metrics"] = {"scale"}
        # likewise the leximin positions, shown only for a stopped leximin run
        unset = {name for name in ("positions_proven", "next_position_bound")
                 if getattr(self.solver, name) is None}
        if unset:
            exclude["solver"] = unset
        return self.model_dump_json(indent=indent, exclude=exclude or None)

    def status_text(self) -> str:
        """The status in words, never letting a stopped answer look finished."""
        if self.status == "optimal":
            return "optimal (proven)"
        solver = self.solver
        text = "feasible, NOT proven optimal (time limit reached)"
        if solver.bound is not None:
            text += f"; best bound {solver.bound:.6g}"
        if solver.gap is not None:
            text += f", gap {solver.gap:.2%}"
            if solver.gap >= 0.999:
                text += "; nothing was proven about the objective value: raise --time-limit"
        else:
            text += "; no bound known"
        return text + self._positions_text()

    def _positions_text(self) -> str:
        """A stopped leximin run: how many sorted gains are proven, and how the next one
        stands against its proven bound (the objective value, the smallest gain, is often
        proven long before the rest)."""
        proven, gains = self.solver.positions_proven, self.metrics.sorted_gains
        if proven is None or proven >= len(gains):
            return ""
        text = (f"; {proven} of the {len(gains)} sorted counted gains proven, from the lowest; "
                f"gain {proven + 1} is {gains[proven]:.4f} here")
        bound = self.solver.next_position_bound
        if bound is not None:
            # (rounded up: a bound shown below itself would claim too much)
            text += f", at most {math.ceil(bound * 1e4) / 1e4:.4f} in a leximin-optimal matching"
        return text

    def pair_ids(self) -> list[tuple[str, str]]:
        return [(p.left, p.right) for p in self.pairs]

    def without_runtime(self) -> dict[str, Any]:
        """The result as a dict with ``solver.runtime_s`` removed (for comparing runs)."""
        data = self.model_dump(mode="json")
        data["solver"].pop("runtime_s", None)
        if data.get("alternates") is None:
            data.pop("alternates", None)
        return data
