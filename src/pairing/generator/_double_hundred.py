"""The "double-hundred" profile: Chinese technology firms (CN) and Pakistani firms (PK).

Each side is drawn in a few vectorised steps (see :mod:`pairing.generator._domain` for the
data):

1. sector by the side's sector weights; region by the sector's regional concentration; size by
   the side's size distribution tilted by the sector's ``size_bias``;
2. capabilities and needs: each of the sector's typical tags is present with probability 0.85
   (the side-wide base tags with 0.6), at the profile's mean level plus Gaussian noise; larger
   firms have slightly higher capability levels;
3. a few off-profile tags (on average 1.5 capabilities and 1 need) at low levels, so that no
   sector is perfectly predictable; an enterprise never needs a tag it offers;
4. levels clipped to [0.05, 1] and rounded to 2 decimals; names, descriptions and ids last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import pairing.generator._domain as dom
from pairing.generator._sampling import (
    build_enterprises,
    draw_rows,
    enterprise_ids,
    level_dicts,
    unique_names,
)
from pairing.model.programme import SIZES, Enterprise, Programme, Side

__all__ = ["generate_double_hundred"]

_TAGS: tuple[str, ...] = tuple(dom.TAG_GROUPS)
_TAG_INDEX = {tag: k for k, tag in enumerate(_TAGS)}
_P_CAPS = 0.95  # chance an enterprise offers one of its sector's typical capabilities
_P_NEEDS = 0.6  # chance it has one of its sector's typical needs (firms focus on a few)
_P_BASE = 0.7  # chance it holds one of its side's base tags
_NOISE = 0.1  # standard deviation of a level around the profile mean
_SIZE_STEP = 0.04  # capability level added per size rank above the middle
_OFF_CAPS = 1.5  # expected number of off-profile capabilities per enterprise
_OFF_NEEDS = 0.4  # expected number of off-profile needs per enterprise
_OFF_LOW, _OFF_HIGH = 0.1, 0.4  # level range of off-profile tags
_MIN_LEVEL = 0.05
_SIZE_WORDS = {"micro": "Micro", "small": "Small", "medium": "Mid-sized", "large": "Large"}
_TAG_WORDS = {  # how descriptions spell tags whose plain "-" → " " reading is wrong
    "e-commerce-platforms": "e-commerce platforms",
    "market-access-pakistan": "market access in Pakistan",
    "market-access-china": "market access in China",
    "solar-pv": "solar PV",
    "iot-sensors": "IoT sensors",
    "erp-integration": "ERP integration",
    "biotech-rnd": "biotech R&D",
    "ev-drivetrains": "EV drivetrains",
    "ev-charging": "EV charging",
    "big-data-analytics": "big-data analytics",
    "cross-border-payments": "cross-border payments",
    "last-mile-delivery": "last-mile delivery",
}


@dataclass(frozen=True)
class _SideSpec:
    label: str
    sectors: tuple[dom.SectorProfile, ...]
    regions: tuple[str, ...]
    size_weights: tuple[float, float, float, float]
    base_caps: dict[str, float]
    base_needs: dict[str, float]
    cities: dict[str, tuple[str, ...]]
    roots: tuple[str, ...]
    qualifiers: tuple[str, ...]
    suffixes: tuple[str, ...]


_CN = _SideSpec(
    "CN",
    dom.CN_SECTORS,
    dom.CN_REGIONS,
    dom.CN_SIZE_WEIGHTS,
    dom.CN_BASE_CAPS,
    dom.CN_BASE_NEEDS,
    dom.CN_CITIES,
    dom.CN_ROOTS,
    dom.CN_QUALIFIERS,
    dom.CN_SUFFIXES,
)
_PK = _SideSpec(
    "PK",
    dom.PK_SECTORS,
    dom.PK_REGIONS,
    dom.PK_SIZE_WEIGHTS,
    dom.PK_BASE_CAPS,
    dom.PK_BASE_NEEDS,
    dom.PK_CITIES,
    dom.PK_ROOTS,
    dom.PK_QUALIFIERS,
    dom.PK_SUFFIXES,
)


def _profile_matrices(
    sectors: tuple[dom.SectorProfile, ...], field: str, base: dict[str, float], p_held: float
) -> tuple[np.ndarray, np.ndarray]:
    """(S, T) mean levels and presence probabilities of one field (caps or needs) per sector."""
    means = np.zeros((len(sectors), len(_TAGS)))
    presence = np.zeros_like(means)
    for s, sector in enumerate(sectors):
        for tag, level in base.items():
            means[s, _TAG_INDEX[tag]] = level
            presence[s, _TAG_INDEX[tag]] = _P_BASE
        for tag, level in getattr(sector, field).items():
            means[s, _TAG_INDEX[tag]] = level
            presence[s, _TAG_INDEX[tag]] = p_held
    return means, presence


def _profile_levels(
    rng: np.random.Generator,
    means: np.ndarray,
    presence: np.ndarray,
    shift: np.ndarray,
) -> np.ndarray:
    """Draw (n, T) levels of the profile tags: present by ``presence``, noisy around ``means``.

    Every row keeps at least its strongest profile tag, so no enterprise is empty.
    """
    n = means.shape[0]
    held = rng.random(means.shape) < presence
    top = np.argmax(means, axis=1)
    held[np.arange(n), top] |= ~held.any(axis=1)
    levels = means + rng.normal(0.0, _NOISE, means.shape) + shift[:, None]
    np.clip(levels, _MIN_LEVEL, 1.0, out=levels)
    return np.where(held, levels, 0.0)


def _off_profile(rng: np.random.Generator, profile: np.ndarray, expected: float) -> np.ndarray:
    """(n, T) low levels on a few random tags outside each row's profile (``profile == 0``)."""
    outside = profile == 0
    rate = expected / np.maximum(outside.sum(axis=1, keepdims=True), 1)
    held = outside & (rng.random(profile.shape) < rate)
    levels = rng.uniform(_OFF_LOW, _OFF_HIGH, profile.shape)
    return np.where(held, levels, 0.0)


