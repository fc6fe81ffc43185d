"""Projects: shared by the organisation; deleting archives."""
from __future__ import annotations

from shared.data import clients as clients_data
from shared.data import projects as projects_data
from shared.domain import Page, Project
from shared.errors import NotFound, ValidationFailed
from shared.logic.paging import Paging


def _check_client(values: dict) -> None:
    client_id = values.get("client_id")
    if client_id is not None and clients_data.get_client(client_id) is None:
        raise ValidationFailed.field("client_id", f"Client {client_id} not found")


def list_projects(status: str | None, client_id: int | None, paging: Paging) -> Page:
    return projects_data.list_projects(status=status, client_id=client_id, page=paging.page, per_page=paging.per_page)


def get_project(project_id: int) -> Project:
    project = projects_data.get_project(project_id)
    if project is None:
        raise NotFound(f"Project {project_id} not found")
    return project


def create_project(values: dict) -> Project:
    _check_client(values)
    return projects_data.put_project(values)


def update_project(project_id: int, changes: dict) -> Project:
    _check_client(changes)
    return projects_data.update_project(project_id, changes) or get_project(project_id)


def archive_project(project_id: int) -> Project:
    """DELETE archives: time already tracked against a project must keep its project."""
    return update_project(project_id, {"status": "archived"})
