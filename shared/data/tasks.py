"""Tasks' access patterns (see shared/models/catalog.py for keys and indexes).
Task names are unique within their project."""
from __future__ import annotations

from shared.data.catalog import Catalog
from shared.domain import Page, Task
from shared.models.base import ORG
from shared.models.catalog import TaskModel

_tasks = Catalog(TaskModel, "task", Task, name_scope=lambda item: str(item.project_id))
from_stored = _tasks.from_stored  # a stream image -> the domain object


def put_task(values: dict) -> Task:
    return _tasks.create(values)


def get_tasks(task_ids) -> list[Task]:
    return _tasks.get_many(task_ids)


def get_task(task_id: int) -> Task | None:
    return _tasks.get(task_id)


def list_tasks(*, status: str | None, project_id: int | None, page: int, per_page: int) -> Page:
    if project_id is not None:  # Query by-project, status as a filter
        cond = TaskModel.status == status if status else None
        return _tasks.page(TaskModel.by_project, project_id, page=page, per_page=per_page, filter_condition=cond)
    if status:
        return _tasks.page(TaskModel.by_status, status, page=page, per_page=per_page)
    return _tasks.page(TaskModel, ORG, page=page, per_page=per_page)


def task_ids_of_project(project_id: int) -> list[int]:
    return [t.id for t in TaskModel.by_project.query(project_id, attributes_to_get=["id"])]


def update_task(task_id: int, changes: dict) -> Task | None:
    return _tasks.update(task_id, changes)


def delete_task(task_id: int) -> bool:
    return _tasks.delete(task_id)
