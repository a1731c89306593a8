"""The matchmaking event: sessions, slots, tables, unavailabilities and booths.

An :class:`Event` is what ``event.toml`` says once it has been validated against the programme:
every id resolved to its side, every session named once, times made timezone-aware. Slots are
numbered globally in chronological order (:attr:`Event.slots`), which is the order "early in the
event" refers to. Reading and validating the TOML file is :mod:`pairing.scheduling.event_toml`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

__all__ = ["Booth", "Event", "Session", "Slot", "Unavailable"]


@dataclass(frozen=True)
class Session:
    """A block of consecutive meeting slots on one day (e.g. "5 Sep morning")."""

    name: str
    date: dt.date
    start: dt.time
    slots: int


@dataclass(frozen=True)
class Unavailable:
    """An enterprise's delegation is elsewhere: a whole session, or the listed 1-based slots."""

    side: str
    id: str
    session: str
    slots: tuple[int, ...] | None = None


@dataclass(frozen=True)
class Booth:
    """An enterprise that hosts all its meetings at its own booth (no shared table)."""

    side: str
    id: str
    name: str


@dataclass(frozen=True)
class Slot:
    """One meeting slot: its session, its 1-based number there and its aware start and end."""

    index: int
    session: int
    number: int
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Event:
    """A validated event (see the module docstring); sessions are in chronological order."""

    name: str
    timezone: str
    meeting_minutes: int
    tables: int
    sessions: tuple[Session, ...]
    max_per_session: int | None = None
    unavailable: tuple[Unavailable, ...] = ()
    booths: tuple[Booth, ...] = ()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def session_start(self, session: Session) -> dt.datetime:
        """The aware start of ``session`` in the event's timezone."""
        return dt.datetime.combine(session.date, session.start, tzinfo=self.zone)

    @cached_property
    def slots(self) -> tuple[Slot, ...]:
        """Every slot of the event, in chronological order.

        Wall-clock arithmetic is done in UTC so that a session across a daylight-saving change
        still has slots ``meeting_minutes`` apart in real time.
        """
        out: list[Slot] = []
        length = dt.timedelta(minutes=self.meeting_minutes)
        for s, session in enumerate(self.sessions):
            begin = self.session_start(session).astimezone(dt.UTC)
            for k in range(session.slots):
                start = (begin + k * length).astimezone(self.zone)
                end = (begin + (k + 1) * length).astimezone(self.zone)
                out.append(Slot(len(out), s, k + 1, start, end))
        return tuple(out)

    def session_index(self, name: str) -> int:
        return next(k for k, s in enumerate(self.sessions) if s.name == name)

    def booth_of(self, side: str, enterprise: str) -> Booth | None:
        return next((b for b in self.booths if b.side == side and b.id == enterprise), None)

    def unavailable_slots(self, side: str, enterprise: str) -> set[int]:
        """The global slot indices where ``enterprise`` of ``side`` cannot meet."""
        out: set[int] = set()
        for entry in self.unavailable:
            if entry.side != side or entry.id != enterprise:
                continue
            s = self.session_index(entry.session)
            numbers = entry.slots or range(1, self.sessions[s].slots + 1)
            out |= {
                slot.index for slot in self.slots if slot.session == s and slot.number in numbers
            }
        return out
