"""/api/v1/tasks: each task belongs to a project."""
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from shared.api.app import ApiFunction
from shared.api.schemas.common import Id, Message, PageQuery, Pagination, PerPageQuery
from shared.api.schemas.tasks import TaskCreate, TaskEnvelope, TaskList, TaskOut, TaskSaved, TaskStatus, TaskUpdate
from shared.logic import tasks
from shared.logic.paging import Paging

api = ApiFunction("tasks")


@api.route
def list_tasks(
    status: Annotated[TaskStatus | None, Query()] = None,
    project_id: Annotated[Id | None, Query()] = None,
    page: Annotated[PageQuery, Query()] = 1,
    per_page: Annotated[PerPageQuery, Query()] = 50,
) -> TaskList:
    result = tasks.list_tasks(status, project_id, Paging.of(page, per_page))
    return TaskList(tasks=[TaskOut.model_validate(t) for t in result.items], pagination=Pagination.of(result))


@api.route
def get_task(task_id: int) -> TaskEnvelope:
    return TaskEnvelope(task=TaskOut.model_validate(tasks.get_task(task_id)))


@api.route
def create_task(task: TaskCreate) -> Response[TaskSaved]:
    created = tasks.create_task(task.values())
    body = TaskSaved(message="Task created successfully", task=TaskOut.model_validate(created))
    return Response(status_code=201, content_type="application/json", body=body)


@api.route
def update_task(task_id: int, task: TaskUpdate) -> TaskSaved:
    updated = tasks.update_task(task_id, task.changes())
    return TaskSaved(message="Task updated successfully", task=TaskOut.model_validate(updated))


@api.route
def patch_task(task_id: int, task: TaskUpdate) -> TaskSaved:
    return update_task(task_id, task)


@api.route
def delete_task(task_id: int) -> Message:
    tasks.delete_task(task_id)
    return Message(message="Task deleted successfully")


lambda_handler = api.lambda_handler
