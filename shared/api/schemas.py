"""API request and response schemas (pydantic). Requests reject unknown fields
(``extra="forbid"``): a typo in a field name is a 400, never silently ignored."""
from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from shared.domain import Page
from shared.logic.paging import DEFAULT_PER_PAGE

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(max_length=5000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Id = Annotated[int, Field(ge=1)]
Money = Annotated[float, Field(ge=0, le=1_000_000)]
Hours = Annotated[float, Field(ge=0, le=1_000_000)]
ProjectStatus = Literal["active", "on_hold", "archived"]
ClientStatus = Literal["active", "inactive"]
TaskStatus = Literal["todo", "in_progress", "review", "done", "cancelled"]
TaskPriority = Literal["low", "medium", "high", "urgent"]
_PRIORITY_BY_NUMBER = {1: "low", 2: "medium", 3: "high", 4: "urgent"}


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    def values(self) -> dict:
        """Every field, defaults filled in: what a create stores."""
        return self.model_dump()

    def changes(self) -> dict:
        """Only the fields the caller sent (explicit nulls included): what an update applies."""
        return self.model_dump(exclude_unset=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# -- pagination --------------------------------------------------------------
class Pagination(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int
    has_next: bool
    has_prev: bool
    next_page: int | None
    prev_page: int | None

    @classmethod
    def of(cls, page: Page) -> "Pagination":
        pages = math.ceil(page.total / page.per_page) if page.total else 0
        return cls(page=page.page, per_page=page.per_page, total=page.total, pages=pages,
                   has_next=page.page < pages, has_prev=page.page > 1,
                   next_page=page.page + 1 if page.page < pages else None,
                   prev_page=page.page - 1 if page.page > 1 else None)


PageQuery = Annotated[int, Field(ge=1, description="Page number (default 1)")]
PerPageQuery = Annotated[int, Field(ge=1, description=f"Items per page (default {DEFAULT_PER_PAGE}, max 100)")]


class Message(BaseModel):
    message: str


class ErrorBody(BaseModel):
    """The contract's error format."""

    error: str
    message: str
    error_code: str
    errors: dict[str, list[str]] | None = Field(default=None, description="Field-level messages (400)")
    required_scope: str | None = Field(default=None, description="The scope the endpoint needs (403)")
    available_scopes: list[str] | None = Field(default=None, description="The token's scopes (403)")


# -- users -------------------------------------------------------------------
class UserCreate(Request):
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=80,
                                               pattern=r"^[A-Za-z0-9_.@-]+$")]
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=254,
                                            pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    full_name: Short | None = None
    role: Literal["admin", "user"] = "user"
    timezone: Short = "UTC"


class UserOut(Out):
    id: int
    username: str
    email: str
    full_name: str | None
    role: str
    timezone: str
    created_at: datetime


class UserEnvelope(BaseModel):
    user: UserOut


class UserList(BaseModel):
    users: list[UserOut]
    pagination: Pagination


# -- api tokens --------------------------------------------------------------
class ApiTokenCreate(Request):
    name: Name
    description: Text | None = None
    user_id: Id | None = Field(default=None, description="Defaults to the caller")
    scopes: list[str] = Field(min_length=1, max_length=20)
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class ApiTokenOut(Out):
    id: int
    name: str
    description: str | None
    user_id: int
    token_prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    is_active: bool

    @classmethod
    def of(cls, token, now: datetime) -> "ApiTokenOut":
        return cls.model_validate({**{f: getattr(token, f) for f in cls.model_fields if f != "is_active"},
                                   "is_active": token.is_active(now)})


class ApiTokenCreated(BaseModel):
    message: str
    token: str = Field(description="The plaintext token. Shown once; store it now.")
    api_token: ApiTokenOut


class ApiTokenEnvelope(BaseModel):
    message: str
    api_token: ApiTokenOut


class ApiTokenList(BaseModel):
    api_tokens: list[ApiTokenOut]
    pagination: Pagination


# -- clients -----------------------------------------------------------------
class ClientCreate(Request):
    name: Name
    email: Short | None = None
    company: Short | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    description: Text | None = None
    default_hourly_rate: Money | None = None
    status: ClientStatus = "active"


class ClientUpdate(Request):
    name: Name = None  # type: ignore[assignment]  # optional, but never null
    email: Short | None = None
    company: Short | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=50)] | None = None
    description: Text | None = None
    default_hourly_rate: Money | None = None
    status: ClientStatus = None  # type: ignore[assignment]


class ClientOut(Out):
    id: int
    name: str
    email: str | None
    company: str | None
    phone: str | None
    description: str | None
    default_hourly_rate: float | None
    status: str
    created_at: datetime
    updated_at: datetime


class ClientEnvelope(BaseModel):
    client: ClientOut


class ClientSaved(ClientEnvelope):
    message: str


class ClientList(BaseModel):
    clients: list[ClientOut]
    pagination: Pagination


# -- projects ----------------------------------------------------------------
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


# -- tasks -------------------------------------------------------------------
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
    due_date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None

    _p = field_validator("priority", mode="before")(_priority)


class TaskUpdate(Request):
    name: Name = None  # type: ignore[assignment]
    description: Text | None = None
    project_id: Id = None  # type: ignore[assignment]
    status: TaskStatus = None  # type: ignore[assignment]
    priority: TaskPriority = None  # type: ignore[assignment]
    estimated_hours: Hours | None = None
    due_date: Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = None

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
