"""The timer: a running time entry. One per user unless ALLOW_MULTIPLE_TIMERS is set;
the guard that enforces it is written atomically with the entry."""
from __future__ import annotations

from shared.clock import utcnow
from shared.data import time_entries as entries_data
from shared.domain import Principal, TimeEntry
from shared.errors import InvalidState
from shared.logic import time_entries


def get_timer_status(principal: Principal) -> TimeEntry | None:
    running = entries_data.running_entries(principal.user_id)
    return running[0] if running else None


def start_timer(principal: Principal, values: dict) -> TimeEntry:
    return time_entries.create_time_entry(principal, {**values, "start_time": utcnow(), "end_time": None},
                                          source="timer")


def stop_timer(principal: Principal) -> TimeEntry:
    """Stops the most recently started timer."""
    running = get_timer_status(principal)
    if running is None:
        raise InvalidState("No timer is running", "no_active_timer")
    return time_entries.update_time_entry(principal, running.id, {"end_time": utcnow()})
