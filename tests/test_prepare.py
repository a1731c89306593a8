"""One prepare(): a programme is scored and compiled once per solve, check and report, and the
counting checks, the objective value and the blocking pairs are computed once per solve."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import pairing
from pairing.core.prepare import Prepared, prepare
from pairing.errors import InvalidArgument
from pairing.model.programme import Rules
from strategies import programme_from_matrix

#: The functions whose calls are counted, by module.
COUNTED = {
    "pairing.features.scoring": ("score_matrix",),
    "pairing.core.problem": ("build_problem",),
    "pairing.diagnostics.feasibility": ("counting_conflicts",),
    "pairing.core.objectives": ("objective_value",),
    "pairing.diagnostics.stability": ("count_blocking_pairs",),
}


def _programme(objective: str = "total") -> pairing.Programme:
    rng = np.random.default_rng(7)
    return programme_from_matrix(rng.random((6, 7)), [(0, 2)] * 6, [(0, 1)] * 7,
                                 Rules(objective=objective))


def _same(a: pairing.Result, b: pairing.Result) -> bool:
    """Equal results but for the measured runtime."""
    def plain(result: pairing.Result) -> dict[str, Any]:
        return result.model_dump(exclude={"solver": {"runtime_s"}})

    return plain(a) == plain(b)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter[str]]:
    """Counts the calls of :data:`COUNTED`, wherever a loaded module imported them from.

    ``objective_value`` is counted per (objective, scale): the user's and the normalised total
    are two different values.
    """
    pairing.solve(_programme("stable"))  # load every module the pipeline uses lazily
    counter: Counter[str] = Counter()
    for module_name, names in COUNTED.items():
        module = sys.modules[module_name]
        for name in names:
            original = getattr(module, name)

            def counted(*args: Any, _name: str = name, _f: Callable[..., Any] = original,
                        **kwargs: Any) -> Any:
                key = _name
                if _name == "objective_value":
                    key = f"{_name}({args[1]}, user_scale={kwargs.get('user_scale', True)})"
                counter[key] += 1
                return _f(*args, **kwargs)

            for loaded in list(sys.modules.values()):
                if getattr(loaded, "__name__", "").startswith("pairing") and \
                        getattr(loaded, name, None) is original:
                    monkeypatch.setattr(loaded, name, counted)
    yield counter


@pytest.mark.parametrize("objective", ["total", "stable", "maxmin", "balanced"])
def test_solve_scores_compiles_counts_and_values_once(calls: Counter[str], objective: str) -> None:
    pairing.solve(_programme(objective))
    assert calls["score_matrix"] == 1
    assert calls["build_problem"] == 1
    assert calls["counting_conflicts"] == 1
    assert calls["count_blocking_pairs"] == 1
    values = {key: n for key, n in calls.items() if key.startswith("objective_value")}
    assert values, "the objective value is computed"
    assert set(values.values()) == {1}, values
    if objective not in ("total", "stable"):
        assert len(values) == 1, values  # the fair objectives have one scale


def test_solve_with_a_prepared_programme_compiles_nothing(calls: Counter[str]) -> None:
    programme = _programme()
    prepared = prepare(programme)
    calls.clear()
    result = pairing.solve(programme, prepared=prepared)
    assert calls["score_matrix"] == calls["build_problem"] == 0
    # another objective and fair_to reuse the same matrices and masks
    fair = pairing.solve(programme, objective="maxmin", fair_to="left", prepared=prepared)
    assert calls["score_matrix"] == calls["build_problem"] == 0
    assert _same(result, pairing.solve(programme))
    assert _same(fair, pairing.solve(programme, objective="maxmin", fair_to="left"))


def test_check_compiles_once_and_not_at_all_when_prepared(calls: Counter[str]) -> None:
    programme = _programme("stable")
    result = pairing.solve(programme)
    calls.clear()
    pairing.check(programme, result)
    assert calls["score_matrix"] == calls["build_problem"] == 1
    prepared = prepare(programme)
    calls.clear()
    pairing.check(programme, result, prepared=prepared)
    assert calls["score_matrix"] == calls["build_problem"] == 0


def test_report_compiles_once(calls: Counter[str]) -> None:
    pytest.importorskip("matplotlib")
    from pairing.report import render_report

    programme = _programme()
    result = pairing.solve(programme)
    calls.clear()
    html = render_report(programme, result)
    assert calls["score_matrix"] == calls["build_problem"] == 1
    prepared = prepare(programme)
    calls.clear()
    assert render_report(programme, result, prepared=prepared) == html
    assert calls["score_matrix"] == calls["build_problem"] == 0


def test_a_prepared_object_of_another_programme_is_refused() -> None:
    prepared = prepare(_programme())
    other = programme_from_matrix(np.eye(3), [(0, 1)] * 3, [(0, 1)] * 3)
    with pytest.raises(InvalidArgument, match="another programme"):
        pairing.solve(other, prepared=prepared)
    with pytest.raises(InvalidArgument, match="prepared"):
        pairing.solve(other, prepared="not prepared")  # type: ignore[arg-type]


def test_a_variant_shares_the_matrices_and_applies_fair_to() -> None:
    programme = _programme()
    prepared = prepare(programme)
    variant = prepared.variant(objective="maxmin", fair_to="right")
    assert isinstance(variant, Prepared)
    assert variant.matrices is prepared.matrices
    assert variant.problem.allowed is prepared.problem.allowed
    assert (variant.problem.objective, variant.problem.fair_to) == ("maxmin", "right")
    assert variant.programme.rules.fair_to == "right"
    assert variant.serves(programme) and prepared.variant() is prepared


def test_repair_solves_through_the_pipeline(calls: Counter[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Every solve of a repair is checked by the counting checks and the validator."""
    import pairing.core.solve as solve_module
    from pairing.analysis.repair import repair

    scores = np.array([[0.9, 0.1, 0.2, 0.3], [0.1, 0.8, 0.1, 0.2], [0.2, 0.1, 0.7, 0.6]])
    programme = programme_from_matrix(scores, [(1, 1)] * 3, [(0, 1)] * 4)
    result = pairing.solve(programme)
    validated: list[str] = []
    original = solve_module.violations

    def counting_violations(*args: Any, **kwargs: Any) -> list[str]:
        validated.append(args[1].objective)
        return original(*args, **kwargs)

    monkeypatch.setattr(solve_module, "violations", counting_violations)
    calls.clear()
    repaired = repair(programme, result, [result.pairs[0].left])
    # the kept-pairs solve and the final solve: each pre-checked and validated once
    assert len(validated) == calls["counting_conflicts"] >= 2
    assert calls["score_matrix"] == 1  # the reduced programme, scored once
    pairing.check(repaired.programme, repaired.result)


