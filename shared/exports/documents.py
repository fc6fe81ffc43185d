"""Export documents written as streams: a JSON document with one record per line, and
a ZIP holding that document plus one CSV per record type. Memory stays flat: records
come from iterators and go straight to the output."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Callable, Iterable

from shared.exports.csv_cells import CsvWriter, write_csv
from shared.exports.records import COLUMNS


@dataclass(frozen=True)
class Section:
    """A list of records in a document; ``records`` gives them afresh each time it is called."""

    name: str
    records: Callable[[], Iterable[dict]]


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))  # one, not one per record


def _dump(value) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def write_json(out: IO[bytes], head: dict, sections: list[Section]) -> int:
    """``{"<head key>": ..., "<section>": [record, ...], ...}``, one record per line.
    Returns how many section records were written."""
    out.write(b"{")
    separator = b""
    for key, value in head.items():
        out.write(separator + _dump(key) + b": " + _dump(value))
        separator = b",\n"
    count = 0
    for section in sections:
        out.write(separator + _dump(section.name) + b": [")
        first = True
        for item in section.records():
            out.write((b"\n" if first else b",\n") + _dump(item))
            first = False
            count += 1
        out.write(b"]" if first else b"\n]")
        separator = b",\n"
    out.write(b"}\n")
    return count


def _member(name: str, when: datetime) -> zipfile.ZipInfo:
    """A ZIP member with a fixed name and the export's own timestamp: the same data gives
    the same archive listing."""
    info = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def write_zip(out: IO[bytes], head: dict, sections: list[Section], when: datetime,
              head_tables: tuple[str, ...] = ()) -> int:
    """export.json, then <section>.csv for each section (and for each head entry named
    in ``head_tables``, e.g. the user's profile as one row). Each section is read once:
    while export.json is written its records are also written as CSV to a temporary
    file (on Lambda, /tmp), which then becomes the CSV member. Streams: the output need
    not be seekable, and memory stays flat."""
    with tempfile.TemporaryDirectory() as spool, zipfile.ZipFile(out, "w") as archive:
        files = {s.name: open(os.path.join(spool, f"{s.name}.csv"), "w+b") for s in sections}  # noqa: SIM115
        try:
            writers = {name: CsvWriter(f, COLUMNS[name]) for name, f in files.items()}

            def teed(section: Section) -> Section:
                def records():
                    for record in section.records():
                        writers[section.name].write(record)
                        yield record
                return Section(section.name, records)

            with archive.open(_member("export.json", when), "w", force_zip64=True) as member:
                count = write_json(member, head, [teed(s) for s in sections])
            for name in head_tables:
                with archive.open(_member(f"{name}.csv", when), "w", force_zip64=True) as member:
                    write_csv(member, COLUMNS[name], [head[name]])
            for section in sections:
                writers[section.name].detach()
                files[section.name].seek(0)
                with archive.open(_member(f"{section.name}.csv", when), "w", force_zip64=True) as member:
                    shutil.copyfileobj(files[section.name], member, 1 << 20)
        finally:
            for f in files.values():
                f.close()
    return count
