"""Reusable hypothesis strategies: small programmes built from score matrices and rules."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from pairing.model.programme import Capacity, Enterprise, Programme, Rules, Side

SECTORS = ("ai", "textiles", "logistics")


def programme_from_matrix(
    scores: np.ndarray,
    caps_left: list[tuple[int, int]],
    caps_right: list[tuple[int, int]],
    rules: Rules | None = None,
    sectors_left: list[str] | None = None,
    sectors_right: list[str] | None = None,
) -> Programme:
    n_left, n_right = scores.shape
    sectors_left = sectors_left or [SECTORS[i % len(SECTORS)] for i in range(n_left)]
    sectors_right = sectors_right or [SECTORS[(j + 1) % len(SECTORS)] for j in range(n_right)]
    left = [
        Enterprise(id=f"L{i}", sector=sectors_left[i], capacity=Capacity(min=lo, max=hi))
        for i, (lo, hi) in enumerate(caps_left)
    ]
    right = [
        Enterprise(id=f"R{j}", sector=sectors_right[j], capacity=Capacity(min=lo, max=hi))
        for j, (lo, hi) in enumerate(caps_right)
    ]
    return Programme(
        left=Side(label="CN", enterprises=left),
        right=Side(label="PK", enterprises=right),
        rules=rules or Rules(),
        scores=scores,
    )


@st.composite
def score_matrices(
    draw: st.DrawFn, max_left: int = 5, max_right: int = 5, forbid: bool = True
) -> np.ndarray:
    """Scores on a 1/1000 grid (exact in float32 sums), with some cells forbidden (NaN)."""
    n_left = draw(st.integers(1, max_left))
    n_right = draw(st.integers(1, max_right))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 1001, size=(n_left, n_right)) / 1000.0
    if forbid:
        density = draw(st.sampled_from([0.0, 0.1, 0.3]))
        scores[rng.random(scores.shape) < density] = np.nan
    return scores


@st.composite
def one_to_one_programmes(draw: st.DrawFn, max_side: int = 5) -> Programme:
    """One-to-one programmes: capacities 0..1 or 1..1 per enterprise, forbidden cells."""
    scores = draw(score_matrices(max_side, max_side))
    n_left, n_right = scores.shape
    mode = draw(st.sampled_from(["convention", "optional", "mixed"]))
    if mode == "convention":
        small_left = n_left <= n_right
        caps_left = [(1 if small_left else 0, 1)] * n_left
        caps_right = [(0 if small_left and n_left != n_right else 1, 1)] * n_right
    elif mode == "optional":
        caps_left, caps_right = [(0, 1)] * n_left, [(0, 1)] * n_right
    else:
        caps_left = [(draw(st.integers(0, 1)), 1) for _ in range(n_left)]
        caps_right = [(draw(st.integers(0, 1)), 1) for _ in range(n_right)]
    return programme_from_matrix(scores, caps_left, caps_right)


@st.composite
def rule_programmes(draw: st.DrawFn, max_left: int = 3, max_right: int = 4) -> Programme:
    """Small programmes with every rule kind: capacities up to 3, side, pair and partner
    quotas, required and forbidden pairs, ``min_score``. Small enough for
    ``brute_force.best_total``."""
    from pairing.model.programme import PairQuota, PartnerQuota, Quota, Rules

    scores = draw(score_matrices(max_left, max_right))
    n_left, n_right = scores.shape
    caps_left = [(draw(st.integers(0, 1)), draw(st.integers(1, 3))) for _ in range(n_left)]
    caps_right = [(draw(st.integers(0, 1)), draw(st.integers(1, 3))) for _ in range(n_right)]
    sectors_left = [SECTORS[i % len(SECTORS)] for i in range(n_left)]
    sectors_right = [SECTORS[(j + 1) % len(SECTORS)] for j in range(n_right)]

    def bounds() -> tuple[int | None, int | None]:
        low = draw(st.one_of(st.none(), st.integers(0, 3)))
        high = draw(st.one_of(st.none(), st.integers(0, 4)))
        if low is None and high is None:
            high = 2
        if low is not None and high is not None and low > high:
            low, high = high, low
        return low, high

    quotas = []
    for _ in range(draw(st.integers(0, 2))):
        side = draw(st.sampled_from(["left", "right"]))
        group = draw(st.sampled_from(sectors_left if side == "left" else sectors_right))
        low, high = bounds()
        quotas.append(Quota(side=side, by="sector", group=group, min=low, max=high))
    pair_quotas = []
    if draw(st.booleans()):
        low, high = bounds()
        pair_quotas.append(PairQuota(left_sector=draw(st.sampled_from(sectors_left)),
                                     right_sector=draw(st.sampled_from(sectors_right)),
                                     min=low, max=high))
    pairs = st.tuples(st.integers(0, n_left - 1), st.integers(0, n_right - 1))
    forbidden = [(f"L{i}", f"R{j}") for i, j in draw(st.lists(pairs, max_size=1))]
    required = [(f"L{i}", f"R{j}") for i, j in draw(st.lists(pairs, max_size=1))
                if (f"L{i}", f"R{j}") not in forbidden]
    partner_quotas = []
    if draw(st.booleans()):
        side = draw(st.sampled_from(["left", "right"]))
        partners = sectors_right if side == "left" else sectors_left
        low = draw(st.one_of(st.none(), st.integers(0, 2)))
        high = draw(st.one_of(st.none(), st.integers(0, 2)))
        if low is None and high is None:
            high = 1
        if low is not None and high is not None and low > high:
            low, high = high, low
        partner_quotas.append(PartnerQuota(
            side=side, by="sector", group=draw(st.sampled_from([*partners, "*"])),
            min=low, max=high,
        ))
    rules = Rules(
        min_score=draw(st.sampled_from([0.0, 0.0, 0.3])),
        quotas=quotas,
        pair_quotas=pair_quotas,
        partner_quotas=partner_quotas,
        forbidden=forbidden,
        required=required,
    )
    return programme_from_matrix(scores, caps_left, caps_right, rules, sectors_left,
                                 sectors_right)