def _draw_side(rng: np.random.Generator, n: int, spec: _SideSpec) -> list[Enterprise]:
    """Draw one side's ``n`` enterprises; see the module docstring for the steps."""
    sector_weights = np.array([s.weight for s in spec.sectors])
    sector = draw_rows(rng, sector_weights[None, :], np.zeros(n, dtype=np.intp))

    region_weights = np.array([[s.regions[r] for r in spec.regions] for s in spec.sectors])
    region = draw_rows(rng, region_weights, sector)

    ranks = np.arange(len(SIZES)) - (len(SIZES) - 1) / 2
    bias = np.array([s.size_bias for s in spec.sectors])
    size_weights = np.asarray(spec.size_weights)[None, :] * np.exp(bias[:, None] * ranks[None, :])
    size = draw_rows(rng, size_weights, sector)

    cap_means, cap_presence = _profile_matrices(spec.sectors, "caps", spec.base_caps, _P_CAPS)
    need_means, need_presence = _profile_matrices(spec.sectors, "needs", spec.base_needs, _P_NEEDS)
    caps = _profile_levels(rng, cap_means[sector], cap_presence[sector], ranks[size] * _SIZE_STEP)
    needs = _profile_levels(rng, need_means[sector], need_presence[sector], np.zeros(n))
    off_caps = _off_profile(rng, cap_means[sector] + need_means[sector], _OFF_CAPS)
    off_needs = _off_profile(rng, cap_means[sector] + need_means[sector], _OFF_NEEDS)
    # An off-profile tag drawn as both a capability and a need stays a capability only.
    caps = caps + off_caps
    needs = np.where(caps > 0, 0.0, needs + off_needs)
    caps = np.round(caps, 2)
    needs = np.round(needs, 2)

    sector_names = [spec.sectors[k].name for k in sector.tolist()]
    region_names = [spec.regions[k] for k in region.tolist()]
    names = _names(rng, spec, sector, region)
    descriptions = _descriptions(spec, sector, region, size, caps, needs)
    return build_enterprises(
        enterprise_ids(spec.label, n),
        names,
        sector_names,
        region_names,
        size,
        level_dicts(caps, _TAGS),
        level_dicts(needs, _TAGS),
        descriptions,
    )


def _pick(rng: np.random.Generator, options: list[tuple[str, ...]]) -> list[str]:
    """One random element of each row's own option tuple, with one uniform draw per row."""
    u = rng.random(len(options)).tolist()
    return [opts[int(x * len(opts))] for x, opts in zip(u, options, strict=True)]


