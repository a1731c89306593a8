"""Render a result as one self-contained HTML page a programme manager can defend.

The page holds a summary (status, objective, solver, counts) with a glossary line under each
headline figure, fairness per side and per sector, a sector × sector heatmap of pairs, the score
and gain distributions, quotas against their bounds, every pair with its reasons (required
pairs marked; folded when long), the alternates when the result has them, and every unmatched
enterprise with the reason it stayed unmatched. CSS is inline and charts are inline SVG, so the
file opens anywhere with no network. A few lines of inline JavaScript filter and sort the pairs
table and mark the page ``data-ready`` once loaded (what the headless-browser tests check).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2
import numpy as np
from markupsafe import Markup

from pairing.core.objectives import enterprise_gains
from pairing.core.prepare import Prepared, prepared_for
from pairing.diagnostics import large_check
from pairing.diagnostics.large_check import TagCells, blockwise
from pairing.diagnostics.sector_fairness import sector_fairness
from pairing.extras import require
from pairing.features import ScoreMatrices
from pairing.model.programme import Programme
from pairing.model.result import Result
from pairing.report.unmatched import large_unmatched_reasons, unmatched_reasons

__all__ = ["render_report", "report_context"]


def _environment() -> jinja2.Environment:
    folder = resources.files("pairing.report").joinpath("templates")
    loader = jinja2.DictLoader(
        {
            entry.name: entry.read_text(encoding="utf-8")
            for entry in folder.iterdir()
            if entry.name.endswith((".j2", ".css", ".js"))
        }
    )
    return jinja2.Environment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _sector_counts(
    programme: Programme, left: np.ndarray, right: np.ndarray
) -> tuple[np.ndarray, list[str], list[str]]:
    def codes(values: list[str]) -> tuple[np.ndarray, list[str]]:
        names = sorted({v or "(none)" for v in values})
        position = {name: k for k, name in enumerate(names)}
        return np.asarray([position[v or "(none)"] for v in values], dtype=np.intp), names

    codes_l, names_l = codes([e.sector for e in programme.left.enterprises])
    codes_r, names_r = codes([e.sector for e in programme.right.enterprises])
    counts = np.zeros((len(names_l), len(names_r)), dtype=np.int64)
    np.add.at(counts, (codes_l[left], codes_r[right]), 1)
    return counts, names_l, names_r


def report_context(
    programme: Programme, result: Result, matrices: ScoreMatrices | None = None, *,
    prepared: Prepared | None = None,
) -> dict[str, Any]:
    """Everything the report template shows, as plain data and inline SVG charts.

    Parameters
    ----------
    programme
        The programme the result solves.
    result
        A result of it (normally one that passed :func:`pairing.check`).
    matrices
        Precomputed score matrices.
    prepared
        :func:`pairing.core.prepare.prepare` of ``programme`` (then nothing is compiled again).

    Returns
    -------
    dict
        Template variables: ``programme``, ``result``, ``labels``, ``charts`` (name → SVG),
        ``pairs`` (rows with names and sectors), ``unmatched`` and ``summary`` rows.
    """
    require("matplotlib", "report")
    from pairing.report import charts  # deferred: matplotlib is the report extra

    large = matrices is None and prepared is None and blockwise(programme)
    if large:  # above the dense size: the pairs' values only, no n² matrix (see below)
        programme = programme.with_fair_to(result.metrics.fair_to)
    else:
        prepared = prepared_for(programme, prepared, objective=result.objective,
                                fair_to=result.metrics.fair_to, matrices=matrices)
        programme, matrices = prepared.programme, prepared.matrices
    left_pos = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    right_pos = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    left = np.asarray([left_pos[p.left] for p in result.pairs], dtype=np.intp)
    right = np.asarray([right_pos[p.right] for p in result.pairs], dtype=np.intp)
    labels = (programme.left.label, programme.right.label)
    if prepared is None:
        _, pair_gl, pair_gr = TagCells(programme).at(left, right)
        gains_l = np.bincount(left, weights=pair_gl.astype(np.float64),
                              minlength=len(programme.left.enterprises))
        gains_r = np.bincount(right, weights=pair_gr.astype(np.float64),
                              minlength=len(programme.right.enterprises))
    else:
        gains_l, gains_r = enterprise_gains(prepared.problem.gain_left,
                                            prepared.problem.gain_right, left, right)
    counts, sectors_l, sectors_r = _sector_counts(programme, left, right)
    scores = np.asarray([p.score for p in result.pairs], dtype=np.float64)
    figures = {
        "heatmap": charts.sector_heatmap(counts, sectors_l, sectors_r, labels),
        "scores": charts.score_histogram(scores),
        "gains": charts.gain_histograms(gains_l, gains_r, labels),
    }
    quotas = result.metrics.quotas
    if quotas:
        figures["quotas"] = charts.quota_chart(
            [q.description for q in quotas],
            [q.count for q in quotas],
            [q.min for q in quotas],
            [q.max for q in quotas],
        )
    left_of = {e.id: e for e in programme.left.enterprises}
    right_of = {e.id: e for e in programme.right.enterprises}
    required = set(map(tuple, programme.rules.required))
    pairs = [
        {
            "pair": p,
            "left": left_of[p.left],
            "right": right_of[p.right],
            "required": (p.left, p.right) in required,
            "runner_up": p.runner_up.describe() if p.runner_up else None,
        }
        for p in result.pairs
    ]
    reasons = (unmatched_reasons(programme, result, prepared=prepared) if prepared is not None
               else large_unmatched_reasons(programme, result))
    unmatched = [
        {
            "reason": r,
            "label": labels[0] if r.side == "left" else labels[1],
            "enterprise": (left_of if r.side == "left" else right_of)[r.id],
        }
        for r in reasons
    ]
    solver = result.solver
    summary = [
        ("status", result.status_text()),
        ("objective", f"{result.objective} = {result.objective_value:.6f}"),
        ("solver", f"{solver.name} — {solver.chosen_because}"),
        ("runtime", f"{solver.runtime_s:.3f} s"),
        ("how", solver.note or "—"),
        ("pairs", str(result.metrics.pairs)),
        (
            "enterprises",
            f"{len(programme.left.enterprises)} {labels[0]}, "
            f"{len(programme.right.enterprises)} {labels[1]}",
        ),
        (
            "unmatched",
            f"{len(result.unmatched.left)} {labels[0]}, {len(result.unmatched.right)} {labels[1]}",
        ),
        (
            "total score",
            f"{result.metrics.total_score:.4f} (mean {result.metrics.mean_score:.4f})",
        ),
        ("blocking pairs", str(result.metrics.blocking_pairs)),
        ("input sha256", result.input_sha256[:16] + "…"),
        ("pairing version", result.version),
    ]
    if result.message:
        summary.append(("note", result.message))
    return {
        "programme": programme,
        "result": result,
        "labels": labels,
        "charts": {name: Markup(svg) for name, svg in figures.items()},
        "pairs": pairs,
        "unmatched": unmatched,
        "summary": summary,
        "sides": [result.metrics.left, result.metrics.right],
        "fairness": (fairness_rows(programme, result, matrices, prepared=prepared)
                     if matrices is not None else _large_fairness_rows(programme, result)),
        "sectors": sector_fairness(programme, result),
        "glossary": glossary(result, labels),
        "alternates": _alternate_rows(result, labels, left_of, right_of),
        "collapse_pairs": len(pairs) > _OPEN_PAIRS,
    }


def _term_shares(programme: Programme, result: Result, matrices: ScoreMatrices) -> str:
    """Each score term's share of the pairs' total score, when the score has several terms."""
    from pairing.features.terms import term_shares

    left_pos = {e.id: k for k, e in enumerate(programme.left.enterprises)}
    right_pos = {e.id: k for k, e in enumerate(programme.right.enterprises)}
    rows = np.asarray([left_pos[p.left] for p in result.pairs], dtype=np.intp)
    cols = np.asarray([right_pos[p.right] for p in result.pairs], dtype=np.intp)
    shares = term_shares(matrices, rows, cols)
    if len(shares) < 2:
        return ""
    return ", ".join(f"{name} {share:.0%}" for name, share in
                     sorted(shares.items(), key=lambda item: -item[1]))


#: A pairs table longer than this starts folded, so the top of the page stays readable.
_OPEN_PAIRS = 30


def glossary(result: Result, labels: tuple[str, str]) -> dict[str, str]:
    """One line under each headline figure, saying what it counts."""
    who = {"both": f"every {labels[0]} and {labels[1]} enterprise",
           "left": f"every {labels[0]} enterprise", "right": f"every {labels[1]} enterprise"}
    return {
        "blocking pairs": "pairs not in the matching whose two enterprises would both gain more "
        "together than with a partner they have (0 = stable: nobody would defect together)",
        "worst gain": f"the smallest gain among {who[result.metrics.fair_to]}, matched or not "
        "(fair_to); an enterprise's gain is the sum of its pairs' gains, 0 with none",
        "unmatched": "enterprises with no partner; the last section says why each one",
        "required": "pairs that rules.required forces (e.g. a signed MOU), marked in the table",
    }


def _alternate_rows(
    result: Result, labels: tuple[str, str], left_of: dict[str, Any], right_of: dict[str, Any]
) -> list[dict[str, Any]]:
    if not result.alternates:
        return []
    rows = []
    for side, by_id in result.alternates.items():
        names = left_of if side == "left" else right_of
        for ident, backups in by_id.items():
            rows.append({"label": labels[0] if side == "left" else labels[1], "id": ident,
                         "name": names[ident].name if ident in names else "",
                         "backups": backups})
    return rows


def fairness_rows(
    programme: Programme, result: Result, matrices: ScoreMatrices | None, *,
    prepared: Prepared | None = None,
) -> list[tuple[str, str]]:
    """Who counts, who is worst off, and what fairness costs against the ``total`` optimum
    (solved on ``prepared``, :func:`pairing.core.prepare.prepare` of ``programme``, if given)."""
    from pairing.core.solve import solve
    from pairing.errors import PairingError

    metrics = result.metrics
    labels = (programme.left.label, programme.right.label)
    who = {
        "both": f"every {labels[0]} and every {labels[1]} enterprise, matched or not",
        "left": f"every {labels[0]} enterprise, matched or not",
        "right": f"every {labels[1]} enterprise, matched or not",
    }[metrics.fair_to]
    rows = [("who counts (fair_to)", f"{metrics.fair_to}: {who}")]
    if metrics.worst_off and metrics.sorted_gains:
        rows.append((
            "worst off",
            f"{', '.join(metrics.worst_off)} (smallest gain {metrics.sorted_gains[0]:.4f})",
        ))
    # a score of one term (every score of a programme above the dense size) has no shares
    shares = _term_shares(programme, result, matrices) if matrices is not None else ""
    if shares:
        rows.append(("where the total comes from", shares))
    if result.objective == "total":
        rows.append(("price of fairness", "0% (this is the total-score optimum)"))
        return rows
    try:
        best = solve(programme, objective="total", matrices=matrices, time_limit=30.0,
                     prepared=prepared)
    except PairingError as exc:
        rows.append(("price of fairness", f"unknown: the total optimum was not found ({exc})"))
        return rows
    optimum, total = best.metrics.total_score, metrics.total_score
    from pairing.features.score_scale import comparable_total  # costs: on the normalised scale

    best_value, value = comparable_total(best.metrics), comparable_total(metrics)
    lost = 0.0 if best_value <= 0 else 100.0 * (best_value - value) / best_value
    proven = "" if best.status == "optimal" else " (against a total not proven optimal)"
    rows.append((
        "price of fairness",
        f"{lost:.2f}% of the total score: {total:.4f} against {optimum:.4f} for the "
        f"'total' optimum{proven}",
    ))
    return rows


def _large_fairness_rows(programme: Programme, result: Result) -> list[tuple[str, str]]:
    """:func:`fairness_rows` above the dense size: who counts and who is worst off from the
    result; the price of fairness, which needs the ``total`` optimum of the whole programme,
    is stated as skipped unless the result is that optimum."""
    rows = fairness_rows(programme, result.model_copy(update={"objective": "total"}), None)
    if result.objective != "total":
        rows[-1] = ("price of fairness",
                    f"skipped above {large_check.LARGE_CELLS:,} pairs: it needs the 'total' "
                    "optimum of the whole programme (`pairing solve --objective total` finds "
                    "it on the large path; compare the two results)")
    return rows


def render_report(
    programme: Programme, result: Result, matrices: ScoreMatrices | None = None, *,
    prepared: Prepared | None = None,
) -> str:
    """The report as one self-contained HTML document (inline CSS, SVG charts, no network).

    Parameters
    ----------
    programme
        The programme the result solves.
    result
        A result of it.
    matrices
        Precomputed score matrices.
    prepared
        :func:`pairing.core.prepare.prepare` of ``programme`` (then nothing is compiled again).

    Returns
    -------
    str
        The HTML text; write it with :func:`pairing.io.results_file.write_atomic`.
    """
    template = _environment().get_template("report.html.j2")
    return template.render(**report_context(programme, result, matrices, prepared=prepared))
