"""API schemas for tasks."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, field_validator

from shared.api.schemas.common import DateText, Hours, Id, Name, Out, Pagination, Request, Text

TaskStatus = Literal["todo", "in_progress", "review", "done", "cancelled"]
TaskPriority = Literal["low", "medium", "high", "urgent"]
_PRIORITY_BY_NUMBER = {1: "low", 2: "medium", 3: "high", 4: "urgent"}


def _priority(value):
    """Accept the contract's numeric priority (1 = low … 4 = urgent) as well as the names."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value not in _PRIORITY_BY_NUMBER:
            raise ValueError("priority must be 1-4 or one of low, medium, high, urgent")
        return _PRIORITY_BY_NUMBER[value]
    return value


class TaskCreate(Request):
    name: Name
    description: Text | None = None
    project_id: Id
    status: TaskStatus = "todo"
    priority: TaskPriority = "medium"
    estimated_hours: Hours | None = None
    due_date: DateText | None = None

    _p = field_validator("priority", mode="before")(_priority)


class TaskUpdate(Request):
    name: Name = None  # type: ignore[assignment]
    description: Text | None = None
    project_id: Id = None  # type: ignore[assignment]
    status: TaskStatus = None  # type: ignore[assignment]
    priority: TaskPriority = None  # type: ignore[assignment]
    estimated_hours: Hours | None = None
    due_date: DateText | None = None

    _p = field_validator("priority", mode="before")(_priority)


class TaskOut(Out):
    id: int
    name: str
    description: str | None
    project_id: int
    status: str
    priority: str
    estimated_hours: float | None
    due_date: str | None
    created_at: datetime
    updated_at: datetime


class TaskEnvelope(BaseModel):
    task: TaskOut


class TaskSaved(TaskEnvelope):
    message: str


class TaskList(BaseModel):
    tasks: list[TaskOut]
    pagination: Pagination