def _names(
    rng: np.random.Generator, spec: _SideSpec, sector: np.ndarray, region: np.ndarray
) -> list[str]:
    """Invented company names: city, brand word, sector word, optional qualifier, legal suffix.

    Names repeated by chance (likely only at thousands per side) get a ``– Unit k`` suffix.
    """
    n = len(sector)
    cities = _pick(rng, [spec.cities[spec.regions[k]] for k in region.tolist()])
    words = _pick(rng, [spec.sectors[k].words for k in sector.tolist()])
    columns = zip(
        cities,
        _choose(rng, spec.roots, n),
        words,
        _choose(rng, spec.qualifiers, n),
        _choose(rng, spec.suffixes, n),
        strict=True,
    )
    return unique_names([" ".join(filter(None, parts)) for parts in columns])


def _choose(rng: np.random.Generator, options: tuple[str, ...], n: int) -> list[str]:
    """``n`` uniform draws from ``options``."""
    return [options[k] for k in rng.integers(len(options), size=n).tolist()]


def _phrase(tags: list[int], levels: list[float]) -> str:
    """The (up to two) strongest tags of one row as words: "solar pv and battery storage"."""
    words = [
        _TAG_WORDS.get(_TAGS[t], _TAGS[t].replace("-", " "))
        for t, level in zip(tags, levels, strict=True)
        if level > 0
    ]
    return " and ".join(words) if words else "partners"


def _prefer_sector_tags(
    spec: _SideSpec, field: str, sector: np.ndarray, levels: np.ndarray
) -> np.ndarray:
    """``levels`` restricted to each row's sector tags, for rows holding any of them."""
    typical = _profile_matrices(spec.sectors, field, {}, 1.0)[0][sector] > 0
    restricted = np.where(typical, levels, 0.0)
    keep_all = ~restricted.any(axis=1)
    restricted[keep_all] = levels[keep_all]
    return restricted


def _descriptions(
    spec: _SideSpec,
    sector: np.ndarray,
    region: np.ndarray,
    size: np.ndarray,
    caps: np.ndarray,
    needs: np.ndarray,
) -> list[str]:
    """One sentence per enterprise: who it is, what it offers most, what it seeks most.

    The sector's own typical tags are preferred over side-wide and off-profile ones, so the
    sentence says what sets the enterprise apart.
    """
    caps = _prefer_sector_tags(spec, "caps", sector, caps)
    needs = _prefer_sector_tags(spec, "needs", sector, needs)
    rows = np.arange(caps.shape[0])[:, None]
    top_caps = np.argsort(-caps, axis=1, kind="stable")[:, :2]
    top_needs = np.argsort(-needs, axis=1, kind="stable")[:, :2]
    columns = zip(
        sector.tolist(),
        region.tolist(),
        size.tolist(),
        top_caps.tolist(),
        caps[rows, top_caps].tolist(),
        top_needs.tolist(),
        needs[rows, top_needs].tolist(),
        strict=True,
    )
    return [
        f"{_SIZE_WORDS[SIZES[z]]} {spec.sectors[s].activity} in {spec.regions[r]} offering "
        f"{_phrase(ct, cl)}; seeks {_phrase(nt, nl)}."
        for s, r, z, ct, cl, nt, nl in columns
    ]


def generate_double_hundred(n_left: int, n_right: int, seed: int) -> Programme:
    """A synthetic China–Pakistan programme: ``n_left`` CN and ``n_right`` PK enterprises.

    Parameters
    ----------
    n_left, n_right
        Number of enterprises per side (already validated).
    seed
        Seed of the one :func:`numpy.random.default_rng` used for every draw.

    Returns
    -------
    Programme
        Left side ``CN``, right side ``PK``, ``vocabulary`` mapping each tag to its group,
        default capacities (1..1) and default rules.
    """
    rng = np.random.default_rng(seed)
    left = _draw_side(rng, n_left, _CN)
    right = _draw_side(rng, n_right, _PK)
    return Programme(
        name=f"double-hundred {n_left}x{n_right} (seed {seed})",
        left=Side(label=_CN.label, enterprises=left),
        right=Side(label=_PK.label, enterprises=right),
        vocabulary=dict(dom.TAG_GROUPS),
    )
