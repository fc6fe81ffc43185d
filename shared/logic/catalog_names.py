"""Find-or-create projects, clients and tasks by name, as importers need them.

Lookups go through the name guards, and creation through the same transaction
that claims the name, so concurrent importers converge on one record per name.
"""
from __future__ import annotations

from shared.data import clients as clients_data
from shared.data import projects as projects_data
from shared.data import tasks as tasks_data
from shared.data import unique_names
from shared.domain import Client, Project, Task
from shared.errors import Conflict


def _find_or_create(key: str, get, create):
    for _ in range(2):
        existing_id = unique_names.lookup(key)
        if existing_id is not None:
            found = get(existing_id)
            if found is not None:
                return found, False
        try:
            return create(), True
        except Conflict as exc:
            if exc.error_code != "duplicate_name":
                raise  # someone else created it between our lookup and create: look again
    raise Conflict(f"Could not settle the record for {key}", "concurrent_update")


def client_named(name: str) -> tuple[Client, bool]:
    return _find_or_create(unique_names.name_key("client", name), clients_data.get_client,
                           lambda: clients_data.put_client({"name": name.strip(), "status": "active"}))


def project_named(name: str, client_id: int | None = None) -> tuple[Project, bool]:
    return _find_or_create(unique_names.name_key("project", name), projects_data.get_project,
                           lambda: projects_data.put_project({"name": name.strip(), "client_id": client_id,
                                                              "status": "active", "billable": True}))


def task_named(project_id: int, name: str) -> tuple[Task, bool]:
    return _find_or_create(unique_names.name_key("task", name, str(project_id)), tasks_data.get_task,
                           lambda: tasks_data.put_task({"name": name.strip(), "project_id": project_id,
                                                        "status": "todo", "priority": "medium"}))


def _existing(keys: dict, get_many) -> dict:
    """{what: name guard key} -> {what: record} for those that exist: one BatchGetItem for
    the guards and one for the records, however many names."""
    ids = unique_names.lookup_many(keys.values())
    records = {r.id: r for r in get_many({ids[k] for k in keys.values() if k in ids})}
    return {what: records[ids[key]] for what, key in keys.items() if key in ids and ids[key] in records}


def existing_projects(names) -> dict[str, Project]:
    """name (as given) -> the project of that name, for those that exist."""
    return _existing({n: unique_names.name_key("project", n) for n in names}, projects_data.get_projects)


def existing_tasks(pairs) -> dict[tuple[int, str], Task]:
    """(project id, task name) -> the task, for those that exist."""
    return _existing({(pid, n): unique_names.name_key("task", n, str(pid)) for pid, n in pairs},
                     tasks_data.get_tasks)


def find_project(name: str) -> Project | None:
    """The project of that (normalised) name, if there is one; creates nothing."""
    project_id = unique_names.lookup(unique_names.name_key("project", name))
    return projects_data.get_project(project_id) if project_id is not None else None


def remove_unused(task_ids, project_ids, client_ids) -> None:
    """An import's undo: delete what it created (these ids, never a record it merely matched
    by name) that nothing else now uses. Tasks no entry uses; then projects that hold no
    entries and no tasks but its own; then clients that hold no projects."""
    from shared.data import time_entries as entries_data

    for task in tasks_data.get_tasks(set(task_ids)):
        if not entries_data.task_has_entries(task.project_id, task.id):
            tasks_data.delete_task(task.id)
    for project in projects_data.get_projects(set(project_ids)):
        if not entries_data.project_has_entries(project.id) and not tasks_data.task_ids_of_project(project.id):
            projects_data.delete_project(project.id)
    for client in clients_data.get_clients(set(client_ids)) if client_ids else ():
        if not projects_data.client_has_projects(client.id):
            clients_data.delete_client(client.id)
