"""Meeting schedules: from a result's pairs to a timetable for the matchmaking event.

``schedule(programme, result, event)`` places every pair of the result as one meeting in a
time slot at a table or booth, obeying the hard rules (an enterprise in at most one meeting per
slot, never when unavailable, at most ``max_per_session`` per session; a booth holds one meeting
per slot; at most ``tables`` meetings per slot at the shared tables) and optimising, in order:
placed meetings (then their total score), idle slots, earliness. The package is small modules
with one job each: the event (:mod:`.event`, :mod:`.event_toml`), the arrays of the problem
(:mod:`.instance`), the greedy start (:mod:`.greedy`), the exact CP-SAT model (:mod:`.cpsat`),
counting-argument explanations (:mod:`.explain`), table numbers (:mod:`.tables`), the result
(:mod:`.timetable`, :mod:`.build`), an independent checker (:mod:`.checker`) and the writers
(:mod:`.outputs`, :mod:`.agendas`, :mod:`.calendars`).

The package is named ``scheduling`` rather than ``schedule`` so that ``pairing.schedule`` stays
the function: importing a submodule named like it would rebind the name to the module.
"""

from pairing.scheduling.build import schedule
from pairing.scheduling.event import Event
from pairing.scheduling.event_toml import event_from_data, load_event
from pairing.scheduling.timetable import Schedule

__all__ = ["Event", "Schedule", "event_from_data", "load_event", "schedule"]
