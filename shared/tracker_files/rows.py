"""What every dialect shares: the canonical row, reading CSV records, and the value
formats trackers write (dates with or without slashes and AM/PM, decimal hours with
"." or ",", "4:30" hours, yes/no flags, tag lists)."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator

_ISO_LIKE = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
             "%Y-%m-%d %I:%M:%S %p", "%Y-%m-%d %I:%M %p")
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$")


@dataclass
class Row:
    """One time entry as a file describes it; times naive (the user's zone) or aware."""

    line: int
    fields: dict[str, str]
    project_name: str = ""
    client_name: str | None = None
    task_name: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    notes: str | None = None
    tags: list[str] = field(default_factory=list)
    billable: bool = True
    project_id: int | None = None  # files that name records by id (TimeTracker's API v1 columns)
    task_id: int | None = None
    user_email: str | None = None  # whose entry the file says it is (None: the importer's)
    user_name: str | None = None


@dataclass
class RowError:
    line: int
    message: str
    fields: dict[str, str]


def header_key(name: str) -> str:
    """'Start date' / 'start_date' / 'Billable?' / 'Duration (h)' → start_date, billable, duration_h."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lstrip("\ufeff").lower()).strip("_")


def sniff_delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def iter_records(lines: Iterable[str], delimiter: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """(header keys, a lazy iterator of (line, {key: value}) for the non-blank rows), reading
    ``lines`` (with their line endings) one at a time: a file of any size in flat memory."""
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [header_key(h) for h in next(reader)]
    except StopIteration:
        raise ValueError("The file is empty") from None
    except csv.Error as exc:
        raise ValueError(f"This is not a CSV file this importer can read: {exc}") from None

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        line = reader.line_num
        try:
            for values in reader:
                start_line, line = line + 1, reader.line_num
                if any(v.strip() for v in values):  # blank lines and trailing empty rows are skipped
                    yield start_line, {k: (values[i].strip() if i < len(values) else "") for i, k in enumerate(header)}
        except csv.Error as exc:
            raise ValueError(f"Line {line + 1} cannot be read as CSV: {exc}") from None

    return header, records()


def read_records(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """(header keys, [(line, {key: value})]) for every non-blank row; delimiter sniffed
    among , ; and tab. Line numbers are the file's (header = 1)."""
    header, records = iter_records(io.StringIO(text, newline=""), sniff_delimiter(text))
    return header, list(records)


def parse_instant(text: str, day_first: bool | None) -> datetime:
    """ISO 8601 (with or without offset), YYYY-MM-DD [HH:MM[:SS]] [AM/PM], or D/M/YYYY and
    M/D/YYYY with optional time and AM/PM. ``day_first`` settles slashed dates (None: a
    first number above 12 is a day, otherwise month first)."""
    text = " ".join(text.split())
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    for fmt in _ISO_LIKE:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    m = _SLASHED.match(text)
    if m:
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        day, month = (a, b) if day_first or (day_first is None and a > 12) else (b, a)
        hour = int(m.group(4) or 0)
        if m.group(7):  # 12-hour clock
            hour = hour % 12 + (12 if m.group(7).lower() == "pm" else 0)
        try:
            return datetime(year, month, day, hour, int(m.group(5) or 0), int(m.group(6) or 0))
        except ValueError:
            pass
    raise ValueError(f"'{text}' is not a date or time this importer reads")


class DayOrder:
    """Settles D/M against M/D from every slashed date of a file, one value at a time."""

    def __init__(self):
        self.day_first = self.month_first = False

    def observe(self, value: str) -> None:
        m = _SLASHED.match(" ".join(value.split())) if "/" in value else None
        if m:
            self.day_first |= int(m.group(1)) > 12
            self.month_first |= int(m.group(2)) > 12

    @property
    def result(self) -> bool | None:
        """True: day first; False: month first; None: the file never says (or says both)."""
        return self.day_first if self.day_first != self.month_first else None


def settle_day_first(values: list[str]) -> bool | None:
    order = DayOrder()
    for value in values:
        order.observe(value)
    return order.result


def parse_hours(text: str) -> float:
    """'1.5', '1,5', '4', '4:30' (hours:minutes) → hours."""
    value = text.strip()
    if ":" in value:
        hours, _, minutes = value.partition(":")
        return int(hours or 0) + int(minutes or 0) / 60
    return float(value.replace(".", "").replace(",", ".") if re.fullmatch(r"\d{1,3}(\.\d{3})+,\d+", value)
                 else value.replace(",", "."))


def parse_hms(text: str) -> float:
    """'01:00:01' → hours."""
    parts = [int(p) for p in text.strip().split(":")]
    while len(parts) < 3:
        parts.insert(0, 0)
    return parts[0] + parts[1] / 60 + parts[2] / 3600


def parse_flag(text: str, default: bool = True) -> bool:
    value = text.strip().lower()
    if not value:
        return default
    if value in ("true", "yes", "1", "y"):
        return True
    if value in ("false", "no", "0", "n"):
        return False
    raise ValueError(f"'{text}' is not true/false or yes/no")


def split_tags(text: str, separators: str = ";,") -> list[str]:
    return [t.strip() for t in re.split(f"[{re.escape(separators)}]", text or "") if t.strip()]
