"""API schemas for projects."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from shared.api.schemas.common import Hours, Id, Money, Name, Out, Pagination, Request, Text

ProjectStatus = Literal["active", "on_hold", "archived"]


class ProjectCreate(Request):
    name: Name
    description: Text | None = None
    client_id: Id | None = None
    hourly_rate: Money | None = None
    estimated_hours: Hours | None = None
    billable: bool = True
    status: ProjectStatus = "active"


class ProjectUpdate(Request):
    name: Name = None  # type: ignore[assignment]
    description: Text | None = None
    client_id: Id | None = None
    hourly_rate: Money | None = None
    estimated_hours: Hours | None = None
    billable: bool = None  # type: ignore[assignment]
    status: ProjectStatus = None  # type: ignore[assignment]


class ProjectOut(Out):
    id: int
    name: str
    description: str | None
    client_id: int | None
    hourly_rate: float | None
    estimated_hours: float | None
    billable: bool
    status: str
    created_at: datetime
    updated_at: datetime


class ProjectEnvelope(BaseModel):
    project: ProjectOut


class ProjectSaved(ProjectEnvelope):
    message: str


class ProjectList(BaseModel):
    projects: list[ProjectOut]
    pagination: Pagination
