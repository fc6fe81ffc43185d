"""Tasks: belong to a project; names are unique within it."""
from __future__ import annotations

from shared.data import projects as projects_data
from shared.data import tasks as tasks_data
from shared.domain import Page, Task
from shared.errors import NotFound, ValidationFailed
from shared.logic.paging import Paging


def _check_project(values: dict) -> None:
    project_id = values.get("project_id")
    if project_id is not None and projects_data.get_project(project_id) is None:
        raise ValidationFailed.field("project_id", f"Project {project_id} not found")


def list_tasks(status: str | None, project_id: int | None, paging: Paging) -> Page:
    return tasks_data.list_tasks(status=status, project_id=project_id, page=paging.page, per_page=paging.per_page)


def get_task(task_id: int) -> Task:
    task = tasks_data.get_task(task_id)
    if task is None:
        raise NotFound(f"Task {task_id} not found")
    return task


def create_task(values: dict) -> Task:
    _check_project(values)
    return tasks_data.put_task(values)


def update_task(task_id: int, changes: dict) -> Task:
    _check_project(changes)
    return tasks_data.update_task(task_id, changes) or get_task(task_id)


def delete_task(task_id: int) -> None:
    if not tasks_data.delete_task(task_id):
        raise NotFound(f"Task {task_id} not found")
