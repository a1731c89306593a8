"""Typed input models: enterprises, sides, rules and the programme (pydantic v2).

A :class:`Programme` is one matchmaking instance: two sides (``left`` and ``right``), each with a
label such as ``CN`` or ``PK`` and a list of :class:`Enterprise`; the rules (capacities live on
each enterprise; quotas, forbidden and required pairs, ``min_score``, the objective and the
scoring weights live in :class:`Rules`); and optionally the organisers' own score matrix.

Field-level checks (types, ranges, NaN) are pydantic's; cross-field checks that need the whole
programme (duplicate ids, unknown ids in rules, a quota group no enterprise has, a pair both
required and forbidden, the score matrix's shape) are :mod:`pairing.model.cross_checks`, which
runs on raw data; a programme built in code runs them on itself (:func:`programme_issues`) and
raises them together, so one run reports every problem. Use :func:`pairing.io.programme_from_data`
(or :func:`pairing.load`) to turn raw data into a programme with a readable
:class:`~pairing.errors.InvalidProgramme` instead of pydantic's ``ValidationError``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from pairing.errors import InvalidProgramme, Issue
from pairing.model.cross_checks import CHECKED, cross_checks, programme_view

__all__ = [
    "OBJECTIVES",
    "SCORE_SCALES",
    "SENSES",
    "SIZES",
    "Capacity",
    "Enterprise",
    "FairTo",
    "Objective",
    "PairQuota",
    "PartnerQuota",
    "Preference",
    "Programme",
    "Quota",
    "Rules",
    "Side",
    "SideName",
    "Source",
    "Weights",
    "programme_issues",
]

Objective = Literal["total", "maxmin", "leximin", "balanced", "stable"]
OBJECTIVES: tuple[str, ...] = ("total", "maxmin", "leximin", "balanced", "stable")
SideName = Literal["left", "right"]
FairTo = Literal["both", "left", "right"]
Size = Literal["micro", "small", "medium", "large"]
SIZES: tuple[str, ...] = ("micro", "small", "medium", "large")
GroupBy = Literal["sector", "region", "size"]
#: What the organisers' score matrix holds: scores (higher is better) or costs (lower is better).
Sense = Literal["score", "cost"]
SENSES: tuple[str, ...] = ("score", "cost")
#: Which values its cells may take: [0, 1] (``unit``) or any finite number (``auto``).
ScoreScaleName = Literal["unit", "auto"]
SCORE_SCALES: tuple[str, ...] = ("unit", "auto")

Level = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
#: The largest count the model holds (capacities, quota bounds): far above any programme, far
#: below where integer solvers and NumPy's int64 sums overflow.
MAX_COUNT = 1_000_000_000
#: The largest scoring weight: weights are relative, and larger ones overflow float32 sums.
MAX_WEIGHT = 1e6
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Weight = Annotated[float, Field(ge=0.0, le=MAX_WEIGHT, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=200)]


def _as_matrix(value: Any, what: str) -> np.ndarray:
    """A 2-D ``float64`` array of ``value`` (None → NaN), or a ValueError saying what is wrong."""
    try:
        if isinstance(value, np.ndarray):
            array = value.astype(np.float64, copy=False)
        else:
            rows = [[math.nan if cell is None else cell for cell in row] for row in value]
            array = np.asarray(rows, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        msg = f"expected a matrix of {what} (or null for a forbidden pair): {exc}"
        raise ValueError(msg) from None
    if array.ndim != 2:
        msg = f"expected a matrix (2-D array), got a {array.ndim}-D array"
        raise ValueError(msg)
    return array


def _unit_range_error(array: np.ndarray, hint: str = "") -> ValueError | None:
    """The first cell outside [0, 1] (NaN skipped) as an error, or None when there is none."""
    # NaN-skipping reductions: no masked copy of a 10,000 × 10,000 matrix (inf shows up here too).
    # `initial` keeps an empty matrix valid; a value in [0, 1] never hides a bad cell.
    low = np.fmin.reduce(array, axis=None, initial=0.0)
    high = np.fmax.reduce(array, axis=None, initial=1.0)
    if low < 0 or high > 1:
        bad = np.argwhere(~np.isnan(array) & ~((array >= 0) & (array <= 1)))[0]
        msg = (
            f"score cells must be in [0, 1] (empty/null forbids the pair); "
            f"cell [{bad[0]}, {bad[1]}] is {float(array[bad[0], bad[1]])!r}"
            f"{hint if np.isfinite(array[bad[0], bad[1]]) else ''}"
        )
        return ValueError(msg)
    return None


def _as_score_array(value: Any) -> np.ndarray:
    """Validate a score matrix in [0, 1]: 2-D, NaN/None = forbidden pair (or no information)."""
    array = _as_matrix(value, "numbers in [0, 1]")
    error = _unit_range_error(array)
    if error is not None:
        raise error
    return array


def _as_raw_score_array(value: Any) -> np.ndarray:
    """The organisers' matrix as a 2-D array; its cells are checked against
    ``rules.score_scale`` by :class:`Programme` (in [0, 1], or any finite number)."""
    return _as_matrix(value, "finite numbers")


def _infinite_cell_error(array: np.ndarray) -> ValueError | None:
    """The first infinite cell as an error (two NaN-skipping reductions when there is none)."""
    if not (
        np.isinf(np.fmax.reduce(array, axis=None, initial=0.0))
        or np.isinf(np.fmin.reduce(array, axis=None, initial=0.0))
    ):
        return None
    bad = np.argwhere(np.isinf(array))[0]
    msg = (
        f"cell [{bad[0]}, {bad[1]}] is {float(array[bad[0], bad[1]])!r}: score cells must be "
        "finite numbers; leave the cell empty (null) to forbid the pair"
    )
    return ValueError(msg)


def _score_array_to_lists(array: np.ndarray) -> list[list[float | None]]:
    return [[None if math.isnan(x) else float(x) for x in row] for row in array.tolist()]


ScoreTable = Annotated[
    np.ndarray,
    PlainValidator(_as_score_array),
    PlainSerializer(_score_array_to_lists, when_used="json"),
    WithJsonSchema(
        {
            "type": "array",
            "items": {
                "type": "array",
                "items": {
                    "anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "null"}]
                },
            },
            "description": "n_left × n_right organisers' scores; null forbids the pair",
        }
    ),
]


RawScoreTable = Annotated[
    np.ndarray,
    PlainValidator(_as_raw_score_array),
    PlainSerializer(_score_array_to_lists, when_used="json"),
    WithJsonSchema(
        {
            "type": "array",
            "items": {"type": "array", "items": {"anyOf": [{"type": "number"}, {"type": "null"}]}},
            "description": "n_left × n_right organisers' scores (or costs, rules.sense); null "
            "forbids the pair. Cells in [0, 1] unless rules.score_scale is 'auto' (any finite "
            "number)",
        }
    ),
]


def _validation_issues(model: type[BaseModel], exc: ValidationError) -> list[Issue]:
    """A pydantic error of building ``model`` in code, as issues a person can act on."""
    from pairing.io.messages import describe_error, unknown_key_message  # imports this module

    issues: list[Issue] = []
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, InvalidProgramme):  # the programme's own cross-checks
            issues += cause.issues
            continue
        path = ".".join(str(part) for part in err["loc"])
        where = f"{model.__name__}({path})" if path else model.__name__
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            fields = list(model.model_fields)
            issues.append(Issue(where, unknown_key_message(path, fields, "field")))
        else:
            issues.append(Issue(where, describe_error(err)))
    return issues


if TYPE_CHECKING:
    from pydantic._internal._model_construction import ModelMetaclass as _PydanticMeta
else:
    _PydanticMeta = type(BaseModel)  # pydantic's model metaclass, without a private import


class _Raising(_PydanticMeta):
    """Calling a model class in code (``Enterprise(id="x", ...)``) raises
    :class:`~pairing.errors.InvalidProgramme` with ``.issues`` instead of pydantic's error.

    The metaclass's ``__call__`` is wrapped, not ``__init__``: pydantic calls a custom
    ``__init__`` for nested models too, and ``model_validate`` must keep pydantic's error, which
    the loaders turn into file, row and field locations.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            model: type[BaseModel] = cls  # type: ignore[assignment]  # a model class
            raise InvalidProgramme(_validation_issues(model, exc)) from None