def test_evaluate_and_compare_compile_once(calls: Counter[str]) -> None:
    programme = _programme()
    result = pairing.solve(programme)
    calls.clear()
    evaluation = pairing.evaluate(programme, result, optimum=True)
    assert calls["score_matrix"] == calls["build_problem"] == 1  # five objectives solved
    assert evaluation.optimum is not None
    calls.clear()
    rows = pairing.compare(programme)
    assert calls["score_matrix"] == calls["build_problem"] == 1
    assert len(rows) == 5
    prepared = prepare(programme)
    calls.clear()
    assert pairing.compare(programme, ["total"], prepared=prepared)[0].status == "optimal"
    assert calls["score_matrix"] == calls["build_problem"] == 0


def test_solve_command_with_a_table_compiles_once(calls: Counter[str], tmp_path: Any) -> None:
    """The table explains the unmatched with the problem the solve compiled."""
    from click.testing import CliRunner

    from pairing.cli import main
    from pairing.io.writers import dump_programme_json

    path = dump_programme_json(_programme("maxmin"), tmp_path / "programme.json")
    calls.clear()
    run = CliRunner().invoke(main, ["solve", str(path), "--format", "table"])
    assert run.exit_code == 0, run.output
    assert calls["score_matrix"] == calls["build_problem"] == 1


def test_repair_to_a_workbook_scores_once(calls: Counter[str], tmp_path: Any) -> None:
    """The repaired result's workbook is explained with the matrices the repair solved with."""
    pytest.importorskip("openpyxl")
    from click.testing import CliRunner

    from pairing.cli import main
    from pairing.io.writers import dump_programme_json

    programme = _programme()
    path = dump_programme_json(programme, tmp_path / "programme.json")
    result = pairing.solve(programme)
    (tmp_path / "result.json").write_text(result.to_json(), encoding="utf-8")
    calls.clear()
    run = CliRunner().invoke(main, ["repair", str(path), str(tmp_path / "result.json"),
                                    "--withdraw", result.pairs[0].left,
                                    "-o", str(tmp_path / "new.xlsx")])
    assert run.exit_code == 0, run.output
    assert calls["score_matrix"] == 1
