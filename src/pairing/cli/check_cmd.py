"""``pairing check`` and ``pairing explain``: validate a result; explain one pair."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np

from pairing.analysis.evaluation import load_result_for
from pairing.core.prepare import prepare
from pairing.diagnostics.check import violations_by_kind
from pairing.diagnostics.large_check import blockwise
from pairing.features import pair_reasons
from pairing.features.terms import describe_terms
from pairing.io import load

__all__ = ["check_command", "explain_command"]


@click.command("check")
@click.argument("programme", type=click.Path(path_type=Path))
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "--schedule",
    "schedule_file",
    type=click.Path(path_type=Path),
    default=None,
    help="Also check this schedule.json against the event's hard rules (needs --event).",
)
@click.option(
    "--event",
    "event_file",
    type=click.Path(path_type=Path),
    default=None,
    help="The event.toml the schedule was made for (with --schedule).",
)
def check_command(
    programme: Path, result: Path, schedule_file: Path | None = None, event_file: Path | None = None
) -> None:
    """Validate RESULT against PROGRAMME's rules; list every violation (exit 1 if any)."""
    prog = load(programme)
    # scored and compiled once, for reading and checking the result (none above the
    # dense size: the check then reads the pairs and row blocks alone)
    prepared = None if blockwise(prog) else prepare(prog)
    res = load_result_for(prog, result, prepared=prepared)
    found, figures = violations_by_kind(prog, res, prepared=prepared)
    if schedule_file is not None or event_file is not None:
        from pairing.scheduling.checker import schedule_file_violations

        found += schedule_file_violations(prog, res, schedule_file, event_file)
    if found or figures:
        click.echo(f"{result}: {len(found) + len(figures)} violation(s)", err=True)
        if found:
            click.echo(f"rules broken ({len(found)}):", err=True)
        for line in found:
            click.echo(f"  - {line}", err=True)
        if figures:
            click.echo(
                f"figures in the file that differ from what {programme} gives ({len(figures)}; "
                f"edited by hand? `pairing evaluate {programme} {result}` re-derives them):",
                err=True,
            )
        for line in figures:
            click.echo(f"  - {line}", err=True)
        raise SystemExit(1)
    click.echo(f"{result}: valid — every rule of {programme} holds", err=True)


@click.command("explain")
@click.argument("programme", type=click.Path(path_type=Path))
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "--pair",
    "pair",
    nargs=2,
    default=None,
    metavar="LEFT_ID RIGHT_ID",
    help="The pair to explain.",
)
@click.option(
    "--why-not",
    "why_not_pair",
    nargs=2,
    default=None,
    metavar="LEFT_ID RIGHT_ID",
    help="Why this pair is not in RESULT: the rule that forbids it, or what forcing it in costs.",
)
def explain_command(
    programme: Path,
    result: Path,
    pair: tuple[str, str] | None,
    why_not_pair: tuple[str, str] | None,
) -> None:
    """Explain one pair (--pair), or why a pair is not in the result (--why-not)."""
    if (pair is None) == (why_not_pair is None):
        msg = "give exactly one of --pair LEFT_ID RIGHT_ID and --why-not LEFT_ID RIGHT_ID"
        raise click.UsageError(msg)
    prog = load(programme)
    prepared = prepare(prog)  # scored and compiled once, for reading the result and explaining
    res = load_result_for(prog, result, prepared=prepared)
    if why_not_pair is not None:
        from pairing.analysis.whynot import why_not
        from pairing.cli.progress import status

        with status(f"re-solving with {why_not_pair[0]}–{why_not_pair[1]} required"):
            answer = why_not(prog, res, *why_not_pair, prepared=prepared)
        click.echo("\n".join(answer.lines()))
        return
    assert pair is not None
    left_id, right_id = pair
    left_ids, right_ids = prog.left.ids, prog.right.ids
    unknown = [
        f"{side} id {i!r}"
        for side, i, ids in (("left", left_id, left_ids), ("right", right_id, right_ids))
        if i not in ids
    ]
    if unknown:
        msg = f"unknown {' and '.join(unknown)} in {programme}"
        raise click.BadParameter(msg, param_hint="--pair")
    i, j = left_ids.index(left_id), right_ids.index(right_id)
    matrices = prepared.matrices
    score = float(matrices.score[i, j])
    labels = (prog.left.label, prog.right.label)
    lines = [f"pair {left_id} ({labels[0]}) – {right_id} ({labels[1]})"]
    if np.isnan(score):
        lines.append("  score: none (the organisers' score matrix forbids this pair)")
    elif matrices.scale is not None and not matrices.scale.identity:
        own = matrices.scale  # the organisers' matrix as costs or on its own scale
        lines.append(f"  score: {float(own.raw[i, j]):.6g} (the organisers' {own.sense}; "
                     f"{score:.6f} normalised)")
    else:
        lines.append(f"  score: {score:.6f}")
    lines.append(f"  gain {labels[0]} ({left_id}): {float(matrices.gain_left[i, j]):.6f}")
    lines.append(f"  gain {labels[1]} ({right_id}): {float(matrices.gain_right[i, j]):.6f}")
    lines += [f"  {line}" for line in describe_terms(matrices, i, j, labels)]
    for reason in pair_reasons(matrices, np.array([i]), np.array([j]), labels)[0]:
        lines.append(f"  reason: {reason.text}")
    interest = matrices.terms.interest if matrices.terms is not None else None
    for side in interest.vetoed_by(i, j) if interest is not None else ():
        lines.append(f"  rule: vetoed by {left_id if side == 'left' else right_id}")
    rules = prog.rules
    if (left_id, right_id) in set(map(tuple, rules.forbidden)):
        lines.append("  rule: forbidden by rules.forbidden")
    if (left_id, right_id) in set(map(tuple, rules.required)):
        lines.append("  rule: required by rules.required")
    if not np.isnan(score) and score < rules.min_score:
        lines.append(f"  rule: below min_score {rules.min_score}")
    chosen = (left_id, right_id) in set(res.pair_ids())
    lines.append(f"  in the result: {'yes' if chosen else 'no'}")
    found = next((p for p in res.pairs if (p.left, p.right) == (left_id, right_id)), None)
    second = found.runner_up if found is not None else None
    if second is not None:
        for id_, words in zip((left_id, right_id), second.describe(6), strict=True):
            lines.append(f"  runner-up of {id_}: {words}")
    if not chosen:
        for side, id_ in (("left", left_id), ("right", right_id)):
            partners = [
                p.right if side == "left" else p.left for p in res.pairs if getattr(p, side) == id_
            ]
            lines.append(f"  {id_} is paired with: {', '.join(partners) or 'nobody'}")
    click.echo("\n".join(lines))
