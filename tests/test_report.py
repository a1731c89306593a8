"""The HTML report: content, unmatched reasons, the CLI, and a real headless browser."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import pairing
from pairing.cli import main
from pairing.model.programme import Rules
from pairing.report import render_report, unmatched_reasons
from strategies import programme_from_matrix

REPO = Path(__file__).resolve().parent.parent
INSTANCE = REPO / "instances" / "double-hundred.json"
ARTIFACTS = REPO / "out" / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
_CONSOLE = re.compile(r":CONSOLE[:(]")


@pytest.fixture(scope="module")
def shipped() -> tuple[pairing.Programme, pairing.Result]:
    programme = pairing.load(INSTANCE)
    return programme, pairing.solve(programme)


def test_report_is_self_contained_with_every_section(shipped) -> None:
    programme, result = shipped
    html = render_report(programme, result)
    for section in ("summary", "fairness", "charts", "quotas", "pairs", "unmatched"):
        assert f'<section id="{section}">' in html
    assert html.count("<svg ") == 3  # heatmap, scores, gains (no quotas in this programme)
    assert not re.search(r'(src|href)="(https?:)?//', html), "the report must need no network"
    assert "<link" not in html
    for pair in result.pairs[:5]:
        assert pair.left in html and pair.right in html
        assert pair.reasons[0].text.split(":")[0] in html
        assert f'data-term="{pair.reasons[0].term}"' in html
    assert "Every enterprise has a partner." in html


def _small() -> pairing.Programme:
    nan = math.nan
    scores = np.array(
        [
            [0.9, 0.2, nan],  # L0: best with R0
            [0.5, nan, nan],  # L1: only R0, which L0 holds with a better pair
            [nan, nan, nan],  # L2: no score with anybody
            [0.1, 0.1, 0.1],  # L3: every pair below min_score
            [0.4, 0.6, 0.3],  # L4: capacity max 0
        ]
    )
    return programme_from_matrix(
        scores,
        caps_left=[(0, 1), (0, 1), (0, 1), (0, 1), (0, 0)],
        caps_right=[(0, 1), (0, 1), (0, 1)],
        rules=Rules(min_score=0.15),
    )


def test_unmatched_reasons_are_honest() -> None:
    programme = _small()
    result = pairing.solve(programme)
    assert result.pair_ids() == [("L0", "R0")] or ("L0", "R0") in result.pair_ids()
    reasons = {r.id: r for r in unmatched_reasons(programme, result)}
    assert reasons["L1"].kind == "partners_taken"
    assert "R0" in reasons["L1"].text and "L0" in reasons["L1"].text
    assert "at least as good" in reasons["L1"].text
    assert reasons["L2"].kind == "no_allowed_partner"
    assert "3 have no score" in reasons["L2"].text
    assert reasons["L3"].kind == "no_allowed_partner"
    assert "3 score below min_score 0.15" in reasons["L3"].text
    assert reasons["L4"].kind == "capacity_zero"
    # R1 scores 0.2 with L0 only (taken by a better pair), R2 has no allowed partner.
    assert reasons["R1"].kind == "partners_taken"
    assert reasons["R2"].kind == "no_allowed_partner"
    html = render_report(programme, result)
    assert html.count('class="kind-') == len(reasons)


def test_report_cli_writes_html(tmp_path: Path) -> None:
    result = tmp_path / "r.json"
    runner = CliRunner()
    assert runner.invoke(main, ["solve", str(INSTANCE), "-o", str(result)]).exit_code == 0
    out = tmp_path / "report.html"
    run = runner.invoke(main, ["report", str(INSTANCE), str(result), "-o", str(out)])
    assert run.exit_code == 0, run.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        *extra,
        page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _console(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if _CONSOLE.search(line)]


needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="headless-browser test needs /usr/bin/chromium (apt-get install chromium; .ci/run "
    "installs it when run as root)",
)


@needs_chromium
def test_console_capture_sees_errors(tmp_path: Path) -> None:
    """The console check below would catch a script error (guards against a silent pass)."""
    page = tmp_path / "broken.html"
    page.write_text("<html><body><script>notDefined();</script></body></html>")
    run = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert any("notDefined" in line for line in _console(run.stderr)), run.stderr[-2000:]


@needs_chromium
def test_report_renders_in_a_real_browser(shipped, tmp_path: Path) -> None:
    programme, result = shipped
    page = tmp_path / "report.html"
    page.write_text(render_report(programme, result), encoding="utf-8")
    run = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert 'data-ready="1"' in dom, "the report's script did not run"
    assert 'data-charts="3"' in dom
    assert len(re.findall(r'<svg [^>]*class="chart"', dom)) == 3
    assert 'id="chart-heatmap"' in dom and "pairs by sector" in dom
    assert _console(run.stderr) == [], "console messages in the report"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = tmp_path / "report.png"
    run = _chromium(page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000")
    assert run.returncode == 0, run.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
    assert _console(run.stderr) == []
    shutil.copyfile(shot, ARTIFACTS / "report.png")


def test_quota_chart_and_quota_blocked_reason() -> None:
    scores = np.array([[0.6, 0.5], [0.5, 0.4]])
    programme = programme_from_matrix(
        scores,
        [(0, 1)] * 2,
        [(0, 1)] * 2,
        sectors_left=["ai", "ai"],
        rules=Rules.model_validate(
            {"quotas": [{"side": "left", "by": "sector", "group": "ai", "max": 1}]}
        ),
    )
    try:
        result = pairing.solve(programme)
    except pairing.UnsupportedProblem:
        pytest.skip("no solver for side quotas is registered yet")
    assert result.pair_ids() == [("L0", "R0")]
    reasons = {r.id: r for r in unmatched_reasons(programme, result)}
    assert reasons["L1"].kind == "spare_partner_not_used"
    assert "quota left sector=ai max 1" in reasons["L1"].text
    html = render_report(programme, result)
    assert html.count("<svg ") == 4 and 'id="chart-quotas"' in html


def test_report_shows_who_counts_worst_off_and_the_price_of_fairness(shipped) -> None:
    programme, _ = shipped
    fair = pairing.solve(programme, objective="maxmin")
    html = render_report(programme, fair)
    assert 'id="fairness-summary"' in html
    assert "who counts (fair_to)" in html and "every CN and every PK enterprise" in html
    assert f"{fair.metrics.worst_off[0]}" in html
    total = pairing.solve(programme)
    lost = 100 * (total.metrics.total_score - fair.metrics.total_score) / total.metrics.total_score
    assert f"{lost:.2f}% of the total score" in html
    stopped = fair.model_copy(update={"status": "feasible", "solver": fair.solver.model_copy(
        update={"gap": 1.0, "bound": 0.9})})
    assert "nothing was proven about the objective value" in render_report(programme, stopped)