class _Model(BaseModel, metaclass=_Raising):
    """Frozen, strict models; bad values given in code raise ``InvalidProgramme``.

    Each model builds its validator and serializer when first used, not when this module is
    imported (``defer_build``): loading a programme builds :class:`Programme`'s, which holds
    the nested models' schemas, and the models nobody validates on their own (quotas, sources,
    preferences, ...) never build one (the start-up of ``pairing solve``, issue 11).
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True
    )


class Capacity(_Model):
    """How many partners an enterprise may have: ``min``..``max`` (default exactly one)."""

    min: Count = 1
    max: Count = 1

    @model_validator(mode="after")
    def _min_at_most_max(self) -> Capacity:
        if self.min > self.max:
            msg = f"capacity min {self.min} is greater than max {self.max}; lower min or raise max"
            raise ValueError(msg)
        return self


class Enterprise(_Model):
    """One enterprise of one side.

    ``capabilities`` (what it offers) and ``needs`` (what it seeks) map free-form tags to a level
    in [0, 1]. ``capacity`` bounds its number of partners. ``notes`` keeps a spreadsheet's other
    columns (``{"Contact person": "Ms. Li"}``) so that the programme writes back as it was
    read; nothing in scoring, rules or solving reads them, and they are left out of the input
    hash (and out of the JSON when empty).
    """

    id: Name
    name: str = ""
    sector: str = ""
    region: str = ""
    size: Size | None = None
    capabilities: dict[Name, Level] = Field(default_factory=dict)
    needs: dict[Name, Level] = Field(default_factory=dict)
    capacity: Capacity = Field(default_factory=Capacity)
    description: str | None = None
    offers_text: str | None = None
    needs_text: str | None = None
    notes: dict[str, str] = Field(
        default_factory=dict,
        description="other columns of the enterprise's spreadsheet row (column → cell), kept "
        "as they were and never used for matching",
    )

    @model_serializer(mode="wrap")
    def _without_empty_notes(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if not self.notes:
            data.pop("notes", None)
        return data


class Side(_Model):
    """One side of the programme: a label (``CN``, ``PK``) and its enterprises."""

    label: Name
    enterprises: list[Enterprise]

    @property
    def ids(self) -> list[str]:
        return [e.id for e in self.enterprises]


class Quota(_Model):
    """Bounds on the number of pairs involving one side's enterprises of one group."""

    side: SideName
    by: GroupBy
    group: Name
    min: Count | None = None
    max: Count | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Quota:
        _check_bounds(self.min, self.max)
        return self

    def describe(self) -> str:
        return f"quota {self.side} {self.by}={self.group}{_bounds_text(self.min, self.max)}"


