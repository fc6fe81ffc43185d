"""Projects' access patterns (see shared/models/catalog.py for keys and indexes)."""
from __future__ import annotations

from shared.data.catalog import Catalog
from shared.domain import Page, Project
from shared.models.base import ORG
from shared.models.catalog import ProjectModel

_projects = Catalog(ProjectModel, "project", Project)
from_stored = _projects.from_stored  # a stream image -> the domain object


def put_project(values: dict) -> Project:
    return _projects.create(values)


def get_project(project_id: int) -> Project | None:
    return _projects.get(project_id)


def get_projects(project_ids) -> list[Project]:
    return _projects.get_many(project_ids)


def iter_projects():
    """Every project (Query on the organisation's partition)."""
    return (_projects.to_domain(item) for item in ProjectModel.query(ORG))


def list_projects(*, status: str | None, client_id: int | None, page: int, per_page: int) -> Page:
    if client_id is not None:  # Query by-client, status as a filter
        cond = ProjectModel.status == status if status else None
        return _projects.page(ProjectModel.by_client, client_id, page=page, per_page=per_page, filter_condition=cond)
    if status:
        return _projects.page(ProjectModel.by_status, status, page=page, per_page=per_page)
    return _projects.page(ProjectModel, ORG, page=page, per_page=per_page)


def update_project(project_id: int, changes: dict) -> Project | None:
    return _projects.update(project_id, changes)


def delete_project(project_id: int) -> bool:
    """Hard delete: only for a project nothing refers to (the API archives instead)."""
    return _projects.delete(project_id)


def client_has_projects(client_id: int) -> bool:
    return next(iter(ProjectModel.by_client.query(client_id, limit=1)), None) is not None
