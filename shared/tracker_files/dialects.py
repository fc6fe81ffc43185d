"""The CSV dialects of the trackers people migrate from, detected by their header.

Each dialect turns one record (line, {column: value}) into a Row; what they share is
in rows.py. Day/month order is settled once for the whole file, never per row.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Callable

from shared.tracker_files.rows import (
    Row,
    RowError,
    parse_flag,
    parse_hms,
    parse_hours,
    parse_instant,
    read_records,
    settle_day_first,
    split_tags,
)

MAX_HOURS = 24 * 7
NOON = time(12, 0)  # trackers that record days, not times: entries start at 12:00 in the user's zone
TIMETRACKER_TEMPLATE = (
    "project_name,client_name,task_name,start_time,end_time,duration_hours,notes,tags,billable\r\n"
    "Project A,Client A,Task 1,2024-01-01 09:00:00,2024-01-01 10:30:00,1.5,Meeting notes,meeting;planning,true\r\n")


def _hours_after(start: datetime, hours: float) -> datetime:
    if not 0 <= hours <= MAX_HOURS:
        raise ValueError(f"A duration must be between 0 and {MAX_HOURS} hours")
    return start + timedelta(hours=hours)


def _end(start: datetime, end: datetime) -> datetime:
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise ValueError("start and end must both have an offset or both have none")
    if end < start:
        raise ValueError("The entry ends before it starts")
    return end


def _row(line, f, *, project, start, end, client=None, task=None, notes=None, tags=(), billable=True) -> Row:
    if task and not project:
        raise ValueError("A task needs a project")
    return Row(line=line, fields=f, project_name=project or "", client_name=client or None, task_name=task or None,
               start=start, end=_end(start, end), notes=notes or None, tags=list(tags), billable=billable)


def _timetracker(line: int, f: dict[str, str], day_first) -> Row:
    if not f.get("project_name"):
        raise ValueError("project_name is required")
    if not f.get("start_time"):
        raise ValueError("start_time is required")
    start = parse_instant(f["start_time"], day_first)
    if f.get("end_time"):
        end = parse_instant(f["end_time"], day_first)
    elif f.get("duration_hours"):
        try:
            end = _hours_after(start, parse_hours(f["duration_hours"]))
        except ValueError as exc:
            raise ValueError(f"duration_hours: {exc}") from None
    else:
        raise ValueError("Give end_time or duration_hours")
    return _row(line, f, project=f["project_name"], client=f.get("client_name"), task=f.get("task_name"),
                start=start, end=end, notes=f.get("notes"), tags=split_tags(f.get("tags", "")),
                billable=parse_flag(f.get("billable", "")))


def _record_id(f: dict[str, str], column: str) -> int | None:
    text = (f.get(column) or "").strip()
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{column} '{text[:40]}' is not a number") from None
    if value < 1:
        raise ValueError(f"{column} must be a positive id")
    return value


def _timetracker_ids(line: int, f: dict[str, str], day_first) -> Row:
    """TimeTracker's API v1 columns: project_id (required), task_id, ISO 8601 start_time and
    end_time, notes (or description), tags, billable."""
    project_id = _record_id(f, "project_id")
    if project_id is None:
        raise ValueError("project_id is required")
    if not f.get("start_time"):
        raise ValueError("start_time is required")
    if not f.get("end_time"):
        raise ValueError("end_time is required")
    start = parse_instant(f["start_time"], day_first)
    row = _row(line, f, project=None, start=start, end=parse_instant(f["end_time"], day_first),
               notes=f.get("notes") or f.get("description"), tags=split_tags(f.get("tags", ""), ",;"),
               billable=parse_flag(f.get("billable", "")))
    row.project_id, row.task_id = project_id, _record_id(f, "task_id")
    return row


def _date_time(line: int, f: dict[str, str], day_first) -> Row:
    """Toggl Track "Detailed" and Clockify "Detailed": separate date and time columns."""
    if not f.get("start_date") or not f.get("start_time"):
        raise ValueError("Start date and Start time are required")
    start = parse_instant(f"{f['start_date']} {f['start_time']}", day_first)
    if f.get("end_time"):
        end = parse_instant(f"{f.get('end_date') or f['start_date']} {f['end_time']}", day_first)
        if end < start and not f.get("end_date"):
            end += timedelta(days=1)  # crossed midnight
    elif f.get("duration") or f.get("duration_h"):
        end = _hours_after(start, parse_hms(f.get("duration") or f["duration_h"]))
    else:
        raise ValueError("End time or Duration is required")
    return _row(line, f, project=f.get("project"), client=f.get("client"), task=f.get("task"), start=start,
                end=end, notes=f.get("description"), tags=split_tags(f.get("tags", ""), ","),
                billable=parse_flag(f.get("billable", "")))


def _tag_list(text: str) -> list[str]:
    """'a, b; c', or a JSON array as some exports write it ('["a","b"]')."""
    if text.startswith("["):
        try:
            values = json.loads(text)
        except ValueError:
            values = None
        if isinstance(values, list):
            return [str(v).strip() for v in values if str(v).strip()]
    return split_tags(text, ",;")


def _generic(line: int, f: dict[str, str], day_first) -> Row:
    if not f.get("start") or not f.get("end"):
        raise ValueError("start and end are required")
    return _row(line, f, project=f.get("project"), client=f.get("client"), task=f.get("task"),
                start=parse_instant(f["start"], day_first), end=parse_instant(f["end"], day_first),
                notes=f.get("description") or f.get("notes"), tags=_tag_list(f.get("tags", "")),
                billable=parse_flag(f.get("billable", "")))


def _day(f: dict[str, str], day_first) -> datetime:
    if not f.get("date"):
        raise ValueError("Date is required")
    return datetime.combine(parse_instant(f["date"], day_first).date(), NOON)


def _harvest(line: int, f: dict[str, str], day_first) -> Row:
    start = _day(f, day_first)
    try:
        hours = parse_hours(f.get("hours", ""))
    except ValueError:
        raise ValueError(f"Hours '{f.get('hours')}' is not a number") from None
    return _row(line, f, project=f.get("project"), client=f.get("client"), task=f.get("task"), start=start,
                end=_hours_after(start, hours), notes=f.get("notes"), billable=parse_flag(f.get("billable", "")))


_HASHTAG = re.compile(r"#([\w-]+)")


def _noko(line: int, f: dict[str, str], day_first) -> Row:
    start = _day(f, day_first)
    try:
        hours = int(f["minutes"]) / 60 if f.get("minutes") else parse_hours(f.get("hours", ""))
    except ValueError:
        raise ValueError("Minutes or Hours must be a number (or H:MM)") from None
    description = f.get("description", "")
    tags = split_tags(f.get("tags", ""), ",") + _HASHTAG.findall(description)
    notes = _HASHTAG.sub("", description).strip() or None
    return _row(line, f, project=f.get("project"), start=start, end=_hours_after(start, hours), notes=notes,
                tags=list(dict.fromkeys(tags)), billable=parse_flag(f.get("billable", "")))


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"'{text}' is not an ISO 8601 time") from None


def _toggl_api(line: int, f: dict[str, str], day_first) -> Row:
    """A Toggl Reports API entry (shared/sources/toggl.records): UTC start and stop."""
    if not f.get("start") or not f.get("stop"):
        raise ValueError("The entry has no start or stop time")
    return _row(line, f, project=f.get("project"), client=f.get("client"), start=_instant(f["start"]),
                end=_instant(f["stop"]), notes=f.get("description"), tags=_tag_list(f.get("tags", "")),
                billable=parse_flag(f.get("billable", "")))


_WALL_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*([ap]m)?\s*$", re.IGNORECASE)


def _wall_clock(text: str) -> time:
    """Harvest's started_time/ended_time: "8:00am", "1:30pm" or "13:30"."""
    match = _WALL_CLOCK.match(text)
    if not match:
        raise ValueError(f"'{text}' is not a time of day")
    hour, minute, half = int(match[1]), int(match[2]), (match[3] or "").lower()
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    return time(hour, minute)


