"""The command line: exit codes, messages on stderr, atomic outputs, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from pairing.cli import main

REPO = Path(__file__).resolve().parent.parent
INSTANCE = REPO / "instances" / "double-hundred.json"
BUNDLE = REPO / "instances" / "double-hundred"


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_solve_shipped_programme_writes_valid_result(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    run = invoke("solve", INSTANCE, "-o", out)
    assert run.exit_code == 0, run.output
    result = json.loads(out.read_text())
    assert result["status"] == "optimal"
    assert len(result["pairs"]) == 100
    assert result["solver"]["name"] == "lapjv"
    check = invoke("check", INSTANCE, out)
    assert check.exit_code == 0, check.output


def test_bundle_and_json_give_the_same_result(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert invoke("solve", INSTANCE, "-o", a).exit_code == 0
    assert invoke("solve", BUNDLE, "-o", b).exit_code == 0
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    for r in (ra, rb):
        r["solver"].pop("runtime_s")
    assert ra == rb


def test_same_input_and_seed_give_identical_json(tmp_path: Path) -> None:
    outs = []
    for k in range(2):
        out = tmp_path / f"r{k}.json"
        assert invoke("solve", INSTANCE, "--seed", "7", "-o", out).exit_code == 0
        data = json.loads(out.read_text())
        data["solver"].pop("runtime_s")
        outs.append(data)
    assert outs[0] == outs[1]


def test_formats(tmp_path: Path) -> None:
    table = invoke("solve", INSTANCE, "--format", "table")
    assert table.exit_code == 0
    assert "fairness by side" in table.output and "CN" in table.output
    csv_out = tmp_path / "r.csv"
    assert invoke("solve", INSTANCE, "-o", csv_out).exit_code == 0
    lines = csv_out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ("left,right,score,gain_left,gain_right,reasons,"
                        "left_name,right_name,left_sector,right_sector")
    assert len(lines) == 101
    stdout_json = invoke("solve", INSTANCE)
    assert json.loads(stdout_json.output)["objective"] == "total"


def test_check_lists_every_violation(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert invoke("solve", INSTANCE, "-o", out).exit_code == 0
    data = json.loads(out.read_text())
    data["pairs"][1]["left"] = data["pairs"][0]["left"]  # one left twice, one left unmatched
    data["pairs"][2]["score"] = 0.999
    data["objective_value"] += 1
    out.write_text(json.dumps(data))
    run = invoke("check", INSTANCE, out)
    assert run.exit_code == 1
    assert "2 partner(s), capacity is 1..1" in run.output
    assert "0 partner(s), capacity is 1..1" in run.output
    assert "score 0.999 but the programme gives" in run.output


def test_explain_pair(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert invoke("solve", INSTANCE, "-o", out).exit_code == 0
    pair = json.loads(out.read_text())["pairs"][0]
    run = invoke("explain", INSTANCE, out, "--pair", pair["left"], pair["right"])
    assert run.exit_code == 0, run.output
    assert "in the result: yes" in run.output and "reason:" in run.output
    bad = invoke("explain", INSTANCE, out, "--pair", "CN-999", pair["right"])
    assert bad.exit_code == 2 and "unknown left id 'CN-999'" in bad.output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["solve", "missing.json"], 2, "missing.json: no such file or folder"),
        (["solve"], 2, "give either PROGRAMME or --scores"),
        (["solve", str(INSTANCE), "--solver", "nope"], 2, "Invalid value for '--solver'"),
        (["solve", str(INSTANCE), "--time-limit", "-1"], 2, "time limit must be a positive"),
    ],
)
def test_bad_usage_exits_2_and_writes_nothing(
    tmp_path: Path, args: list[str], code: int, message: str
) -> None:
    out = tmp_path / "never.json"
    run = invoke(*args, "-o", out)
    assert run.exit_code == code, run.output
    assert message in run.output
    assert "Traceback" not in run.output
    assert not out.exists()


def test_infeasible_exits_1_with_the_rule(tmp_path: Path) -> None:
    scores = tmp_path / "scores.csv"
    scores.write_text(",R0,R1\nL0,0.5,\nL1,0.7,\n")  # both left need R0
    out = tmp_path / "r.json"
    run = invoke("solve", "--scores", scores, "-o", out)
    assert run.exit_code == 1, run.output
    assert "infeasible" in run.output
    assert not out.exists()


def test_generate_json_and_bundle(tmp_path: Path) -> None:
    run = invoke(
        "generate", "--left", "12", "--right", "9", "--seed", "3", "-o", tmp_path / "p.json"
    )
    assert run.exit_code == 0, run.output
    run = invoke(
        "generate", "--left", "12", "--right", "9", "--seed", "3", "-o", tmp_path / "bundle"
    )
    assert run.exit_code == 0, run.output
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert invoke("solve", tmp_path / "p.json", "-o", a).exit_code == 0
    assert invoke("solve", tmp_path / "bundle", "-o", b).exit_code == 0
    assert json.loads(a.read_text())["pairs"] == json.loads(b.read_text())["pairs"]


def test_solvers_and_schema() -> None:
    run = invoke("solvers")
    assert run.exit_code == 0 and "lapjv" in run.output and "greedy" in run.output
    data = json.loads(invoke("solvers", "--json").output)
    assert {"lapjv", "scipy", "ortools-lsa", "greedy"} <= {s["name"] for s in data}
    schema = json.loads(invoke("schema").output)
    assert "left" in schema["programme"]["properties"]
    assert "pairs" in schema["result"]["properties"]


def test_shipped_rules_example_is_optimal_and_valid(tmp_path: Path) -> None:
    rules_bundle = REPO / "instances" / "double-hundred-rules"
    out = tmp_path / "r.json"
    run = invoke("solve", rules_bundle, "-o", out)
    assert run.exit_code == 0, run.output
    result = json.loads(out.read_text())
    assert result["status"] == "optimal"
    assert result["solver"]["name"] == "milp"
    assert all(q["ok"] for q in result["metrics"]["quotas"])
    assert ["CN-002", "PK-003"] in [[p["left"], p["right"]] for p in result["pairs"]]
    assert invoke("check", rules_bundle, out).exit_code == 0


def test_check_rejects_an_unconfirmed_infeasible_claim_and_a_foreign_result(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert invoke("solve", INSTANCE, "-o", out).exit_code == 0
    data = json.loads(out.read_text())
    claim = dict(data, status="infeasible", pairs=[])
    (tmp_path / "claim.json").write_text(json.dumps(claim))
    run = invoke("check", INSTANCE, tmp_path / "claim.json")
    assert run.exit_code == 1
    assert "status 'infeasible' is not confirmed" in run.output
    other = tmp_path / "other.json"
    assert (
        invoke("generate", "--left", "100", "--right", "100", "--seed", "9", "-o", other).exit_code
        == 0
    )
    run = invoke("check", other, out)
    assert run.exit_code == 1
    assert "input_sha256 does not match this programme" in run.output


def test_check_reports_objective_errors_beside_rule_violations(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    assert invoke("solve", INSTANCE, "-o", out).exit_code == 0
    data = json.loads(out.read_text())
    data["pairs"] = data["pairs"][1:]  # one pair short: capacity and unmatched violations
    data["objective_value"] = 99.0
    out.write_text(json.dumps(data))
    run = invoke("check", INSTANCE, out)
    assert run.exit_code == 1
    assert "capacity is 1..1" in run.output
    assert "objective_value 99.0 but the pairs give" in run.output


def test_outputs_are_readable_like_any_file(tmp_path: Path) -> None:
    import os

    out = tmp_path / "r.json"
    old = os.umask(0o022)
    try:
        assert invoke("solve", INSTANCE, "-o", out).exit_code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_fair_to_default_limit_and_check(tmp_path: Path) -> None:
    """--fair-to is recorded in the result, check judges by it, and a fair objective run with
    no --time-limit says which default limit applies."""
    out = tmp_path / "r.json"
    run = invoke("solve", INSTANCE, "--objective", "maxmin",
                 "--fair-to", "left", "-o", out)
    assert run.exit_code == 0, run.output
    assert "stopping after 120 s (the default for fair objectives)" in run.output
    result = json.loads(out.read_text())
    assert result["metrics"]["fair_to"] == "left"
    assert len(result["metrics"]["sorted_gains"]) == 100  # only the CN side counts
    assert result["status"] == "optimal"
    check = invoke("check", INSTANCE, out)
    assert check.exit_code == 0, check.output


def test_zero_level_is_said_in_words(tmp_path: Path) -> None:
    """The shipped rules: 23 PK textile firms, at most 15 textile pairs — every matching leaves
    8 PK firms alone, and maxmin says so and falls back to the best total."""
    out = tmp_path / "r.json"
    run = invoke("solve", REPO / "instances" / "double-hundred-rules", "--objective", "maxmin",
                 "--time-limit", "60", "-o", out, "--format", "table")
    assert run.exit_code == 0, run.output
    result = json.loads(out.read_text())
    assert result["status"] == "optimal" and result["objective_value"] == 0.0
    assert "textiles max 15) allows 15 pair(s) for its 23 counted PK" in result["message"]
    assert "at least 8 of them stay alone" in run.output
    total = json.loads(invoke("solve", REPO / "instances" / "double-hundred-rules").output)
    assert result["metrics"]["total_score"] == pytest.approx(total["metrics"]["total_score"])


def test_lazy_command_table_matches_the_commands() -> None:
    """`pairing --help` lists commands from a table (no command module imported); each entry's
    help is the command's own first docstring line, and every command is reachable."""
    from pairing.cli import COMMANDS

    for name, (_module, _attribute, help_line) in COMMANDS.items():
        command = main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and command.name == name
        assert command.get_short_help_str(limit=500) == help_line, name
    run = invoke("--help")
    assert run.exit_code == 0 and all(name in run.output for name in COMMANDS)


def test_help_imports_no_command_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from pairing.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.endswith('_cmd') or m.split('.')[0] in "
        "('ortools', 'matplotlib', 'dask', 'sklearn', 'openpyxl', 'pandas')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
