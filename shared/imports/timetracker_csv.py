"""TimeTracker's own CSV (the import guide's columns and date formats)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

COLUMNS = ("project_name", "client_name", "task_name", "start_time", "end_time", "duration_hours", "notes",
           "tags", "billable")
REQUIRED = ("project_name", "start_time")
TEMPLATE = (",".join(COLUMNS) + "\r\n"
            "Project A,Client A,Task 1,2024-01-01 09:00:00,2024-01-01 10:30:00,1.5,Meeting notes,"
            "meeting;planning,true\r\n")
_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
MAX_DURATION_HOURS = 24 * 7


@dataclass
class Row:
    line: int
    fields: dict[str, str]
    project_name: str = ""
    client_name: str | None = None
    task_name: str | None = None
    start: datetime | None = None  # naive or aware; naive = the user's zone
    end: datetime | None = None
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    billable: bool = True


@dataclass
class RowError:
    line: int
    message: str
    fields: dict[str, str]


def _header_key(name: str) -> str:
    return re.sub(r"[\s_-]+", "_", name.strip().lower().lstrip("\ufeff"))


def parse_instant(text: str, day_first: bool | None) -> datetime:
    """The guide's five formats (plus ISO with an offset). Slashed dates are read day-first
    or month-first as the whole file settles it (``day_first``); None = not settled."""
    text = text.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    m = _SLASHED.match(text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if day_first or (day_first is None and a > 12) else (b, a)
        try:
            return datetime(year, month, day, int(m.group(4) or 0), int(m.group(5) or 0), int(m.group(6) or 0))
        except ValueError:
            pass
    raise ValueError(f"'{text}' is not a date-time this importer reads (YYYY-MM-DD HH:MM:SS, ISO 8601, "
                     "DD/MM/YYYY HH:MM:SS or MM/DD/YYYY HH:MM:SS)")


def settle_day_first(values: list[str]) -> bool | None:
    """Day-first if any slashed date has a first number above 12, month-first if any has a
    second above 12; None if the file never says (then ambiguous dates are read month-first)."""
    day_first = month_first = False
    for value in values:
        m = _SLASHED.match(value.strip())
        if m:
            day_first |= int(m.group(1)) > 12
            month_first |= int(m.group(2)) > 12
    if day_first and not month_first:
        return True
    if month_first and not day_first:
        return False
    return None


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in ("", "true", "yes", "1", "y"):
        return True
    if value in ("false", "no", "0", "n"):
        return False
    raise ValueError(f"billable must be true or false, not '{text}'")


def parse(text: str) -> tuple[list[Row], list[RowError]]:
    """Rows that parsed and per-line errors. Line numbers are the file's (header = 1)."""
    return parse_records(read_records(text))


def parse_records(records: list[tuple[int, dict[str, str]]]) -> tuple[list[Row], list[RowError]]:
    """Rows and errors of a whole file's records, day/month order settled from all of them."""
    return convert(records, settle_day_first(date_values(records)))


def date_values(records: list[tuple[int, dict[str, str]]]) -> list[str]:
    return [f.get(c, "") for _, f in records for c in ("start_time", "end_time")]


def convert(records: list[tuple[int, dict[str, str]]], day_first: bool | None) -> tuple[list[Row], list[RowError]]:
    rows, errors = [], []
    for line_no, fields in records:
        try:
            rows.append(_row(line_no, fields, day_first))
        except ValueError as exc:
            errors.append(RowError(line_no, str(exc), fields))
    return rows, errors


def read_records(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line, {column: value}) for every non-blank row; raises ValueError for a file that
    is empty or lacks the required columns."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [_header_key(h) for h in next(reader)]
    except StopIteration:
        raise ValueError("The file is empty") from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValueError(f"Missing column(s): {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    records: list[tuple[int, dict[str, str]]] = []
    line = reader.line_num
    for values in reader:
        start_line, line = line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines, trailing empty rows
        records.append((start_line, {k: (values[i].strip() if i < len(values) else "") for i, k in enumerate(header)}))
    return records


def _row(line: int, f: dict[str, str], day_first: bool | None) -> Row:
    if not f.get("project_name"):
        raise ValueError("project_name is required")
    if not f.get("start_time"):
        raise ValueError("start_time is required")
    start = parse_instant(f["start_time"], day_first)
    if f.get("end_time"):
        end = parse_instant(f["end_time"], day_first)
    elif f.get("duration_hours"):
        try:
            hours = float(f["duration_hours"].replace(",", "."))
        except ValueError:
            raise ValueError(f"duration_hours must be a number, not '{f['duration_hours']}'") from None
        if not 0 <= hours <= MAX_DURATION_HOURS:
            raise ValueError(f"duration_hours must be between 0 and {MAX_DURATION_HOURS}")
        end = start + timedelta(hours=hours)
    else:
        raise ValueError("Give end_time or duration_hours")
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise ValueError("start_time and end_time must both have an offset or both have none")
    if end < start:
        raise ValueError("end_time is before start_time")
    tags = [t.strip() for t in re.split(r"[;,]", f.get("tags", "")) if t.strip()]
    return Row(line=line, fields=f, project_name=f["project_name"], client_name=f.get("client_name") or None,
               task_name=f.get("task_name") or None, start=start, end=end, notes=f.get("notes") or None,
               tags=tags, billable=_bool(f.get("billable", "")))
