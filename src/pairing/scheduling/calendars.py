"""RFC 5545 calendars: one ``.ics`` file per enterprise, one VEVENT per meeting.

Built with the ``icalendar`` library. Each event's UID is derived from the event's name and the
pair (not from the time or table), so a re-run after a change updates the meetings already in a
delegation's calendar instead of duplicating them; ``SEQUENCE`` is 0 for a first schedule. Times
carry the event's timezone (``TZID`` with a generated ``VTIMEZONE``). ``DTSTAMP`` is the time the
file was written, as the RFC asks, so it is the one field that differs between two runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from pairing.scheduling.timetable import Schedule, ScheduledMeeting

__all__ = ["calendar_files", "meeting_uid"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def meeting_uid(event: str, left: str, right: str) -> str:
    """A stable UID for the meeting of ``left`` and ``right`` at ``event``."""
    digest = hashlib.sha256(f"{event}\x1f{left}\x1f{right}".encode()).hexdigest()[:32]
    return f"{digest}@pairing"


def file_names(keys: list[tuple[str, str]], labels: dict[str, str]) -> dict[tuple[str, str], str]:
    """``ID.ics`` per enterprise; a side label is prefixed where two would share a name."""
    plain = {key: _UNSAFE.sub("_", key[1]).strip("._") or "enterprise" for key in keys}
    counts: dict[str, int] = {}
    for name in plain.values():
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    return {
        key: f"{labels[key[0]]}-{name}.ics" if counts[name.casefold()] > 1 else f"{name}.ics"
        for key, name in plain.items()
    }


def _place(meeting: ScheduledMeeting) -> str:
    return f"booth {meeting.booth}" if meeting.booth else f"table {meeting.table}"


def calendar_files(
    schedule: Schedule,
    names: dict[tuple[str, str], str],
    labels: dict[str, str],
    stamp: dt.datetime,
) -> dict[str, bytes]:
    """The ``calendars/`` files: file name → iCalendar bytes.

    Parameters
    ----------
    schedule
        The schedule.
    names
        Enterprise name by ``(side, id)``.
    labels
        Side label by side (``{"left": "CN", "right": "PK"}``), for file names.
    stamp
        ``DTSTAMP`` (UTC).
    """
    from icalendar import Calendar, Event, Timezone

    by_enterprise: dict[tuple[str, str], list[ScheduledMeeting]] = {}
    for m in schedule.meetings:
        by_enterprise.setdefault(("left", m.left), []).append(m)
        by_enterprise.setdefault(("right", m.right), []).append(m)
    keys = sorted(by_enterprise, key=lambda k: (k[0] != "left", k[1]))
    files = file_names(keys, labels)
    out: dict[str, bytes] = {}
    vtimezone = None
    if schedule.meetings:
        # One VTIMEZONE for every file, covering the event's days (building it is the slow part)
        days = [dt.date.fromisoformat(m.start[:10]) for m in schedule.meetings]
        vtimezone = Timezone.from_tzid(
            schedule.timezone,
            first_date=min(days) - dt.timedelta(days=1),
            last_date=max(days) + dt.timedelta(days=1),
        ).to_ical()
    for key in keys:
        side, ident = key
        calendar = Calendar()
        calendar.add("prodid", "-//pairing//meeting schedule//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", f"{schedule.event}: {names.get(key, ident)} ({ident})")
        if vtimezone is not None:
            calendar.add_component(Timezone.from_ical(vtimezone))
        for m in by_enterprise[key]:
            partner = ("right", m.right) if side == "left" else ("left", m.left)
            partner_name = names.get(partner, partner[1])
            item = Event()
            item.add("uid", meeting_uid(schedule.event, m.left, m.right))
            item.add("dtstamp", stamp)
            item.add("sequence", 0)
            item.add("dtstart", dt.datetime.fromisoformat(m.start).astimezone(_zone(schedule)))
            item.add("dtend", dt.datetime.fromisoformat(m.end).astimezone(_zone(schedule)))
            item.add("summary", f"Meeting with {partner_name} ({partner[1]})")
            item.add("location", f"{schedule.event}, {_place(m)}")
            item.add(
                "description",
                f"{m.left} {m.left_name} – {m.right} {m.right_name}\n"
                f"{m.session}, slot {m.slot}, {_place(m)}\nscore {m.score:.3f}",
            )
            calendar.add_component(item)
        out[files[key]] = calendar.to_ical()
    return out


def _zone(schedule: Schedule) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(schedule.timezone)
