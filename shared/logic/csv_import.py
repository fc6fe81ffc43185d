"""POST /api/v1/time-entries/import-csv, the in-request path: a TimeTracker CSV of up
to 1 MB is parsed, its projects/clients/tasks found or created by name, and its rows
written in bulk; the answer lists every rejected line with the reason."""
from __future__ import annotations

from dataclasses import dataclass, field

from shared.data import time_entries as entries_data
from shared.domain import Principal
from shared.errors import DomainError, PayloadTooLarge, ValidationFailed
from shared.imports import timetracker_csv
from shared.imports.reading import decode_text
from shared.logic import catalog_names
from shared.logic.time_entries import normalize_tags, user_zone
from shared.logic.timeparse import to_utc

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


class _Names:
    """Per-import cache of resolved names, so each name costs one lookup."""

    def __init__(self, summary: ImportSummary):
        self.summary = summary
        self.projects: dict[str, object] = {}
        self.tasks: dict[tuple[int, str], int] = {}

    def project_id(self, name: str, client_name: str | None) -> int:
        key = name.strip().casefold()
        if key not in self.projects:
            client_id = catalog_names.client_named(client_name)[0].id if client_name else None
            project, created = catalog_names.project_named(name, client_id)
            if created:
                self.summary.projects_created.append(project.name)
            self.projects[key] = project
        project = self.projects[key]
        if project.status == "archived":
            raise ValueError(f"Project '{project.name}' is archived")
        return project.id

    def task_id(self, project_id: int, name: str) -> int:
        key = (project_id, name.strip().casefold())
        if key not in self.tasks:
            self.tasks[key] = catalog_names.task_named(project_id, name)[0].id
        return self.tasks[key]


def import_time_entries_csv(principal: Principal, raw: bytes) -> ImportSummary:
    if len(raw) > MAX_SYNC_BYTES:
        raise PayloadTooLarge(f"This endpoint imports files up to {MAX_SYNC_BYTES // 1024} KB in the request; "
                              f"this one has {len(raw) // 1024} KB. Split it, or use the asynchronous import.")
    try:
        rows, errors = timetracker_csv.parse(decode_text(raw))
    except ValueError as exc:
        raise ValidationFailed.field("file", str(exc)) from None
    if len(rows) + len(errors) > MAX_SYNC_ROWS:
        raise PayloadTooLarge(f"At most {MAX_SYNC_ROWS} rows per request")
    summary = ImportSummary(total=len(rows) + len(errors))
    names = _Names(summary)
    zone = user_zone(principal.user_id)
    values = []
    for row in rows:
        try:
            project_id = names.project_id(row.project_name, row.client_name)
            values.append({
                "user_id": principal.user_id,
                "project_id": project_id,
                "task_id": names.task_id(project_id, row.task_name) if row.task_name else None,
                "start_time": to_utc(row.start, zone),
                "end_time": to_utc(row.end, zone),
                "notes": row.notes,
                "tags": list(normalize_tags(row.tags)),
                "billable": row.billable,
                "paid": False,
                "source": "csv",
            })
        except (ValueError, DomainError) as exc:
            errors.append(timetracker_csv.RowError(row.line, getattr(exc, "message", str(exc)), row.fields))
    summary.created = len(entries_data.put_entries(values))
    summary.failed = len(errors)
    if not summary.created:
        listed = [f"Line {e.line}: {e.message}" for e in sorted(errors, key=lambda e: e.line)[:MAX_LISTED]]
        raise ValidationFailed({"file": listed or ["The file has no rows"]}, "No rows could be imported")
    summary.errors = [{"line": e.line, "message": e.message, "fields": e.fields}
                      for e in sorted(errors, key=lambda e: e.line)]
    return summary
