"""Rows from an import file → time-entry values: names found or created once per
import, times to UTC in the user's zone, tags normalised. Shared by the in-request
CSV import and the asynchronous pipeline's workers."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from shared.data import projects as projects_data
from shared.data import tasks as tasks_data
from shared.data import users as users_data
from shared.domain import SKIP, User
from shared.errors import DomainError
from shared.logic import catalog_names
from shared.logic.time_entries import normalize_tags, user_zone
from shared.logic.timeparse import to_utc
from shared.tracker_files.rows import Row, RowError


class Names:
    """Per-import cache of resolved names, so each name costs one lookup; notes the
    projects and clients it had to create (an undo removes them again)."""

    def __init__(self, created: list[str], clients_created: list[str] | None = None, create: bool = True,
                 matched: set[str] | None = None):
        self.created = created
        self.matched = matched if matched is not None else set()  # existing projects the rows named
        self.create = create  # False: only existing projects (rows naming another are rejected)
        self.clients_created = clients_created if clients_created is not None else []
        self.projects: dict[str, object] = {}
        self.tasks: dict[tuple[int, str], int] = {}
        self.projects_by_id: dict[int, object] = {}  # rows that name records by id
        self.task_projects: dict[int, int | None] = {}  # task id -> its project id (None: no such task)
        # The ids of what this import created (names can be shared; ids are its own).
        self.created_ids: dict[str, list[int]] = {"project_ids_created": [], "client_ids_created": [],
                                                  "task_ids_created": []}

    def prefetch(self, rows: list[Row]) -> None:
        """Resolve every project and task the rows name that already exists, in a few
        BatchGetItems, so only new names cost a lookup (and a create) of their own."""
        wanted = {r.project_name.strip() for r in rows if r.project_name.strip()}
        for name, project in catalog_names.existing_projects(
                n for n in wanted if n.casefold() not in self.projects).items():
            self.projects[name.casefold()] = project
            self.matched.add(project.name)
        pairs = {(self.projects[r.project_name.strip().casefold()].id, r.task_name.strip()) for r in rows
                 if r.task_name and r.project_name.strip().casefold() in self.projects}
        for (project_id, name), task in catalog_names.existing_tasks(
                p for p in pairs if (p[0], p[1].casefold()) not in self.tasks).items():
            self.tasks[(project_id, name.casefold())] = task.id

    def project_id(self, name: str, client_name: str | None) -> int:
        key = name.strip().casefold()
        if key not in self.projects and not self.create:
            existing = catalog_names.find_project(name)
            if existing is None:
                raise ValueError(f"Project '{name.strip()}' does not exist (create_projects is off)")
            self.projects[key] = existing
            self.matched.add(existing.name)
        if key not in self.projects:
            client_id = None
            if client_name:
                client, client_is_new = catalog_names.client_named(client_name)
                client_id = client.id
                if client_is_new:
                    self.clients_created.append(client.name)
                    self.created_ids["client_ids_created"].append(client.id)
            project, created = catalog_names.project_named(name, client_id)
            if created:
                self.created.append(project.name)
                self.created_ids["project_ids_created"].append(project.id)
            self.projects[key] = project
            if not created:
                self.matched.add(project.name)
        project = self.projects[key]
        if project.status == "archived":
            raise ValueError(f"Project '{project.name}' is archived")
        return project.id

    def by_id(self, project_id: int, task_id: int | None) -> tuple[int, int | None]:
        """A row that names its project (and task) by id: they must exist, and the task be the project's."""
        if project_id not in self.projects_by_id:
            self.projects_by_id[project_id] = projects_data.get_project(project_id)
        project = self.projects_by_id[project_id]
        if project is None:
            raise ValueError(f"Project {project_id} not found")
        if project.status == "archived":
            raise ValueError(f"Project '{project.name}' is archived")
        if task_id is not None:
            if task_id not in self.task_projects:
                task = tasks_data.get_task(task_id)
                self.task_projects[task_id] = task.project_id if task else None
            if self.task_projects[task_id] != project_id:
                raise ValueError(f"Task {task_id} not found in project {project_id}")
        return project_id, task_id

    def task_id(self, project_id: int, name: str) -> int:
        key = (project_id, name.strip().casefold())
        if key not in self.tasks:
            task, created = catalog_names.task_named(project_id, name)
            self.tasks[key] = task.id
            if created:
                self.created_ids["task_ids_created"].append(task.id)
        return self.tasks[key]





