"""Public functions check their arguments first and raise typed errors saying what was expected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import pairing
from pairing.errors import InvalidArgument

REPO = Path(__file__).resolve().parent.parent
INSTANCE = REPO / "instances" / "double-hundred.json"


@pytest.fixture(scope="module")
def programme() -> pairing.Programme:
    return pairing.from_scores(np.array([[0.9, 0.1], [0.4, 0.3]]), ["a", "b"], ["x", "y"])


@pytest.mark.parametrize("value", [None, {}, "programme.json", 3])
def test_solve_wants_a_programme(value: object) -> None:
    with pytest.raises(InvalidArgument, match="programme: expected a Programme"):
        pairing.solve(value)  # type: ignore[arg-type]


def test_check_wants_a_result(programme: pairing.Programme) -> None:
    with pytest.raises(TypeError, match="result: expected a Result, got None"):
        pairing.check(programme, None)  # type: ignore[arg-type]


def test_score_matrix_wants_a_programme() -> None:
    with pytest.raises(InvalidArgument, match="programme: expected a Programme, got None"):
        pairing.score_matrix(None)  # type: ignore[arg-type]


@pytest.mark.parametrize("writer", ["write_bundle", "dump_programme_json", "write_workbook"])
def test_writers_want_a_programme_and_a_path(
    programme: pairing.Programme, tmp_path: Path, writer: str
) -> None:
    from pairing import io
    from pairing.io import xlsx

    write = getattr(xlsx if writer == "write_workbook" else io, writer)
    with pytest.raises(InvalidArgument, match="programme: expected a Programme"):
        write(None, tmp_path / "out")
    with pytest.raises(InvalidArgument, match="expected the path of"):
        write(programme, None)
    assert list(tmp_path.iterdir()) == []


def test_load_wants_a_path() -> None:
    with pytest.raises(InvalidArgument, match="expected the path of a programme"):
        pairing.load(None)  # type: ignore[arg-type]
    with pytest.raises(pairing.InvalidProgramme, match="empty path"):
        pairing.load("")
    with pytest.raises(InvalidArgument, match="result JSON"):
        pairing.load_result(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match="score matrix CSV"):
        pairing.load_scores(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("options", "words"),
    [
        ({"time_limit": "5"}, "time limit must be a positive number"),
        ({"time_limit": float("nan")}, "time limit must be a positive number"),
        ({"time_limit": True}, "time limit must be a positive number"),
        ({"alternates": 1.5}, "alternates: expected a whole number"),
        ({"alternates": 0}, "alternates: expected a whole number ≥ 1"),
        ({"seed": "x"}, "seed: expected a whole number"),
        ({"solver": 3}, "solver: expected a name"),
    ],
)
def test_options_are_checked_before_solving(
    programme: pairing.Programme, options: dict, words: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    solve_module = sys.modules["pairing.core.solve"]

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("solved before checking the options")

    monkeypatch.setattr(solve_module, "_solve_and_assemble", never)
    with pytest.raises(pairing.PairingError, match=words):
        pairing.solve(programme, **options)


def test_a_masked_cell_forbids_the_pair() -> None:
    matrix = np.ma.array([[1.0, 0.5], [0.5, 0.2]], mask=[[True, False], [False, False]])
    result = pairing.solve(pairing.from_scores(matrix, ["a", "b"], ["x", "y"]))
    assert result.objective_value == pytest.approx(1.0)
    assert ("a", "x") not in {(p.left, p.right) for p in result.pairs}


@pytest.mark.parametrize("matrix", [np.array([[0.5 + 1j]]), [[0.5j]], np.array([["0.5"]])])
def test_complex_and_text_matrices_are_refused(matrix: object) -> None:
    with pytest.raises(pairing.InvalidProgramme, match="scores"):
        pairing.from_scores(matrix, ["a"], ["x"])
