"""Score sources: stated interest (with vetoes), extra score matrices and free-text profiles.

Each term against a hand computation; the weighted mean and the gains against a naive
pair-by-pair oracle; the total optimum against brute force; vetoes under every solver and
objective.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import pairing
from brute_force import best_total
from pairing.core.problem import build_problem
from pairing.features import pair_reasons, score_matrix
from pairing.features.terms import term_values
from pairing.features.text import normalise, shared_phrase
from pairing.io import programme_from_data
from pairing.model.programme import Programme
from pairing.solvers import registry

PHRASES = (
    "cold chain logistics",
    "computer vision inspection",
    "solar inverters",
    "surgical instruments export",
    "冷链物流",
    "纺织机械",
    "ٹیکسٹائل مشینری",
    "",
)


def _enterprise(ident: str, **fields: object) -> dict[str, object]:
    return {"id": ident, **fields}


def _two_by_two(**extra: object) -> dict[str, object]:
    """CN-1 needs a, CN-2 needs b; PK-1 offers a and needs c (CN-1 offers c), PK-2 offers b."""
    data: dict[str, object] = {
        "left": {
            "label": "CN",
            "enterprises": [
                _enterprise("CN-1", needs={"a": 1.0}, capabilities={"c": 0.5}),
                _enterprise("CN-2", needs={"b": 1.0}, capabilities={"c": 1.0}),
            ],
        },
        "right": {
            "label": "PK",
            "enterprises": [
                _enterprise("PK-1", needs={"c": 1.0}, capabilities={"a": 0.8}),
                _enterprise("PK-2", needs={"c": 1.0}, capabilities={"b": 0.2}),
            ],
        },
    }
    data.update(extra)
    return data


# -- stated interest ---------------------------------------------------------------------------


def test_preference_term_and_gains_by_hand() -> None:
    data = _two_by_two(
        preferences=[
            {"from": "CN-1", "to": "PK-1", "interest": "high"},
            {"from": "PK-1", "to": "CN-1", "interest": "Medium"},
            {"from": "PK-2", "to": "CN-2", "interest": 0.5},
            {"from": "CN-1", "to": "PK-1", "interest": 1.0},  # a repeat that agrees
        ],
        rules={"weights": {"mutual": 1.0, "preference": 3.0}},
    )
    m = score_matrix(programme_from_data(data))
    # tag gains: gl[CN-1,PK-1] = 0.8, gr = 0.5 → m = sqrt(0.4); gl[CN-2,PK-2] = 0.2, gr = 1.0
    m11, m22 = math.sqrt(0.8 * 0.5), math.sqrt(0.2 * 1.0)
    assert m.score[0, 0] == pytest.approx((m11 + 3 * (1.0 + 0.6) / 2) / 4, abs=1e-6)
    assert m.score[1, 1] == pytest.approx((m22 + 3 * (0 + 0.5) / 2) / 4, abs=1e-6)
    assert m.score[0, 1] == pytest.approx(0.0, abs=1e-7)  # CN-1 needs a; PK-2 has no a
    # gains blend the tag gain and the side's own stated interest, weights 1 and 3
    assert m.gain_left[0, 0] == pytest.approx((0.8 + 3 * 1.0) / 4, abs=1e-6)
    assert m.gain_right[0, 0] == pytest.approx((0.5 + 3 * 0.6) / 4, abs=1e-6)
    assert m.gain_left[1, 1] == pytest.approx((0.2 + 3 * 0.0) / 4, abs=1e-6)
    assert m.gain_right[1, 1] == pytest.approx((1.0 + 3 * 0.5) / 4, abs=1e-6)


def test_preferences_without_weight_leave_scores_but_vetoes_apply() -> None:
    plain = score_matrix(programme_from_data(_two_by_two()))
    data = _two_by_two(preferences=[{"from": "PK-1", "to": "CN-1", "interest": "veto"}])
    programme = programme_from_data(data)
    m = score_matrix(programme)
    np.testing.assert_array_equal(m.score, plain.score)
    problem = build_problem(programme, m)
    assert not problem.allowed[0, 0] and problem.allowed.sum() == 3
    assert problem.forbidden_by_rule is not None and problem.forbidden_by_rule[0, 0]


def test_a_weight_without_data_does_not_dilute_the_score() -> None:
    plain = score_matrix(programme_from_data(_two_by_two()))
    weighted = score_matrix(
        programme_from_data(_two_by_two(rules={"weights": {"preference": 1.0, "text": 2.0}}))
    )
    np.testing.assert_allclose(weighted.score, plain.score, atol=1e-7)
    assert weighted.terms is not None and list(weighted.terms.weights) == ["mutual"]


def _veto_programme() -> Programme:
    """3×3 one-to-one where CN-k and PK-k complement each other best (the diagonal is every
    objective's choice) and the two first diagonal pairs are vetoed, one by each side."""
    cap = {"min": 0, "max": 1}
    left = [
        _enterprise(
            f"CN-{k}",
            needs={f"n{k}": 1.0, "g": 1.0},
            capabilities={f"o{k}": 1.0, "g": 1.0},
            capacity=cap,
        )
        for k in (1, 2, 3)
    ]
    right = [
        _enterprise(
            f"PK-{k}",
            needs={f"o{k}": 1.0, "g": 1.0},
            capabilities={f"n{k}": 1.0, "g": 0.5},
            capacity=cap,
        )
        for k in (1, 2, 3)
    ]
    prefs = [
        {"from": "CN-1", "to": "PK-1", "interest": "veto"},
        {"from": "PK-2", "to": "CN-2", "interest": "veto"},
        {"from": "CN-3", "to": "PK-3", "interest": "high"},
    ]
    data = {
        "left": {"label": "CN", "enterprises": left},
        "right": {"label": "PK", "enterprises": right},
        "preferences": prefs,
        "rules": {"weights": {"preference": 0.5}},
    }
    return programme_from_data(data)


def test_without_the_vetoes_every_objective_takes_the_vetoed_pairs() -> None:
    """The fixture below would fail if vetoes were ignored (checked once, here)."""
    programme = _veto_programme().model_copy(update={"preferences": []})
    for objective in ("total", "maxmin", "balanced", "stable"):
        chosen = set(pairing.solve(programme, objective=objective).pair_ids())
        assert {("CN-1", "PK-1"), ("CN-2", "PK-2")} <= chosen, objective


def _supported(name: str, problem: object, objective: str) -> bool:
    return not registry()[name].unsupported(problem, objective)  # type: ignore[arg-type]


@pytest.mark.parametrize("solver", sorted(registry()))
def test_vetoed_pairs_are_never_paired(solver: str) -> None:
    programme = _veto_programme()
    matrices = score_matrix(programme)
    vetoed = {("CN-1", "PK-1"), ("CN-2", "PK-2")}
    ran = 0
    for objective in sorted(registry()[solver].objectives):
        if not _supported(solver, build_problem(programme, matrices, objective), objective):
            continue
        result = pairing.solve(programme, solver=solver, objective=objective)
        ran += 1
        assert not vetoed & set(result.pair_ids()), (solver, objective)
        pairing.check(programme, result)
    assert ran, f"{solver} ran no objective"


def test_the_total_optimum_with_vetoes_is_brute_force_without_the_vetoed_pairs() -> None:
    programme = _veto_programme()
    m = score_matrix(programme)
    rules = programme.rules.model_copy(update={"forbidden": [("CN-1", "PK-1"), ("CN-2", "PK-2")]})
    oracle = programme.model_copy(update={"rules": rules, "preferences": []})
    expected = best_total(oracle, m.score)
    result = pairing.solve(programme)
    assert result.objective_value == pytest.approx(expected, abs=1e-5)


def test_reasons_name_the_stated_interest_and_explain_the_veto(tmp_path) -> None:
    from click.testing import CliRunner

    from pairing.cli import main

    programme = _veto_programme()
    m = score_matrix(programme)
    reasons = pair_reasons(m, np.array([2]), np.array([2]), ("CN", "PK"))[0]
    assert any(r.text.startswith("stated interest: CN high, PK none (+") for r in reasons), reasons
    stated = next(r for r in reasons if r.term == "preference")
    assert stated.direction == "left_to_right" and stated.tag is None  # CN stated it
    assert stated.contribution is not None and stated.contribution > 0
    path = tmp_path / "p.json"
    pairing.io.dump_programme_json(programme, path)
    result = pairing.solve(programme)
    (tmp_path / "r.json").write_text(result.to_json())
    run = CliRunner().invoke(
        main, ["explain", str(path), str(tmp_path / "r.json"), "--pair", "CN-2", "PK-2"]
    )
    assert run.exit_code == 0, run.output
    assert "vetoed by PK-2" in run.output
    assert "term mutual" in run.output and "term preference" in run.output


# -- extra matrices ----------------------------------------------------------------------------


def test_source_term_by_hand_empty_cell_counts_zero() -> None:
    data = _two_by_two(
        rules={
            "sources": [
                {"name": "history", "weight": 0.5, "scores": [[0.9, None], [0.2, 1.0]]},
                {"name": "off", "weight": 0.0, "scores": [[1, 1], [1, 1]]},
            ]
        }
    )
    m = score_matrix(programme_from_data(data))
    mutual = score_matrix(programme_from_data(_two_by_two())).score
    expected = (mutual + 0.5 * np.array([[0.9, 0.0], [0.2, 1.0]])) / 1.5
    np.testing.assert_allclose(m.score, expected, atol=1e-6)
    plain = score_matrix(programme_from_data(_two_by_two()))
    np.testing.assert_array_equal(m.gain_left, plain.gain_left)  # sources are not gains
    reasons = pair_reasons(m, np.array([0]), np.array([0]), ("CN", "PK"))[0]
    history = next(r for r in reasons if r.term == "source:history")
    assert history.text == "history 0.90 (+0.30 score)"
    assert history.contribution == pytest.approx(0.5 * 0.9 / 1.5)
    assert history.direction is None and history.tag is None


def test_sources_combine_with_an_organisers_matrix() -> None:
    data = _two_by_two(
        scores=[[0.4, None], [0.2, 0.8]],
        rules={"sources": [{"name": "s", "weight": 1.0, "scores": [[1.0, 1.0], [0.0, 0.0]]}]},
    )
    m = score_matrix(programme_from_data(data))
    assert m.score[0, 0] == pytest.approx(0.7)
    assert math.isnan(m.score[0, 1])  # an empty organisers' cell still forbids the pair
    assert m.score[1, 1] == pytest.approx(0.4)
    assert m.gain_left[1, 1] == pytest.approx(0.8)  # the organisers' score stays the gain


# -- free text ---------------------------------------------------------------------------------


def _text_programme(needs: list[str], offers: list[str], weight: float = 1.0) -> Programme:
    left = [
        _enterprise(f"CN-{k}", needs_text=n, offers_text=o, needs={"x": 1.0})
        for k, (n, o) in enumerate(zip(needs, offers, strict=True))
    ]
    right = [
        _enterprise(f"PK-{k}", needs_text=n, offers_text=o, capabilities={"x": 1.0})
        for k, (n, o) in enumerate(zip(offers, needs, strict=True))
    ]
    return programme_from_data(
        {
            "left": {"label": "CN", "enterprises": left},
            "right": {"label": "PK", "enterprises": right},
            "rules": {"weights": {"mutual": 1.0, "text": weight}},
        }
    )


def test_text_term_identical_and_disjoint_texts() -> None:
    # CN-k needs what PK-k offers word for word, and offers what PK-k needs; no character is
    # shared between the two pairs' texts, so the cross pairs score 0 on text.
    programme = _text_programme(["abc abc", "xyz"], ["dee fgh", "uvw"])
    m = score_matrix(programme)
    values = term_values(m, np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    np.testing.assert_allclose(values["text"], [1.0, 0.0, 0.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(values["gain_left:text"], [1.0, 0.0, 0.0, 1.0], atol=1e-6)
    # mutual tag term is 0 (PK needs nothing): score = (1·0 + 1·text) / 2
    np.testing.assert_allclose(m.score, [[0.5, 0.0], [0.0, 0.5]], atol=1e-6)


@pytest.mark.parametrize("copies", [1, 30])
def test_text_similarity_is_the_cosine_of_char_ngram_tfidf(copies: int) -> None:
    """Against scikit-learn's own TfidfVectorizer; with 30 copies (240 texts) the n-grams in
    more than half of the texts are dropped (``max_df``), with 1 copy (8 texts) none are."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    needs = ["we need cold chain storage", "需要冷链物流服务", "Cold-chain logistics!", "纺织"]
    offers = ["solar inverters and batteries", "纺织机械", "solar", "ٹیکسٹائل مشینری"]
    programme = _text_programme(needs * copies, offers * copies)
    m = score_matrix(programme)
    corpus = [normalise(t) for t in (needs + offers + offers + needs) * copies]
    vec = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 4),
        sublinear_tf=True,
        max_df=max(int(0.5 * len(corpus)), 20),
    ).fit(corpus)

    def cos(a: str, b: str) -> float:
        x = vec.transform([normalise(a)]).toarray()[0]
        y = vec.transform([normalise(b)]).toarray()[0]
        return float(x @ y)

    # right k offers needs[k] and needs offers[k] (see _text_programme)
    for i in range(4):
        for j in range(4):
            t_left = cos(needs[i], needs[j])  # CN-i's needs vs PK-j's offers (= needs[j])
            t_right = cos(offers[j], offers[i])  # PK-j's needs vs CN-i's offers
            expected = math.sqrt(t_left * t_right) / 2
            assert m.score[i, j] == pytest.approx(expected, abs=1e-5), (i, j)


def test_shared_phrase_reads_across_hyphens_and_scripts() -> None:
    need, offer = "We need cold chain storage", "Cold-chain logistics in Punjab"
    for anchor in ("chai", " col", "ld ", "d "):  # "d " also ends "need": the longer one wins
        assert shared_phrase(need, offer, [anchor, "ain "]) == ("cold chain", "Cold-chain")
    assert shared_phrase("我们需要冷链物流。", "提供冷链物流服务", ["冷链"]) == (
        "冷链物流",
        "冷链物流",
    )
    assert shared_phrase("abc", "xyz", ["ab"]) is None


# -- the weighted mean against a naive oracle --------------------------------------------------


@st.composite
def sourced_programmes(draw: st.DrawFn) -> Programme:
    n_left, n_right = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    tags = ("a", "b", "c")
    levels = st.dictionaries(st.sampled_from(tags), st.sampled_from([0.0, 0.3, 0.5, 1.0]))
    sizes = st.sampled_from([None, "micro", "small", "medium", "large"])
    text = st.sampled_from(PHRASES)

    def side(prefix: str, n: int) -> list[dict[str, object]]:
        return [
            {
                "id": f"{prefix}{k}",
                "needs": draw(levels),
                "capabilities": draw(levels),
                "size": draw(sizes),
                "needs_text": draw(text) or None,
                "offers_text": draw(text) or None,
                "capacity": {"min": 0, "max": draw(st.integers(1, 2))},
            }
            for k in range(n)
        ]

    interest = st.sampled_from(["high", "medium", "low", "veto", 0.0, 0.25, 1.0])
    prefs = {}
    for _ in range(draw(st.integers(0, 5))):
        i, j = draw(st.integers(0, n_left - 1)), draw(st.integers(0, n_right - 1))
        a, b = (f"L{i}", f"R{j}") if draw(st.booleans()) else (f"R{j}", f"L{i}")
        prefs[(a, b)] = draw(interest)
    weight = st.sampled_from([0.0, 0.5, 1.0, 2.0])
    cells = st.sampled_from([None, 0.0, 0.4, 1.0])
    sources = [
        {
            "name": f"s{k}",
            "weight": draw(weight),
            "scores": [[draw(cells) for _ in range(n_right)] for _ in range(n_left)],
        }
        for k in range(draw(st.integers(0, 2)))
    ]
    data = {
        "left": {"label": "CN", "enterprises": side("L", n_left)},
        "right": {"label": "PK", "enterprises": side("R", n_right)},
        "preferences": [{"from": a, "to": b, "interest": v} for (a, b), v in prefs.items()],
        "rules": {
            "weights": {
                "mutual": draw(st.sampled_from([0.5, 1.0])),
                "size": draw(weight),
                "preference": draw(weight),
                "text": draw(weight),
            },
            "sources": sources,
        },
    }
    return programme_from_data(data)


def _naive(programme: Programme) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Score and gains pair by pair, straight from the documented formula."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    w = programme.rules.weights
    left, right = programme.left.enterprises, programme.right.enterprises
    level = {"high": 1.0, "medium": 0.6, "low": 0.3}
    stated = {}
    for p in programme.preferences:
        if p.interest != "veto":
            stated[(p.from_, p.to)] = level.get(p.interest, p.interest)  # type: ignore[arg-type]
    has_pref = w.preference > 0 and any(v > 0 for v in stated.values())
    texts = [
        normalise(t)
        for e in left + right
        for t in (e.needs_text or "", e.offers_text or "")
        if t.strip()
    ]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    if texts:
        vec.fit(texts)

    def sim(a: str | None, b: str | None) -> float:
        if not a or not b:
            return 0.0
        x, y = (
            vec.transform([normalise(a)]).toarray()[0],
            vec.transform([normalise(b)]).toarray()[0],
        )
        return float(x @ y)

    has_text = w.text > 0 and any(
        (a.needs_text and b.offers_text) or (b.needs_text and a.offers_text)
        for a in left
        for b in right
    )
    rank = {"micro": 0, "small": 1, "medium": 2, "large": 3}
    shape = (len(left), len(right))
    score, gain_l, gain_r = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            gl = sum(v * b.capabilities.get(t, 0) for t, v in a.needs.items())
            gl = gl / sum(a.needs.values()) if sum(a.needs.values()) > 0 else 0.0
            gr = sum(v * a.capabilities.get(t, 0) for t, v in b.needs.items())
            gr = gr / sum(b.needs.values()) if sum(b.needs.values()) > 0 else 0.0
            terms = [(w.mutual, math.sqrt(gl * gr))]
            gains = [(w.mutual, gl, gr)]
            if w.size > 0:
                if a.size is None or b.size is None:
                    terms.append((w.size, 0.5))
                else:
                    terms.append((w.size, 1 - abs(rank[a.size] - rank[b.size]) / 3))
            if has_pref:
                pl, pr = stated.get((a.id, b.id), 0.0), stated.get((b.id, a.id), 0.0)
                terms.append((w.preference, (pl + pr) / 2))
                gains.append((w.preference, pl, pr))
            if has_text:
                tl, tr = sim(a.needs_text, b.offers_text), sim(b.needs_text, a.offers_text)
                terms.append((w.text, math.sqrt(tl * tr)))
                gains.append((w.text, tl, tr))
            for source in programme.rules.sources:
                if source.weight > 0:
                    cell = source.scores[i, j]
                    terms.append((source.weight, 0.0 if math.isnan(cell) else cell))
            score[i, j] = sum(x * v for x, v in terms) / sum(x for x, _ in terms)
            total = sum(x for x, _, _ in gains)
            gain_l[i, j] = sum(x * v for x, v, _ in gains) / total
            gain_r[i, j] = sum(x * v for x, _, v in gains) / total
    return score, gain_l, gain_r


@given(programme=sourced_programmes())
def test_weighted_mean_and_gains_match_the_naive_formula(programme: Programme) -> None:
    m = score_matrix(programme)
    score, gain_l, gain_r = _naive(programme)
    np.testing.assert_allclose(m.score, score, atol=2e-6)
    np.testing.assert_allclose(m.gain_left, gain_l, atol=2e-6)
    np.testing.assert_allclose(m.gain_right, gain_r, atol=2e-6)
    # each term, evaluated at every pair, recomposes the score
    rows, cols = np.divmod(np.arange(score.size), score.shape[1])
    values = term_values(m, rows, cols)
    assert m.terms is not None
    mean = sum(m.terms.weights[k] * values[k] for k in m.terms.weights) / m.terms.total_weight
    np.testing.assert_allclose(mean, score.ravel(), atol=2e-6)


@given(programme=sourced_programmes())
def test_total_optimum_matches_brute_force(programme: Programme) -> None:
    score, _, _ = _naive(programme)
    vetoed = [
        (p.from_, p.to) if p.from_.startswith("L") else (p.to, p.from_)
        for p in programme.preferences
        if p.interest == "veto"
    ]
    rules = programme.rules.model_copy(update={"forbidden": sorted(set(vetoed))})
    oracle = programme.model_copy(update={"rules": rules})
    expected = best_total(oracle, score.astype(np.float32))
    result = pairing.solve(programme)
    assert result.objective_value == pytest.approx(expected, abs=1e-5)
    assert not set(vetoed) & set(result.pair_ids())


# -- sweeps ------------------------------------------------------------------------------------


def test_sweeps_vary_the_source_weights_by_name_and_the_new_weights() -> None:
    from pairing.sweeps import expand_grid
    from pairing.sweeps.overrides import apply_settings

    data = _two_by_two(
        rules={"sources": [{"name": "past.cooperation", "weight": 0.5, "scores": [[1, 0], [0, 1]]}]}
    )
    programme = programme_from_data(data)
    grid = {"source.past.cooperation.weight": [0.0, 2.0], "weights.preference": [0.5]}
    jobs = expand_grid(programme, grid)
    assert [job.params for job in jobs] == [
        {"source.past.cooperation.weight": 0.0, "weights.preference": 0.5},
        {"source.past.cooperation.weight": 2.0, "weights.preference": 0.5},
    ]
    changed, _ = apply_settings(programme, jobs[1].settings)
    assert changed.rules.sources[0].weight == 2.0 and changed.rules.weights.preference == 0.5
    m = score_matrix(changed)
    plain = score_matrix(programme_from_data(_two_by_two())).score
    np.testing.assert_allclose(m.score, (plain + 2 * np.eye(2)) / 3, atol=1e-6)
    typo = r"no source named 'past.cooperaton'.*did you mean 'past.cooperation'"
    with pytest.raises(pairing.InvalidProgramme, match=typo):
        expand_grid(programme, {"source.past.cooperaton.weight": [1.0]})
    with pytest.raises(pairing.InvalidProgramme, match=r"expected a number ≥ 0, got -1"):
        expand_grid(programme, {"source.past.cooperation.weight": [-1]})


def test_why_not_a_vetoed_pair_names_who_vetoed() -> None:
    from pairing.analysis.whynot import why_not

    programme = _veto_programme()
    result = pairing.solve(programme)
    answer = why_not(programme, result, "CN-2", "PK-2")
    assert answer.status == "not_allowed"
    assert "vetoed by PK-2 (preferences)" in "\n".join(answer.lines())


def test_term_shares_of_a_result_add_up_to_its_total(repo: Path) -> None:
    from pairing.features.terms import term_shares

    programme = pairing.load(repo / "instances" / "double-hundred-sources")
    result = pairing.solve(programme)
    m = score_matrix(programme)
    index_l = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    index_r = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    rows = np.array([index_l[p.left] for p in result.pairs])
    cols = np.array([index_r[p.right] for p in result.pairs])
    shares = term_shares(m, rows, cols)
    assert set(shares) == {"mutual", "preference", "text", "past-cooperation"}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert all(0 < v < 1 for v in shares.values())
    total = sum(p.score for p in result.pairs)
    w = m.terms.weights if m.terms is not None else {}
    mutual = term_values(m, rows, cols)["mutual"].sum() * w["mutual"] / sum(w.values())
    assert shares["mutual"] == pytest.approx(mutual / total, rel=1e-4)


def test_blocks_of_rows_add_up_like_pair_by_pair() -> None:
    """More left rows than one block of the text products (512) and of the source adds (1024):
    every pair's score equals its terms recomposed pair by pair (a different code path)."""
    from pairing.generator import generate
    from pairing.model.programme import Source

    base = generate(1100, 40, seed=4, text=True, preferences=True)
    rng = np.random.default_rng(4)
    history = np.round(rng.random(base.shape), 2)
    history[rng.random(base.shape) < 0.5] = np.nan
    source = Source(name="history", weight=0.7, scores=history)
    rules = base.rules.model_copy(update={"sources": [source]})
    programme = base.model_copy(update={"rules": rules})
    m = score_matrix(programme)
    assert m.terms is not None and set(m.terms.weights) == {
        "mutual",
        "preference",
        "text",
        "source:history",
    }
    rows, cols = np.divmod(np.arange(m.score.size), m.score.shape[1])
    values = term_values(m, rows, cols)
    mean = sum(m.terms.weights[k] * values[k] for k in m.terms.weights) / m.terms.total_weight
    np.testing.assert_allclose(m.score.ravel(), mean, atol=2e-6)
    share = {k: m.terms.weights[k] / m.terms.gain_weight for k in m.terms.gain_terms}
    gain = sum(share[k] * values[f"gain_left:{k}"] for k in m.terms.gain_terms)
    np.testing.assert_allclose(m.gain_left.ravel(), gain, atol=2e-6)
