"""Synthetic programmes for demos, tests and benchmarks.

:func:`generate` draws a reproducible matchmaking programme of a given size from a named
*profile*:

- ``"double-hundred"``: realistic China–Pakistan instances in the spirit of the "Double
  Hundred Enterprises" programme. Left side ``CN`` (AI, big data, cloud computing, robotics,
  new energy, semiconductors, optoelectronics, biotech, healthcare technology, EVs,
  e-commerce; Beijing, Zhejiang (Huzhou), Shanghai, Guangdong, Jiangsu); right side ``PK``
  (textiles, surgical instruments, sports goods, leather, IT services, fintech, logistics,
  agriculture, pharmaceuticals; Sialkot, Lahore, Karachi, Islamabad, Faisalabad). Sectors
  cluster by region, and each side's typical needs are the other side's typical capabilities,
  so complementary sector pairs (robotics × surgical instruments, new energy × textiles,
  e-commerce × sports goods, healthcare technology × pharmaceuticals…) score higher.
- ``"uniform"``: both sides alike, random tags from a small generic vocabulary; no planted
  structure, for solver benchmarks.

All randomness comes from one ``numpy.random.default_rng(seed)``: the same arguments give an
identical programme, and nothing global is touched. Levels are drawn as NumPy arrays per side,
so 10,000 × 10,000 takes seconds.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import numpy as np

from pairing.errors import InvalidProgramme, Issue
from pairing.generator._double_hundred import generate_double_hundred
from pairing.generator._uniform import generate_uniform
from pairing.model.programme import Capacity, Programme

__all__ = ["MAX_SIDE", "MAX_SIDE_EXTRAS", "PROFILES", "generate"]

#: Largest number of enterprises per side that :func:`generate` accepts: the enterprises cost
#: O(n) (a 50,000 × 50,000 programme is drawn in seconds); the scale path solves such sizes.
MAX_SIDE = 100_000
#: Largest side with texts, stated interest or a history source: those draw from every pair.
MAX_SIDE_EXTRAS = 10_000

_GENERATORS: dict[str, Callable[[int, int, int], Programme]] = {
    "double-hundred": generate_double_hundred,
    "uniform": generate_uniform,
}

#: Names of the profiles :func:`generate` knows, the default first.
PROFILES: tuple[str, ...] = tuple(_GENERATORS)


def _as_int(value: object) -> int | None:
    """``value`` as an int if it is an integer (not a bool), else ``None``."""
    if isinstance(value, bool):
        return None
    try:
        return operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        return None


def _arguments_issues(
    n_left: object, n_right: object, seed: object, profile: object
) -> list[Issue]:
    issues = []
    for name, value in (("n_left", n_left), ("n_right", n_right)):
        n = _as_int(value)
        if n is None or not 1 <= n <= MAX_SIDE:
            issues.append(
                Issue(
                    name,
                    f"expected a number of enterprises from 1 to {MAX_SIDE:,}, got {value!r}",
                )
            )
    as_seed = _as_int(seed)
    if as_seed is None or as_seed < 0:
        issues.append(Issue("seed", f"expected a non-negative integer, got {seed!r}"))
    if profile not in _GENERATORS:
        issues.append(
            Issue(
                "profile",
                f"unknown profile {profile!r}; expected one of: {', '.join(PROFILES)}",
            )
        )
    return issues


def generate(
    n_left: int,
    n_right: int,
    *,
    seed: int = 0,
    profile: str = "double-hundred",
    text: bool = False,
    preferences: bool = False,
    history: bool = False,
) -> Programme:
    """Draw a synthetic programme of ``n_left`` × ``n_right`` enterprises.

    Parameters
    ----------
    n_left, n_right
        Number of enterprises on each side, from 1 to 100,000 (10,000 with ``text``,
        ``preferences`` or ``history``, which draw from every pair).
    seed
        Non-negative seed; the same seed and arguments give an identical programme.
    profile
        One of :data:`PROFILES`: ``"double-hundred"`` (China–Pakistan, the default) or
        ``"uniform"`` (neutral benchmark instances).
    text
        Also write each enterprise's ``offers_text`` and ``needs_text`` (English, Chinese or
        both) and weigh the text term 0.5 (``double-hundred`` only).
    preferences
        Also draw stated interest (``preferences``: about 1.5 per enterprise among its best
        partners, and a few vetoes) and weigh it 0.5 (``double-hundred`` only).
    history
        Also add a ``past-cooperation`` source (about 3 % of pairs rated, weight 0.3;
        ``double-hundred`` only).

    Returns
    -------
    Programme
        A valid programme with ids ``CN-001``… / ``PK-001``… (``L-``/``R-`` for ``uniform``),
        zero-padded to the width of the side's size; capacities 1..1 (the larger side of a
        rectangular programme gets 0..1, the linear-assignment convention) and default rules
        (objective ``total``); ``vocabulary`` maps each tag to its group.

    Raises
    ------
    InvalidProgramme
        For an unknown profile, a side size outside 1..100,000 (1..10,000 with texts,
        preferences or history) or a negative seed; every problem is reported at once.

    Examples
    --------
    >>> from pairing.generator import generate
    >>> programme = generate(100, 100, seed=7)
    >>> programme.left.label, programme.right.label, programme.shape
    ('CN', 'PK', (100, 100))
    """
    issues = _arguments_issues(n_left, n_right, seed, profile)
    if (text or preferences or history) and profile != "double-hundred":
        message = "texts, preferences and history are drawn for the 'double-hundred' profile only"
        issues.append(Issue("profile", message))
    extras = [name for name, wanted in (("text", text), ("preferences", preferences),
                                        ("history", history)) if wanted]
    largest = max((_as_int(n) or 0) for n in (n_left, n_right))
    if extras and largest > MAX_SIDE_EXTRAS:
        message = (f"{', '.join(extras)} draw from every pair: at most {MAX_SIDE_EXTRAS:,} "
                   f"enterprises per side, got {largest:,}; leave them out for larger sizes")
        issues.append(Issue(extras[0], message))
    if issues:
        raise InvalidProgramme(issues, source="generate()")
    programme = _GENERATORS[profile](
        operator.index(n_left), operator.index(n_right), operator.index(seed)
    )
    programme = _larger_side_optional(programme)
    if text or preferences or history:
        from pairing.generator._profiles_text import with_history, with_preferences, with_texts

        # a second stream, so that the enterprises are the same with or without these
        rng = np.random.default_rng([operator.index(seed), 1])
        if history:
            programme = with_history(programme, rng)
        if text:
            programme = with_texts(programme, rng)
        if preferences:
            programme = with_preferences(programme, rng)
        weights = {"text": 0.5} if text else {}
        weights.update({"preference": 0.5} if preferences else {})
        rules = programme.rules.model_copy(
            update={"weights": programme.rules.weights.model_copy(update=weights)}
        )
        programme = programme.model_copy(update={"rules": rules})
    return programme


def _larger_side_optional(programme: Programme) -> Programme:
    """Give the larger side capacity 0..1, so a rectangular programme is feasible.

    This is the linear-assignment convention the design uses for bare score matrices: every
    enterprise of the smaller side gets a partner, the larger side's surplus may stay alone.
    """
    n_left, n_right = programme.shape
    if n_left == n_right:
        return programme
    side_name = "left" if n_left > n_right else "right"
    side = programme.side(side_name)
    optional = Capacity(min=0, max=1)
    enterprises = [e.model_copy(update={"capacity": optional}) for e in side.enterprises]
    return programme.model_copy(
        update={side_name: side.model_copy(update={"enterprises": enterprises})}
    )
