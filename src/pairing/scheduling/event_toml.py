"""Read ``event.toml`` and validate it against the programme, reporting every problem at once.

The format is the design's *Meeting schedule* section. Each problem names the key where it is
(``event.toml, [[session]] #2 ('5 Sep afternoon'), key 'start'``), what was expected and what
to try: unknown keys (with the closest known key), missing keys, wrong types, an unknown IANA
timezone, overlapping sessions, an id not in the programme (or on both sides without ``side``),
a session name that is not defined, a slot outside its session, a booth given twice. A
top-level key written after a ``[[session]]`` header (where TOML puts it inside that table) is
named as such, since that is the usual cause.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
import tomllib
import zoneinfo
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pairing.errors import InvalidProgramme, Issue
from pairing.io.files import read_text
from pairing.io.messages import unknown_key_message
from pairing.model.programme import Programme
from pairing.scheduling.event import Booth, Event, Session, Unavailable

__all__ = ["event_from_data", "load_event"]

_TOP = ("name", "timezone", "meeting_minutes", "tables", "max_per_session")
_TABLES = ("session", "unavailable", "booth")
_SESSION_KEYS = ("name", "date", "start", "slots")
_UNAVAILABLE_KEYS = ("id", "side", "session", "slots")
_BOOTH_KEYS = ("id", "side", "name")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


class _Reader:
    """Collects issues while reading one document; ``where`` renders a location."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[Issue] = []

    def add(self, where: str, message: str) -> None:
        self.issues.append(Issue(f"{self.source}{', ' + where if where else ''}", message))

    def integer(self, table: Mapping[str, Any], key: str, where: str, low: int) -> int | None:
        value = table.get(key)
        if value is None:
            self.add(f"{where}key {key!r}", f"missing; give a whole number ≥ {low}")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"{where}key {key!r}", f"expected a whole number ≥ {low}, found {value!r}")
            return None
        if value < low:
            self.add(f"{where}key {key!r}", f"expected a whole number ≥ {low}, found {value}")
            return None
        return value

    def text(self, table: Mapping[str, Any], key: str, where: str) -> str | None:
        value = table.get(key)
        if value is None:
            self.add(f"{where}key {key!r}", "missing; give a non-empty string")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"{where}key {key!r}", f"expected a non-empty string, found {value!r}")
            return None
        return value.strip()

    def unknown(self, table: Mapping[str, Any], known: tuple[str, ...], where: str) -> None:
        for key in table:
            if key in known:
                continue
            message = unknown_key_message(key, list(known), "key")
            if where and key in _TOP:
                message = (
                    f"{key!r} is a top-level key, but it follows this table's header, so TOML "
                    "reads it as part of the table; move it above the first [[...]] header"
                )
            self.add(f"{where}key {key!r}", message)


