"""The library for backends: model errors as InvalidProgramme, uploads, dir(pairing), and the
README's "build a programme in code" example, run as written."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import pairing
from pairing.io.xlsx import write_workbook

REPO = Path(__file__).resolve().parent.parent


def test_the_readme_example_runs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Build a programme in code", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    exec(compile(code.group(1), "README.md", "exec"), {})


@pytest.mark.parametrize(
    ("build", "where", "message"),
    [
        (lambda: pairing.Enterprise(id="x", capabilities={"ai": 2}), "Enterprise(capabilities.ai)",
         "level 2 outside [0, 1]"),
        (lambda: pairing.Capacity(min=3, max=1), "Capacity", "min 3 is greater than max 1"),
        (lambda: pairing.Rules(objective="fastest"), "Rules(objective)", "fastest"),
        (lambda: pairing.Enterprise(id="x", sectr="AI"), "Enterprise(sectr)", "did you mean"),
    ],
)
def test_model_errors_are_invalid_programme_with_issues(build, where, message) -> None:
    with pytest.raises(pairing.InvalidProgramme) as info:
        build()
    assert info.value.issues, "issues must be listed"
    assert any(i.where.startswith(where) and message in i.message for i in info.value.issues), (
        info.value.issues)


def test_programme_cross_checks_in_code_name_the_rule() -> None:
    side = {"label": "L", "enterprises": [{"id": "a"}]}
    with pytest.raises(pairing.InvalidProgramme, match=r"rules\.forbidden\[0\].*unknown right id"):
        pairing.Programme(left=side, right={"label": "R", "enterprises": [{"id": "b"}]},
                          rules={"forbidden": [["a", "zz"]]})


def test_loading_is_unchanged_by_the_wrapping(tmp_path) -> None:
    """Files still get file/row/field locations (model_validate keeps pydantic's errors)."""
    path = tmp_path / "p.json"
    path.write_text('{"left": {"label": "L", "enterprises": [{"id": "a", "capacity": '
                    '{"min": 3, "max": 1}}]}, "right": {"label": "R", "enterprises": '
                    '[{"id": "b"}]}}', encoding="utf-8")
    with pytest.raises(pairing.InvalidProgramme, match=r"p\.json: left\.enterprises\[0\]"):
        pairing.load(path)


def test_load_takes_bytes_and_binary_files_of_json_and_workbooks(tmp_path) -> None:
    programme = pairing.load(REPO / "instances" / "double-hundred-rules")
    data = programme.model_dump_json().encode()
    assert pairing.load(data) == programme
    assert pairing.load(io.BytesIO(data)) == programme
    book = write_workbook(programme, tmp_path / "p.xlsx")
    with book.open("rb") as handle:
        assert pairing.load(handle) == programme
    assert pairing.load(memoryview(book.read_bytes())) == programme
    with pytest.raises(pairing.InvalidProgramme, match=r"upload\.json: not valid JSON"):
        pairing.load(b"{nope")
    with pytest.raises(pairing.InvalidProgramme, match="binary mode"):
        pairing.load(io.StringIO("{}"))
    broken = data.replace(b'"min_score":0.2', b'"min_score":7.0')
    with pytest.raises(pairing.InvalidProgramme) as info:
        pairing.load(broken)
    assert "upload.json" in str(info.value) and str(tmp_path) not in str(info.value)
    assert "pairing-upload" not in str(info.value)


def test_dir_lists_the_lazy_names() -> None:
    names = dir(pairing)
    for name in ("load", "from_scores", "load_scores", "sweep", "evaluate", "schedule", "solve"):
        assert name in names
    assert set(pairing.__all__) <= set(names)


def test_result_collections_are_immutable() -> None:
    programme = pairing.load(REPO / "instances" / "double-hundred-rules")
    result = pairing.solve(programme, alternates=1)
    assert isinstance(result.pairs, tuple) and isinstance(result.pairs[0].reasons, tuple)
    assert isinstance(result.unmatched.right, tuple)
    assert isinstance(result.metrics.sorted_gains, tuple)
    assert isinstance(result.metrics.quotas, tuple)
    assert result.alternates is not None
    assert isinstance(result.alternates["left"]["CN-001"], tuple)
    with pytest.raises(AttributeError):
        result.pairs.append(result.pairs[0])  # type: ignore[attr-defined]
    again = pairing.Result.model_validate_json(result.to_json())
    assert again == result  # the JSON is unchanged: arrays read back as tuples