class PairQuota(_Model):
    """Bounds on the number of pairs between a left sector and a right sector."""

    left_sector: Name
    right_sector: Name
    min: Count | None = None
    max: Count | None = None

    @model_validator(mode="after")
    def _bounds(self) -> PairQuota:
        _check_bounds(self.min, self.max)
        return self

    def describe(self) -> str:
        return (
            f"pair quota {self.left_sector}×{self.right_sector}{_bounds_text(self.min, self.max)}"
        )


class PartnerQuota(_Model):
    """Bounds on the mix of *each* enterprise's partners (openreview's FairIR attribute rule).

    For every enterprise of ``side``, the number of its partners whose ``by`` (an attribute of
    the *other* side's enterprises) equals ``group`` lies in ``min..max``; ``group = "*"``
    applies the bounds to every distinct value separately (e.g. at most one partner per
    sector). Each CN firm with ≥ 1 ``small`` partner is
    ``PartnerQuota(side="left", by="size", group="small", min=1)``.
    """

    side: SideName
    by: GroupBy
    group: Name
    min: int | None = Field(None, ge=0)
    max: int | None = Field(None, ge=0)

    @model_validator(mode="after")
    def _bounds(self) -> PartnerQuota:
        _check_bounds(self.min, self.max)
        return self

    def describe(self) -> str:
        what = f"per {self.by}" if self.group == "*" else f"{self.by}={self.group}"
        return f"partner quota: each {self.side} enterprise's partners {what}" + _bounds_text(
            self.min, self.max
        )