def _harvest_api(line: int, f: dict[str, str], day_first) -> Row:
    """A Harvest API entry (shared/sources/harvest.records): its start and end times when the
    account tracks them, else 12:00 plus its hours, in the user's zone (the guide)."""
    day = datetime.fromisoformat(f.get("date") or "").date() if f.get("date") else None
    if day is None:
        raise ValueError("The entry has no spent_date")
    if f.get("started_time") and f.get("ended_time"):
        start = datetime.combine(day, _wall_clock(f["started_time"]))
        end = datetime.combine(day, _wall_clock(f["ended_time"]))
        if end < start:
            end += timedelta(days=1)  # crossed midnight
    else:
        start = datetime.combine(day, _wall_clock(f["started_time"]) if f.get("started_time") else NOON)
        end = _hours_after(start, parse_hours(f.get("hours") or "0"))
    return _row(line, f, project=f.get("project"), client=f.get("client"), task=f.get("task"), start=start,
                end=end, notes=f.get("notes"), billable=parse_flag(f.get("billable", "")))


@dataclass(frozen=True)
class Dialect:
    name: str
    detect: Callable[[set[str]], bool]
    row: Callable[[int, dict[str, str], bool | None], Row]
    date_columns: tuple[str, ...]


_HARVEST_ONLY = {"notes", "first_name", "last_name", "project_code", "billable_rate", "invoiced", "approved"}
# In detection order: the first whose signature the header carries wins.
DIALECTS: dict[str, Dialect] = {d.name: d for d in (
    Dialect("timetracker", lambda h: {"project_name", "start_time"} <= h, _timetracker, ("start_time", "end_time")),
    Dialect("timetracker_api", lambda h: {"project_id", "start_time"} <= h, _timetracker_ids,
            ("start_time", "end_time")),
    Dialect("clockify", lambda h: {"start_date", "start_time"} <= h and bool(h & {"group", "duration_h",
                                                                                "duration_decimal"}),
            _date_time, ("start_date", "end_date")),
    Dialect("toggl", lambda h: {"start_date", "start_time"} <= h, _date_time, ("start_date", "end_date")),
    Dialect("generic", lambda h: {"start", "end"} <= h, _generic, ("start", "end")),
    Dialect("harvest", lambda h: {"date", "hours"} <= h and "minutes" not in h and bool(h & _HARVEST_ONLY),
            _harvest, ("date",)),
    Dialect("noko", lambda h: "date" in h and bool(h & {"minutes", "hours"}), _noko, ("date",)),
    # Records the API importers fetch (shared/sources), never detected from a file's header.
    Dialect("toggl_api", lambda h: False, _toggl_api, ()),
    Dialect("harvest_api", lambda h: False, _harvest_api, ()),
)}
API_DIALECTS = frozenset({"toggl_api", "harvest_api"})
FILE_DIALECTS = tuple(name for name in DIALECTS if name not in API_DIALECTS)


