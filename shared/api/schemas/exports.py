"""API schemas for exports, backups and restores."""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.api.schemas.common import Id, Out, Pagination, Request
from shared.domain import ExportJob, RestoreJob
from shared.jobs.status import ExportStatus


class GdprExportIn(Request):
    format: Literal["json", "zip"] = "json"


class ExportFiltersIn(Request):
    include_time_entries: bool = True
    include_projects: bool = False
    include_expenses: bool = Field(False, description="Accepted for compatibility; this system keeps no expenses")
    start_date: date | None = None
    end_date: date | None = Field(None, description="Inclusive: the whole day is exported")
    project_id: Id | None = None
    billable_only: bool = False
    user_id: Id | None = Field(None, description="Admins only: one user's entries (default: everyone's)")


class FilteredExportIn(Request):
    format: Literal["json", "csv"] = "json"
    filters: ExportFiltersIn = Field(default_factory=ExportFiltersIn)


class ExportOut(Out):
    id: int
    user_id: int
    export_type: str
    export_format: str
    status: str
    filename: str
    filters: dict
    record_count: int | None
    file_size: int | None
    error_message: str | None
    created_at: datetime
    completed_at: datetime | None
    expires_at: datetime | None
    expired: bool
    download_url: str | None = Field(description="While the file can be downloaded")

    @classmethod
    def of(cls, job: ExportJob, expired: bool) -> "ExportOut":
        ready = job.status == ExportStatus.COMPLETED and not expired
        return cls.model_validate({**{f: getattr(job, f) for f in cls.model_fields if hasattr(job, f)},
                                   "filters": job.filters.as_record() if job.filters else {}, "expired": expired,
                                   "download_url": f"/api/export/download/{job.id}" if ready else None})


class ExportStarted(BaseModel):
    success: bool = True
    message: str
    export_id: int
    status: str
    filename: str
    status_url: str
    download_url: str
    export: ExportOut


class ExportLink(BaseModel):
    url: str = Field(description="A presigned GET of the file")
    expires_in: int = Field(description="Seconds the URL stays valid")


class ExportHistory(BaseModel):
    exports: list[ExportOut]
    pagination: Pagination


class RestoreReferenceIn(Request):
    export_id: Id | None = None
    upload_id: str | None = Field(None, max_length=64, description="From POST /api/v1/imports/uploads")
    dry_run: bool = False


class RestoreProblemOut(BaseModel):
    line: int | None
    message: str


class RestoreOut(Out):
    id: int
    status: str
    dry_run: bool
    phase: str | None
    backup_info: dict | None
    counts: dict = Field(description="Per table: removed/restored; for a dry run, in_backup, existing, "
                                     "to_create, to_replace, to_delete")
    error_message: str | None
    problems: list[RestoreProblemOut] | None = Field(
        description="What the whole-file check found, each with its line (nothing is changed when there is one)")
    safety_export_id: int | None = Field(
        description="The backup of the data as it was before the restore (in export history); a failed load "
                    "is rolled back from it")
    created_at: datetime
    completed_at: datetime | None

    @classmethod
    def of(cls, job: RestoreJob) -> "RestoreOut":
        return cls.model_validate(job)


class RestoreStarted(BaseModel):
    success: bool = True
    message: str
    restore_id: int
    status_url: str
    restore: RestoreOut
