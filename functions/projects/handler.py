"""/api/v1/projects: shared by the organisation; DELETE archives."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.common import Id, PageQuery, Pagination, PerPageQuery
from shared.api.schemas.projects import (
    ProjectCreate,
    ProjectEnvelope,
    ProjectList,
    ProjectOut,
    ProjectSaved,
    ProjectStatus,
    ProjectUpdate,
)
from shared.logic import projects
from shared.logic.paging import Paging

api = ApiFunction("projects")


@api.route
def list_projects(
    status: Annotated[ProjectStatus | None, Query()] = None,
    client_id: Annotated[Id | None, Query()] = None,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> ProjectList:
    result = projects.list_projects(status, client_id, Paging.of(page, per_page))
    return ProjectList(projects=[ProjectOut.model_validate(p) for p in result.items], pagination=Pagination.of(result))


@api.route
def get_project(project_id: int) -> ProjectEnvelope:
    return ProjectEnvelope(project=ProjectOut.model_validate(projects.get_project(project_id)))


@api.route
def create_project(project: ProjectCreate) -> Response[ProjectSaved]:
    created = projects.create_project(project.values())
    body = ProjectSaved(message="Project created successfully", project=ProjectOut.model_validate(created))
    return Response(status_code=201, content_type="application/json", body=body)


@api.route
def update_project(project_id: int, project: ProjectUpdate) -> ProjectSaved:
    updated = projects.update_project(project_id, project.changes())
    return ProjectSaved(message="Project updated successfully", project=ProjectOut.model_validate(updated))


@api.route
def patch_project(project_id: int, project: ProjectUpdate) -> ProjectSaved:
    return update_project(project_id, project)


@api.route
def archive_project(project_id: int) -> ProjectSaved:
    archived = projects.archive_project(project_id)
    return ProjectSaved(message="Project archived successfully", project=ProjectOut.model_validate(archived))


lambda_handler = api.lambda_handler
