"""Free text finds the partners it should: planted pairs whose needs and offers texts share
distinctive phrases, among filler that every enterprise writes, in English and in Chinese.

The text-weighted optimum must recover at least 90 % of the planted pairs (the issue's goal).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import pairing
from pairing.io import programme_from_data

_ENGLISH = (
    (
        "cryogenic",
        "hydraulic",
        "organic",
        "surgical",
        "basmati",
        "merino",
        "graphene",
        "solar",
        "halal",
        "carbon",
        "ceramic",
        "bamboo",
    ),
    (
        "valve fittings",
        "loom spare parts",
        "rice milling",
        "glove coating",
        "wool scouring",
        "battery anodes",
        "inverter repair",
        "meat packaging",
        "fibre weaving",
        "tile glazing",
        "pulp moulding",
        "bearing grease",
    ),
)
_CHINESE = (
    (
        "高速",
        "精密",
        "智能",
        "低温",
        "有机",
        "医用",
        "纳米",
        "光伏",
        "冷冻",
        "防水",
        "竹制",
        "陶瓷",
    ),
    (
        "绣花机",
        "阀门",
        "稻米加工",
        "染色工艺",
        "轴承",
        "纤维",
        "传感器",
        "包装膜",
        "手套",
        "涂料",
        "逆变器",
        "釉面砖",
    ),
)
_FILLER = {
    "en": (
        "We are a reliable partner with many years of experience and want to grow abroad.",
        "Our company values quality, trust and long-term cooperation with partners.",
    ),
    "zh": (
        "我们是一家经验丰富、值得信赖的企业，希望拓展海外合作。",
        "公司重视质量、诚信与长期合作。",
    ),
}


def _planted(language: str, n: int, seed: int) -> tuple[pairing.Programme, dict[str, str]]:
    rng = np.random.default_rng(seed)
    words = _ENGLISH if language == "en" else _CHINESE
    joiner = " " if language == "en" else ""
    phrases = [joiner.join(p) for p in itertools.product(*words)]
    chosen = rng.permutation(len(phrases))[: 2 * n]
    left_needs, left_offers = chosen[:n], chosen[n:]
    partner = rng.permutation(n)  # left k's planted partner is right partner[k]
    filler = _FILLER[language]

    def text(phrase: str) -> str:
        a, b = filler[int(rng.integers(2))], filler[int(rng.integers(2))]
        return f"{a} {phrase}. {b}" if language == "en" else f"{a}{phrase}。{b}"

    left = [
        {
            "id": f"CN-{k}",
            "needs_text": text(phrases[left_needs[k]]),
            "offers_text": text(phrases[left_offers[k]]),
        }
        for k in range(n)
    ]
    right: list[dict[str, str]] = [{} for _ in range(n)]
    for k in range(n):
        right[partner[k]] = {
            "id": f"PK-{partner[k]}",
            "offers_text": text(phrases[left_needs[k]]),
            "needs_text": text(phrases[left_offers[k]]),
        }
    data = {
        "left": {"label": "CN", "enterprises": left},
        "right": {"label": "PK", "enterprises": right},
        "rules": {"weights": {"mutual": 1.0, "text": 1.0}},
    }
    return programme_from_data(data), {f"CN-{k}": f"PK-{partner[k]}" for k in range(n)}


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("seed", [1, 2])
def test_text_weighted_optimum_recovers_planted_pairs(language: str, seed: int) -> None:
    programme, planted = _planted(language, 60, seed)
    result = pairing.solve(programme)
    found = sum(planted[p.left] == p.right for p in result.pairs)
    assert found / len(planted) >= 0.9, f"{language}: {found} of {len(planted)}"
    pair = result.pairs[0]
    assert any(r.text.startswith("text: CN needs") for r in pair.reasons), pair.reasons
    text = next(r for r in pair.reasons if r.term == "text")
    assert text.direction == "both" and text.tag and text.tag in text.text
