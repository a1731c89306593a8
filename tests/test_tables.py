"""``--format table``: names, the unmatched with reasons, a plain-words first line, alternates."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.cli.tables import in_short, result_table

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "instances" / "double-hundred-rules"


def test_table_names_enterprises_lists_the_unmatched_and_says_it_in_short() -> None:
    run = CliRunner().invoke(main, ["solve", str(RULES), "--format", "table", "-o", "/dev/null"])
    assert run.exit_code == 0, run.output
    programme = pairing.load(RULES)
    result = pairing.solve(programme)
    text = run.stdout
    first = result.pairs[0]
    name = next(e.name for e in programme.left.enterprises if e.id == first.left)
    assert name[:20] in text
    assert f"unmatched ({len(result.unmatched.right)})" in text
    for ident in result.unmatched.right:
        assert ident in text.split("unmatched (")[1]
    assert "proven the best pairing for the largest total score; found by milp" in text
    assert "alternates" not in text


def test_alternates_are_shown_when_asked() -> None:
    run = CliRunner().invoke(main, ["solve", str(RULES), "--format", "table", "--alternates",
                                    "2", "-o", "/dev/null"])
    assert run.exit_code == 0, run.output
    section = run.stdout.split("alternates (backup partners, best first)")[1]
    assert "CN-001" in section and ("would swap" in section or "spare room" in section)


def test_a_stopped_solve_is_never_called_the_best() -> None:
    programme = pairing.load(RULES)
    result = pairing.solve(programme)
    stopped = result.model_copy(update={"status": "feasible"})
    assert "NOT proven the best" in in_short(stopped)
    assert "NOT proven the best" in result_table(stopped)
