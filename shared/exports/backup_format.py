"""The backup file: one JSON document, laid out one item per line so it can be written
and read as a stream (and a restore resumed at any line's byte offset):

    {"backup_info": {"format": "timetracker-backup", "format_version": 1, "counts": {...}, ...},
    "tables": {
    "users": [
    {"org": {"S": "default"}, "id": {"N": "1"}, ...},
    {...}
    ],
    "api_tokens": [
    ]
    }}

Items are DynamoDB's own typed JSON, so a restore writes back exactly what was read,
ids and all. ASCII only (non-ASCII escaped), so a line's characters are its bytes.
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
from typing import IO, Iterable, Iterator

FORMAT = "timetracker-backup"
FORMAT_VERSION = 1
# The tables a backup holds and a restore replaces, in restore order. Not backed up:
# rate limits and idempotency keys (an hour's working state), exports and restores
# (the jobs about backups themselves; a restore must not erase its own record).
BACKED_UP = ("users", "api_tokens", "projects", "clients", "tasks", "counters", "unique_names", "time_entries",
             "search_terms", "imports", "import_errors",
             "settings", "stock_items", "warehouses", "stock_levels", "stock_movements")
# Tables added after the first backups: a backup from before them lacks them, and a restore of it
# leaves them empty (the state the backup describes).
ADDED_LATER = ("settings", "stock_items", "warehouses", "stock_levels", "stock_movements")
# Counters of the tables that are not backed up: restoring them would hand out ids that exist.
KEPT_COUNTERS = ("export", "restore")
_HEAD = '{"backup_info": '
_TABLE = re.compile(r'^"(\w+)": \[$')


def write_backup(out: IO[bytes], info: dict, tables: Iterable[tuple[str, Iterable[dict]]]) -> dict[str, int]:
    """Write a backup of ``tables`` ((name, items)); returns the count per table. The
    header carries the counts, so the tables are first spooled to a temporary file (on
    Lambda, /tmp): memory stays flat, the counts are exact."""
    counts: dict[str, int] = {}
    with tempfile.TemporaryFile() as body:
        for index, (name, items) in enumerate(tables):
            body.write(f'{"," if index else ""}\n"{name}": ['.encode())
            n = 0
            for item in items:
                body.write((",\n" if n else "\n").encode() + json.dumps(item, separators=(",", ":")).encode())
                n += 1
            body.write(b"\n]")
            counts[name] = n
        header = {"format": FORMAT, "format_version": FORMAT_VERSION, **info, "counts": counts}
        out.write((_HEAD + json.dumps(header, separators=(",", ":")) + ',\n"tables": {').encode())
        body.seek(0)
        shutil.copyfileobj(body, out, 1 << 20)
        out.write(b"\n}}\n")
    return counts


def parse_line(line: str) -> tuple[str, object]:
    """What one line of a backup is: ("info", header), ("tables", None), ("table", name),
    ("item", item), ("end_table", None), ("end", None) or ("blank", None)."""
    text = line.strip().lstrip("\ufeff")  # a BOM, if an editor saved the file with one
    try:
        if text.startswith(_HEAD):
            return "info", json.loads(text[len(_HEAD):].rstrip(","))
        if text == '"tables": {':
            return "tables", None
        if (m := _TABLE.match(text)) is not None:
            return "table", m.group(1)
        if text in ("]", "],"):
            return "end_table", None
        if text == "}}":
            return "end", None
        if text.startswith("{"):
            return "item", json.loads(text.rstrip(","))
        if not text:
            return "blank", None
    except ValueError:
        pass
    raise ValueError(f"Not a line of a TimeTracker backup: {text[:80]!r}")


def check_info(info) -> dict:
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise ValueError("This is not a TimeTracker backup (no backup_info header with format "
                         f"'{FORMAT}')")
    version = info.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"Backup format version {version!r} is not one this system reads "
                         f"(up to {FORMAT_VERSION})")
    return info


def canonical_lines(document: dict) -> Iterator[bytes]:
    """A backup that was loaded whole (e.g. reformatted by an editor), laid out again one
    item per line, so the restore can stream it like any other."""
    info = check_info(document.get("backup_info"))
    tables = document.get("tables")
    if not isinstance(tables, dict) or not all(isinstance(v, list) for v in tables.values()):
        raise ValueError("A backup's 'tables' must map table names to lists of items")
    buffer = tempfile.SpooledTemporaryFile()
    write_backup(buffer, {k: v for k, v in info.items() if k not in ("format", "format_version", "counts")},
                 tables.items())
    buffer.seek(0)
    yield from iter(lambda: buffer.read(1 << 20), b"")
