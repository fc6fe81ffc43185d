"""POST /api/v1/time-entries/import-csv: a CSV (TimeTracker's, or another tracker's export,
detected by its header) of up to 1 MB is parsed, its
projects/clients/tasks found or created by name, and its rows written in bulk, in the
request; the answer lists every rejected line with the reason. Bigger files go to the
asynchronous pipeline (shared/logic/imports.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.data import time_entries as entries_data
from shared.data import users as users_data
from shared.domain import ImportJob, Principal
from shared.errors import ValidationFailed
from shared.logic import imports
from shared.logic.entry_rows import Names, People, entry_source, entry_values
from shared.tracker_files import dialects
from shared.tracker_files.reading import decode_text

MAX_SYNC_BYTES = 1024 * 1024
MAX_SYNC_ROWS = 10_000
MAX_LISTED = 50  # line errors quoted in a 400 when nothing could be imported


@dataclass
class ImportSummary:
    total: int = 0
    created: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)
    projects_created: list[str] = field(default_factory=list)


def import_time_entries_csv(principal: Principal, raw: bytes, filename: str | None = None
                            ) -> ImportSummary | ImportJob:
    """Up to 1 MB and 10,000 rows: imported now, answered with a summary. Bigger: handed
    to the asynchronous pipeline, answered with the import to follow."""
    if len(raw) > MAX_SYNC_BYTES:
        return imports.start_csv_import(principal, raw, filename)
    imports.check_csv(raw)
    try:
        parsed = dialects.read(decode_text(raw))
    except ValueError as exc:
        raise ValidationFailed.field("file", str(exc)) from None
    if len(parsed.records) > MAX_SYNC_ROWS:
        return imports.start_csv_import(principal, raw, filename)
    rows, errors = dialects.convert(parsed.dialect, parsed.records, parsed.day_first)
    summary = ImportSummary(total=len(rows) + len(errors))
    people = People(users_data.get_user(principal.user_id))
    converted = entry_values(people, rows, Names(summary.projects_created), entry_source(parsed.dialect.name))
    errors += converted.errors
    summary.created = len(entries_data.put_entries([values for _, values in converted.entries]))
    summary.failed = len(errors)
    if not summary.created:
        listed = [f"Line {e.line}: {e.message}" for e in sorted(errors, key=lambda e: e.line)[:MAX_LISTED]]
        raise ValidationFailed({"file": listed or ["The file has no rows"]}, "No rows could be imported")
    # "row" and "error" are what clients of TimeTracker's own API v1 read; line/message/fields add detail.
    summary.errors = [{"row": e.line, "error": e.message, "line": e.line, "message": e.message, "fields": e.fields}
                      for e in sorted(errors, key=lambda e: e.line)]
    return summary
