"""The report for a meeting: required pairs marked, sortable pairs, a glossary, fairness per
sector, alternates, whole-number count axes, folded long sections, the same bytes under threads,
and the new sections in a real headless browser."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import pairing
from pairing.report import render_report
from pairing.report.charts import quota_chart, score_histogram
from test_report import _chromium, _console, needs_chromium

REPO = Path(__file__).resolve().parent.parent
RULES = REPO / "instances" / "double-hundred-rules"


@pytest.fixture(scope="module")
def rules_case() -> tuple[pairing.Programme, pairing.Result]:
    programme = pairing.load(RULES)
    return programme, pairing.solve(programme, alternates=2)


def test_required_pairs_are_marked_and_the_table_is_sortable(rules_case) -> None:
    programme, result = rules_case
    html = render_report(programme, result)
    required = [p for p in result.pair_ids() if p in set(map(tuple, programme.rules.required))]
    assert required and html.count('<tr class="required">') == len(required)
    assert html.count('<span class="badge">required</span>') == len(required)
    assert len(re.findall(r'<th data-sort="(num|text)">', html)) == 7  # runner-ups too


def test_glossary_sector_fairness_and_alternates(rules_case) -> None:
    programme, result = rules_case
    html = render_report(programme, result)
    glossary = html.split('id="glossary"')[1].split("</dl>")[0]
    assert "blocking pairs" in glossary and "would both gain more together" in glossary
    assert "worst gain" in glossary and "every CN and PK enterprise, matched or not" in glossary
    sectors = html.split('id="fairness-sectors"')[1].split("</details>")[0]
    n_sectors = sum(len({e.sector for e in programme.side(s).enterprises})
                    for s in ("left", "right"))
    assert sectors.count("<tr><td>") == n_sectors
    assert '<section id="alternates">' in html and "would swap" in html
    plain = pairing.solve(programme)
    assert '<section id="alternates">' not in render_report(programme, plain)


def test_a_long_pairs_table_starts_folded(rules_case) -> None:
    programme, result = rules_case
    html = render_report(programme, result)
    assert '<details id="pairs-details">' in html  # 168 pairs: folded
    small = programme.model_copy(update={"rules": programme.rules})
    few = result.model_copy(update={"pairs": result.pairs[:5]})
    assert '<details id="pairs-details" open>' in render_report(small, few)


def _numbers(svg: str) -> set[str]:
    return {t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)}


def test_count_axes_show_whole_numbers_only() -> None:
    svg = score_histogram(np.array([0.31, 0.33, 0.35]))  # three pairs in one bin
    assert not _numbers(svg) & {"0.5", "1.5", "2.5"}
    assert {"0", "1", "2", "3"} <= _numbers(svg)
    quotas = quota_chart(["a", "b"], [1, 2], [1, None], [2, 2])
    assert not {n for n in _numbers(quotas) if re.fullmatch(r"\d+\.\d+", n)}


def test_reports_rendered_in_threads_are_identical(rules_case) -> None:
    programme, result = rules_case
    few = result.model_copy(update={"pairs": result.pairs[:20]})
    alone = render_report(programme, few)
    with ThreadPoolExecutor(max_workers=8) as pool:
        pages = list(pool.map(lambda _: render_report(programme, few), range(16)))
    assert all(page == alone for page in pages)


_SORT_PROBE = """<script>
(function () {
  var th = document.querySelectorAll("#pair-table th[data-sort]")[2];
  th.click(); th.click();
  var first = document.querySelector("#pair-table tbody tr td:nth-child(3)");
  document.body.setAttribute("data-first-score", first.getAttribute("data-value"));
}());
</script>
</body>"""


@needs_chromium
def test_the_new_sections_render_and_sorting_works_in_a_browser(rules_case, tmp_path) -> None:
    programme, result = rules_case
    page = tmp_path / "report.html"
    html = render_report(programme, result).replace("</body>", _SORT_PROBE, 1)
    page.write_text(html, encoding="utf-8")
    run = _chromium(page, tmp_path / "profile", "--dump-dom")
    assert run.returncode == 0, run.stderr[-2000:]
    dom = run.stdout
    assert 'data-ready="1"' in dom and 'data-sortable="7"' in dom
    for section in ('id="glossary"', 'id="fairness-sectors"', 'id="alternates"',
                    'id="pairs-details"', 'class="required"'):
        assert section in dom, section
    best = max(p.score for p in result.pairs)
    first = re.search(r'data-first-score="([^"]+)"', dom)
    assert first is not None and float(first.group(1)) == pytest.approx(best)
    assert _console(run.stderr) == []