def _check_bounds(low: int | None, high: int | None) -> None:
    if low is None and high is None:
        msg = "give at least one of min and max"
        raise ValueError(msg)
    if low is not None and high is not None and low > high:
        msg = f"min {low} is greater than max {high}"
        raise ValueError(msg)


def _bounds_text(low: int | None, high: int | None) -> str:
    parts = []
    if low is not None:
        parts.append(f"min {low}")
    if high is not None:
        parts.append(f"max {high}")
    return " " + " ".join(parts)


class Weights(_Model):
    """Weights of the score's terms (see :mod:`pairing.features.scoring`)."""

    mutual: float = Field(1.0, gt=0.0, le=MAX_WEIGHT, allow_inf_nan=False)
    sector: Weight = 0.0
    region: Weight = 0.0
    size: Weight = 0.0
    preference: Weight = 0.0
    text: Weight = 0.0


#: Named interest levels of ``preferences`` and the number each stands for.
INTEREST_LEVELS: dict[str, float] = {"high": 1.0, "medium": 0.6, "low": 0.3}


def _interest(value: Any) -> Any:
    """A named level or ``veto`` (any case), or a number in [0, 1] (also written as text)."""
    number = value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in INTEREST_LEVELS or word == "veto":
            return word
        try:
            number = float(word)
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, int | float) or not 0 <= number <= 1:
        msg = f"expected high, medium, low, veto or a number in [0, 1], found {value!r}"
        raise ValueError(msg)
    return float(number)


Interest = Annotated[
    float | Literal["high", "medium", "low", "veto"],
    BeforeValidator(_interest),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"enum": ["high", "medium", "low", "veto"], "type": "string"},
            ],
            "description": "high (1.0), medium (0.6), low (0.3), a number in [0, 1], or veto",
        }
    ),
]


class Preference(_Model):
    """One enterprise's stated interest in meeting one enterprise of the other side."""

    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    from_: Name = Field(alias="from")
    to: Name
    interest: Interest

    @property
    def level(self) -> float | None:
        """The interest as a number in [0, 1]; ``None`` for a veto."""
        if isinstance(self.interest, str):
            return INTEREST_LEVELS.get(self.interest)
        return float(self.interest)


