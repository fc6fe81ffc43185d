"""Dates and times as the API accepts them: stored in UTC, accepted with or without
an offset (without one, the time is in the user's time zone), returned with ``Z``."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Union
from zoneinfo import ZoneInfo

from shared.errors import ValidationFailed

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A zone name, or a function giving it: looking up the user's zone costs a read, paid only for naive times.
Zone = Union[str, Callable[[], str]]


def _local(naive: datetime, tz: Zone) -> datetime:
    """A wall-clock time in ``tz`` as UTC. In a DST gap the clock is moved forward
    (02:30 on a spring-forward night is 03:30); in a repeated hour the first is taken."""
    zone = ZoneInfo(tz if isinstance(tz, str) else tz())
    aware = naive.replace(tzinfo=zone, fold=0)
    back = aware.astimezone(timezone.utc).astimezone(zone)
    if back.replace(tzinfo=None) != naive:  # nonexistent wall time
        aware = (naive + timedelta(hours=1)).replace(tzinfo=zone)
    return aware.astimezone(timezone.utc)


def to_utc(moment: datetime, tz: Zone) -> datetime:
    """An aware time as UTC; a naive one read as wall-clock time in ``tz``."""
    return (moment.astimezone(timezone.utc) if moment.tzinfo else _local(moment, tz)).replace(microsecond=0)


def parse_datetime(value: str, tz: Zone, field: str) -> datetime:
    """An instant: ``2024-01-15T09:00:00Z``, ``…+02:00``, or ``2024-01-15T09:00`` in the user's zone."""
    text = (value or "").strip()
    if _DATE_ONLY.match(text):
        raise ValidationFailed.field(field, "Give a date and a time (YYYY-MM-DDTHH:MM:SS), not a date alone")
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed.field(field, f"'{value}' is not an ISO 8601 date-time") from None
    return to_utc(parsed, tz)


def parse_bound(value: str, tz: Zone, field: str, *, end: bool) -> datetime:
    """A range bound: a date-time as above, or a date. A date-only end includes that whole
    day (the bound becomes the last second of it); a date-only start is its first second."""
    text = (value or "").strip()
    if _DATE_ONLY.match(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise ValidationFailed.field(field, f"'{value}' is not a valid date") from None
        start_of_day = _local(datetime.combine(day, time()), tz)
        if not end:
            return start_of_day
        return _local(datetime.combine(day + timedelta(days=1), time()), tz) - timedelta(seconds=1)
    return parse_datetime(text, tz, field)
