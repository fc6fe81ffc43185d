"""API schemas for time entries, the timer and reports."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from shared.api.schemas.common import Id, Pagination, Request, Text
from shared.domain import TimeEntry

Instant = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40),
                    Field(description="ISO 8601; without an offset, in the user's time zone")]
Tags = Annotated[str, StringConstraints(max_length=1100)] | list[Annotated[str, StringConstraints(max_length=50)]]


class TimeEntryCreate(Request):
    project_id: Id | None = None
    task_id: Id | None = None
    start_time: Instant
    end_time: Instant | None = Field(default=None, description="Omit to start a running timer")
    notes: Text | None = None
    tags: Tags | None = Field(default=None, description='"development,frontend" or ["development", "frontend"]')
    billable: bool = True
    paid: bool = False
    user_id: Id | None = Field(default=None, description="Admins only: create for another user")


class TimeEntryUpdate(Request):
    project_id: Id | None = None
    task_id: Id | None = None
    start_time: Instant = None  # type: ignore[assignment]
    end_time: Instant | None = None
    notes: Text | None = None
    tags: Tags | None = None
    billable: bool = None  # type: ignore[assignment]
    paid: bool = None  # type: ignore[assignment]


class TimeEntryOut(BaseModel):
    id: int
    user_id: int
    project_id: int | None
    task_id: int | None
    start_time: datetime
    end_time: datetime | None
    duration_seconds: int | None
    duration_hours: float | None
    notes: str | None
    tags: str = Field(description="Comma-separated, as the contract writes them")
    tag_list: list[str]
    billable: bool
    paid: bool
    source: str
    source_id: str | None = Field(None, description="Imported from Toggl or Harvest: the entry's id there")
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, entry: TimeEntry) -> "TimeEntryOut":
        seconds = entry.duration_seconds
        return cls(id=entry.id, user_id=entry.user_id, project_id=entry.project_id, task_id=entry.task_id,
                   start_time=entry.start_time, end_time=entry.end_time, duration_seconds=seconds,
                   duration_hours=round(seconds / 3600, 2) if seconds is not None else None, notes=entry.notes,
                   tags=",".join(entry.tags), tag_list=list(entry.tags), billable=entry.billable, paid=entry.paid,
                   source=entry.source, source_id=entry.source_id,
                   is_active=entry.is_active, created_at=entry.created_at,
                   updated_at=entry.updated_at)


class TimeEntryEnvelope(BaseModel):
    time_entry: TimeEntryOut


class TimeEntrySaved(TimeEntryEnvelope):
    message: str


class TimeEntryList(BaseModel):
    time_entries: list[TimeEntryOut]
    pagination: Pagination


class BulkRequest(Request):
    entry_ids: list[Annotated[int, Field(ge=1)]] = Field(min_length=1, max_length=500)
    action: Literal["delete", "set_billable", "set_paid", "add_tag", "remove_tag"]
    value: bool | Annotated[str, StringConstraints(max_length=50)] | None = None


class BulkResult(BaseModel):
    success: bool
    affected: int
    skipped: int


class TimerStart(Request):
    project_id: Id
    task_id: Id | None = None
    notes: Text | None = None
    tags: Tags | None = None
    billable: bool = True


class TimerStatus(BaseModel):
    active: bool
    timer: TimeEntryOut | None


class TimerSaved(BaseModel):
    message: str
    timer: TimeEntryOut


class ProjectHours(BaseModel):
    project_id: int | None
    project_name: str | None
    hours: float
    entries: int


class Summary(BaseModel):
    start_date: str
    end_date: str
    total_hours: float
    billable_hours: float
    total_entries: int
    by_project: list[ProjectHours]


class SummaryReport(BaseModel):
    summary: Summary


class LineError(BaseModel):
    row: int = Field(description="The file's line (the header is line 1), as TimeTracker's API v1 reports it")
    error: str
    line: int
    message: str
    fields: dict[str, str]


class CsvImportResult(BaseModel):
    success: bool = Field(description="True when every row was imported")
    message: str
    total: int
    created: int
    failed: int
    errors: list[LineError]
    projects_created: list[str]


class ImportAccepted(BaseModel):
    """202: a file too big to import in the request is imported in the background."""

    message: str
    import_id: int
    status: str
    status_url: str
