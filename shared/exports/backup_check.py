"""The whole-file check a restore makes before it touches anything (and all a dry run does).

A backup is loaded only if every line of it is sound: valid UTF-8, a line of the
layout (backup_format), every item DynamoDB typed JSON that fits its table's key
schema and attribute types, no key twice, every table this system backs up and no
other, the header's counts equal to what the file holds, and the file ending where
it should. Every problem is reported with its line number; nothing is loaded from a
file that has one. Pure: the caller streams the lines in and says what each table
looks like.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from shared.exports.backup_format import ADDED_LATER, BACKED_UP, parse_line

MAX_PROBLEMS = 1000  # listed; beyond that they are counted
MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's item size limit
MAX_DEPTH = 32  # DynamoDB's limit on nested attribute levels
_SCALARS = {"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"}
_BASE64 = re.compile(r"^[A-Za-z0-9+/]*={0,2}$")


@dataclass(frozen=True)
class TableShape:
    keys: tuple[str, ...]  # key attribute names
    types: dict[str, str]  # declared attribute name -> DynamoDB type (S, N, BOOL, L, M, SS, ...)


@dataclass
class Report:
    problems: list[dict] = field(default_factory=list)  # {"line": n, "message": "..."}
    more_problems: int = 0  # found beyond MAX_PROBLEMS
    counts: dict[str, int] = field(default_factory=dict)  # items per table, as the file holds them
    max_ids: dict[str, int] = field(default_factory=dict)  # the highest numeric ``id`` per table

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        total = len(self.problems) + self.more_problems
        first = self.problems[0]
        return (f"The backup file has {total} problem{'s' if total != 1 else ''}, nothing was changed; "
                f"the first, at line {first['line']}: {first['message']}")


def _number(text) -> str | None:
    if not isinstance(text, str):
        return "a number must be a string of digits"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return f"{text[:40]!r} is not a number"
    if not value.is_finite():
        return f"{text[:40]!r} is not a finite number"
    if value and not (Decimal("1e-130") <= abs(value) < Decimal("1e126")):
        return f"{text[:40]!r} is outside the range DynamoDB stores"
    if len(value.as_tuple().digits) > 38:
        return f"{text[:40]!r} has more than 38 significant digits"
    return None


def value_problem(value, depth: int = 1) -> str | None:
    """Why ``value`` is not one DynamoDB typed-JSON attribute value (None if it is)."""
    if depth > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels"
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in _SCALARS:
        return "not a DynamoDB typed value such as {\"S\": \"...\"}"
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return None if isinstance(inner, str) else "S must hold a string"
    if kind == "N":
        return _number(inner)
    if kind == "B":
        return None if isinstance(inner, str) and _BASE64.match(inner) else "B must hold base64"
    if kind == "BOOL":
        return None if isinstance(inner, bool) else "BOOL must hold true or false"
    if kind == "NULL":
        return None if inner is True else "NULL must hold true"
    if kind == "L":
        if not isinstance(inner, list):
            return "L must hold a list"
        return next((p for p in (value_problem(v, depth + 1) for v in inner) if p), None)
    if kind == "M":
        if not isinstance(inner, dict):
            return "M must hold an object"
        return next((p for p in (value_problem(v, depth + 1) for v in inner.values()) if p), None)
    if not isinstance(inner, list) or not inner or len(set(map(str, inner))) != len(inner):
        return f"{kind} must hold a non-empty list of distinct values"
    if kind == "SS" and not all(isinstance(v, str) for v in inner):
        return "SS must hold strings"
    if kind == "NS":
        return next((p for p in map(_number, inner) if p), None)
    if kind == "BS" and not all(isinstance(v, str) and _BASE64.match(v) for v in inner):
        return "BS must hold base64 strings"
    return None


def item_problem(item, shape: TableShape) -> str | None:
    """Why ``item`` cannot go into a table of ``shape`` (None if it can)."""
    if not isinstance(item, dict) or not item:
        return "an item must be an object of attributes"
    for name in shape.keys:
        if name not in item:
            return f"the key attribute {name!r} is missing"
    for name, value in item.items():
        problem = value_problem(value)
        if problem:
            return f"attribute {name!r}: {problem}"
        declared = shape.types.get(name)
        kind = next(iter(value))
        if declared and kind != declared and not (kind == "NULL" and name not in shape.keys):
            return f"attribute {name!r} is {kind} but this table stores it as {declared}"
    return None


class BackupCheck:
    """Feed it the file's lines in order (``feed``), then ``finish`` for the report."""

    def __init__(self, shapes: dict[str, TableShape]):
        self.shapes = shapes
        self.report = Report()
        self._state = "head"  # head -> tables -> in_table/between -> ended
        self._header: dict | None = None
        self._table: str | None = None
        self._seen_keys: set[bytes] = set()
        self._line = 0

    def problem(self, line: int, message: str) -> None:
        if len(self.report.problems) < MAX_PROBLEMS:
            self.report.problems.append({"line": line, "message": message})
        else:
            self.report.more_problems += 1

    def feed(self, raw: bytes) -> None:
        self._line += 1
        n = self._line
        if len(raw) > MAX_ITEM_BYTES + 1024:
            self.problem(n, f"the line is {len(raw)} bytes: larger than DynamoDB's 400 KB item limit")
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.problem(n, f"not valid UTF-8 (byte {exc.start} of the line)")
            return
        try:
            kind, value = parse_line(text)
        except RecursionError:
            self.problem(n, "the line is nested too deeply to read")
            return
        except ValueError as exc:
            self.problem(n, str(exc))
            return
        getattr(self, f"_on_{kind}")(n, value)

    # -- one method per kind of line ------------------------------------------------
    def _on_blank(self, n, _):
        pass

    def _on_info(self, n, info):
        if self._state != "head":
            self.problem(n, "a second backup_info header")
            return
        counts = info.get("counts") if isinstance(info, dict) else None
        if not isinstance(counts, dict):
            self.problem(n, "the backup_info header has no counts")
            counts = {}
        for table, count in counts.items():
            if not isinstance(count, int) or isinstance(count, bool) or count < 0:
                self.problem(n, f"the header's count for {table} is not a whole number: {count!r}")
        self._header = counts
        self._state = "info"

    def _on_tables(self, n, _):
        if self._state != "info":
            self.problem(n, '"tables" where the file should start with its backup_info header')
        self._state = "between"

    def _on_table(self, n, name):
        if self._state == "in_table":
            self.problem(n, f"table {name} starts before table {self._table} ends")
        elif self._state != "between":
            self.problem(n, f"table {name} outside the \"tables\" object")
        if name not in self.shapes:
            self.problem(n, f"the table {name!r} does not exist in this system")
        elif name in self.report.counts:
            self.problem(n, f"the table {name} appears twice")
        self._table, self._state = name, "in_table"
        self.report.counts.setdefault(name, 0)
        self._seen_keys = set()

    def _on_item(self, n, item):
        if self._state != "in_table":
            self.problem(n, "an item outside any table")
            return
        table = self._table
        self.report.counts[table] += 1
        shape = self.shapes.get(table)
        if shape is None:
            return  # the table itself was reported
        problem = item_problem(item, shape)
        if problem:
            self.problem(n, f"{table}: {problem}")
            return
        key = hashlib.blake2b(json.dumps([item[k] for k in shape.keys]).encode(), digest_size=16).digest()
        if key in self._seen_keys:
            self.problem(n, f"{table}: an item with this key appears twice")
        self._seen_keys.add(key)
        if shape.types.get("id") == "N" and "id" in shape.keys:
            self.report.max_ids[table] = max(self.report.max_ids.get(table, 0), int(Decimal(item["id"]["N"])))

    def _on_end_table(self, n, _):
        if self._state != "in_table":
            self.problem(n, "a table closes that was never opened")
        self._state = "between"

    def _on_end(self, n, _):
        if self._state != "between":
            self.problem(n, "the file ends inside a table")
        self._state = "ended"

    def finish(self) -> Report:
        end = self._line
        if self._header is None:
            self.problem(1, "the file has no backup_info header")
        if self._state != "ended":
            self.problem(end, "the file ends before its last line: it was cut short")
        for table in BACKED_UP:
            if table in self.shapes and table not in self.report.counts and table not in ADDED_LATER:
                self.problem(end, f"the backup has no {table} table: a backup holds every table")
        for table, count in (self._header or {}).items():
            held = self.report.counts.get(table)
            if held is None:
                self.problem(1, f"the header counts {count!r} items in {table}, a table the file does not hold")
            elif count != held:
                self.problem(1, f"the header counts {count!r} items in {table} but the file holds {held}")
        for table in self.report.counts:
            if self._header is not None and table not in self._header:
                self.problem(1, f"the header does not count the table {table}")
        return self.report