def detect(header: list[str], wanted: str = "autodetect") -> Dialect:
    columns = set(header)
    if wanted != "autodetect":
        dialect = DIALECTS.get(wanted)
        if dialect is None:
            raise ValueError(f"Unknown type '{wanted}'; choose autodetect or {', '.join(FILE_DIALECTS)}")
        if not dialect.detect(columns):
            raise ValueError(f"The columns do not look like a {wanted} export")
        return dialect
    for dialect in DIALECTS.values():
        if dialect.detect(columns):
            return dialect
    raise ValueError("The columns match no known export (TimeTracker: project_name,start_time,... or "
                     "project_id,start_time,end_time,...; Toggl, "
                     "Clockify, Harvest, Noko or start/end). Found: " + ", ".join(header[:12]))


@dataclass
class Parsed:
    dialect: Dialect
    records: list[tuple[int, dict[str, str]]]

    @property
    def day_first(self) -> bool | None:
        return settle_day_first([f.get(c, "") for _, f in self.records for c in self.dialect.date_columns])


def read(text: str, wanted: str = "autodetect") -> Parsed:
    header, records = read_records(text)
    return Parsed(detect(header, wanted), records)


_EMAIL_COLUMNS = ("email", "user_email", "person_email")
_NAME_COLUMNS = ("user", "user_name", "username", "person", "member")


def person(fields: dict[str, str]) -> tuple[str | None, str | None]:
    """(email, name) of the user a row belongs to, as the trackers write them (Harvest:
    First Name + Last Name); (None, None) when the file does not say."""
    email = next((fields[c] for c in _EMAIL_COLUMNS if fields.get(c)), None)
    name = next((fields[c] for c in _NAME_COLUMNS if fields.get(c)), None)
    if name is None and (fields.get("first_name") or fields.get("last_name")):
        name = f"{fields.get('first_name', '')} {fields.get('last_name', '')}".strip()
    return email, name


def convert(dialect: str | Dialect, records, day_first: bool | None) -> tuple[list[Row], list[RowError]]:
    """Rows that parsed, and per-line errors with the fields as read."""
    build = (DIALECTS[dialect] if isinstance(dialect, str) else dialect).row
    rows, errors = [], []
    for line, fields in records:
        try:
            row = build(line, fields, day_first)
            row.user_email, row.user_name = person(fields)
            rows.append(row)
        except ValueError as exc:
            errors.append(RowError(line, str(exc), fields))
    return rows, errors


def parse(text: str, wanted: str = "autodetect") -> tuple[str, list[Row], list[RowError]]:
    parsed = read(text, wanted)
    rows, errors = convert(parsed.dialect, parsed.records, parsed.day_first)
    return parsed.dialect.name, rows, errors