class People:
    """Whose entry each row is. A row naming no one is the importer's; a row naming the
    importer (email, else username or full name) too. Admins' rows go to the user the file
    names; anyone else's (and names not found) go to the fallback: the importer by default, a
    given user, or nobody (SKIP: the row is skipped). Remembers who was not found."""

    def __init__(self, importer: User, fallback: int | str | None = None):
        self.importer = importer
        self.fallback = importer.id if fallback is None else fallback
        self.not_found: set[str] = set()
        self._found: dict[str, int | None] = {}

    def user_id(self, row: Row) -> int | None:
        """The user the row's entry belongs to; None: skip the row."""
        who = (row.user_email or row.user_name or "").strip()
        if not who:
            return self.importer.id
        key = who.casefold()
        if key not in self._found:
            self._found[key] = self._find(row)
        if self._found[key] is not None:
            return self._found[key]
        self.not_found.add(who)
        return None if self.fallback == SKIP else self.fallback

    def _find(self, row: Row) -> int | None:
        me = self.importer
        if row.user_email:
            if row.user_email.strip().casefold() == me.email.casefold():
                return me.id
            found = users_data.find_user_by_email(row.user_email.strip()) if me.role == "admin" else None
        else:
            name = row.user_name.strip().casefold()
            if name in (me.username.casefold(), (me.full_name or "").casefold()):
                return me.id
            found = users_data.find_user_by_username(row.user_name.strip()) if me.role == "admin" else None
        return found.id if found else None


def entry_source(dialect: str) -> str:
    """An imported entry's ``source``: the tracker it came from, or plain "import"."""
    return "import" if dialect in ("timetracker", "timetracker_api", "generic") else dialect.removesuffix("_api")


@dataclass
class Converted:
    """Rows turned into time-entry values, the rows that failed, and those skipped."""

    entries: list[tuple[Row, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped: list[Row] = field(default_factory=list)


def entry_values(people: People, rows: list[Row], names: Names, source: str, zone: str | None = None) -> Converted:
    """Rows → time-entry values (the user from ``people``, names resolved, times in UTC:
    naive ones in ``zone``, by default the entry's user's)."""
    zones: dict[int, object] = {}
    result = Converted()
    names.prefetch(rows)
    for row in rows:
        user_id = people.user_id(row)
        if user_id is None:
            result.skipped.append(row)
            continue
        in_zone = zone or zones.setdefault(user_id, user_zone(user_id))
        try:
            if row.project_id is not None:
                project_id, task_id = names.by_id(row.project_id, row.task_id)
            else:
                project_id = names.project_id(row.project_name, row.client_name) if row.project_name else None
                task_id = names.task_id(project_id, row.task_name) if row.task_name and project_id else None
            result.entries.append((row, {
                "user_id": user_id,
                "project_id": project_id,
                "task_id": task_id,
                "start_time": to_utc(row.start, in_zone),
                "end_time": to_utc(row.end, in_zone),
                "notes": row.notes,
                "tags": list(normalize_tags(row.tags)),
                "billable": row.billable,
                "paid": False,
                "source": source,
                **({"source_id": row.fields["source_id"]} if row.fields.get("source_id") else {}),
            }))
        except (ValueError, DomainError) as exc:
            result.errors.append(RowError(row.line, getattr(exc, "message", str(exc)), row.fields))
    return result


def duplicate_key(values: dict) -> tuple:
    """What makes two entries the same for ``skip_duplicates``: user, start, end, project, notes."""
    return (values["user_id"], values["start_time"], values["end_time"], values.get("project_id"),
            (values.get("notes") or "").strip())


def drop_duplicates(entries: list[tuple[Row, dict, int]], existing: dict[tuple, int]) -> tuple[list, list[Row]]:
    """(kept, skipped) of (row, values, id): a row is a duplicate when an entry with its key
    exists with a lower id (another import or entry, or an earlier row of this file), so a
    redelivered chunk never takes its own entries for duplicates."""
    kept, skipped = [], []
    for row, values, entry_id in entries:
        key = duplicate_key(values)
        if existing.get(key, entry_id) < entry_id:
            skipped.append(row)
        else:
            existing[key] = min(existing.get(key, entry_id), entry_id)
            kept.append((row, values, entry_id))
    return kept, skipped


def span_of(entries: list[tuple[Row, dict, int]]) -> tuple[datetime, datetime] | None:
    starts = [values["start_time"] for _, values, _ in entries]
    return (min(starts), max(starts)) if starts else None