class Source(_Model):
    """An extra weighted score matrix (``[[source]]``): n_left × n_right, NaN = no information."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: Name
    weight: float = Field(1.0, ge=0.0, allow_inf_nan=False)
    #: Where the matrix was read from (a bundle writes it back there); not part of the
    #: programme's identity, so neither serialised nor compared.
    file: str | None = Field(None, exclude=True)
    scores: ScoreTable


PairIds = tuple[Name, Name]


class Rules(_Model):
    """Everything besides the enterprises: objective, scoring weights and constraints."""

    objective: Objective = "total"
    #: Whose gains the fair objectives (maxmin, leximin, balanced) count: every enterprise of
    #: these sides, matched or not, and nobody else.
    fair_to: FairTo = "both"
    proposing: SideName = "left"
    #: What the organisers' score matrix (``Programme.scores``) holds: ``score`` (higher is
    #: better) or ``cost`` (lower is better); see :mod:`pairing.features.score_scale`.
    sense: Sense = "score"
    #: The organisers' matrix's cells lie in [0, 1] (``unit``), or on any finite scale
    #: (``auto``: mapped affinely onto [0, 1] by its smallest and largest cell).
    score_scale: ScoreScaleName = "unit"
    min_score: float = Field(0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    weights: Weights = Field(default_factory=Weights)
    quotas: list[Quota] = Field(default_factory=list)
    pair_quotas: list[PairQuota] = Field(default_factory=list)
    partner_quotas: list[PartnerQuota] = Field(default_factory=list)
    forbidden: list[PairIds] = Field(default_factory=list)
    required: list[PairIds] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)


class Programme(_Model):
    """A matchmaking programme: two sides, the rules and optionally the organisers' scores.

    ``vocabulary`` optionally maps each capability tag to a sector (for reports); ``scores``, when
    given, replaces the computed score and each side's gain is the pair's score (its cells are
    scores or costs, in [0, 1] or on any finite scale, as ``rules.sense`` and
    ``rules.score_scale`` say; :mod:`pairing.features.score_scale` maps them onto [0, 1]);
    ``preferences`` is the enterprises' stated interest (a ``veto`` forbids the pair).
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str = "programme"
    left: Side
    right: Side
    vocabulary: dict[Name, str] = Field(default_factory=dict)
    rules: Rules = Field(default_factory=Rules)
    scores: RawScoreTable | None = None
    preferences: list[Preference] = Field(default_factory=list)

    @field_validator("scores")
    @classmethod
    def _scores_in_scale(cls, scores: np.ndarray | None, info: ValidationInfo) -> Any:
        if scores is None:
            return scores
        rules = info.data.get("rules")
        if isinstance(rules, Rules) and rules.score_scale == "auto":
            error = _infinite_cell_error(scores)
        else:
            error = _unit_range_error(
                scores,
                " (rules.score_scale = 'unit'); set score_scale = \"auto\" in the rules "
                "(pairing solve --scores-scale auto) to accept a matrix on any finite scale",
            )
        if error is not None:
            raise error
        return scores

    @field_validator("left", "right")
    @classmethod
    def _not_empty(cls, side: Side) -> Side:
        if not side.enterprises:
            msg = "a side needs at least one enterprise"
            raise ValueError(msg)
        return side

    @model_validator(mode="after")
    def _cross_checks(self, info: ValidationInfo) -> Programme:
        if info.context is not None and info.context.get(CHECKED):
            return self  # the caller ran them on the raw data (pairing.io.validate)
        issues = programme_issues(self)
        if issues:
            raise InvalidProgramme(issues)
        return self

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.left.enterprises), len(self.right.enterprises)

    def with_fair_to(self, fair_to: str) -> Programme:
        """This programme counting ``fair_to``'s gains (itself when it already does).

        A result records the ``fair_to`` it was solved with (``metrics.fair_to``); checks and
        reports re-apply it, so a run with ``--fair-to`` is judged by what it optimised.
        """
        if fair_to == self.rules.fair_to:
            return self
        rules = self.rules.model_copy(update={"fair_to": fair_to})
        return self.model_copy(update={"rules": rules})

    def side(self, name: str) -> Side:
        return self.left if name == "left" else self.right

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Programme):
            return NotImplemented
        return self.model_dump(mode="json") == other.model_dump(mode="json")

    __hash__ = None  # type: ignore[assignment]


def programme_issues(programme: Programme) -> list[Issue]:
    """Cross-field problems of a programme, every one of them (empty when it is valid): the
    checks of :mod:`pairing.model.cross_checks`, located by JSON path."""
    from pairing.io.locations import JsonWhere  # the renderer imports nothing of the model

    view = programme_view(programme)
    where = JsonWhere(view)
    return [Issue(where(found.loc), found.message) for found in cross_checks(view)]