def _timezone(reader: _Reader, value: Any) -> str | None:
    if value is None:
        reader.add("key 'timezone'", "missing; give an IANA name such as 'Asia/Shanghai'")
        return None
    if not isinstance(value, str):
        reader.add(
            "key 'timezone'", f"expected an IANA name such as 'Asia/Shanghai', found {value!r}"
        )
        return None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(value, sorted(zoneinfo.available_timezones()), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        reader.add("key 'timezone'", f"unknown timezone {value!r}; use an IANA name{hint}")
        return None
    return value


def _date(reader: _Reader, value: Any, where: str) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    found = "nothing" if value is None else repr(value)
    reader.add(f"{where}key 'date'", f"expected a date like 2026-09-05, found {found}")
    return None


def _start(reader: _Reader, value: Any, where: str) -> dt.time | None:
    if isinstance(value, dt.time):
        return value
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return dt.time(int(match[1]), int(match[2]))
    found = "nothing" if value is None else repr(value)
    reader.add(f"{where}key 'start'", f'expected a local time like "09:00", found {found}')
    return None


def _tables(reader: _Reader, document: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    value = document.get(key, [])
    if isinstance(value, dict):
        reader.add(f"[{key}]", f"write each entry as [[{key}]] (an array of tables), not [{key}]")
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        reader.add(f"key {key!r}", f"expected [[{key}]] tables, found {value!r}")
        return []
    return value


def _sessions(reader: _Reader, entries: list[Mapping[str, Any]]) -> list[Session]:
    sessions: list[Session] = []
    if not entries:
        reader.add(
            "[[session]]", "no session; add at least one [[session]] with name, date, start, slots"
        )
    names = Counter(e.get("name") for e in entries if isinstance(e.get("name"), str))
    for k, entry in enumerate(entries, start=1):
        label = f" ({entry['name']!r})" if isinstance(entry.get("name"), str) else ""
        where = f"[[session]] #{k}{label}, "
        reader.unknown(entry, _SESSION_KEYS, where)
        name = reader.text(entry, "name", where)
        if name is not None and names[entry["name"]] > 1:
            reader.add(
                f"{where}key 'name'",
                f"session {name!r} is defined {names[entry['name']]} times; names must be unique",
            )
        date = _date(reader, entry.get("date"), where)
        start = _start(reader, entry.get("start"), where)
        slots = reader.integer(entry, "slots", where, 1)
        if name is not None and date is not None and start is not None and slots is not None:
            sessions.append(Session(name, date, start, slots))
    return sessions


def _overlaps(reader: _Reader, event: Event) -> None:
    length = dt.timedelta(minutes=event.meeting_minutes)
    spans = sorted(
        ((event.session_start(s).astimezone(dt.UTC), s) for s in event.sessions),
        key=lambda span: span[0],
    )
    for (start_a, a), (start_b, b) in itertools.pairwise(spans):
        end_a = start_a + a.slots * length
        if start_b < end_a:
            local_end = end_a.astimezone(event.zone).strftime("%H:%M")
            reader.add(
                f"[[session]] {b.name!r}",
                f"overlaps session {a.name!r}, which runs until {local_end} on {a.date} "
                f"({a.slots} slots of {event.meeting_minutes} min); start it later or give "
                f"{a.name!r} fewer slots",
            )


def _enterprise(
    reader: _Reader, entry: Mapping[str, Any], where: str, programme: Programme
) -> tuple[str, str] | None:
    """Resolve ``id`` (and optional ``side``) to ``(side, id)``."""
    ident = reader.text(entry, "id", where)
    if ident is None:
        return None
    sides = [s for s in ("left", "right") if ident in programme.side(s).ids]
    side = entry.get("side")
    labels = {programme.left.label: "left", programme.right.label: "right"}
    if side is not None:
        if side not in ("left", "right") and side not in labels:
            options = ", ".join(repr(x) for x in ("left", "right", *labels))
            reader.add(f"{where}key 'side'", f"expected one of {options}, found {side!r}")
            return None
        side = labels.get(side, side)
        if side not in sides:
            reader.add(f"{where}key 'id'", f"no {side} enterprise has id {ident!r}")
            return None
        return side, ident
    if not sides:
        every = programme.left.ids + programme.right.ids
        close = difflib.get_close_matches(ident, every, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        reader.add(f"{where}key 'id'", f"{ident!r} is not an enterprise of the programme{hint}")
        return None
    if len(sides) == 2:
        reader.add(
            f"{where}key 'id'",
            f'{ident!r} is an id on both sides; add side = "left" or side = "right"',
        )
        return None
    return sides[0], ident


def _unavailable(
    reader: _Reader, entries: list[Mapping[str, Any]], programme: Programme, sessions: list[Session]
) -> list[Unavailable]:
    out: list[Unavailable] = []
    by_name = {s.name: s for s in sessions}
    for k, entry in enumerate(entries, start=1):
        where = f"[[unavailable]] #{k}, "
        reader.unknown(entry, _UNAVAILABLE_KEYS, where)
        who = _enterprise(reader, entry, where, programme)
        name = reader.text(entry, "session", where)
        session = by_name.get(name) if name is not None else None
        if name is not None and session is None:
            close = difflib.get_close_matches(name, list(by_name), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(repr(n) for n in by_name) or "none defined"
            reader.add(
                f"{where}key 'session'", f"no session named {name!r}; sessions: {known}{hint}"
            )
        slots: tuple[int, ...] | None = None
        raw = entry.get("slots")
        if raw is not None:
            if (
                not isinstance(raw, list)
                or not raw
                or not all(isinstance(x, int) and not isinstance(x, bool) for x in raw)
            ):
                reader.add(
                    f"{where}key 'slots'",
                    f"expected a list of slot numbers like [1, 2], found {raw!r}",
                )
                continue
            slots = tuple(sorted(set(raw)))
            if session is not None:
                bad = [x for x in slots if not 1 <= x <= session.slots]
                if bad:
                    reader.add(
                        f"{where}key 'slots'",
                        f"slot(s) {', '.join(map(str, bad))} outside session {session.name!r}, "
                        f"which has slots 1 to {session.slots}",
                    )
                    continue
        if who is not None and session is not None:
            out.append(Unavailable(who[0], who[1], session.name, slots))
    return out


def _booths(reader: _Reader, entries: list[Mapping[str, Any]], programme: Programme) -> list[Booth]:
    out: list[Booth] = []
    for k, entry in enumerate(entries, start=1):
        where = f"[[booth]] #{k}, "
        reader.unknown(entry, _BOOTH_KEYS, where)
        who = _enterprise(reader, entry, where, programme)
        name = entry.get("name")
        if name is not None and (not isinstance(name, str) or not name.strip()):
            reader.add(
                f"{where}key 'name'", f"expected the booth's place as a string, found {name!r}"
            )
            continue
        if who is None:
            continue
        if any((b.side, b.id) == who for b in out):
            reader.add(f"{where}key 'id'", f"{who[1]!r} already has a booth; give each one once")
            continue
        out.append(Booth(who[0], who[1], name.strip() if name else f"{who[1]} booth"))
    return out


def event_from_data(data: Mapping[str, Any], programme: Programme, source: str = "event") -> Event:
    """Validate an event given as a mapping (a parsed ``event.toml``) against ``programme``.

    Raises
    ------
    InvalidProgramme
        With every problem found, each naming its key.
    """
    reader = _Reader(source)
    reader.unknown(data, _TOP + _TABLES, "")
    name = data.get("name", Path(source).stem)
    if not isinstance(name, str):
        reader.add("key 'name'", f"expected a string, found {name!r}")
        name = "event"
    timezone = _timezone(reader, data.get("timezone"))
    minutes = reader.integer(data, "meeting_minutes", "", 1)
    tables = reader.integer(data, "tables", "", 0)
    per_session = None
    if data.get("max_per_session") is not None:
        per_session = reader.integer(data, "max_per_session", "", 1)
    sessions = _sessions(reader, _tables(reader, data, "session"))
    unavailable = _unavailable(reader, _tables(reader, data, "unavailable"), programme, sessions)
    booths = _booths(reader, _tables(reader, data, "booth"), programme)
    if timezone is not None and minutes is not None and tables is not None and sessions:
        event = Event(
            name=name,
            timezone=timezone,
            meeting_minutes=minutes,
            tables=tables,
            sessions=tuple(sorted(sessions, key=lambda s: (s.date, s.start))),
            max_per_session=per_session,
            unavailable=tuple(unavailable),
            booths=tuple(booths),
        )
        _overlaps(reader, event)
        if not reader.issues:
            return event
    raise InvalidProgramme(reader.issues)


def load_event(path: str | Path, programme: Programme) -> Event:
    """Read and validate ``event.toml`` (see the module docstring).

    Raises
    ------
    InvalidProgramme
        When the file is missing, is not TOML, or has any problem; every problem is listed.
    """
    path = Path(path)
    name = str(path)
    text, issues = read_text(path, "event file")
    if text is None:
        raise InvalidProgramme(issues)
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = f"not valid TOML: {exc}; check the quotes, brackets and '=' there"
        raise InvalidProgramme([Issue(name, message)]) from None
    return event_from_data(document, programme, source=name)
