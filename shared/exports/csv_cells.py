"""CSV that Excel opens correctly and cannot be tricked by.

Choice: UTF-8 with a byte-order mark and CRLF line ends. Excel reads a BOM-less UTF-8
CSV as the machine's ANSI code page (accents and emoji break); with the BOM it reads
UTF-8, and every other CSV reader (Python, pandas, LibreOffice, Google Sheets) skips
it. Text cells that begin with = + - @ tab or carriage return are prefixed with ' so
a spreadsheet shows them as text instead of running them as formulas (OWASP's advice).
"""
from __future__ import annotations

import csv
import io
from typing import IO, Iterable

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float:
    """A value as a CSV cell: text neutralised, numbers as they are, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class CsvWriter:
    """Rows to a binary stream, one at a time: BOM and header first, CRLF line ends."""

    def __init__(self, out: IO[bytes], columns: list[str]):
        self.columns = columns
        self.rows = 0
        self._text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        self._text.write(BOM)
        self._csv = csv.writer(self._text, lineterminator="\r\n")
        self._csv.writerow(columns)

    def write(self, record: dict) -> None:
        self._csv.writerow([safe_cell(record.get(c)) for c in self.columns])
        self.rows += 1

    def detach(self) -> None:
        """Flush and let go of the stream (the caller owns and closes it)."""
        self._text.flush()
        self._text.detach()


def write_csv(out: IO[bytes], columns: list[str], records: Iterable[dict]) -> int:
    """Write ``records`` (dicts) as CSV to a binary stream, row by row; returns the row count."""
    writer = CsvWriter(out, columns)
    try:
        for record in records:
            writer.write(record)
        return writer.rows
    finally:
        writer.detach()
