"""``pairing schedule``: turn a result's pairs into the meeting timetable of an event."""

from __future__ import annotations

from pathlib import Path

import click

from pairing.cli.progress import status

__all__ = ["schedule_command"]


@click.command("schedule")
@click.argument("programme", type=click.Path(path_type=Path))
@click.argument("result", type=click.Path(path_type=Path))
@click.option(
    "--event",
    "event_file",
    type=click.Path(path_type=Path),
    required=True,
    help="The event file (TOML): timezone, meeting_minutes, tables, sessions, unavailable, booths.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder for schedule.json, schedule.csv, agendas.xlsx and calendars/.",
)
@click.option(
    "--partial",
    is_flag=True,
    help="When not every meeting fits, write the best partial schedule (exit 0).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Seconds for the exact solve, all stages together (default 60).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="CP-SAT's random seed.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="CP-SAT search workers: 1 is deterministic; more close gaps faster on large events.",
)
@click.option(
    "--keep",
    type=click.Path(path_type=Path),
    default=None,
    help="An earlier schedule.json: move as few of its meetings as possible.",
)
def schedule_command(
    programme: Path,
    result: Path,
    event_file: Path,
    output: Path,
    partial: bool,
    time_limit: float | None,
    seed: int,
    workers: int,
    keep: Path | None,
) -> None:
    """Schedule every pair of RESULT as a meeting at the event, into the folder -o.

    Hard rules: an enterprise in at most one meeting per slot, never when unavailable, at most
    max_per_session per session; a booth holds one meeting per slot; at most `tables` meetings
    per slot at the shared tables. Then: every meeting placed, fewest idle slots, earliest.
    Exit 1, writing nothing, when not every meeting can be placed (each one explained), unless
    --partial.
    """
    from pairing.io import load
    from pairing.io.results_file import load_result
    from pairing.scheduling import load_event, schedule
    from pairing.scheduling.outputs import check_output_folder, write_schedule_folder
    from pairing.scheduling.stored import load_schedule

    prog = load(programme)
    res = load_result(result)
    event = load_event(event_file, prog)
    old = load_schedule(keep) if keep is not None else None
    check_output_folder(output)
    limit = f", up to {time_limit:g} s" if time_limit else ""
    with status(f"scheduling {len(res.pairs)} meetings in {len(event.slots)} slots{limit}"):
        timetable = schedule(
            prog,
            res,
            event,
            time_limit=time_limit,
            seed=seed,
            partial=partial,
            keep=old,
            workers=workers,
        )
    write_schedule_folder(timetable, prog, output)
    m = timetable.metrics
    gap = f" (gap {timetable.solver.gap:.2%})" if timetable.status != "optimal" else ""
    click.echo(
        f"{timetable.status}{gap}: {m.scheduled} of {m.meetings} meetings scheduled, "
        f"{m.idle_slots_total} idle slots, busiest slot uses "
        f"{m.busiest_slot.tables if m.busiest_slot else 0} of {m.tables} tables, "
        f"{timetable.solver.runtime_s:.2f} s",
        err=True,
    )
    if m.moved is not None:
        click.echo(f"  moved from the old schedule: {m.moved} meeting(s)", err=True)
    for u in timetable.unscheduled:
        click.echo(f"  unscheduled {u.left}–{u.right}: {'; '.join(u.reasons)}", err=True)
    click.echo(f"wrote {output}/ (schedule.json, schedule.csv, agendas.xlsx, calendars/)", err=True)
