"""Tests of the synthetic programme generator (:mod:`pairing.generator`)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pairing.errors import InvalidProgramme
from pairing.features import score_matrix
from pairing.generator import PROFILES, generate
from pairing.model.programme import SIZES, Capacity, Programme, Rules

CN_SECTORS = {
    "AI",
    "big data",
    "cloud computing",
    "robotics",
    "new energy",
    "semiconductors",
    "optoelectronics",
    "biotech",
    "healthcare technology",
    "EVs",
    "e-commerce",
}
PK_SECTORS = {
    "textiles",
    "surgical instruments",
    "sports goods",
    "leather",
    "IT services",
    "fintech",
    "logistics",
    "agriculture",
    "pharmaceuticals",
}
CN_REGIONS = {"Beijing", "Zhejiang (Huzhou)", "Shanghai", "Guangdong", "Jiangsu"}
PK_REGIONS = {"Sialkot", "Lahore", "Karachi", "Islamabad", "Faisalabad"}

# Sector pairs whose needs and capabilities complement each other in the domain.
COMPLEMENTARY = {
    ("robotics", "surgical instruments"),
    ("robotics", "sports goods"),
    ("optoelectronics", "surgical instruments"),
    ("new energy", "textiles"),
    ("e-commerce", "sports goods"),
    ("e-commerce", "leather"),
    ("e-commerce", "textiles"),
    ("AI", "IT services"),
    ("big data", "IT services"),
    ("cloud computing", "fintech"),
    ("biotech", "pharmaceuticals"),
    ("healthcare technology", "pharmaceuticals"),
    ("EVs", "logistics"),
}


@pytest.fixture(scope="module")
def programme() -> Programme:
    return generate(100, 100, seed=11)


def test_profiles() -> None:
    assert PROFILES == ("double-hundred", "uniform")


@pytest.mark.parametrize("profile", PROFILES)
def test_same_seed_same_programme_other_seed_differs(profile: str) -> None:
    first = generate(20, 30, seed=5, profile=profile)
    assert first == generate(20, 30, seed=5, profile=profile)
    assert first.model_dump_json() == generate(20, 30, seed=5, profile=profile).model_dump_json()
    assert first != generate(20, 30, seed=6, profile=profile)


def test_no_global_random_state_used() -> None:
    before = np.random.get_state()[1].copy()  # type: ignore[index]  # noqa: NPY002
    generate(10, 10, seed=1)
    assert np.array_equal(before, np.random.get_state()[1])  # type: ignore[index]  # noqa: NPY002


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize(("n_left", "n_right"), [(1, 1), (3, 7), (100, 100)])
def test_sizes_and_ids(n_left: int, n_right: int, profile: str) -> None:
    programme = generate(n_left, n_right, seed=2, profile=profile)
    assert programme.shape == (n_left, n_right)
    for side, n in ((programme.left, n_left), (programme.right, n_right)):
        assert side.ids == [f"{side.label}-{k:03d}" for k in range(1, n + 1)]
        assert len(set(side.ids)) == n


def test_ids_padded_to_width_of_side() -> None:
    programme = generate(1000, 2, seed=0)
    assert programme.left.ids[0] == "CN-0001"
    assert programme.left.ids[-1] == "CN-1000"
    assert programme.right.ids == ["PK-001", "PK-002"]


def test_labels_sectors_regions(programme: Programme) -> None:
    assert (programme.left.label, programme.right.label) == ("CN", "PK")
    for side, sectors, regions in (
        (programme.left, CN_SECTORS, CN_REGIONS),
        (programme.right, PK_SECTORS, PK_REGIONS),
    ):
        assert {e.sector for e in side.enterprises} <= sectors
        assert {e.region for e in side.enterprises} <= regions
        assert {e.size for e in side.enterprises} <= set(SIZES)


@pytest.mark.parametrize("profile", PROFILES)
def test_levels_in_range_and_rounded(profile: str) -> None:
    programme = generate(60, 60, seed=3, profile=profile)
    for side in (programme.left, programme.right):
        for enterprise in side.enterprises:
            assert enterprise.capabilities
            assert enterprise.needs
            assert not set(enterprise.capabilities) & set(enterprise.needs)
            for level in (*enterprise.capabilities.values(), *enterprise.needs.values()):
                assert 0 < level <= 1
                assert round(level, 2) == level
            assert set(enterprise.capabilities) | set(enterprise.needs) <= set(programme.vocabulary)


def test_defaults_names_and_vocabulary(programme: Programme) -> None:
    assert programme.rules == Rules()
    assert programme.rules.objective == "total"
    assert 40 <= len(programme.vocabulary) <= 60
    assert "market access" in set(programme.vocabulary.values())
    for side in (programme.left, programme.right):
        names = [e.name for e in side.enterprises]
        assert len(set(names)) == len(names)
        for enterprise in side.enterprises:
            assert enterprise.capacity == Capacity()
            assert enterprise.name
            assert enterprise.description
    for enterprise in programme.right.enterprises:
        assert enterprise.name.endswith(("Ltd", "Industries", "& Co.", "Enterprises"))


def test_json_round_trip(programme: Programme) -> None:
    assert Programme.model_validate_json(programme.model_dump_json()) == programme


def test_regional_concentration() -> None:
    right = generate(1, 1500, seed=4).right.enterprises
    surgical = [e.region for e in right if e.sector == "surgical instruments"]
    textiles = [e.region for e in right if e.sector == "textiles"]
    it = [e.region for e in right if e.sector == "IT services"]
    assert surgical.count("Sialkot") > 0.7 * len(surgical)
    assert sum(r in {"Faisalabad", "Lahore", "Karachi"} for r in textiles) > 0.85 * len(textiles)
    assert sum(r in {"Islamabad", "Lahore"} for r in it) > 0.6 * len(it)


def test_complementary_sectors_score_higher() -> None:
    complementary, other = [], []
    for seed in range(3):
        programme = generate(100, 100, seed=seed)
        score = score_matrix(programme).score
        left = np.array([e.sector for e in programme.left.enterprises])[:, None]
        right = np.array([e.sector for e in programme.right.enterprises])[None, :]
        mask = np.zeros(score.shape, dtype=bool)
        for left_sector, right_sector in COMPLEMENTARY:
            mask |= (left == left_sector) & (right == right_sector)
        complementary.append(score[mask])
        other.append(score[~mask])
    assert np.concatenate(complementary).mean() > 1.8 * np.concatenate(other).mean()


def test_score_distribution_is_useful(programme: Programme) -> None:
    score = score_matrix(programme).score
    assert 0.05 < float(np.median(score)) < 0.3
    assert 0.6 < float(score.max()) <= 0.9
    assert 0.35 < float(np.median(score.max(axis=1))) < 0.65


def test_uniform_profile() -> None:
    programme = generate(8, 5, seed=0, profile="uniform")
    assert (programme.left.label, programme.right.label) == ("L", "R")
    assert programme.left.ids[0] == "L-001"
    assert len(programme.vocabulary) == 16


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"n_left": 3, "n_right": 3, "profile": "nope"},
            "invalid input in generate(): profile: unknown profile 'nope'; "
            "expected one of: double-hundred, uniform",
        ),
        (
            {"n_left": 0, "n_right": 3},
            "invalid input in generate(): n_left: expected a number of enterprises "
            "from 1 to 100,000, got 0",
        ),
        (
            {"n_left": 3, "n_right": 100_001},
            "n_right: expected a number of enterprises from 1 to 100,000, got 100001",
        ),
        (
            {"n_left": 3, "n_right": 10_001, "text": True, "history": True},
            "text: text, history draw from every pair: at most 10,000 enterprises per side, "
            "got 10,001",
        ),
        ({"n_left": True, "n_right": 3}, "n_left: expected a number of enterprises"),
        ({"n_left": 2.5, "n_right": 3}, "n_left: expected a number of enterprises"),
        ({"n_left": 3, "n_right": 3, "seed": -1}, "seed: expected a non-negative integer, got -1"),
    ],
)
def test_bad_arguments_raise(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidProgramme, match=re.escape(message)):
        generate(**kwargs)  # type: ignore[arg-type]


def test_every_bad_argument_reported_at_once() -> None:
    with pytest.raises(InvalidProgramme, match="3 problems") as info:
        generate(0, -2, profile="x")
    assert [issue.where for issue in info.value.issues] == ["n_left", "n_right", "profile"]
