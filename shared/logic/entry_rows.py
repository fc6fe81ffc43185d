"""Rows from an import file → time-entry values: names found or created once per
import, times to UTC in the user's zone, tags normalised. Shared by the in-request
CSV import and the asynchronous pipeline's workers."""
from __future__ import annotations

from shared.errors import DomainError
from shared.imports.rows import Row, RowError
from shared.logic import catalog_names
from shared.logic.time_entries import normalize_tags, user_zone
from shared.logic.timeparse import to_utc


class Names:
    """Per-import cache of resolved names, so each name costs one lookup; notes the
    projects and clients it had to create (an undo removes them again)."""

    def __init__(self, created: list[str], clients_created: list[str] | None = None, create: bool = True):
        self.created = created
        self.create = create  # False: only existing projects (rows naming another are rejected)
        self.clients_created = clients_created if clients_created is not None else []
        self.projects: dict[str, object] = {}
        self.tasks: dict[tuple[int, str], int] = {}

    def project_id(self, name: str, client_name: str | None) -> int:
        key = name.strip().casefold()
        if key not in self.projects and not self.create:
            existing = catalog_names.find_project(name)
            if existing is None:
                raise ValueError(f"Project '{name.strip()}' does not exist (create_projects is off)")
            self.projects[key] = existing
        if key not in self.projects:
            client_id = None
            if client_name:
                client, client_is_new = catalog_names.client_named(client_name)
                client_id = client.id
                if client_is_new:
                    self.clients_created.append(client.name)
            project, created = catalog_names.project_named(name, client_id)
            if created:
                self.created.append(project.name)
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


def entry_source(dialect: str) -> str:
    """An imported entry's ``source``: the tracker it came from, or plain "import"."""
    return "import" if dialect in ("timetracker", "generic") else dialect


def entry_values(user_id: int, rows: list[Row], names: Names, source: str, zone: str | None = None
                 ) -> tuple[list[tuple[Row, dict]], list[RowError]]:
    """Rows → time-entry values (names resolved, times in UTC: naive ones in ``zone``, by
    default the user's), and the rows that failed."""
    zone = zone or user_zone(user_id)
    converted, errors = [], []
    for row in rows:
        try:
            project_id = names.project_id(row.project_name, row.client_name) if row.project_name else None
            converted.append((row, {
                "user_id": user_id,
                "project_id": project_id,
                "task_id": names.task_id(project_id, row.task_name) if row.task_name and project_id else None,
                "start_time": to_utc(row.start, zone),
                "end_time": to_utc(row.end, zone),
                "notes": row.notes,
                "tags": list(normalize_tags(row.tags)),
                "billable": row.billable,
                "paid": False,
                "source": source,
            }))
        except (ValueError, DomainError) as exc:
            errors.append(RowError(row.line, getattr(exc, "message", str(exc)), row.fields))
    return converted, errors
